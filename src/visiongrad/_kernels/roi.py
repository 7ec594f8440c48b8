"""Region-of-interest pooling: RoI Pool (Fast R-CNN) and RoI Align (Mask R-CNN).

Both read rows ``rois`` (K, 5) = [batch_index, x1, y1, x2, y2] in input-image
coordinates, scaled by ``spatial_scale`` onto the feature map x: (N, C, H, W), and give
(K, C, PH, PW). The rules (rounding, bin edges, sample points, borders) are those of
torchvision's CPU kernels (torchvision/csrc/ops/cpu/roi_pool_kernel.cpp and
roi_align_kernel.cpp), vectorised over RoIs, bins and sample points.
"""
import numpy as np

from .._backend import xp


def _round_half_away(v):
    """C's ``round``: halves away from zero (NumPy's rounds them to even)."""
    whole = xp.trunc(v)
    return xp.where(xp.abs(v - whole) >= 0.5, whole + xp.sign(v), whole)


def roi_pool(x, rois, output_size, spatial_scale):
    """Max over the bins of each snapped RoI.

    x: (N, C, H, W); rois: (K, 5); output_size: (PH, PW) → (out, argmax), both
    (K, C, PH, PW). The box corners are scaled and rounded to feature cells (a RoI
    covers at least one cell); bin ph spans rows [floor(ph · h / PH), ceil((ph + 1) · h /
    PH)) of the RoI's h rows, clipped to the map, so neighbouring bins may overlap.
    ``argmax`` holds the flat index y · W + x of each maximum (the first in row-major
    order on ties) and -1 for a bin that lies outside the map, whose output is 0.
    """
    N, C, H, W = x.shape
    PH, PW = output_size
    K = rois.shape[0]
    batch = rois[:, 0].astype(np.int64)
    corners = _round_half_away(rois[:, 1:].astype(x.dtype) * x.dtype.type(spatial_scale))
    corners = corners.astype(np.int64)
    rows, valid_rows = _pool_windows(corners[:, 1], corners[:, 3], PH, H, x.dtype)
    cols, valid_cols = _pool_windows(corners[:, 0], corners[:, 2], PW, W, x.dtype)
    pixels = x.transpose(0, 2, 3, 1).reshape(N * H * W, C)
    L = rows.shape[2] * cols.shape[2]
    out = xp.zeros((K, PH, PW, C), dtype=x.dtype)
    argmax = xp.full((K, PH, PW, C), -1, dtype=np.int64)
    # one row of bins at a time bounds the gathered windows to K · PW · L · C values
    for ph in range(PH):
        # (K, PW, Lh, Lw): every cell of the row's bins, padded to the largest bin
        flat = rows[:, ph, None, :, None] * W + cols[:, :, None, :]
        valid = valid_rows[:, ph, None, :, None] & valid_cols[:, :, None, :]
        flat, valid = flat.reshape(K, PW, L), valid.reshape(K, PW, L)
        values = pixels[batch[:, None, None] * (H * W) + flat]
        values = xp.where(valid[..., None], values, -xp.inf)  # (K, PW, L, C)
        best = xp.argmax(values, axis=2)[:, :, None, :]  # the first maximum: a strict '>' scan
        nonempty = valid.any(axis=2)[..., None]
        out[:, ph] = xp.where(nonempty, xp.take_along_axis(values, best, axis=2)[:, :, 0], 0)
        where = xp.take_along_axis(flat[..., None], best, axis=2)[:, :, 0]
        argmax[:, ph] = xp.where(nonempty, where, -1)
    return out.transpose(0, 3, 1, 2), argmax.transpose(0, 3, 1, 2)


def _pool_windows(start, end, P, size, dtype):
    """Cells of the P bins of snapped RoIs [start, end] along one axis: (K, P, L) indices
    and a (K, P, L) mask of those inside their bin."""
    length = xp.maximum(end - start + 1, 1)  # malformed RoIs become one cell
    bin_size = length.astype(dtype) / dtype.type(P)
    p = xp.arange(P, dtype=dtype)
    lo = xp.floor(p[None] * bin_size[:, None]).astype(np.int64) + start[:, None]
    hi = xp.ceil((p[None] + 1) * bin_size[:, None]).astype(np.int64) + start[:, None]
    lo, hi = xp.clip(lo, 0, size), xp.clip(hi, 0, size)
    L = max(int((hi - lo).max(initial=0)), 1)
    cells = lo[..., None] + xp.arange(L)
    inside = cells < hi[..., None]
    return xp.where(inside, cells, 0), inside


