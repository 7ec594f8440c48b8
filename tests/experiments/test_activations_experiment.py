import math

import matplotlib.pyplot as plt
import pytest

from visiongrad.experiments import activation_zoo


@pytest.fixture(scope="module")
def zoo():
    results, figure = activation_zoo(num_samples=100_000)
    assert figure is not None
    plt.close(figure)
    return results


def test_sigmoid_saturates_and_its_derivative_is_at_most_a_quarter(zoo):
    assert 4e-5 < zoo["sigmoid'(10)"] < 5e-5
    assert zoo["max derivative"]["sigmoid"] == pytest.approx(0.25, abs=1e-12)
    assert zoo["sigmoid' - sigmoid(1 - sigmoid), max abs"] < 1e-15


def test_derivative_peaks(zoo):
    peaks = zoo["max derivative"]
    for name in ("tanh", "ReLU", "Leaky ReLU (0.1)", "ELU", "Maxout (sketch)"):
        assert peaks[name] == pytest.approx(1.0, abs=1e-12)
    # SELU's slope just left of 0 is λ·α
    assert peaks["SELU"] == pytest.approx(1.0507 * 1.6733, rel=1e-3)
    assert peaks["Softplus"] < 1


def test_mean_outputs_on_unit_gaussian_input(zoo):
    means = zoo["mean output on N(0,1)"]
    relu, elu = 1 / math.sqrt(2 * math.pi), 0.5 * (math.exp(0.5) * math.erfc(1 / math.sqrt(2)) - 1)
    assert means["ReLU"] == pytest.approx(relu, abs=0.01)
    assert means["ELU"] == pytest.approx(relu + elu, abs=0.01)
    assert abs(means["ELU"]) < abs(means["ReLU"])
    # sigmoid is not zero-centred, tanh and SELU are
    assert means["sigmoid"] == pytest.approx(0.5, abs=0.01)
    assert abs(means["tanh"]) < 0.01
    assert abs(means["SELU"]) < 0.01


def test_linear_layers_collapse_without_a_nonlinearity(zoo):
    assert zoo["linear collapse W2(W1x) - (W2W1)x, max abs"] < 1e-12
