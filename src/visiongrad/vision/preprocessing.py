"""Data preprocessing (CS231n lecture 6): zero-centring and normalisation with training
statistics, PCA decorrelation and whitening, and ZCA whitening.

Each transformer is fitted on training data (``fit``) and then applies those same
statistics to any data (``transform``), test data included. Inputs are NumPy arrays or
Tensors of shape (N, ...) and outputs are the same kind; float inputs keep their
dtype, other dtypes become the default float dtype (float32). Statistics are float64
NumPy arrays. Covariances use N - 1 in the denominator (``numpy.cov``, scikit-learn).
"""
import numpy as np

from ..tensor import Tensor, get_default_dtype


def _unwrap(x, owner):
    """(array, whether x was a Tensor, output dtype)."""
    is_tensor = isinstance(x, Tensor)
    array = x.data if is_tensor else np.asarray(x)
    if array.ndim < 2 or len(array) == 0:
        raise ValueError(f"{owner}: expected a non-empty array of shape (N, ...) with at "
                         f"least two dimensions, but got shape {array.shape}")
    dtype = array.dtype if np.issubdtype(array.dtype, np.floating) else get_default_dtype()
    return array, is_tensor, dtype


def _wrap(array, is_tensor, dtype):
    array = array.astype(dtype, copy=False)
    return Tensor._wrap(array) if is_tensor else array


def _check_fitted(transformer, attribute):
    if not hasattr(transformer, attribute):
        raise RuntimeError(f"{type(transformer).__name__} is not fitted yet; "
                           f"call fit(x_train) first")


def _check_features(transformer, array):
    if array.shape[1:] != transformer.feature_shape_:
        raise ValueError(f"{type(transformer).__name__}: expected samples of shape "
                         f"{transformer.feature_shape_} (as in fit), but got {array.shape[1:]}")


class Standardize:
    """Zero-centre and scale to unit standard deviation with the training statistics.

    ``per_channel=False``: one mean and std per feature, i.e. the mean image (shape of
    one sample). ``per_channel=True``: one mean and std per channel, pooled over samples
    and positions; ``channel_axis`` is 1 for (N, C, H, W), -1 for (N, H, W, C).
    ``with_std=False`` only subtracts the mean. The std is the population std (ddof=0,
    as scikit-learn's ``StandardScaler``); a constant feature has std 0 and is left
    unscaled. Attributes after ``fit``: ``mean_`` and ``std_``, broadcastable to one
    sample.
    """

    def __init__(self, per_channel=False, channel_axis=1, with_std=True):
        self.per_channel = per_channel
        self.channel_axis = channel_axis
        self.with_std = with_std

    def fit(self, x):
        array, _, _ = _unwrap(x, "Standardize.fit")
        if self.per_channel:
            channel_axis = self.channel_axis % array.ndim
            if channel_axis == 0:
                raise ValueError(f"Standardize: channel_axis={self.channel_axis} points at "
                                 f"the sample axis of shape {array.shape}")
            axes = tuple(a for a in range(array.ndim) if a != channel_axis)
        else:
            axes = (0,)
        mean = array.mean(axis=axes, dtype=np.float64, keepdims=True)
        std = array.std(axis=axes, dtype=np.float64, keepdims=True)
        self.feature_shape_ = array.shape[1:]
        self.mean_ = mean[0]
        self.std_ = np.where(std[0] == 0, 1.0, std[0]) if self.with_std else np.ones_like(std[0])
        return self

    def transform(self, x):
        """(N, ...) → (N, ...) with the training statistics applied."""
        _check_fitted(self, "mean_")
        array, is_tensor, dtype = _unwrap(x, "Standardize.transform")
        _check_features(self, array)
        return _wrap((array - self.mean_.astype(dtype)) / self.std_.astype(dtype), is_tensor, dtype)

    def inverse_transform(self, x):
        _check_fitted(self, "mean_")
        array, is_tensor, dtype = _unwrap(x, "Standardize.inverse_transform")
        _check_features(self, array)
        return _wrap(array * self.std_.astype(dtype) + self.mean_.astype(dtype), is_tensor, dtype)

    def fit_transform(self, x):
        return self.fit(x).transform(x)


