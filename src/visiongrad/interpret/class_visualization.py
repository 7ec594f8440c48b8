"""Class visualisation by gradient ascent on the image (Simonyan et al. 2014) with the
regularisers of Yosinski et al. 2015 (course C4.31)."""
import numpy as np
from scipy.ndimage import gaussian_filter

from ..creation import from_numpy
from ._inputs import OptimizedImage, as_targets, frozen, image_leaf, select_scores


def gaussian_blur(image, sigma):
    """Blur each channel of image (..., H, W) with a Gaussian of std ``sigma`` pixels
    (reflecting the border, truncated at 4σ); sigma = 0 returns a copy."""
    image = np.asarray(image)
    return gaussian_filter(image, sigma=(0,) * (image.ndim - 2) + (sigma, sigma),
                           mode="reflect")


def jitter(image, dy, dx):
    """Shift image (..., H, W) by (dy, dx) pixels, wrapping around; jitter(·, −dy, −dx)
    undoes it. Ascending through random shifts stops the image from exploiting exact
    pixel positions (high-frequency patterns)."""
    return np.roll(image, (dy, dx), axis=(-2, -1))


def clip_small_norm(image, percentile):
    """Zero the pixels whose norm over channels is below the image's ``percentile``-th
    percentile (Yosinski et al.: keep only the strongest pixels).
    image: (N, C, H, W); each image gets its own threshold."""
    norms = np.sqrt((image ** 2).sum(axis=1, keepdims=True))  # (N, 1, H, W)
    threshold = np.percentile(norms, percentile, axis=(2, 3), keepdims=True)
    return np.where(norms < threshold, 0, image).astype(image.dtype, copy=False)


def clip_small_contribution(image, gradient, percentile):
    """Zero the pixels whose contribution |Σ_c x·∂S/∂x| is below the ``percentile``-th
    percentile: the first-order change of the score if the pixel were set to 0
    (Yosinski et al.). image, gradient: (N, C, H, W)."""
    contribution = np.abs((image * gradient).sum(axis=1, keepdims=True))
    threshold = np.percentile(contribution, percentile, axis=(2, 3), keepdims=True)
    return np.where(contribution < threshold, 0, image).astype(image.dtype, copy=False)


def l2_penalty_gradient(image, l2_reg):
    """Gradient of the penalty −λ‖I‖² (E18: the notes write "+ λ‖I‖²", which would
    reward ever larger images; the penalty is subtracted from the score)."""
    return -2 * l2_reg * image


def class_visualization(model, target_class, image_shape, steps=100, lr=1.0, l2_reg=1e-3,
                        init="zero", blur_every=0, blur_sigma=0.5, max_jitter=0,
                        clip_norm_percentile=0, clip_contribution_percentile=0,
                        clamp=None, seed=0):
    """An image that the model scores highly as ``target_class``:
    I* = argmax_I S_c(I) − λ‖I‖² (E18), by normalised gradient ascent.

    Each step: shift the image by a random jitter in [−max_jitter, max_jitter]² pixels,
    take g = ∂S_c/∂I − 2λI there, step I ← I + lr · g / ‖g‖₂ (CS231n), shift back,
    clamp to ``clamp`` = (low, high) if given, zero the pixels with small norm or small
    contribution x·∂S_c/∂x below the given percentiles (0 = off), and every
    ``blur_every`` steps (0 = never) blur with std ``blur_sigma``.

    model: images (1, C, H, W) -> scores (1, K); image_shape: (C, H, W);
    init: "zero" (the notes), "noise" (N(0, 0.1²) pixels) or an array (C, H, W);
    seed: seeds the noise and the jitter, so equal arguments give equal results.
    Returns OptimizedImage(image (C, H, W), history of S_c before each step).
    Call ``model.eval()`` first.
    """
    rng = np.random.default_rng(seed)
    targets = as_targets(target_class, 1)
    if isinstance(init, str):
        if init not in ("zero", "noise"):
            raise ValueError(f"init must be 'zero', 'noise' or an array, got {init!r}")
        image = np.zeros((1, *image_shape), dtype=np.float32)
        if init == "noise":
            image += 0.1 * rng.standard_normal(image.shape).astype(np.float32)
    else:
        image = np.array(getattr(init, "data", init), copy=True)[None]
        if image.shape[1:] != tuple(image_shape):
            raise ValueError(f"init has shape {image.shape[1:]}, expected {image_shape}")
    history = []
    with frozen(model):
        for step in range(steps):
            dy, dx = rng.integers(-max_jitter, max_jitter + 1, size=2)
            x = image_leaf(jitter(image, dy, dx))
            score = select_scores(model(x), targets).sum()
            history.append(score.item())
            score.backward()
            gradient = jitter(x.grad.data, -dy, -dx)
            ascent = gradient + l2_penalty_gradient(image, l2_reg)
            norm = np.sqrt((ascent.astype(np.float64) ** 2).sum())
            if norm > 0:
                image = image + image.dtype.type(lr / norm) * ascent
            if clamp is not None:
                image = np.clip(image, *clamp)
            if clip_norm_percentile:
                image = clip_small_norm(image, clip_norm_percentile)
            if clip_contribution_percentile:
                image = clip_small_contribution(image, gradient, clip_contribution_percentile)
            if blur_every and (step + 1) % blur_every == 0:
                image = gaussian_blur(image, blur_sigma)
    return OptimizedImage(from_numpy(image[0]), history)
