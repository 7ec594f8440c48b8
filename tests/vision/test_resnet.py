"""ResNet families: torchvision's parameter counts, state_dict keys and outputs (against
the torch.nn copy in torch_reference.py), residual-block identities, stochastic depth,
and the small-image variants."""
import numpy as np
import pytest
import torch

import visiongrad as vg
from visiongrad import nn
from visiongrad.vision import models
from visiongrad.vision.models.classification import resnet as vg_resnet
from visiongrad.vision.models.classification.resnet_cifar import (
    PreActBlock, SEBasicBlock, SqueezeExcitation, ZeroPadShortcut)

import torch_reference as ref
from torch_reference import count

# name -> torchvision's parameter count (FEATURES.md §4.4)
PARAMETER_COUNTS = {
    "resnet18": 11_689_512,
    "resnet50": 25_557_032,
    "resnext50_32x4d": 25_028_904,
    "wide_resnet50_2": 68_883_240,
}

# name -> (torch reference builder, input shape for the forward comparison, dtype, tolerance)
PARITY = {
    "resnet18": (ref.resnet18, (2, 3, 32, 32), np.float64, 1e-10),
    "resnet50": (ref.resnet50, (1, 3, 32, 32), np.float32, 1e-4),
    "resnext50_32x4d": (ref.resnext50_32x4d, (1, 3, 32, 32), np.float32, 1e-4),
    "resnet20": (ref.resnet20, (2, 3, 32, 32), np.float64, 1e-10),
}


def torch_pair(name):
    """(visiongrad model, torch reference) with the torch weights copied in; the
    torchvision-sized models get num_classes=1000, the CIFAR ones 10."""
    build = PARITY[name][0]
    torch.manual_seed(0)
    torch_model = build()
    model = models.get(name, num_classes=torch_model.fc.out_features)
    ref.copy_weights(model, torch_model)
    return model, torch_model


def as_dtype(model, torch_model, dtype):
    if dtype == np.float64:
        return model.double(), torch_model.double()
    return model, torch_model


@pytest.mark.parametrize("name", PARAMETER_COUNTS)
def test_parameter_count_is_torchvisions(name):
    assert count(models.get(name)) == PARAMETER_COUNTS[name]


@pytest.mark.parametrize("name", PARITY)
def test_state_dict_and_eval_forward_equal_reference(name, rng):
    _, shape, dtype, tol = PARITY[name]
    model, torch_model = as_dtype(*torch_pair(name), dtype)
    assert ref.state_dict_shapes(model.state_dict()) == ref.state_dict_shapes(
        torch_model.state_dict())
    x = rng.standard_normal(shape).astype(dtype)
    model.eval(), torch_model.eval()
    with vg.no_grad():
        out = model(vg.tensor(x)).numpy()
    expected = torch_model(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(out, expected, rtol=tol, atol=tol)


@pytest.mark.parametrize("name", ["resnet18", "resnet20"])
def test_train_forward_backward_and_running_stats_equal_reference(name, rng):
    _, shape, dtype, tol = PARITY[name]
    model, torch_model = as_dtype(*torch_pair(name), dtype)
    x = rng.standard_normal(shape).astype(dtype)
    model.train(), torch_model.train()
    x_vg = vg.tensor(x, requires_grad=True)
    x_torch = torch.tensor(x, requires_grad=True)
    out, expected = model(x_vg), torch_model(x_torch)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=tol, atol=tol)
    out.sum().backward()
    expected.sum().backward()
    for grad, expected_grad in [(x_vg.grad, x_torch.grad),
                                (model.conv1.weight.grad, torch_model.conv1.weight.grad)]:
        expected_grad = expected_grad.numpy()
        # batch norm over 2 values at 1×1 resolution makes gradients reach ~1e3
        scale = np.abs(expected_grad).max()
        np.testing.assert_allclose(grad.numpy(), expected_grad, rtol=0, atol=1e-10 * scale)
    buffers = dict(torch_model.named_buffers())
    for key, value in model.named_buffers():
        np.testing.assert_allclose(value.numpy(), buffers[key].numpy(), rtol=1e-10, atol=1e-10,
                                   err_msg=key)


def block_io(model, block_types):
    """[(block, input, output)] for every block of the given types in one forward."""
    records = []
    for module in model.modules():
        if isinstance(module, block_types):
            module.register_forward_hook(
                lambda m, args, out: records.append((m, args[0].numpy(), out.numpy())))
    return records