class PCA:
    """Principal component analysis: rotate centred data onto the eigenbasis of its
    covariance, optionally keeping only the leading components and whitening.

    Samples of any shape (N, ...) are flattened to D features. ``n_components``: None
    keeps min(N, D); an int keeps that many; a float in (0, 1) keeps the fewest whose
    explained variance ratio reaches it (scikit-learn's rule). ``whiten=True`` divides
    each component by ``sqrt(explained_variance_ + eps)``, so the whitened covariance
    is ``diag(eig / (eig + eps))``: the identity up to ``eps``, which keeps near-zero
    directions from exploding; ``eps=0`` is scikit-learn's ``whiten=True``.

    Attributes after ``fit`` (as ``sklearn.decomposition.PCA``, the same up to float
    error, with its sign convention: each component's largest-magnitude entry is
    positive): ``mean_`` (D,), ``components_`` (k, D), ``explained_variance_`` (k,),
    ``explained_variance_ratio_`` (k,), ``singular_values_`` (k,), ``n_components_``.
    """

    def __init__(self, n_components=None, whiten=False, eps=1e-5):
        if eps < 0:
            raise ValueError(f"PCA: eps should be non-negative, but got eps={eps}")
        self.n_components = n_components
        self.whiten = whiten
        self.eps = eps

    def _resolve_n_components(self, ratio, limit):
        k = self.n_components
        if k is None:
            return limit
        if isinstance(k, (int, np.integer)) and not isinstance(k, bool):
            if not 1 <= k <= limit:
                raise ValueError(f"PCA: n_components={k} should be between 1 and "
                                 f"min(n_samples, n_features)={limit}")
            return int(k)
        if isinstance(k, float) and 0 < k < 1:
            return int(np.searchsorted(np.cumsum(ratio), k, side="right")) + 1
        raise ValueError(f"PCA: n_components should be None, an int or a float in (0, 1), "
                         f"but got {k!r}")

    def fit(self, x):
        array, _, _ = _unwrap(x, "PCA.fit")
        n = len(array)
        if n < 2:
            raise ValueError(f"PCA: fit needs at least 2 samples to estimate a covariance, got {n}")
        flat = array.reshape(n, -1).astype(np.float64)
        self.feature_shape_ = array.shape[1:]
        self.mean_ = flat.mean(axis=0)
        _, singular_values, vt = np.linalg.svd(flat - self.mean_, full_matrices=False)
        # sign convention of scikit-learn's svd_flip(u_based_decision=False)
        largest = np.argmax(np.abs(vt), axis=1)
        vt *= np.sign(vt[np.arange(len(vt)), largest])[:, None]
        variance = singular_values ** 2 / (n - 1)
        total = variance.sum()
        # constant data explains nothing rather than 0 / 0
        ratio = variance / total if total > 0 else np.zeros_like(variance)
        k = min(self._resolve_n_components(ratio, min(flat.shape)), len(variance))
        if self.whiten and self.eps == 0 and (variance[:k] <= 0).any():
            raise ValueError("PCA: a kept component has zero variance, so whitening with "
                             "eps=0 would divide by zero; use eps > 0 or fewer components")
        self.n_components_ = k
        self.components_ = vt[:k].copy()
        self.explained_variance_ = variance[:k].copy()
        self.explained_variance_ratio_ = ratio[:k].copy()
        self.singular_values_ = singular_values[:k].copy()
        return self

    def transform(self, x):
        """(N, ...) → (N, n_components_) coordinates in the principal basis."""
        _check_fitted(self, "components_")
        array, is_tensor, dtype = _unwrap(x, "PCA.transform")
        _check_features(self, array)
        projected = (array.reshape(len(array), -1) - self.mean_) @ self.components_.T
        if self.whiten:
            projected /= np.sqrt(self.explained_variance_ + self.eps)
        return _wrap(projected, is_tensor, dtype)

    def inverse_transform(self, z):
        """(N, n_components_) → (N, ...) in the original space (exact when every
        component is kept)."""
        _check_fitted(self, "components_")
        array, is_tensor, dtype = _unwrap(z, "PCA.inverse_transform")
        if array.ndim != 2 or array.shape[1] != self.n_components_:
            raise ValueError(f"PCA.inverse_transform: expected shape (N, {self.n_components_}), "
                             f"but got {array.shape}")
        if self.whiten:
            array = array * np.sqrt(self.explained_variance_ + self.eps)
        restored = array @ self.components_ + self.mean_
        return _wrap(restored.reshape(len(array), *self.feature_shape_), is_tensor, dtype)

    def fit_transform(self, x):
        return self.fit(x).transform(x)


