import matplotlib.pyplot as plt
import numpy as np
import pytest

from visiongrad.experiments import data_preprocessing


@pytest.fixture(scope="module")
def steps():
    results, figure = data_preprocessing(num_samples=1000)
    assert figure is not None
    plt.close(figure)
    return results


def test_original_cloud_is_offset_and_correlated(steps):
    assert min(steps["original"]["mean"]) > 1.5
    assert abs(steps["original"]["covariance"][0][1]) > 1


def test_zero_centring_and_normalisation(steps):
    for name in ("zero-centred", "normalised"):
        np.testing.assert_allclose(steps[name]["mean"], 0, atol=1e-12)
    np.testing.assert_allclose(steps["zero-centred"]["covariance"],
                               steps["original"]["covariance"], rtol=1e-12)
    np.testing.assert_allclose(steps["normalised"]["std"], 1, atol=1e-12)
    # normalising each axis keeps the correlation
    assert steps["normalised"]["covariance"][0][1] > 0.5


def test_pca_decorrelates_and_whitening_gives_the_identity(steps):
    decorrelated = np.array(steps["decorrelated"]["covariance"])
    np.testing.assert_allclose(np.diag(decorrelated), steps["covariance eigenvalues"], rtol=1e-12)
    assert abs(decorrelated[0, 1]) < 1e-12
    np.testing.assert_allclose(steps["whitened"]["covariance"], np.eye(2), atol=1e-6)
    np.testing.assert_allclose(steps["whitened"]["mean"], 0, atol=1e-12)