@pytest.mark.parametrize("build, block_types", [
    (lambda: models.get("resnet18", zero_init_residual=True), (vg_resnet.BasicBlock,)),
    # one bottleneck per stage keeps it quick; resnet50 repeats the same blocks
    (lambda: vg_resnet.ResNet(vg_resnet.Bottleneck, [1, 1, 1, 1], zero_init_residual=True),
     (vg_resnet.Bottleneck,)),
    (lambda: models.get("resnet20", zero_init_residual=True), (vg_resnet.BasicBlock,)),
])
def test_zero_init_residual_makes_every_block_relu_of_its_shortcut(build, block_types, rng):
    model = build().train()
    records = block_io(model, block_types)
    with vg.no_grad():
        model(vg.tensor(rng.standard_normal((2, 3, 32, 32)).astype(np.float32)))
    assert len(records) == sum(isinstance(m, block_types) for m in model.modules())
    for block, x, out in records:
        shortcut = x if block.downsample is None else block.downsample(vg.tensor(x)).numpy()
        np.testing.assert_array_equal(out, np.maximum(shortcut, 0))


def test_bottleneck_stride_is_on_the_3x3_conv():
    block = models.get("resnet50").layer2[0]
    assert block.conv1.stride == (1, 1) and block.conv2.stride == (2, 2)
    assert block.downsample[0].stride == (2, 2)


def test_resnext_uses_grouped_convolutions():
    conv = models.get("resnext50_32x4d").layer1[0].conv2
    assert conv.groups == 32
    # C_in · C_out · k² / G parameters: 128 · 128 · 9 / 32
    assert tuple(conv.weight.shape) == (128, 4, 3, 3) and conv.weight.numel() == 128 * 128 * 9 // 32


def multiply_adds(module, x):
    """Multiply-adds of every convolution in one forward of ``module`` on ``x``."""
    total = []
    for conv in module.modules():
        if isinstance(conv, nn.Conv2d):
            conv.register_forward_hook(
                lambda m, args, out: total.append(m.weight.numel() * out.shape[-2] * out.shape[-1]))
    module(x)
    return sum(total)


def test_block_costs_are_18_and_17_HWC2():
    H = W = 8
    C = 16
    basic = vg_resnet.BasicBlock(C, C)
    bottleneck = vg_resnet.Bottleneck(4 * C, C)
    assert multiply_adds(basic, vg.randn(1, C, H, W)) == 18 * H * W * C * C
    assert multiply_adds(bottleneck, vg.randn(1, 4 * C, H, W)) == 17 * H * W * C * C


def test_in_channels_one_for_mnist():
    model = models.get("resnet18", num_classes=10, in_channels=1)
    assert tuple(model.conv1.weight.shape) == (64, 1, 7, 7)
    assert model(vg.randn(2, 1, 28, 28)).shape == (2, 10)


def test_stochastic_depth_probabilities_rise_linearly_to_p():
    model = models.get("resnet18", stochastic_depth_prob=0.4)
    blocks = [m for m in model.modules() if isinstance(m, vg_resnet.BasicBlock)]
    assert [b.stochastic_depth.p for b in blocks] == pytest.approx(
        [0.4 * (i + 1) / 8 for i in range(8)])


def test_stochastic_depth_drops_whole_residual_branches_per_sample(rng):
    block = vg_resnet.BasicBlock(4, 4, stochastic_depth_prob=0.5)
    x = vg.tensor(rng.standard_normal((64, 4, 5, 5)).astype(np.float64))
    block.double().train()
    with vg.no_grad():
        branch = block.branch(x).numpy()
        out = block(x).numpy()
    kept = np.maximum(2.0 * branch + x.numpy(), 0)
    dropped = np.maximum(x.numpy(), 0)
    per_sample = [np.allclose(o, k) for o, k in zip(out, kept)]
    assert all(p or np.array_equal(o, d) for p, o, d in zip(per_sample, out, dropped))
    assert 10 < sum(per_sample) < 54
    block.eval()
    with vg.no_grad():
        np.testing.assert_allclose(block(x).numpy(),
                                   np.maximum(block.branch(x).numpy() + x.numpy(), 0))


def test_cifar_resnet_parameter_counts_he_et_al():
    # option A adds no parameters: resnet20 0.27M, resnet110 1.7M in He et al. Table 6
    assert count(models.get("resnet20")) == 269_722
    assert count(models.get("resnet110")) == 1_727_962
    with_projections = models.get("resnet20", shortcut="B")
    # two 1×1 projections with batch norm: 16·32 + 2·32 and 32·64 + 2·64
    assert count(with_projections) - 269_722 == 16 * 32 + 64 + 32 * 64 + 128