class ZCAWhitening:
    """Zero-phase whitening: ``(x - mean) @ W`` with ``W = U diag(1/sqrt(eig + eps)) Uᵀ``
    from the eigendecomposition ``cov = U diag(eig) Uᵀ`` of the training covariance.
    Unlike PCA whitening the result stays in the input space (closest to the data of
    all whitenings), so images still look like images. Samples (N, ...) are flattened
    to D features and reshaped back. Attributes after ``fit``: ``mean_`` (D,),
    ``eigenvalues_`` (D,), ``whitening_matrix_`` (D, D).
    """

    def __init__(self, eps=1e-5):
        if eps < 0:
            raise ValueError(f"ZCAWhitening: eps should be non-negative, but got eps={eps}")
        self.eps = eps

    def fit(self, x):
        array, _, _ = _unwrap(x, "ZCAWhitening.fit")
        n = len(array)
        if n < 2:
            raise ValueError(f"ZCAWhitening: fit needs at least 2 samples, got {n}")
        flat = array.reshape(n, -1).astype(np.float64)
        self.feature_shape_ = array.shape[1:]
        self.mean_ = flat.mean(axis=0)
        centred = flat - self.mean_
        eigenvalues, eigenvectors = np.linalg.eigh(centred.T @ centred / (n - 1))
        # eigh may return tiny negative values for a positive semi-definite matrix
        eigenvalues = np.clip(eigenvalues, 0.0, None)
        if self.eps == 0 and (eigenvalues <= 0).any():
            raise ValueError("ZCAWhitening: the covariance is singular (fewer samples than "
                             "features, or dependent features), so eps=0 would divide by "
                             "zero; use eps > 0")
        self.eigenvalues_ = eigenvalues
        self._eigenvectors = eigenvectors
        self.whitening_matrix_ = (eigenvectors / np.sqrt(eigenvalues + self.eps)) @ eigenvectors.T
        return self

    def transform(self, x):
        """(N, ...) → (N, ...) whitened."""
        _check_fitted(self, "whitening_matrix_")
        array, is_tensor, dtype = _unwrap(x, "ZCAWhitening.transform")
        _check_features(self, array)
        white = (array.reshape(len(array), -1) - self.mean_) @ self.whitening_matrix_
        return _wrap(white.reshape(array.shape), is_tensor, dtype)

    def inverse_transform(self, x):
        _check_fitted(self, "whitening_matrix_")
        array, is_tensor, dtype = _unwrap(x, "ZCAWhitening.inverse_transform")
        _check_features(self, array)
        vectors = self._eigenvectors
        colouring = (vectors * np.sqrt(self.eigenvalues_ + self.eps)) @ vectors.T
        restored = array.reshape(len(array), -1) @ colouring + self.mean_
        return _wrap(restored.reshape(array.shape), is_tensor, dtype)

    def fit_transform(self, x):
        return self.fit(x).transform(x)
