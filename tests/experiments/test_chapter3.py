import matplotlib.pyplot as plt
import pytest

from visiongrad.experiments import EXPERIMENTS, degradation


def test_residual_trains_faster_than_plain_at_the_same_depth():
    results, figure = degradation(depth=20, width=8, epochs=4, train_size=320, batch_size=32,
                                  lr=0.1)
    plain = results["plain"]["epoch_train_loss"]
    residual = results["residual"]["epoch_train_loss"]
    assert len(plain) == len(residual) == 4 and results["setup"]["steps"] == 40
    assert residual[-1] <= plain[-1]
    assert len(figure.axes[0].lines) == 2
    plt.close(figure)
    assert EXPERIMENTS["degradation"] is degradation


def test_depth_must_be_6n_plus_2():
    with pytest.raises(ValueError, match="6n \\+ 2"):
        degradation(depth=21)
