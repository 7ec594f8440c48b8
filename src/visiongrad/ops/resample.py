"""Resampling primitives: gather along an axis, constant padding, linear interpolation
along an axis, and bilinear/nearest sampling at arbitrary points (grid_sample).

Their backwards are sums of gradient slices that came from the same source element.
Along one axis with an ordered index that is a segment sum (``np.add.reduceat``), about
2.5× faster here than the generic scatter (``np.add.at``) that advanced indexing uses.
"""
import numpy as np

from ..autograd.function import Function


def _index_add(grad, index, size, axis):
    """The adjoint of ``np.take(x, index, axis)`` for an x with ``size`` entries along
    ``axis``: slices of grad that came from the same source index are summed into it."""
    if np.any(np.diff(index) < 0):
        order = np.argsort(index, kind="stable")
        index, grad = index[order], np.take(grad, order, axis=axis)
    sources, starts = np.unique(index, return_index=True)
    sums = np.add.reduceat(grad, starts, axis=axis)
    if len(sources) == size:
        return sums
    shape = list(grad.shape)
    shape[axis] = size
    out = np.zeros(shape, dtype=grad.dtype)
    out[(slice(None),) * axis + (sources,)] = sums
    return out


class IndexSelect(Function):
    """out = np.take(x, index, axis): x's slices along ``axis`` in the order ``index``
    (1-D, entries may repeat). Nearest-neighbour resizing and reflect/replicate/circular
    padding are index maps along each axis."""

    @staticmethod
    def forward(ctx, x, *, axis, index):
        ctx.axis, ctx.index, ctx.size = axis, index, x.shape[axis]
        return np.take(x, index, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        return _index_add(grad, ctx.index, ctx.size, ctx.axis)


class ConstantPad(Function):
    """Pad with a constant. pads: one (before, after) pair per axis of x; a negative
    amount crops, as in ``F.pad``."""

    @staticmethod
    def forward(ctx, x, *, pads, value=0.0):
        out_shape = tuple(n + before + after for n, (before, after) in zip(x.shape, pads))
        if min(out_shape, default=1) < 0:
            raise ValueError(f"pad: padding {pads} makes a negative size {out_shape} "
                             f"for input of shape {x.shape}")
        # the kept part of x and where it lands in the output
        source = tuple(slice(max(-before, 0), n - max(-after, 0))
                       for n, (before, after) in zip(x.shape, pads))
        target = tuple(slice(max(before, 0), m - max(after, 0))
                       for m, (before, after) in zip(out_shape, pads))
        out = np.full(out_shape, value, dtype=x.dtype)
        out[target] = x[source]
        ctx.shape, ctx.source, ctx.target = x.shape, source, target
        return out

    @staticmethod
    def backward(ctx, grad):
        grad_x = np.zeros(ctx.shape, dtype=grad.dtype)
        grad_x[ctx.source] = grad[ctx.target]
        return grad_x


class Lerp(Function):
    """Linear interpolation along one axis between two gathered slices:
    out[..., j, ...] = weight0[j]·x[..., index0[j], ...] + weight1[j]·x[..., index1[j], ...]
    with index0, index1, weight0, weight1 all of the output length along ``axis``.
    Bilinear resizing is this along W, then along H (PyTorch's order of operations)."""

    @staticmethod
    def forward(ctx, x, *, axis, index0, index1, weight0, weight1):
        shape = (-1,) + (1,) * (x.ndim - axis - 1)
        weight0 = weight0.astype(x.dtype).reshape(shape)
        weight1 = weight1.astype(x.dtype).reshape(shape)
        out = np.take(x, index0, axis=axis)
        out *= weight0
        out += np.take(x, index1, axis=axis) * weight1
        ctx.axis, ctx.size = axis, x.shape[axis]
        ctx.index0, ctx.index1, ctx.weight0, ctx.weight1 = index0, index1, weight0, weight1
        return out

    @staticmethod
    def backward(ctx, grad):
        return (_index_add(grad * ctx.weight0, ctx.index0, ctx.size, ctx.axis)
                + _index_add(grad * ctx.weight1, ctx.index1, ctx.size, ctx.axis))


def _unnormalize(coord, size, align_corners):
    """Grid coordinates in [-1, 1] to pixel coordinates; returns them and d(pixel)/d(grid)."""
    if align_corners:
        return (coord + 1) / 2 * (size - 1), (size - 1) / 2
    return ((coord + 1) * size - 1) / 2, size / 2


def _clip(coord, size):
    """Clamp to [0, size − 1]; returns the clamped coordinates and their derivative."""
    inside = (coord > 0) & (coord < size - 1)
    return np.clip(coord, 0, size - 1), inside.astype(coord.dtype)


def _reflect(coord, twice_low, twice_high):
    """Reflect into [twice_low/2, twice_high/2] off both ends, as often as needed; returns
    the reflected coordinates and their derivative (±1)."""
    if twice_low == twice_high:
        return np.zeros_like(coord), np.zeros_like(coord)
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    shifted = coord - low
    sign = np.where(shifted < 0, -1.0, 1.0).astype(coord.dtype)
    shifted = np.abs(shifted)
    extra = np.fmod(shifted, span)
    even = np.floor(shifted / span) % 2 == 0
    return (np.where(even, extra + low, span - extra + low),
            np.where(even, sign, -sign))


def _source_coordinates(coord, size, padding_mode, align_corners):
    """PyTorch's grid_sampler_compute_source_index, with the derivative d(source)/d(grid)."""
    coord, slope = _unnormalize(coord, size, align_corners)
    if padding_mode == "border":
        coord, inner = _clip(coord, size)
        return coord, slope * inner
    if padding_mode == "reflection":
        if align_corners:
            coord, sign = _reflect(coord, 0, 2 * (size - 1))
        else:
            coord, sign = _reflect(coord, -1, 2 * size - 1)
        coord, inner = _clip(coord, size)
        return coord, slope * sign * inner
    return coord, np.full_like(coord, slope)


class GridSample(Function):
    """Sample x at the points of grid, like ``torch.nn.functional.grid_sample`` (4-D).

    x: (N, C, H, W); grid: (N, Ho, Wo, 2) holding (x, y) in [-1, 1].
    Returns (N, C, Ho, Wo). mode 'bilinear' or 'nearest'; padding_mode 'zeros',
    'border' or 'reflection'.
    """

    @staticmethod
    def forward(ctx, x, grid, *, mode="bilinear", padding_mode="zeros", align_corners=False):
        N, C, H, W = x.shape
        _, Ho, Wo, _ = grid.shape
        ix, dix = _source_coordinates(grid[..., 0], W, padding_mode, align_corners)
        iy, diy = _source_coordinates(grid[..., 1], H, padding_mode, align_corners)
        if mode == "nearest":
            # nearbyint: ties round to even, as PyTorch does
            corners = [(np.rint(iy), np.rint(ix), np.ones_like(ix))]
        else:
            x0, y0 = np.floor(ix), np.floor(iy)
            tx, ty = ix - x0, iy - y0
            corners = [(y0, x0, (1 - tx) * (1 - ty)), (y0, x0 + 1, tx * (1 - ty)),
                       (y0 + 1, x0, (1 - tx) * ty), (y0 + 1, x0 + 1, tx * ty)]
        x3 = x.reshape(N, C, H * W)
        out = np.zeros((N, C, Ho * Wo), dtype=x.dtype)
        flats, weights, values = [], [], []
        for cy, cx, weight in corners:
            inside = (cy >= 0) & (cy <= H - 1) & (cx >= 0) & (cx <= W - 1)
            flat = np.where(inside, cy * W + cx, 0).astype(np.int64).reshape(N, 1, Ho * Wo)
            # corners outside the image read 0 (the zeros padding) and get no gradient
            inside = inside.reshape(N, 1, Ho * Wo)
            value = np.take_along_axis(x3, flat, axis=2) * inside
            weight = (weight.reshape(N, 1, Ho * Wo) * inside).astype(x.dtype)
            out += value * weight
            flats.append(flat)
            weights.append(weight)
            values.append(value)
        ctx.shape, ctx.mode, ctx.corners = x.shape, mode, len(corners)
        if mode == "bilinear" and ctx.needs_input_grad[1]:
            # d(out)/d(grid) needs the corner values, the fractional offsets and the slopes
            # of the coordinate maps (0 where border/reflection clamp)
            extra = values + [tx.reshape(N, 1, -1), ty.reshape(N, 1, -1), dix, diy]
        else:
            extra = []
        ctx.save_for_backward(*flats, *weights, *extra)
        return out.reshape(N, C, Ho, Wo)

    @staticmethod
    def backward(ctx, grad):
        N, C, H, W = ctx.shape
        saved = ctx.saved_tensors
        k = ctx.corners
        flats, weights = saved[:k], saved[k:2 * k]
        g3 = grad.reshape(N, C, -1)
        grad_x = grad_grid = None
        if ctx.needs_input_grad[0]:
            # one bincount over all corners: a scatter-add without np.add.at's slowness
            rows = np.arange(N * C).reshape(N, C, 1) * (H * W)
            index = np.concatenate([np.broadcast_to(rows + flat, g3.shape).ravel()
                                    for flat in flats])
            contributions = np.concatenate([(g3 * weight).ravel() for weight in weights])
            grad_x = np.bincount(index, contributions, minlength=N * C * H * W)
            grad_x = grad_x.astype(grad.dtype).reshape(ctx.shape)
        if ctx.needs_input_grad[1]:
            if ctx.mode == "nearest":
                # piecewise constant in the grid: zero gradient, as in PyTorch
                grad_grid = np.zeros(grad.shape[:1] + grad.shape[2:] + (2,), dtype=grad.dtype)
            else:
                nw, ne, sw, se, tx, ty, dix, diy = saved[2 * k:]
                d_x = ((ne - nw) * (1 - ty) + (se - sw) * ty) * g3
                d_y = ((sw - nw) * (1 - tx) + (se - ne) * tx) * g3
                grad_grid = np.stack([d_x.sum(1).reshape(dix.shape) * dix,
                                      d_y.sum(1).reshape(diy.shape) * diy], axis=-1)
        return grad_x, grad_grid
