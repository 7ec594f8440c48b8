"""MobileNet v1/v2 and ShuffleNet V2: parameter counts, torchvision's state_dict layout and
outputs (against the torch.nn copies in torch_reference.py), depthwise-separable
convolution (C3.40) and channel shuffle (C3.41)."""
from fractions import Fraction

import numpy as np
import pytest

import visiongrad as vg
from visiongrad import nn
from visiongrad.vision import models
from visiongrad.vision.models.classification import shufflenet as vg_shufflenet
from visiongrad.vision.models.classification.mobilenet import DepthwiseSeparableConv
from visiongrad.vision.models.classification.shufflenet import channel_shuffle

torch = pytest.importorskip("torch")
import torch_reference as ref  # noqa: E402 - needs torch
from torch_reference import assert_close, count  # noqa: E402


@pytest.mark.parametrize("name, expected", [
    ("mobilenet_v2", 3_504_872),
    # the paper's 4.2 M; Keras' MobileNet reports the same 4,231,976 trainable parameters
    ("mobilenet_v1", 4_231_976),
    ("shufflenet_v2_x0_5", 1_366_792),
    ("shufflenet_v2_x1_0", 2_278_604),
    ("shufflenet_v2_x1_5", 3_503_624),
    ("shufflenet_v2_x2_0", 7_393_996),
])
def test_parameter_counts(name, expected):
    assert count(models.get(name)) == expected


@pytest.mark.parametrize("name, build", [("mobilenet_v2", ref.MobileNetV2),
                                         ("shufflenet_v2_x1_0", ref.shufflenet_v2_x1_0)])
def test_matches_torchvision(name, build, rng):
    torch.manual_seed(0)
    torch_model = build()
    model = models.get(name)
    assert ref.state_dict_shapes(model.state_dict()) == ref.state_dict_shapes(
        torch_model.state_dict())
    ref.randomize_batchnorm(torch_model)
    ref.copy_weights(model, torch_model)
    x = rng.standard_normal((1, 3, 32, 32)).astype(np.float32)
    with vg.no_grad():
        out = model.eval()(vg.tensor(x)).numpy()
    assert_close(out, torch_model.eval()(torch.from_numpy(x)).detach().numpy())


def test_mobilenet_v2_uses_relu6_and_linear_bottlenecks():
    model = models.get("mobilenet_v2")
    block = model.features[2]  # expansion 6, 16 -> 24, stride 2
    assert [type(m).__name__ for m in block.conv] == [
        "Conv2dNormActivation", "Conv2dNormActivation", "Conv2d", "BatchNorm2d"]
    assert isinstance(block.conv[0][2], nn.ReLU6) and block.conv[1][0].groups == 96
    assert not block.use_res_connect and model.features[3].use_res_connect


def test_depthwise_separable_block_matches_torch_convolutions(rng):
    block = DepthwiseSeparableConv(8, 16, stride=2)
    depthwise = torch.nn.Conv2d(8, 8, 3, 2, 1, groups=8, bias=False)
    pointwise = torch.nn.Conv2d(8, 16, 1, bias=False)
    torch_block = torch.nn.Sequential(depthwise, torch.nn.BatchNorm2d(8), torch.nn.ReLU(),
                                      pointwise, torch.nn.BatchNorm2d(16), torch.nn.ReLU())
    assert block.depthwise[0].weight.shape == (8, 1, 3, 3)
    assert block.pointwise[0].weight.shape == (16, 8, 1, 1)
    ref.randomize_batchnorm(torch_block)
    block.load_state_dict({key: value.numpy() for key, value in zip(
        block.state_dict(), torch_block.state_dict().values())})
    x = rng.standard_normal((2, 8, 9, 9)).astype(np.float32)
    with vg.no_grad():
        out = block.eval()(vg.tensor(x)).numpy()
    assert out.shape == (2, 16, 5, 5)
    assert_close(out, torch_block.eval()(torch.from_numpy(x)).detach().numpy())


@pytest.mark.parametrize("c_in, c_out", [(32, 64), (64, 128), (16, 16)])
def test_depthwise_separable_cost_ratio(c_in, c_out):
    # MACs of depthwise 3×3 + pointwise 1×1 over a full 3×3 conv: 1/C_out + 1/k²
    separable = models.summary(DepthwiseSeparableConv(c_in, c_out), (c_in, 8, 8),
                               print_fn=None)
    standard = models.summary(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), (c_in, 8, 8),
                              print_fn=None)
    assert Fraction(separable.total_macs, standard.total_macs) == \
        Fraction(1, c_out) + Fraction(1, 9)


def test_channel_shuffle_interleaves_groups():
    x = vg.arange(6, dtype=vg.float32).reshape(1, 6, 1, 1)
    # groups (0 1 2)(3 4 5) -> 0 3 1 4 2 5
    assert channel_shuffle(x, 2).numpy().ravel().tolist() == [0, 3, 1, 4, 2, 5]
    assert channel_shuffle(x, 3).numpy().ravel().tolist() == [0, 2, 4, 1, 3, 5]


@pytest.mark.parametrize("channels, groups", [(12, 2), (12, 3), (12, 4), (116, 2)])
def test_channel_shuffle_is_a_bijection_undone_by_the_transposed_shuffle(channels, groups, rng):
    x = rng.standard_normal((2, channels, 3, 3)).astype(np.float32)
    shuffled = channel_shuffle(vg.tensor(x), groups)
    order = channel_shuffle(vg.arange(channels, dtype=vg.float32).reshape(1, channels, 1, 1),
                            groups).numpy().ravel().astype(int)
    assert sorted(order) == list(range(channels))
    np.testing.assert_array_equal(shuffled.numpy(), x[:, order])
    restored = channel_shuffle(shuffled, channels // groups)
    np.testing.assert_array_equal(restored.numpy(), x)
    expected = ref.channel_shuffle(torch.from_numpy(x), groups).numpy()
    np.testing.assert_array_equal(shuffled.numpy(), expected)


def test_channel_shuffle_gradient_is_the_inverse_permutation(rng):
    x = vg.tensor(rng.standard_normal((1, 6, 2, 2)).astype(np.float32), requires_grad=True)
    grad_output = rng.standard_normal((1, 6, 2, 2)).astype(np.float32)
    channel_shuffle(x, 2).backward(vg.tensor(grad_output))
    np.testing.assert_array_equal(x.grad.numpy(), grad_output[:, [0, 2, 4, 1, 3, 5]])


def test_channel_shuffle_rejects_indivisible_groups():
    with pytest.raises(ValueError, match="do not split into 4 groups"):
        channel_shuffle(vg.zeros(1, 6, 1, 1), 4)


def test_shufflenet_unit_checks_its_arguments():
    with pytest.raises(ValueError, match="inp should be equal to oup"):
        vg_shufflenet.InvertedResidual(24, 116, 1)
    with pytest.raises(ValueError, match="unknown ShuffleNet V2 variant"):
        vg_shufflenet.shufflenet_v2("shufflenet_v2_x3_0")
