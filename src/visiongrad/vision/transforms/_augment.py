"""Regularising augmentations: erasing a region (RandomErasing, Cutout), pixel noise,
and the batch-level mixes MixUp and CutMix, with torchvision's algorithms (v2 for
GaussianNoise, MixUp and CutMix). Draws come from visiongrad's global generator."""
import math
import numbers

import numpy as np

from ..._random import default_generator
from ...tensor import Tensor, get_default_dtype
from . import functional as F
from ._image import check_float, check_probability, format_transform, interval, unwrap, wrap


class RandomErasing:
    """With probability p, erase one rectangle (Zhong et al. 2017), torchvision's way.

    Up to ten tries draw an area fraction in ``scale`` and an aspect ratio (h / w,
    log-uniform) in ``ratio`` and keep the first rectangle strictly smaller than the
    image, at a uniform position; if none fits the image is returned unchanged.
    value: a number, one per channel, or 'random' for standard normal noise.
    ``Cutout`` is the fixed-size special case of ``RandomErasing(value=0)``.
    """

    def __init__(self, p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace=False):
        self.p = check_probability(p, "RandomErasing")
        self.scale = interval(scale, "scale", "RandomErasing", bound=(0.0, 1.0))
        self.ratio = interval(ratio, "ratio", "RandomErasing", bound=(0.0, math.inf))
        if self.ratio[0] <= 0:
            raise ValueError(f"RandomErasing: ratio should be a range of positive numbers, "
                             f"but got {ratio!r}")
        if isinstance(value, str) and value != "random":
            raise ValueError(f"RandomErasing: value should be a number, a sequence of numbers "
                             f"or 'random', but got {value!r}")
        if not isinstance(value, (numbers.Real, str, tuple, list)):
            raise TypeError(f"RandomErasing: value should be a number, a sequence of numbers "
                            f"or 'random', but got {type(value).__name__}")
        self.value, self.inplace = value, inplace

    @staticmethod
    def get_params(img, scale, ratio, value=None):
        """(i, j, h, w, v): the rectangle and what fills it; value None draws noise of
        shape (C, h, w). (0, 0, H, W, img) when no rectangle fits."""
        array = unwrap(img, "RandomErasing")[0]
        C, H, W = array.shape[-3:]
        area = H * W
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        rng = default_generator()
        for _ in range(10):
            erase_area = area * rng.uniform(scale[0], scale[1])
            aspect_ratio = math.exp(rng.uniform(log_ratio[0], log_ratio[1]))
            h = int(round(math.sqrt(erase_area * aspect_ratio)))
            w = int(round(math.sqrt(erase_area / aspect_ratio)))
            if not (h < H and w < W):
                continue
            if value is None:
                v = rng.standard_normal((C, h, w)).astype(array.dtype)
            else:
                v = np.asarray(value, dtype=array.dtype)[:, None, None]
            return int(rng.integers(0, H - h + 1)), int(rng.integers(0, W - w + 1)), h, w, v
        return 0, 0, H, W, array

    def __call__(self, img):
        if default_generator().random() >= self.p:
            return img
        array = unwrap(img, "RandomErasing")[0]
        if isinstance(self.value, str):
            value = None
        else:
            value = [float(v) for v in np.atleast_1d(self.value)]
            if len(value) not in (1, array.shape[-3]):
                raise ValueError(f"RandomErasing: value should be one number or one per channel "
                                 f"({array.shape[-3]}), but got {self.value!r}")
        i, j, h, w, v = self.get_params(img, self.scale, self.ratio, value)
        return F.erase(img, i, j, h, w, v, self.inplace)

    def __repr__(self):
        return format_transform(self, p=self.p, scale=self.scale, ratio=self.ratio,
                                value=self.value, inplace=self.inplace)


class Cutout:
    """Zero one size × size square centred at a uniformly random pixel, clipped at the
    borders (DeVries & Taylor 2017), so near an edge less than the full square is cut.

    The paper's code cuts [c - size//2, c + size//2), one pixel short for odd sizes;
    here the square is [c - size//2, c - size//2 + size), the same for even sizes.
    Applied after normalisation, zero is the dataset mean. Use it in the training
    pipeline only; ``RandomErasing(value=0)`` is the general form (random size and
    aspect ratio, applied with probability p, never clipped).
    """

    def __init__(self, size):
        if not isinstance(size, numbers.Integral) or size <= 0:
            raise ValueError(f"Cutout: size should be a positive int, but got {size!r}")
        self.size = int(size)

    @staticmethod
    def get_params(img, size):
        """(top, left, height, width) of the clipped square."""
        H, W = unwrap(img, "Cutout")[0].shape[-2:]
        rng = default_generator()
        y, x = int(rng.integers(H)), int(rng.integers(W))
        top, left = y - size // 2, x - size // 2
        y0, x0 = max(top, 0), max(left, 0)
        return y0, x0, min(top + size, H) - y0, min(left + size, W) - x0

    def __call__(self, img):
        i, j, h, w = self.get_params(img, self.size)
        return F.erase(img, i, j, h, w, 0.0)

    def __repr__(self):
        return format_transform(self, size=self.size)