def roi_pool_backward(grad_output, rois, argmax, input_shape):
    """Gradient of ``roi_pool`` w.r.t. x: each bin's gradient goes to its maximum.

    grad_output, argmax: (K, C, PH, PW) → (N, C, H, W).
    """
    N, C, H, W = input_shape
    batch = rois[:, 0].astype(np.int64)
    plane = (batch[:, None] * C + xp.arange(C)[None]) * (H * W)  # (K, C)
    hit = argmax >= 0
    index = (plane[:, :, None, None] + argmax)[hit]
    grad_input = xp.bincount(index, grad_output[hit], minlength=N * C * H * W)
    return grad_input.reshape(input_shape).astype(grad_output.dtype)


def roi_align(x, rois, output_size, spatial_scale, sampling_ratio, aligned, pool="avg"):
    """Bilinear samples on a regular grid in each bin, pooled by average (torchvision,
    Mask R-CNN) or maximum (the EECS slides; MMCV's ``pool_mode='max'``).

    x: (N, C, H, W); rois: (K, 5); output_size: (PH, PW) → (out, argmax), out
    (K, C, PH, PW). A bin has sampling_ratio² points, or ceil(roi_h / PH) ·
    ceil(roi_w / PW) when sampling_ratio <= 0. ``aligned`` shifts the box by half a
    pixel so that pixel centres sit at integer + 0.5; without it a RoI is at least
    1 × 1. A point beyond the border by more than one pixel reads 0; otherwise it is
    clamped into the image. For pool='max', ``argmax`` (K, C, PH, PW) is the flat index
    of the winning sample in its bin's grid (0 for a bin with no samples, whose output is
    0); for 'avg' it is None.
    """
    left, right, in_grid = _sampling_matrices(rois, output_size, spatial_scale, sampling_ratio,
                                              aligned, x.shape[2:], x.dtype)
    K, PH, GH, H = left.shape
    _, PW, GW, W = right.shape
    batch = rois[:, 0].astype(np.int64)
    if pool == "avg":
        # the average is linear, so the points of a bin fold into one row per bin
        out = _sandwich(x, batch, left.sum(axis=2), right.sum(axis=2))
        return out / _count(in_grid, x.dtype)[:, None, None, None], None
    samples = _sandwich(x, batch, left.reshape(K, PH * GH, H), right.reshape(K, PW * GW, W))
    C = x.shape[1]
    samples = samples.reshape(K, C, PH, GH, PW, GW).transpose(0, 1, 2, 4, 3, 5)
    samples = samples.reshape(K, C, PH, PW, GH * GW)
    samples = xp.where(in_grid[:, None, None, None, :], samples, -xp.inf)
    argmax = xp.argmax(samples, axis=4)  # the first maximum in (iy, ix) order, as MMCV
    out = xp.take_along_axis(samples, argmax[..., None], axis=4)[..., 0]
    return xp.where(xp.isneginf(out), 0, out).astype(x.dtype), argmax


def roi_align_backward(grad_output, rois, input_shape, output_size, spatial_scale,
                       sampling_ratio, aligned, argmax=None):
    """Gradient of ``roi_align`` w.r.t. x, spread back through the bilinear weights.

    grad_output: (K, C, PH, PW); argmax: ``roi_align``'s, None for pool='avg' →
    (N, C, H, W).
    """
    left, right, in_grid = _sampling_matrices(rois, output_size, spatial_scale, sampling_ratio,
                                              aligned, input_shape[2:], grad_output.dtype)
    K, PH, GH, H = left.shape
    _, PW, GW, W = right.shape
    batch = rois[:, 0].astype(np.int64)
    if argmax is None:
        grad = grad_output / _count(in_grid, grad_output.dtype)[:, None, None, None]
        return _sandwich_adjoint(grad, batch, left.sum(axis=2), right.sum(axis=2), input_shape)
    C = grad_output.shape[1]
    # the whole gradient of a bin goes to its winning sample; an empty bin has none
    has_sample = in_grid.any(axis=1)[:, None, None, None, None]
    winner = (xp.arange(GH * GW) == argmax[..., None]) & has_sample
    grad = xp.where(winner, grad_output[..., None], 0).reshape(K, C, PH, PW, GH, GW)
    grad = grad.transpose(0, 1, 2, 4, 3, 5).reshape(K, C, PH * GH, PW * GW)
    return _sandwich_adjoint(grad, batch, left.reshape(K, PH * GH, H),
                             right.reshape(K, PW * GW, W), input_shape)


def _count(in_grid, dtype):
    """Points averaged per bin, at least 1 so that an empty grid gives 0: (K,)."""
    return xp.maximum(in_grid.sum(axis=1), 1).astype(dtype)


