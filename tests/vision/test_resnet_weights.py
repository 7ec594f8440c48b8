"""Loading torchvision checkpoints (.pth with torch, .safetensors without) into
visiongrad models."""
import sys

import numpy as np
import pytest
import torch

import visiongrad as vg
from visiongrad.vision import models
from visiongrad.vision.models import convert_torch_checkpoint, load_torchvision_weights

import torch_reference as ref


@pytest.fixture(scope="module")
def trained_torch_resnet18():
    """A reference ResNet-18 whose batch norms hold non-trivial running statistics and
    counters, as in a real checkpoint."""
    torch.manual_seed(0)
    model = ref.resnet18()
    with torch.no_grad():
        model(torch.randn(4, 3, 32, 32))
    return model.eval()


@pytest.fixture(scope="module")
def checkpoints(trained_torch_resnet18, tmp_path_factory):
    folder = tmp_path_factory.mktemp("weights")
    pth = folder / "resnet18.pth"
    torch.save(trained_torch_resnet18.state_dict(), pth)
    safetensors = folder / "resnet18.safetensors"
    assert convert_torch_checkpoint(pth, safetensors) == len(
        trained_torch_resnet18.state_dict())
    return {"pth": pth, "safetensors": safetensors}


@pytest.mark.parametrize("kind", ["pth", "safetensors"])
def test_loaded_model_computes_torchs_outputs(kind, checkpoints, trained_torch_resnet18, rng):
    model = models.get("resnet18")
    missing, unexpected = load_torchvision_weights(model, checkpoints[kind])
    assert missing == [] and unexpected == []
    assert model.layer1[0].bn1.num_batches_tracked.item() == 1
    x = rng.standard_normal((1, 3, 32, 32)).astype(np.float32)
    with vg.no_grad():
        out = model.eval()(vg.tensor(x)).numpy()
    expected = trained_torch_resnet18(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)


def test_every_bad_key_is_reported_at_once(trained_torch_resnet18, tmp_path):
    state = dict(trained_torch_resnet18.state_dict())
    del state["layer2.0.bn1.running_var"]
    state["layer9.weight"] = torch.zeros(3)
    path = tmp_path / "bad.pth"
    torch.save(state, path)
    with pytest.raises(RuntimeError) as error:
        load_torchvision_weights(models.get("resnet18", num_classes=10), path)
    message = str(error.value)
    for part in ['Missing key(s) in state_dict: "layer2.0.bn1.running_var"',
                 'Unexpected key(s) in state_dict: "layer9.weight"',
                 "size mismatch for fc.weight", "size mismatch for fc.bias"]:
        assert part in message
    missing, unexpected = load_torchvision_weights(
        models.get("resnet18"), path, strict=False)
    assert missing == ["layer2.0.bn1.running_var"] and unexpected == ["layer9.weight"]


def test_checkpoints_without_batch_counters_load(trained_torch_resnet18, tmp_path):
    # as written before PyTorch 0.4.1, like torchvision's first ResNet files
    state = {key: value for key, value in trained_torch_resnet18.state_dict().items()
             if not key.endswith("num_batches_tracked")}
    path = tmp_path / "old.pth"
    torch.save(state, path)
    model = models.get("resnet18")
    load_torchvision_weights(model, path)
    assert model.bn1.num_batches_tracked.item() == 0
    np.testing.assert_array_equal(model.bn1.running_var.numpy(), state["bn1.running_var"].numpy())


@pytest.mark.parametrize("name, message", [
    ("broken.pth", "is not a readable PyTorch checkpoint"),
    ("broken.safetensors", "is not a valid safetensors checkpoint"),
])
def test_a_corrupt_file_gives_one_clear_error(tmp_path, name, message):
    path = tmp_path / name
    path.write_bytes(b"\x80\x02 this is not a checkpoint")
    with pytest.raises(ValueError, match=message):
        load_torchvision_weights(models.get("resnet20"), path)


def test_a_file_that_is_not_a_state_dict(tmp_path):
    path = tmp_path / "list.pth"
    torch.save([torch.zeros(2)], path)
    with pytest.raises(ValueError, match="does not hold a state_dict"):
        load_torchvision_weights(models.get("resnet20"), path)


def test_pth_without_torch_says_how_to_convert(tmp_path, monkeypatch):
    path = tmp_path / "any.pth"
    path.write_bytes(b"")
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match="reading .pth files needs PyTorch; convert it to "
                                          ".safetensors with"):
        load_torchvision_weights(models.get("resnet20"), path)


@pytest.mark.parametrize("name, error", [("weights.npz", ValueError),
                                         ("absent.pth", FileNotFoundError)])
def test_unknown_format_and_missing_file(tmp_path, name, error):
    if error is ValueError:
        (tmp_path / name).write_bytes(b"")
    with pytest.raises(error, match=name):
        load_torchvision_weights(models.get("resnet20"), tmp_path / name)