def test_option_a_shortcut_subsamples_and_zero_pads(rng):
    x = rng.standard_normal((2, 3, 7, 7))
    out = ZeroPadShortcut(3, 8, 2)(vg.tensor(x)).numpy()
    assert out.shape == (2, 8, 4, 4)
    np.testing.assert_array_equal(out[:, :3], x[:, :, ::2, ::2])
    np.testing.assert_array_equal(out[:, 3:], 0)


def test_plain_variant_has_no_shortcuts(rng):
    plain = models.get("resnet20", plain=True)
    assert count(plain) == 269_722
    blocks = [m for m in plain.modules() if isinstance(m, vg_resnet.BasicBlock)]
    assert all(b.downsample is None and not b.residual for b in blocks)
    records = block_io(plain, vg_resnet.BasicBlock)
    with vg.no_grad():
        plain(vg.tensor(rng.standard_normal((2, 3, 32, 32)).astype(np.float32)))
    for block, x, out in records:
        np.testing.assert_array_equal(out, block.relu(block.branch(vg.tensor(x))).numpy())


def test_preact_identity_path_has_no_nonlinearity(rng):
    model = models.get("preact_resnet18", zero_init_residual=True, shortcut="A").train()
    assert not hasattr(model, "bn1") and hasattr(model, "bn_final")
    records = block_io(model, PreActBlock)
    with vg.no_grad():
        model(vg.tensor(rng.standard_normal((2, 3, 32, 32)).astype(np.float32)))
    assert len(records) == 8
    for block, x, out in records:
        shortcut = x if block.downsample is None else block.downsample(vg.tensor(x)).numpy()
        # negative values pass unchanged: no ReLU (and no BN) after the addition
        assert (x < 0).any()
        np.testing.assert_array_equal(out, shortcut)


def test_preact_block_order_is_bn_relu_conv(rng):
    block = PreActBlock(4, 4).double().eval()
    block.bn1.running_mean.data[...] = rng.standard_normal(4)
    x = vg.tensor(rng.standard_normal((2, 4, 6, 6)))
    with vg.no_grad():
        out = block(x).numpy()
        manual = block.conv2(block.bn2(block.conv1(block.bn1(x).relu())).relu()) + x
    np.testing.assert_array_equal(out, manual.numpy())


def test_squeeze_excitation_equals_torchvisions(rng):
    C, r = 64, 16
    torch.manual_seed(0)
    torch_se = ref.SqueezeExcitation(C, C // r).double()
    se = SqueezeExcitation(C, C // r).double()
    ref.copy_weights(se, torch_se)
    assert count(se) == 2 * C * C // r + C + C // r
    x = rng.standard_normal((2, C, 5, 5))
    with vg.no_grad():
        out = se(vg.tensor(x)).numpy()
    np.testing.assert_allclose(out, torch_se(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-12, atol=1e-12)


def test_se_resnet18_scales_each_residual_branch():
    model = models.get("se_resnet18")
    blocks = [m for m in model.modules() if isinstance(m, SEBasicBlock)]
    assert len(blocks) == 8
    assert [b.se.fc1.out_channels for b in blocks[::2]] == [4, 8, 16, 32]
    assert model(vg.randn(2, 3, 32, 32)).shape == (2, 10)


def test_registry_builds_every_variant_by_name():
    names = set(models.list_models())
    assert set(vg_resnet.VARIANTS) <= names
    assert {"resnet20", "resnet32", "resnet56", "resnet110", "preact_resnet18",
            "se_resnet18"} <= names
    assert models.get("resnet20", num_classes=7).fc.out_features == 7


@pytest.mark.parametrize("build, message", [
    (lambda: vg_resnet.ResNet(vg_resnet.BasicBlock, [2, 2, 2]), "4 stages"),
    (lambda: vg_resnet.BasicBlock(8, 8, groups=2), "groups=1"),
    (lambda: models.get("resnet20", shortcut="C"), "shortcut must be"),
    (lambda: models.get("resnet20", plain=True, stochastic_depth_prob=0.1), "plain=True"),
    (lambda: vg_resnet.resnet("resnet19"), "resnet18"),
])
def test_clear_errors(build, message):
    with pytest.raises(ValueError, match=message):
        build()