class GaussianNoise:
    """Add N(mean, sigma²) noise to every pixel of a float image, then clamp to [0, 1]
    if ``clip`` (torchvision v2)."""

    def __init__(self, mean=0.0, sigma=0.1, clip=True):
        if not isinstance(sigma, numbers.Real) or sigma < 0:
            raise ValueError(f"GaussianNoise: sigma should be a non-negative number, "
                             f"but got {sigma!r}")
        self.mean, self.sigma, self.clip = float(mean), float(sigma), clip

    def __call__(self, img):
        array, is_tensor = unwrap(img, "GaussianNoise")
        check_float(array, "GaussianNoise")
        noise = self.mean + default_generator().standard_normal(array.shape) * self.sigma
        out = array + noise.astype(array.dtype)
        if self.clip:
            out = np.clip(out, 0.0, 1.0)
        return wrap(out, is_tensor)

    def __repr__(self):
        return format_transform(self, mean=self.mean, sigma=self.sigma, clip=self.clip)


def _batch(images, labels, num_classes, owner):
    """(image array, was Tensor, one-hot label array, was Tensor) after the checks."""
    array, images_tensor = unwrap(images, owner)
    if array.ndim != 4:
        raise ValueError(f"{owner}: images should be a batch of shape (N, C, H, W), "
                         f"but got shape {array.shape}")
    labels_tensor = isinstance(labels, Tensor)
    targets = labels.data if labels_tensor else np.asarray(labels)
    N = array.shape[0]
    if num_classes is None:
        if targets.shape[:1] != (N,) or targets.ndim != 2:
            raise ValueError(f"{owner}: without num_classes, labels should already be one-hot of "
                             f"shape (N, num_classes) with N={N}, but got shape {targets.shape}")
        one_hot = targets.astype(get_default_dtype())
    else:
        if targets.shape != (N,) or not np.issubdtype(targets.dtype, np.integer):
            raise ValueError(f"{owner}: labels should be integer class indices of shape ({N},), "
                             f"but got shape {targets.shape} and dtype {targets.dtype}")
        if N and (targets.min() < 0 or targets.max() >= num_classes):
            raise ValueError(f"{owner}: labels should be in [0, {num_classes}), but got values "
                             f"from {targets.min()} to {targets.max()}")
        one_hot = np.eye(num_classes, dtype=get_default_dtype())[targets]
    return array, images_tensor, one_hot, labels_tensor


def _check_mix_arguments(alpha, num_classes, owner):
    if not isinstance(alpha, numbers.Real) or alpha <= 0:
        raise ValueError(f"{owner}: alpha should be a positive number, but got {alpha!r}")
    if num_classes is not None and (not isinstance(num_classes, numbers.Integral)
                                    or num_classes < 1):
        raise ValueError(f"{owner}: num_classes should be a positive int or None, "
                         f"but got {num_classes!r}")
    return float(alpha)


def _mix_labels(one_hot, lam):
    """lam · y + (1 - lam) · y rolled by one: each sample pairs with the previous one."""
    return lam * one_hot + (1.0 - lam) * np.roll(one_hot, 1, axis=0)


class MixUp:
    """MixUp (Zhang et al. 2018) on a batch, as torchvision v2: called as
    ``(images, labels)`` → ``(mixed images, soft labels)``.

    λ ~ Beta(alpha, alpha), one per batch; sample i is mixed with sample i - 1 (the
    batch rolled by one): x = λ x_i + (1 - λ) x_{i-1}, and likewise its one-hot label.
    images: (N, C, H, W); labels: (N,) class indices, or already (N, K) soft labels
    when num_classes is None. Each output is a Tensor if that input was.
    """

    def __init__(self, alpha=1.0, num_classes=None):
        self.alpha = _check_mix_arguments(alpha, num_classes, "MixUp")
        self.num_classes = num_classes

    @staticmethod
    def get_params(alpha):
        """λ ~ Beta(alpha, alpha)."""
        return float(default_generator().beta(alpha, alpha))

    def __call__(self, images, labels):
        array, images_tensor, one_hot, labels_tensor = _batch(images, labels, self.num_classes,
                                                              "MixUp")
        check_float(array, "MixUp")
        lam = self.get_params(self.alpha)
        mixed = (lam * array + (1.0 - lam) * np.roll(array, 1, axis=0)).astype(array.dtype)
        return wrap(mixed, images_tensor), wrap(_mix_labels(one_hot, lam), labels_tensor)

    def __repr__(self):
        return format_transform(self, alpha=self.alpha, num_classes=self.num_classes)


