"""nn.init: PyTorch's formulas checked through sample statistics, gains, fans and
errors; in-place, unrecorded, and drawn from the global generator."""
import math

import numpy as np
import pytest

import visiongrad as vg
from visiongrad import nn
from visiongrad.nn import init

torch = pytest.importorskip("torch")


def _weight(*shape):
    return nn.Parameter(vg.empty(*shape))


@pytest.mark.parametrize("nonlinearity,param", [
    ("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
    ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)), ("selu", None),
    ("conv_transpose2d", None)])
def test_calculate_gain_matches_torch(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-15)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", "x")


@pytest.mark.parametrize("shape", [(5, 3), (8, 4, 3, 3), (2, 6, 5)])
def test_fans_match_torch(shape):
    assert init._calculate_fan_in_and_fan_out(vg.empty(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


def test_fans_need_two_dims():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.kaiming_uniform_(_weight(5))


def test_kaiming_normal_std_is_sqrt_2_over_fan_in():
    w = init.kaiming_normal_(_weight(256, 64, 3, 3), nonlinearity="relu")
    assert w.data.std() == pytest.approx(math.sqrt(2 / (64 * 9)), rel=0.01)
    assert abs(w.data.mean()) < 0.002
    w = init.kaiming_normal_(_weight(2000, 100), mode="fan_out", nonlinearity="relu")
    assert w.data.std() == pytest.approx(math.sqrt(2 / 2000), rel=0.01)


def test_kaiming_uniform_bound():
    w = init.kaiming_uniform_(_weight(400, 300), a=math.sqrt(5))
    bound = math.sqrt(6 / ((1 + 5) * 300))  # = 1/sqrt(fan_in): Linear's default
    assert bound == pytest.approx(1 / math.sqrt(300))
    assert np.abs(w.data).max() <= bound and np.abs(w.data).max() > 0.99 * bound
    assert w.data.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)


def test_xavier_formulas():
    w = init.xavier_uniform_(_weight(300, 200), gain=2.0)
    bound = 2.0 * math.sqrt(6 / 500)
    assert np.abs(w.data).max() <= bound and np.abs(w.data).max() > 0.99 * bound
    w = init.xavier_normal_(_weight(300, 200))
    assert w.data.std() == pytest.approx(math.sqrt(2 / 500), rel=0.01)


def test_uniform_normal_constant_eye():
    w = _weight(200, 300)
    init.uniform_(w, -2.0, 3.0)
    assert w.data.min() >= -2.0 and w.data.max() < 3.0
    assert w.data.mean() == pytest.approx(0.5, abs=0.02)
    init.normal_(w, 1.0, 0.5)
    assert w.data.mean() == pytest.approx(1.0, abs=0.01)
    assert w.data.std() == pytest.approx(0.5, rel=0.01)
    np.testing.assert_array_equal(init.constant_(w, 0.3).data, np.float32(0.3))
    np.testing.assert_array_equal(init.zeros_(w).data, 0.0)
    np.testing.assert_array_equal(init.ones_(w).data, 1.0)
    np.testing.assert_array_equal(init.eye_(_weight(2, 3)).data, np.eye(2, 3))
    with pytest.raises(ValueError, match="2 dimensions"):
        init.eye_(_weight(2, 2, 2))


def test_trunc_normal_stays_in_bounds_with_the_right_spread():
    w = init.trunc_normal_(_weight(1000, 100), mean=0.5, std=1.0, a=-1.0, b=1.5)
    assert w.data.min() >= -1.0 and w.data.max() <= 1.5
    # moments of N(0.5, 1) truncated to [-1, 1.5], i.e. to [-1.5, 1] standard deviations
    alpha, beta = -1.5, 1.0
    pdf = [math.exp(-z * z / 2) / math.sqrt(2 * math.pi) for z in (alpha, beta)]
    mass = (math.erf(beta / math.sqrt(2)) - math.erf(alpha / math.sqrt(2))) / 2
    shift = (pdf[0] - pdf[1]) / mass
    variance = 1 + (alpha * pdf[0] - beta * pdf[1]) / mass - shift ** 2
    assert w.data.mean() == pytest.approx(0.5 + shift, abs=0.01)
    assert w.data.std() == pytest.approx(math.sqrt(variance), rel=0.01)


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (3, 2, 2, 2)])
def test_orthogonal(shape):
    w = init.orthogonal_(nn.Parameter(vg.empty(*shape, dtype=vg.float64)), gain=2.0)
    flat = w.data.reshape(shape[0], -1)
    small = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
    np.testing.assert_allclose(small, 4.0 * np.eye(small.shape[0]), atol=1e-12)


def test_in_place_unrecorded_seeded_and_dtype_kept():
    w = nn.Parameter(vg.empty(3, 4, dtype=vg.float64))
    array = w.data
    vg.manual_seed(7)
    first = init.kaiming_uniform_(w).data.copy()
    assert w.data is array and w.dtype == np.float64 and w.grad_fn is None
    vg.manual_seed(7)
    np.testing.assert_array_equal(init.kaiming_uniform_(w).data, first)


def test_linear_default_init_matches_torch_bounds():
    layer = nn.Linear(50, 2000)
    bound = 1 / math.sqrt(50)
    for p in (layer.weight, layer.bias):
        assert np.abs(p.data).max() <= bound
    assert layer.weight.data.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)
    assert layer.weight.dtype == np.float32
    assert nn.Linear(2, 3, dtype=vg.float64).weight.dtype == np.float64
