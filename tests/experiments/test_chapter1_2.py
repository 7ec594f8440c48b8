import numpy as np
import pytest

from visiongrad.experiments import gates, initial_loss, optimizers, schedules


def test_initial_losses():
    results, _ = initial_loss()
    assert results["softmax_loss"] == pytest.approx(np.log(10), rel=0.05)
    assert results["svm_loss"] == pytest.approx(9.0, rel=0.05)


def test_gate_examples():
    results, _ = gates()
    sum_mul = results["(x+y)z at (-2,5,-4)"]
    assert (sum_mul["f"], sum_mul["df/dx"], sum_mul["df/dy"], sum_mul["df/dz"]) == (-12, -4, -4, 3)
    sigmoid = results["sigmoid(w0x0+w1x1+w2)"]
    assert sigmoid["f"] == pytest.approx(0.7311, abs=1e-4)
    np.testing.assert_allclose(sigmoid["df/dw"], [-0.1966, -0.3932, 0.1966], atol=1e-4)
    np.testing.assert_allclose(sigmoid["df/dx"], [0.3932, -0.5898], atol=1e-4)


def test_optimizer_trajectories():
    results, figure = optimizers(steps=150)
    assert figure is not None
    quadratic = results["ill-conditioned quadratic ½(x²+100y²)"]
    # plain SGD with a step near 2/100 zig-zags along the steep axis
    assert quadratic["SGD"]["y_sign_flips"] > 20
    # momentum reaches the minimum sooner than plain SGD
    sgd, momentum = quadratic["SGD"]["steps_to_1e-3"], quadratic["SGD+momentum"]["steps_to_1e-3"]
    assert momentum is not None and (sgd is None or momentum < sgd)
    saddle = results["saddle x² − y²"]
    # plain SGD lingers at the saddle longer than momentum and Adam
    assert saddle["SGD+momentum"]["steps_to_escape"] < (saddle["SGD"]["steps_to_escape"] or 10**9)
    assert saddle["Adam"]["steps_to_escape"] < (saddle["SGD"]["steps_to_escape"] or 10**9)


def test_schedules():
    results, figure = schedules(epochs=100, base_lr=0.1)
    assert figure is not None
    assert results["cosine"]["epoch 50"] == pytest.approx(0.05)
    assert results["step (30/60/90)"]["epoch 99"] == pytest.approx(0.1 * 1e-3)
    assert results["linear"]["epoch 50"] == pytest.approx(0.05)
    assert results["warm-up 5 + cosine"]["epoch 0"] == pytest.approx(0.01)
