"""nn.Conv2d and nn.ConvTranspose2d: PyTorch's parameters, shapes, initialisation and
outputs with the same weights."""
import math

import numpy as np
import pytest

import visiongrad as vg
import visiongrad.nn as nn

torch = pytest.importorskip("torch")


def _copy_weights(module, torch_module):
    module.weight.data[...] = torch_module.weight.detach().numpy()
    if torch_module.bias is not None:
        module.bias.data[...] = torch_module.bias.detach().numpy()


def test_parameter_count_is_k_times_abc_plus_one():
    conv = nn.Conv2d(3, 10, 5)  # 10 filters of 5x5x3 and 10 biases
    assert sum(p.numel() for p in conv.parameters()) == 10 * (5 * 5 * 3 + 1) == 760
    assert sum(p.numel() for p in conv.parameters()) == sum(
        p.numel() for p in torch.nn.Conv2d(3, 10, 5).parameters())


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize("cls, args, kwargs", [
    ("Conv2d", (4, 6, 3), dict(stride=2, padding=1, groups=2)),
    ("Conv2d", (3, 5, (3, 2)), dict(bias=False, dilation=(2, 1), padding="same")),
    ("ConvTranspose2d", (4, 6, 3), dict(stride=2, padding=1, output_padding=1, groups=2)),
    ("ConvTranspose2d", (3, 2, (2, 3)), dict(bias=False, dilation=2)),
])
def test_names_shapes_and_state_dict_keys_match_torch(cls, args, kwargs):
    module = getattr(nn, cls)(*args, **kwargs)
    torch_module = getattr(torch.nn, cls)(*args, **kwargs)
    expected = {k: tuple(v.shape) for k, v in torch_module.state_dict().items()}
    assert {k: tuple(v.shape) for k, v in module.state_dict().items()} == expected
    module.load_state_dict({k: v.numpy() for k, v in torch_module.state_dict().items()})
    size = (2, args[0], 7, 6)
    x = np.random.default_rng(0).standard_normal(size).astype(np.float32)
    np.testing.assert_allclose(module(vg.tensor(x)).data,
                               torch_module(torch.tensor(x)).detach().numpy(), rtol=1e-5,
                               atol=1e-5)


@pytest.mark.parametrize("cls, args", [("Conv2d", (16, 32, 3)), ("ConvTranspose2d", (32, 16, 3))])
def test_default_init_is_kaiming_uniform_a_sqrt5(cls, args):
    vg.manual_seed(0)
    module = getattr(nn, cls)(*args)
    fan_in = module.weight.shape[1] * 9
    bound = 1 / math.sqrt(fan_in)  # gain sqrt(2 / (1 + 5)) · sqrt(3 / fan_in)
    w, b = module.weight.data, module.bias.data
    assert w.dtype == np.float32 and np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # a uniform distribution's std is bound / sqrt(3)
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound
    assert np.abs(w).max() > 0.98 * bound


def test_dtype_argument_and_double():
    conv = nn.Conv2d(2, 3, 3, dtype=vg.float64)
    assert conv.weight.dtype == np.float64
    out = conv(vg.randn(1, 2, 5, 5, dtype=vg.float64))
    assert out.dtype == np.float64


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_padding_modes_match_torch(mode, rng):
    conv, torch_conv = nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode=mode), \
        torch.nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode=mode)
    _copy_weights(conv, torch_conv)
    x = rng.standard_normal((2, 2, 6, 7)).astype(np.float32)
    np.testing.assert_allclose(conv(vg.tensor(x)).data,
                               torch_conv(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-5)


def test_conv_transpose_output_size_argument(rng):
    up, torch_up = nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1), \
        torch.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
    _copy_weights(up, torch_up)
    x = rng.standard_normal((1, 3, 2, 2)).astype(np.float32)
    assert up(vg.tensor(x)).shape == (1, 2, 3, 3)
    out = up(vg.tensor(x), output_size=(4, 4))
    np.testing.assert_allclose(out.data, torch_up(torch.tensor(x), output_size=(4, 4))
                               .detach().numpy(), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"dim 0 must be in \[3, 4\]"):
        up(vg.tensor(x), output_size=(5, 5))


def test_flatten_then_linear_matches_torch(rng):
    conv, torch_conv = nn.Conv2d(3, 4, 3), torch.nn.Conv2d(3, 4, 3)
    linear, torch_linear = nn.Linear(4 * 3 * 3, 5), torch.nn.Linear(4 * 3 * 3, 5)
    _copy_weights(conv, torch_conv)
    _copy_weights(linear, torch_linear)
    x = rng.standard_normal((2, 3, 5, 5)).astype(np.float32)
    out = nn.Sequential(conv, nn.Flatten(), linear)(vg.tensor(x))
    expected = torch.nn.Sequential(torch_conv, torch.nn.Flatten(), torch_linear)(torch.tensor(x))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-5, atol=1e-5)


def test_training_step_reduces_a_loss(rng):
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(4, 2, 3), nn.AdaptiveAvgPool2d(1), nn.Flatten())
    x, target = vg.tensor(rng.standard_normal((8, 1, 8, 8)).astype(np.float32)), vg.zeros(8, 2)
    losses = []
    for _ in range(5):
        loss = ((model(x) - target) ** 2).mean()
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.1 * p.grad.data
        losses.append(loss.item())
    assert losses[-1] < losses[0]


@pytest.mark.parametrize("kwargs, message", [
    (dict(in_channels=3, out_channels=4, kernel_size=3, groups=2), "divisible by groups"),
    (dict(in_channels=3, out_channels=4, kernel_size=3, padding_mode="mirror"), "padding_mode"),
    (dict(in_channels=3, out_channels=4, kernel_size=3, stride=2, padding="same"),
     "not supported for strided"),
])
def test_constructor_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nn.Conv2d(**kwargs)
