import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

import visiongrad as vg
from visiongrad import nn
from visiongrad.experiments import dead_relu, init_statistics, selu_self_normalizing


def _run(function, **kwargs):
    results, figure = function(**kwargs)
    assert figure is not None
    plt.close(figure)
    return results


@pytest.fixture(scope="module")
def slides():
    """The slides' tanh net: 6 layers of 4096 units, 16 inputs. The ReLU rows share
    each layer's draw, so 6 ReLU layers cost nothing extra."""
    return _run(init_statistics, width=4096, depth=6, relu_depth=6, num_samples=16)


@pytest.fixture(scope="module")
def narrow():
    return _run(init_statistics, width=500, depth=6, relu_depth=50, num_samples=16)


@pytest.mark.parametrize("config", ["slides", "narrow"])
@pytest.mark.parametrize("scheme", ["0.01", "0.05", "xavier"])
def test_tanh_statistics_match_the_infinite_width_prediction(config, scheme, request):
    tanh = request.getfixturevalue(config)["tanh"][scheme]
    np.testing.assert_allclose(tanh["std"], tanh["predicted_std"], rtol=0.05)
    np.testing.assert_allclose(tanh["saturated"], tanh["predicted_saturated"], atol=0.02)
    assert max(abs(m) for m in tanh["mean"]) < 0.02


def test_small_init_collapses(slides, narrow):
    stds = slides["tanh"]["0.01"]["std"]
    assert all(b < 0.7 * a for a, b in zip(stds, stds[1:]))
    # the slides' layer 6: 0.05, not below 1e-3 (factor 0.01·√4096 = 0.64 per layer)
    assert stds[5] == pytest.approx(0.046, rel=0.1)
    # C4.03's threshold holds once 0.01·√Din ≲ 0.3
    assert narrow["tanh"]["0.01"]["std"][5] < 1e-3


def test_large_init_saturates_at_slide_width(slides, narrow):
    deep = slice(2, 6)
    saturated = slides["tanh"]["0.05"]["saturated"][deep]
    assert min(saturated) > 0.25
    assert min(slides["tanh"]["0.05"]["std"][deep]) > 0.8
    assert max(slides["tanh"]["xavier"]["saturated"][deep]) < 0.01
    # at 500 units 0.05·√Din = 1.1 and nothing saturates
    assert max(narrow["tanh"]["0.05"]["saturated"][deep]) < 0.01


def test_xavier_keeps_tanh_activations_alive(slides):
    stds = slides["tanh"]["xavier"]["std"]
    assert all(0.28 < s < 0.65 for s in stds)
    # slow decay: layer 6 keeps more than 40 % of layer 1's std (0.01·randn: 9 %)
    assert stds[5] > 0.4 * stds[0]
    # layer 6 sits at 0.295, just under C4.05's lower bound of 0.3, at any width
    assert stds[5] == pytest.approx(0.295, abs=0.01)


def test_relu_xavier_halves_the_second_moment_kaiming_keeps_it(narrow):
    xavier, kaiming = narrow["relu"]["xavier"], narrow["relu"]["kaiming"]
    assert kaiming["mean_layer_ratio"] == pytest.approx(1.0, abs=0.05)
    assert xavier["mean_layer_ratio"] == pytest.approx(0.5, abs=0.025)
    assert xavier["second_moment"][-1] < 1e-12
    # one finite-width net drifts (Var log ≈ 5·L/Din = 0.5 here) but stays O(1)
    assert 0.1 < kaiming["second_moment"][-1] < 10


def test_kaiming_normal_has_the_experiment_std():
    w = nn.init.kaiming_normal_(vg.empty(512, 256), mode="fan_in", nonlinearity="relu")
    assert w.numpy().std() == pytest.approx(math.sqrt(2 / 256), rel=0.02)


def test_selu_self_normalizes_and_elu_does_not():
    results = _run(selu_self_normalizing, width=256, depth=50, num_samples=64)
    assert results["selu"]["max_abs_mean"] < 0.1
    assert results["selu"]["max_abs_var_error"] < 0.2
    assert results["elu"]["var"][-1] < 0.1


def test_dead_relu_units_get_zero_gradient_and_never_move():
    dead = [1, 4, 6]
    results = _run(dead_relu, hidden=8, dead_units=dead, steps=30)
    assert results["measured_dead_units"] == dead
    norms = np.array(results["grad_norm_per_unit"])
    assert (norms[dead] == 0).all()
    assert (np.delete(norms, dead) > 0).all()
    assert results["max_change_dead"] == 0
    assert results["min_change_alive"] > 0
    assert results["loss_last"] < results["loss_first"]
