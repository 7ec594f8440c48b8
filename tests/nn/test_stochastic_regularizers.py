"""Channel dropout, stochastic depth, DropConnect and fractional max pooling
(C4.14, C4.15)."""
import numpy as np
import pytest

import visiongrad as vg
import visiongrad.nn as nn
import visiongrad.nn.functional as F

torch = pytest.importorskip("torch")


def test_dropout2d_zeroes_whole_channels():
    x = vg.ones(16, 32, 5, 5)
    out = nn.Dropout2d(p=0.25)(x).data
    per_map = out.reshape(16, 32, 25)
    # every (n, c) map is all zero or all 1/(1 − p)
    assert np.all(per_map.min(-1) == per_map.max(-1))
    assert set(np.unique(per_map)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((per_map[:, :, 0] == 0).mean() - 0.25) < 0.05
    layer = nn.Dropout2d(p=0.25).eval()
    assert np.array_equal(layer(x).data, x.data)


def test_stochastic_depth_row_mode_drops_whole_samples():
    x = vg.ones(1000, 3, 2, 2, requires_grad=True)
    out = F.stochastic_depth(x, 0.3, "row", training=True)
    per_sample = out.data.reshape(1000, -1)
    assert np.all(per_sample.min(1) == per_sample.max(1))
    survivors = per_sample[:, 0] != 0
    np.testing.assert_allclose(per_sample[survivors, 0], 1 / 0.7, rtol=1e-6)
    assert abs(survivors.mean() - 0.7) < 0.05
    out.sum().backward()
    np.testing.assert_allclose(x.grad.data, out.data)  # d(out)/dx is the mask itself


def test_stochastic_depth_batch_mode_and_eval():
    x = vg.ones(8, 4)
    outs = [F.stochastic_depth(x, 0.5, "batch").data for _ in range(40)]
    assert all(np.unique(o).size == 1 for o in outs)
    assert {float(o[0, 0]) for o in outs} == {0.0, 2.0}
    assert F.stochastic_depth(x, 0.5, "row", training=False) is x
    assert F.stochastic_depth(x, 0.0, "row") is x
    assert np.all(F.stochastic_depth(x, 1.0, "row").data == 0)
    layer = nn.StochasticDepth(0.5, "row").eval()
    assert layer(x) is x
    with pytest.raises(ValueError, match="mode must be 'row' or 'batch'"):
        F.stochastic_depth(x, 0.5, "sample")
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\]"):
        F.stochastic_depth(x, 1.5, "row")


def test_stochastic_depth_is_seeded():
    x = vg.ones(50, 3)
    vg.manual_seed(7)
    first = F.stochastic_depth(x, 0.5, "row").data
    vg.manual_seed(7)
    assert np.array_equal(F.stochastic_depth(x, 0.5, "row").data, first)


def test_drop_connect_masks_weights_in_training_only(rng):
    layer = nn.DropConnectLinear(200, 100, bias=False, p=0.4)
    x = vg.tensor(np.eye(200, dtype=np.float32))
    # with the identity as input, the output rows are the masked weights
    effective = layer(x).data.T
    dropped = effective == 0
    assert abs(dropped.mean() - 0.4) < 0.02
    np.testing.assert_allclose(effective[~dropped], layer.weight.data[~dropped] / 0.6, rtol=1e-5)
    layer.eval()
    np.testing.assert_allclose(layer(x).data,
                               F.linear(x, layer.weight, layer.bias).data, rtol=1e-6)


def test_drop_connect_is_unbiased(rng):
    layer = nn.DropConnectLinear(6, 3, p=0.5)
    x = vg.tensor(rng.standard_normal((2, 6)).astype(np.float32))
    mean = sum(layer(x).data for _ in range(4000)) / 4000
    layer.eval()
    np.testing.assert_allclose(mean, layer(x).data, atol=0.05)


@pytest.mark.parametrize("size, kwargs", [((11, 13), dict(output_ratio=0.5)),
                                          ((10, 10), dict(output_ratio=(0.7, 0.6))),
                                          ((9, 12), dict(output_size=(4, 7)))])
def test_fractional_max_pool_matches_torch_given_the_same_samples(rng, size, kwargs):
    x = rng.standard_normal((2, 3) + size)
    samples = rng.random((2, 3, 2))
    out = F.fractional_max_pool2d(vg.tensor(x), 3, _random_samples=samples, **kwargs)
    # PyTorch's functional form wants a pair for the ratio; its module takes a number too
    torch_kwargs = {k: (v, v) if isinstance(v, float) else v for k, v in kwargs.items()}
    expected = torch.nn.functional.fractional_max_pool2d(
        torch.tensor(x), 3, _random_samples=torch.tensor(samples), **torch_kwargs)
    np.testing.assert_array_equal(out.data, expected.numpy())
    layer_out = nn.FractionalMaxPool2d(3, **kwargs)(vg.tensor(x))
    torch_layer = torch.nn.FractionalMaxPool2d(3, **kwargs)
    assert layer_out.shape == tuple(torch_layer(torch.tensor(x)).shape)


def test_fractional_max_pool_gradient(rng):
    x = vg.tensor(rng.standard_normal((1, 2, 7, 7)), requires_grad=True)
    samples = rng.random((1, 2, 2))
    assert vg.autograd.gradcheck(
        lambda x: F.fractional_max_pool2d(x, 2, output_size=4, _random_samples=samples), [x])


def test_fractional_max_pool_test_time_averaging_is_seeded(rng):
    x = vg.tensor(rng.standard_normal((2, 3, 12, 12)).astype(np.float32))
    layer = nn.FractionalMaxPool2d(2, output_ratio=0.7, test_samples=8).eval()
    vg.manual_seed(3)
    first = layer(x).data
    vg.manual_seed(3)
    assert np.array_equal(layer(x).data, first)
    vg.manual_seed(3)
    single = nn.FractionalMaxPool2d(2, output_ratio=0.7)(x).data
    assert first.shape == single.shape == (2, 3, 8, 8)
    assert not np.allclose(first, single)
