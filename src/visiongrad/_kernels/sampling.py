"""Image sampling for geometric augmentation: reading an image at arbitrary points, and
separable resizing.

Coordinates are pixel indices: (y, x) = (0, 0) is the centre of the top-left pixel and
(H - 1, W - 1) the centre of the bottom-right one. ``grid_sample`` is torch's
``grid_sample(align_corners=False, padding_mode="zeros")`` with the normalisation
already undone; ``resize`` is torch's ``interpolate(align_corners=False)`` in modes
'nearest' (the legacy floor rule) and 'bilinear', with or without antialiasing.
"""
import numpy as np

from .._backend import xp


def grid_sample(x, ys, xs, mode="bilinear"):
    """Sample every image of a batch at the same points.

    x: (N, C, H, W); ys, xs: (OH, OW) source coordinates in pixels → (N, C, OH, OW).
    'bilinear' weighs the four pixels around a point, 'nearest' takes the closest one
    (halves round to even, as torch's ``nearbyint``). Pixels outside the image count as
    zero, so a point half a pixel beyond the border gets half of the border's value.
    """
    N, C, H, W = x.shape
    planes = x.reshape(N, C, H * W)
    if mode == "nearest":
        yi, xi = xp.rint(ys).astype(np.int64), xp.rint(xs).astype(np.int64)
        return _gather(planes, yi, xi, H, W, weight=None)
    if mode != "bilinear":
        raise ValueError(f"grid_sample: mode should be 'nearest' or 'bilinear', but got {mode!r}")
    y0, x0 = xp.floor(ys), xp.floor(xs)
    wy1, wx1 = (ys - y0).astype(x.dtype), (xs - x0).astype(x.dtype)
    y0, x0 = y0.astype(np.int64), x0.astype(np.int64)
    out = xp.zeros((N, C) + ys.shape, dtype=x.dtype)
    for dy, wy in ((0, 1 - wy1), (1, wy1)):
        for dx, wx in ((0, 1 - wx1), (1, wx1)):
            out += _gather(planes, y0 + dy, x0 + dx, H, W, weight=wy * wx)
    return out


def _gather(planes, yi, xi, H, W, weight):
    """planes (N, C, H·W) read at integer (yi, xi) of shape (OH, OW), times ``weight``
    (or 1); zero where (yi, xi) is outside the image."""
    inside = (yi >= 0) & (yi < H) & (xi >= 0) & (xi < W)
    # out-of-range indices are clipped only to make the read legal; ``inside`` zeroes them
    flat = xp.clip(yi, 0, H - 1) * W + xp.clip(xi, 0, W - 1)
    values = planes[:, :, flat.reshape(-1)].reshape(planes.shape[:2] + yi.shape)
    weight = inside if weight is None else weight * inside
    return values * weight.astype(planes.dtype)


def nearest_indices(in_size, out_size):
    """torch's legacy 'nearest' rule: output i reads input floor(i · in/out), with the
    scale and product in float32 as torch computes them. → (out_size,) int64."""
    scale = np.float32(in_size) / np.float32(out_size)
    index = np.floor(np.arange(out_size, dtype=np.float32) * scale).astype(np.int64)
    return xp.asarray(np.minimum(index, in_size - 1))


def linear_weights(in_size, out_size, antialias=False):
    """The (out_size, in_size) matrix of 1-D linear interpolation, align_corners=False.

    Without antialiasing output i reads the two inputs around (i + 0.5) · in/out - 0.5,
    clamped to the image. With it, a downscale spreads the triangle filter over in/out
    inputs so every input contributes (torch's and PIL's antialiased bilinear); each row
    is normalised to sum to one.
    """
    scale = in_size / out_size
    if antialias:
        support = max(scale, 1.0)
        centers = scale * (np.arange(out_size) + 0.5)
        distance = (np.arange(in_size)[None, :] + 0.5 - centers[:, None]) / support
        weights = np.clip(1.0 - np.abs(distance), 0.0, None)
        return xp.asarray(weights / weights.sum(axis=1, keepdims=True))
    source = np.maximum((np.arange(out_size) + 0.5) * scale - 0.5, 0.0)
    index0 = np.minimum(np.floor(source).astype(np.int64), in_size - 1)
    index1 = np.minimum(index0 + 1, in_size - 1)
    weight1 = source - index0
    weights = np.zeros((out_size, in_size))
    rows = np.arange(out_size)
    weights[rows, index0] += 1.0 - weight1
    weights[rows, index1] += weight1
    return xp.asarray(weights)


def _taps(weights):
    """The rows of an interpolation matrix as taps: for each output the K consecutive
    inputs from its first nonzero weight on, → (indices, tap_weights), each (out, K).
    Taps past the image's end get weight zero."""
    out_size, in_size = weights.shape
    nonzero = weights != 0
    first = nonzero.argmax(axis=1)
    last = in_size - 1 - nonzero[:, ::-1].argmax(axis=1)
    indices = first[:, None] + np.arange(int((last - first).max()) + 1)
    inside = indices < in_size
    indices = np.minimum(indices, in_size - 1)
    tap_weights = np.where(inside, weights[np.arange(out_size)[:, None], indices], 0.0)
    return indices, tap_weights


def _interpolate_axis(x, weights, axis):
    """x · weights along ``axis``, one gather per tap: each row has few nonzeros (two
    without antialiasing), so this beats a dense product by the image size."""
    indices, tap_weights = _taps(weights)
    shape = [1] * x.ndim
    shape[axis] = -1
    out = xp.zeros(x.shape[:axis] + (len(indices),) + x.shape[axis + 1:], dtype=x.dtype)
    tap_weights = tap_weights.astype(x.dtype)
    for k in range(indices.shape[1]):
        out += xp.take(x, indices[:, k], axis=axis) * tap_weights[:, k].reshape(shape)
    return out


def resize(x, size, mode="bilinear", antialias=False):
    """x: (..., H, W) → (..., OH, OW) for size = (OH, OW).

    Separable: rows then columns. 'nearest' gathers (antialias does not apply to it),
    'bilinear' applies the interpolation matrices of ``linear_weights``.
    """
    (H, W), (OH, OW) = x.shape[-2:], size
    if mode == "nearest":
        rows = xp.take(x, nearest_indices(H, OH), axis=-2)
        return xp.take(rows, nearest_indices(W, OW), axis=-1)
    if mode != "bilinear":
        raise ValueError(f"resize: mode should be 'nearest' or 'bilinear', but got {mode!r}")
    rows = _interpolate_axis(x, linear_weights(H, OH, antialias), axis=x.ndim - 2)
    return _interpolate_axis(rows, linear_weights(W, OW, antialias), axis=x.ndim - 1)