class CutMix:
    """CutMix (Yun et al. 2019) on a batch, as torchvision v2: called as
    ``(images, labels)`` → ``(images with a pasted box, soft labels)``.

    λ ~ Beta(alpha, alpha); a box of about (1 - λ) of the area, centred at a uniform
    pixel and clipped at the borders, is copied from sample i - 1 (the batch rolled by
    one) into sample i. λ is then recomputed as 1 - box area / image area, so the label
    weight of the pasted sample is exactly the pasted fraction.
    """

    def __init__(self, alpha=1.0, num_classes=None):
        self.alpha = _check_mix_arguments(alpha, num_classes, "CutMix")
        self.num_classes = num_classes

    @staticmethod
    def get_params(alpha, height, width):
        """((x1, y1, x2, y2), λ adjusted to the clipped box), torchvision's draws."""
        rng = default_generator()
        lam = float(rng.beta(alpha, alpha))
        r_x, r_y = int(rng.integers(width)), int(rng.integers(height))
        r = 0.5 * math.sqrt(1.0 - lam)
        r_w_half, r_h_half = int(r * width), int(r * height)
        x1, y1 = max(r_x - r_w_half, 0), max(r_y - r_h_half, 0)
        x2, y2 = min(r_x + r_w_half, width), min(r_y + r_h_half, height)
        lam_adjusted = 1.0 - (x2 - x1) * (y2 - y1) / (width * height)
        return (x1, y1, x2, y2), lam_adjusted

    def __call__(self, images, labels):
        array, images_tensor, one_hot, labels_tensor = _batch(images, labels, self.num_classes,
                                                              "CutMix")
        (x1, y1, x2, y2), lam = self.get_params(self.alpha, *array.shape[-2:])
        out = array.copy()
        out[..., y1:y2, x1:x2] = np.roll(array, 1, axis=0)[..., y1:y2, x1:x2]
        return wrap(out, images_tensor), wrap(_mix_labels(one_hot, lam), labels_tensor)

    def __repr__(self):
        return format_transform(self, alpha=self.alpha, num_classes=self.num_classes)


class BatchRandomCrop:
    """Random crops for a whole batch at once, each image at its own offset: zero-pad
    by ``padding`` on every side, then cut an H×W window at a uniformly random position
    per image (``RandomCrop(size=H, padding=padding)`` applied to each image, without a
    Python loop). Called as ``(images, labels)`` → ``(images, labels)`` like ``MixUp``,
    so it fits ``Trainer(batch_transform=...)``.

    images: (N, C, H, W) array or Tensor; labels are passed through unchanged.
    """

    def __init__(self, padding):
        if not isinstance(padding, numbers.Integral) or padding < 0:
            raise ValueError(f"BatchRandomCrop: padding must be a non-negative int, "
                             f"got {padding!r}")
        self.padding = int(padding)

    def __call__(self, images, labels=None):
        array = images.data if isinstance(images, Tensor) else np.asarray(images)
        if array.ndim != 4:
            raise ValueError(f"BatchRandomCrop: expected images of shape (N, C, H, W), "
                             f"got {array.shape}")
        n, _, h, w = array.shape
        p = self.padding
        padded = np.pad(array, ((0, 0), (0, 0), (p, p), (p, p)))
        windows = np.lib.stride_tricks.sliding_window_view(padded, (h, w), axis=(2, 3))
        top = default_generator().integers(0, 2 * p + 1, size=n)
        left = default_generator().integers(0, 2 * p + 1, size=n)
        # windows: (N, C, 2p+1, 2p+1, H, W) -> one window per image
        out = windows[np.arange(n), :, top, left]
        out = np.ascontiguousarray(out)
        result = Tensor._wrap(out) if isinstance(images, Tensor) else out
        return result if labels is None else (result, labels)

    def __repr__(self):
        return f"BatchRandomCrop(padding={self.padding})"
