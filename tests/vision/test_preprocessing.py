import numpy as np
import pytest
from sklearn.decomposition import PCA as SklearnPCA
from sklearn.preprocessing import StandardScaler

import visiongrad as vg
from visiongrad.vision.preprocessing import PCA, Standardize, ZCAWhitening


def correlated(n, d, seed=0):
    """Gaussian data with a random covariance of distinct eigenvalues and a non-zero mean."""
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(d, d)) * np.linspace(3, 0.5, d)
    return rng.normal(size=(n, d)) @ mixing.T + rng.normal(size=d) * 5


def test_standardize_per_feature_in_float64():
    images = correlated(300, 48).reshape(300, 3, 4, 4)
    scaler = Standardize().fit(images[:200])
    train = scaler.transform(images[:200])
    assert train.dtype == np.float64 and train.shape == (200, 3, 4, 4)
    assert np.abs(train.mean(axis=0)).max() < 1e-12
    assert np.abs(train.std(axis=0) - 1).max() < 1e-12
    test = scaler.transform(images[200:])
    by_hand = (images[200:] - images[:200].mean(axis=0)) / images[:200].std(axis=0)
    assert np.allclose(test, by_hand, rtol=0, atol=1e-12)
    reference = StandardScaler().fit(images[:200].reshape(200, -1))
    assert np.allclose(test.reshape(100, -1), reference.transform(images[200:].reshape(100, -1)),
                       rtol=0, atol=1e-12)
    assert np.allclose(scaler.inverse_transform(test), images[200:], rtol=0, atol=1e-12)


@pytest.mark.parametrize("channel_axis, layout", [(1, "NCHW"), (-1, "NHWC")])
def test_standardize_per_channel(channel_axis, layout):
    images = correlated(50, 48).reshape(50, 3, 4, 4)
    if layout == "NHWC":
        images = images.transpose(0, 2, 3, 1)
    scaler = Standardize(per_channel=True, channel_axis=channel_axis)
    out = scaler.fit_transform(images)
    pooled = tuple(a for a in range(4) if a != channel_axis % 4)
    assert np.abs(out.mean(axis=pooled)).max() < 1e-12
    assert np.abs(out.std(axis=pooled) - 1).max() < 1e-12
    assert scaler.mean_.size == 3


def test_standardize_kinds_dtypes_and_errors():
    pixels = np.random.default_rng(0).integers(0, 256, (20, 2, 3, 3), dtype=np.uint8)
    pixels[:, 0, 0, 0] = 9  # a constant feature is left unscaled
    scaler = Standardize().fit(vg.tensor(pixels))
    out = scaler.transform(vg.tensor(pixels))
    assert isinstance(out, vg.Tensor) and out.dtype == np.float32
    assert np.all(out.numpy()[:, 0, 0, 0] == 0)
    centred = Standardize(with_std=False).fit_transform(pixels.astype(np.float64))
    assert np.allclose(centred, pixels - pixels.mean(axis=0), rtol=0, atol=1e-12)
    with pytest.raises(RuntimeError, match="not fitted"):
        Standardize().transform(pixels)
    with pytest.raises(ValueError, match=r"expected samples of shape \(2, 3, 3\)"):
        scaler.transform(pixels[:, :1])


def test_pca_matches_sklearn():
    x = correlated(200, 10)
    ours = PCA().fit(x)
    theirs = SklearnPCA(svd_solver="full").fit(x)
    assert ours.n_components_ == 10
    signs = np.sign(np.sum(ours.components_ * theirs.components_, axis=1))
    assert np.all(signs != 0)
    assert np.allclose(ours.components_, theirs.components_ * signs[:, None], rtol=0, atol=1e-10)
    assert np.allclose(ours.explained_variance_, theirs.explained_variance_, rtol=1e-12, atol=0)
    assert np.allclose(ours.explained_variance_ratio_, theirs.explained_variance_ratio_,
                       rtol=1e-12, atol=0)
    assert np.allclose(ours.singular_values_, theirs.singular_values_, rtol=1e-12, atol=0)
    assert np.allclose(ours.transform(x), theirs.transform(x) * signs, rtol=0, atol=1e-9)
    assert np.allclose(ours.inverse_transform(ours.transform(x)), x, rtol=0, atol=1e-9)


@pytest.mark.parametrize("n_components", [3, 0.9, 0.5])
def test_pca_component_selection_matches_sklearn(n_components):
    x = correlated(120, 8, seed=1)
    ours = PCA(n_components).fit(x)
    theirs = SklearnPCA(n_components, svd_solver="full").fit(x)
    assert ours.n_components_ == theirs.n_components_
    assert ours.components_.shape == theirs.components_.shape
    assert np.allclose(ours.explained_variance_ratio_, theirs.explained_variance_ratio_,
                       rtol=1e-12, atol=0)


def test_pca_whitening():
    x = correlated(500, 6, seed=2)
    exact = PCA(whiten=True, eps=0).fit(x)
    white = exact.transform(x)
    assert np.abs(np.cov(white, rowvar=False) - np.eye(6)).max() < 1e-6
    theirs = SklearnPCA(whiten=True, svd_solver="full").fit(x).transform(x)
    assert np.allclose(np.abs(white), np.abs(theirs), rtol=0, atol=1e-9)
    damped = PCA(whiten=True).fit(x)
    expected = damped.explained_variance_ / (damped.explained_variance_ + 1e-5)
    assert np.allclose(np.cov(damped.transform(x), rowvar=False), np.diag(expected),
                       rtol=0, atol=1e-9)
    assert np.allclose(damped.inverse_transform(damped.transform(x)), x, rtol=0, atol=1e-9)


def test_pca_on_images_and_tensors():
    images = correlated(40, 16, seed=3).reshape(40, 1, 4, 4).astype(np.float32)
    pca = PCA(n_components=5).fit(images)
    codes = pca.transform(vg.tensor(images))
    assert isinstance(codes, vg.Tensor) and codes.shape == (40, 5) and codes.dtype == np.float32
    back = pca.inverse_transform(codes)
    assert back.shape == (40, 1, 4, 4)
    full = PCA().fit(images)
    assert np.allclose(full.inverse_transform(full.transform(images)), images, atol=1e-4)
    with pytest.raises(ValueError, match="n_components=17"):
        PCA(17).fit(images)
    with pytest.raises(ValueError, match="eps=0"):
        PCA(whiten=True, eps=0).fit(np.ones((5, 3)))


def test_zca_whitening():
    x = correlated(400, 5, seed=4)
    zca = ZCAWhitening(eps=0).fit(x)
    white = zca.transform(x)
    assert np.abs(np.cov(white, rowvar=False) - np.eye(5)).max() < 1e-6
    assert np.allclose(zca.whitening_matrix_, zca.whitening_matrix_.T, rtol=0, atol=1e-12)
    # ZCA is PCA whitening rotated back into the input space
    pca_white = PCA(whiten=True, eps=0).fit(x).transform(x)
    assert np.allclose(white, pca_white @ PCA().fit(x).components_, rtol=0, atol=1e-9)
    assert np.allclose(zca.inverse_transform(white), x, rtol=0, atol=1e-9)
    images = correlated(30, 12, seed=5).reshape(30, 3, 2, 2)
    assert ZCAWhitening().fit_transform(images).shape == (30, 3, 2, 2)
    with pytest.raises(ValueError, match="singular"):
        ZCAWhitening(eps=0).fit(correlated(4, 6))