def _sampling_matrices(rois, output_size, spatial_scale, sampling_ratio, aligned,
                       spatial_shape, dtype):
    """Bilinear weights of every sample point, separable in y and x.

    → left (K, PH, GH, H), right (K, PW, GW, W) and in_grid (K, GH · GW): the value of
    sample (ph, iy, pw, ix) of RoI k is left[k, ph, iy] @ x[b] @ right[k, pw, ix]ᵀ, and
    in_grid marks the (iy, ix) that RoI k samples (the grids are padded to the largest).
    """
    H, W = spatial_shape
    offset = dtype.type(0.5 if aligned else 0.0)
    box = rois[:, 1:].astype(dtype) * dtype.type(spatial_scale) - offset
    PH, PW = output_size
    left, used_h = _axis_weights(box[:, 1], box[:, 3], PH, H, sampling_ratio, aligned)
    right, used_w = _axis_weights(box[:, 0], box[:, 2], PW, W, sampling_ratio, aligned)
    in_grid = used_h[:, :, None] & used_w[:, None, :]
    in_grid = in_grid.reshape(len(rois), in_grid.shape[1] * in_grid.shape[2])
    return left, right, in_grid


def _axis_weights(start, end, P, size, sampling_ratio, aligned):
    """One axis of the bilinear weights of RoIs [start, end] (K,) split into P bins.

    → (K, P, G, size) weights of the G grid points of each bin, and the (K, G) mask of
    the points each RoI samples.
    """
    dtype = start.dtype
    length = end - start
    if not aligned:
        length = xp.maximum(length, 1)  # torchvision's legacy minimum of one pixel
    bin_size = length / dtype.type(P)
    if sampling_ratio > 0:
        grid = xp.full(length.shape, sampling_ratio, dtype=np.int64)
    else:
        grid = xp.ceil(length / dtype.type(P)).astype(np.int64)
    G = max(int(grid.max(initial=0)), 1)
    used = xp.arange(G)[None, :] < grid[:, None]  # (K, G)
    p = xp.arange(P, dtype=dtype)[None, :, None]
    g = xp.arange(G, dtype=dtype)[None, None, :]
    bin_size3 = bin_size[:, None, None]
    grid3 = xp.maximum(grid, 1).astype(dtype)[:, None, None]
    # torchvision's order of operations, so that points land on the same floats
    coord = start[:, None, None] + p * bin_size3 + (g + dtype.type(0.5)) * bin_size3 / grid3
    inside = used[:, None, :] & (coord >= -1) & (coord <= size)
    coord = xp.maximum(coord, 0)
    low = xp.floor(coord).astype(np.int64)
    at_edge = low >= size - 1
    low = xp.where(at_edge, size - 1, low)
    high = xp.where(at_edge, size - 1, low + 1)
    frac = xp.where(at_edge, 0, coord - low).astype(dtype)
    cells = xp.arange(size)
    weights = ((low[..., None] == cells) * (1 - frac)[..., None]
               + (high[..., None] == cells) * frac[..., None])
    return (weights * inside[..., None]).astype(dtype), used


def _sandwich(x, batch, left, right):
    """out[k] = left[k] @ x[batch[k]] @ right[k]ᵀ for every channel.

    x: (N, C, H, W); left: (K, R, H); right: (K, S, W) → (K, C, R, S).
    """
    N, C, H, W = x.shape
    K, R, _ = left.shape
    S = right.shape[1]
    out = xp.zeros((K, C, R, S), dtype=x.dtype)
    # one pair of matrix products per image rather than a copy of the image per RoI
    for n in xp.unique(batch):
        sel = xp.nonzero(batch == n)[0]
        rows = left[sel] @ x[n].transpose(1, 0, 2).reshape(H, C * W)  # (k, R, C·W)
        both = rows.reshape(len(sel), R * C, W) @ right[sel].transpose(0, 2, 1)  # (k, R·C, S)
        out[sel] = both.reshape(len(sel), R, C, S).transpose(0, 2, 1, 3)
    return out


def _sandwich_adjoint(grad, batch, left, right, input_shape):
    """The adjoint of ``_sandwich``: grad (K, C, R, S) → (N, C, H, W)."""
    N, C, H, W = input_shape
    K, R, _ = left.shape
    grad_input = xp.zeros(input_shape, dtype=grad.dtype)
    for n in xp.unique(batch):
        sel = xp.nonzero(batch == n)[0]
        cols = grad[sel] @ right[sel][:, None]  # (k, C, R, W)
        cols = cols.transpose(0, 2, 1, 3).reshape(len(sel) * R, C * W)
        image = left[sel].reshape(len(sel) * R, H).T @ cols  # (H, C·W)
        grad_input[n] = image.reshape(H, C, W).transpose(1, 0, 2)
    return grad_input
