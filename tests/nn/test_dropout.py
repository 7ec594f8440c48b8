"""Inverted dropout (C4.09/C4.10): statistics, scaling, eval identity, reproducibility,
channel dropout, and the modules' train/eval switch."""
import numpy as np
import pytest

import visiongrad as vg
import visiongrad.nn.functional as F
from visiongrad import nn


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_zero_fraction_and_mean(p):
    x = vg.ones(1_000_000)
    out = F.dropout(x, p)
    assert abs((out.data == 0).mean() - p) < 0.002
    kept = out.data[out.data != 0]
    np.testing.assert_allclose(kept, 1 / (1 - p), rtol=1e-6)
    assert abs(out.data.mean() - 1.0) < 0.01


def test_expected_output_equals_input_for_random_values():
    x = vg.randn(1_000_000) + 2.0
    out = F.dropout(x, 0.3)
    assert abs(out.data.mean() - x.data.mean()) < 0.01 * abs(x.data.mean())


def test_eval_is_identity_exactly():
    x = vg.randn(5, 7)
    assert F.dropout(x, 0.5, training=False) is x
    layer = nn.Dropout(0.5).eval()
    np.testing.assert_array_equal(layer(x).data, x.data)
    assert F.dropout(x, 0.0) is x


def test_gradient_uses_the_same_mask():
    x = vg.randn(50, 40, requires_grad=True)
    out = F.dropout(x, 0.4)
    out.backward(vg.ones(50, 40))
    np.testing.assert_allclose(x.grad.data, (out.data != 0) / 0.6, rtol=1e-6)


def test_keeps_dtype_and_is_reproducible_under_seed():
    x = vg.randn(100, dtype=vg.float64)
    vg.manual_seed(3)
    a = F.dropout(x, 0.5)
    vg.manual_seed(3)
    b = F.dropout(x, 0.5)
    assert a.dtype == np.float64
    np.testing.assert_array_equal(a.data, b.data)


def test_p_one_zeroes_everything_and_bad_p_raises():
    x = vg.randn(10, requires_grad=True)
    out = F.dropout(x, 1.0)
    np.testing.assert_array_equal(out.data, 0.0)
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1, but got"):
            F.dropout(x, bad)
        with pytest.raises(ValueError, match="between 0 and 1"):
            nn.Dropout(bad)


def test_dropout2d_drops_whole_channels():
    x = vg.ones(64, 32, 3, 3)
    out = F.dropout2d(x, 0.25).data
    per_channel = out.reshape(64, 32, 9)
    assert (per_channel == per_channel[..., :1]).all()
    assert abs((per_channel[..., 0] == 0).mean() - 0.25) < 0.03
    np.testing.assert_array_equal(nn.Dropout2d(0.25).eval()(x).data, x.data)


def test_monte_carlo_average_matches_eval_output():
    # C4.12: averaging many training-mode passes approaches the deterministic eval pass
    vg.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 4))
    x = vg.randn(3, 8)
    with vg.no_grad():
        expected = model.eval()(x).data
        model.train()
        samples = np.stack([model(x).data for _ in range(1000)])
    # within 4 standard errors of the Monte Carlo mean
    standard_error = samples.std(axis=0) / np.sqrt(len(samples))
    assert (np.abs(samples.mean(axis=0) - expected) < 4 * standard_error).all()
    assert standard_error.max() < 2e-2
