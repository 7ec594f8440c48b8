import numpy as np
import pytest
import torch
from PIL import Image

import visiongrad as vg
from visiongrad.vision import transforms
from visiongrad.vision.transforms import functional as F


def torch_to_tensor(array):
    """torchvision's to_tensor for an HWC uint8 array, written out with torch."""
    if array.ndim == 2:
        array = array[:, :, None]
    return torch.from_numpy(array.transpose(2, 0, 1).copy()).to(torch.float32).div(255)


@pytest.mark.parametrize("shape", [(5, 4, 3), (5, 4), (2, 3, 1)])
def test_to_tensor_matches_torchvision_on_uint8_arrays(shape):
    array = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    tensor = F.to_tensor(array)
    expected = torch_to_tensor(array).numpy()
    assert isinstance(tensor, vg.Tensor) and tensor.dtype == np.float32
    assert tensor.shape == expected.shape
    assert np.array_equal(tensor.numpy(), expected)


def test_to_tensor_accepts_pil_images():
    array = np.random.default_rng(1).integers(0, 256, (6, 7, 3), dtype=np.uint8)
    expected = torch_to_tensor(array).numpy()
    assert np.array_equal(F.to_tensor(Image.fromarray(array)).numpy(), expected)
    gray = F.to_tensor(Image.fromarray(array[..., 0]))
    assert gray.shape == (1, 6, 7)
    bits = F.to_tensor(Image.fromarray(array[..., 0] > 127))
    assert bits.shape == (1, 6, 7) and set(np.unique(bits.numpy())) <= {0.0, 1.0}


def test_to_tensor_keeps_other_dtypes_unscaled():
    array = np.linspace(0, 5, 24).reshape(2, 4, 3)
    tensor = F.to_tensor(array)
    assert tensor.dtype == np.float64 and np.array_equal(tensor.numpy(), array.transpose(2, 0, 1))


def test_to_tensor_errors():
    with pytest.raises(ValueError, match="2 or 3 dimensional"):
        F.to_tensor(np.zeros((1, 2, 2, 3), np.uint8))
    with pytest.raises(TypeError, match="PIL Image or a numpy.ndarray"):
        F.to_tensor([[0, 1]])


def test_normalize_matches_torchvision():
    x = np.random.default_rng(2).random((2, 3, 4, 5)).astype(np.float32)
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    m = torch.tensor(mean, dtype=torch.float32).view(-1, 1, 1)
    s = torch.tensor(std, dtype=torch.float32).view(-1, 1, 1)
    expected = torch.from_numpy(x).sub(m).div(s).numpy()
    as_tensor = F.normalize(vg.tensor(x), mean, std)
    assert isinstance(as_tensor, vg.Tensor) and np.array_equal(as_tensor.numpy(), expected)
    as_array = F.normalize(x, mean, std)
    assert isinstance(as_array, np.ndarray) and np.array_equal(as_array, expected)
    assert not np.array_equal(x, expected), "the input should be left alone"
    copy = x.copy()
    assert F.normalize(copy, mean, std, inplace=True) is copy and np.array_equal(copy, expected)
    tensor = vg.tensor(x)
    assert F.normalize(tensor, mean, std, inplace=True) is tensor
    assert np.array_equal(tensor.numpy(), expected)


def test_normalize_is_differentiable():
    x = vg.rand(3, 2, 2, dtype=vg.float64, requires_grad=True)
    F.normalize(x, [0.5, 0.5, 0.5], [2.0, 4.0, 8.0]).sum().backward()
    assert np.allclose(x.grad.numpy()[:, 0, 0], [0.5, 0.25, 0.125])


@pytest.mark.parametrize("image, mean, std, error, message", [
    (np.zeros((3, 2, 2), np.uint8), [0], [1], TypeError, "float"),
    (np.zeros((2, 2), np.float32), [0], [1], ValueError, r"\(\.\.\., C, H, W\)"),
    (np.zeros((3, 2, 2), np.float32), [0, 0], [1, 1], ValueError, "1 or 3 values"),
    (np.zeros((3, 2, 2), np.float32), [0], [0], ValueError, "division by zero"),
])
def test_normalize_errors(image, mean, std, error, message):
    with pytest.raises(error, match=message):
        F.normalize(image, mean, std)


def test_compose_pipeline():
    image = np.random.default_rng(3).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    pipeline = transforms.Compose([transforms.ToTensor(),
                                   transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
                                   transforms.Lambda(lambda t: t * 2)])
    out = pipeline(image)
    expected = (torch_to_tensor(image).sub(0.5).div(0.5) * 2).numpy()
    assert out.shape == (3, 8, 8) and np.allclose(out.numpy(), expected, atol=1e-6)
    assert "Normalize(mean=(0.5, 0.5, 0.5)" in repr(pipeline) and "ToTensor()" in repr(pipeline)
    with pytest.raises(TypeError, match=r"transforms\[1\]"):
        transforms.Compose([transforms.ToTensor(), "flip"])
    with pytest.raises(TypeError, match="callable"):
        transforms.Lambda(3)
