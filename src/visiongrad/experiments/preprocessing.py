"""Chapter 4: data preprocessing on a correlated 2-D Gaussian cloud, the CS231n
lecture-6 figures, with visiongrad.vision.preprocessing."""
import numpy as np

_MEAN = (3.0, 2.0)
_COVARIANCE = ((4.0, 1.5), (1.5, 1.0))


def _statistics(points):
    """Mean, population std (ddof 0, the convention of Standardize) and covariance
    (N − 1, the convention of PCA) of (N, 2) points."""
    return {"mean": points.mean(axis=0).tolist(), "std": points.std(axis=0).tolist(),
            "covariance": np.cov(points, rowvar=False).tolist()}


def data_preprocessing(num_samples=1000, seed=0):
    """Original → zero-centred → normalised, and original → PCA-decorrelated → whitened.

    Zero-centring moves the mean to 0 (1e-12) and normalising makes each std 1 (1e-12)
    but keeps the correlation (C4.01); PCA rotates onto the covariance's eigenbasis,
    making it diagonal with the eigenvalues on it, and whitening divides each component
    by √eigenvalue, leaving the identity (C4.02). Returns the mean, std and covariance
    after each step and a 2 × 3 figure with equal axes."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    import visiongrad as vg
    from visiongrad.vision.preprocessing import PCA, Standardize

    vg.manual_seed(seed)
    colouring = np.linalg.cholesky(np.array(_COVARIANCE))
    original = vg.randn(num_samples, 2, dtype=vg.float64).numpy() @ colouring.T + _MEAN
    steps = {
        "original": original,
        "zero-centred": Standardize(with_std=False).fit_transform(original),
        "normalised": Standardize().fit_transform(original),
        "decorrelated": PCA().fit_transform(original),
        # eps = 0: this full-rank cloud has no near-zero direction for eps to guard
        "whitened": PCA(whiten=True, eps=0).fit_transform(original),
    }
    results = {name: _statistics(points) for name, points in steps.items()}
    eigenvalues = np.linalg.eigvalsh(np.cov(original, rowvar=False))[::-1]
    results["covariance eigenvalues"] = eigenvalues.tolist()

    limit = max(np.abs(points).max() for points in steps.values()) * 1.05
    figure, axes = plt.subplots(2, 3, figsize=(12, 8))
    layout = [["original", "zero-centred", "normalised"],
              ["original", "decorrelated", "whitened"]]
    for row, names in enumerate(layout):
        for axis, name in zip(axes[row], names):
            points = steps[name]
            axis.scatter(points[:, 0], points[:, 1], s=3, color=f"C{row}")
            axis.axhline(0, color="0.7", linewidth=0.8)
            axis.axvline(0, color="0.7", linewidth=0.8)
            axis.set_xlim(-limit, limit)
            axis.set_ylim(-limit, limit)
            axis.set_aspect("equal")
            axis.set_title(f"{name} data")
    figure.tight_layout()
    return results, figure
