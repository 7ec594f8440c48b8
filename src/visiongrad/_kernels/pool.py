"""Pooling windows: max (with argmax), average, adaptive max/average, max unpooling.

Shapes: input x (N, C, H, W) is treated as N·C independent planes; ``kernel_size``,
``stride``, ``padding`` and ``dilation`` are (height, width) pairs.

Windows are visited by kernel offset: for offset (i, j) the strided view
``x_pad[:, i·dh :: sh, j·dw :: sw]`` holds that element of every window, so a k×k
pool is k·k vectorized passes over output-sized arrays, done on plane chunks small
enough to stay in cache. Ties resolve as in PyTorch: windows are scanned row by row
and a later element replaces the running maximum only when strictly greater, or NaN.
"""
import numpy as np

from .._backend import xp
from .parallel import CHUNK_BYTES, buffer, chunk_size, parallel_chunks

# Planes per chunk are chosen so that one chunk of input is about this size: every
# kernel offset makes a pass over the chunk, and these passes should hit the cache.
_POOL_CHUNK_BYTES = CHUNK_BYTES // 8


def pool_output_size(size, kernel_size, stride, padding=0, dilation=1, ceil_mode=False):
    """PyTorch's pooling output size. With ``ceil_mode`` the last window may hang over
    the bottom/right edge, but it must start inside the input or the left padding."""
    span = size + 2 * padding - dilation * (kernel_size - 1) - 1
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def _planes(x):
    N, C, H, W = x.shape
    return xp.ascontiguousarray(x).reshape(N * C, H, W)


def _chunk(planes, plane_bytes):
    return chunk_size(planes, plane_bytes, _POOL_CHUNK_BYTES)


def _window_slices(offset, kernel_size, stride, dilation, out_size):
    i, j = divmod(offset, kernel_size[1])
    (sh, sw), (dh, dw), (OH, OW) = stride, dilation, out_size
    return (slice(i * dh, i * dh + (OH - 1) * sh + 1, sh),
            slice(j * dw, j * dw + (OW - 1) * sw + 1, sw))


def _padded_size(in_size, kernel_size, stride, padding, dilation, out_size):
    # ceil_mode windows can read past the bottom/right padding
    return tuple(max(n + 2 * p, (o - 1) * s + d * (k - 1) + 1)
                 for n, k, s, p, d, o in zip(in_size, kernel_size, stride, padding, dilation,
                                             out_size))


def _pad_planes(x, padding, size, fill, name):
    """x (n, H, W) in a scratch array of spatial ``size`` filled with ``fill`` around it;
    x itself when no padding is needed."""
    n, H, W = x.shape
    if size == (H, W):
        return x
    top, left = padding
    out = buffer(name, (n,) + size, x.dtype)
    out[:, :top] = fill
    out[:, top + H:] = fill
    out[:, top:top + H, :left] = fill
    out[:, top:top + H, left + W:] = fill
    out[:, top:top + H, left:left + W] = x
    return out


def _first_valid_offset(kernel_size, stride, padding, dilation, out_size):
    """(OH, OW) map of the first kernel offset that lands inside the input: PyTorch
    scans only real elements, so a window of all -inf points at its first real one."""
    firsts = []
    for k, s, p, d, o in zip(kernel_size, stride, padding, dilation, out_size):
        start = np.arange(o) * s - p
        firsts.append(np.clip(-(start // d), 0, k - 1))  # ceil(-start / d) for start < 0
    return (firsts[0][:, None] * kernel_size[1] + firsts[1][None, :])


def _offset_dtype(kernel_size):
    return np.min_scalar_type(kernel_size[0] * kernel_size[1] - 1)


def max_pool2d(x, kernel_size, stride, padding=(0, 0), dilation=(1, 1), ceil_mode=False):
    """x (N, C, H, W) -> (out (N, C, OH, OW), offsets (N, C, OH, OW)): the maximum of each
    window and the kernel offset i·KW + j where it was found (a small unsigned integer,
    for the backward pass; ``window_indices`` turns it into PyTorch's indices)."""
    N, C, H, W = x.shape
    out_size = tuple(pool_output_size(n, k, s, p, d, ceil_mode) for n, k, s, p, d in
                     zip((H, W), kernel_size, stride, padding, dilation))
    pad_size = _padded_size((H, W), kernel_size, stride, padding, dilation, out_size)
    planes = _planes(x)
    out = xp.empty((N * C,) + out_size, dtype=x.dtype)
    offsets = xp.empty((N * C,) + out_size, dtype=_offset_dtype(kernel_size))
    n_offsets = kernel_size[0] * kernel_size[1]
    # without top/left padding every window starts on a real element (offset 0)
    padded = any(padding)
    first = _first_valid_offset(kernel_size, stride, padding, dilation, out_size)
    chunk = _chunk(N * C, pad_size[0] * pad_size[1] * x.itemsize)

    def scan(x_pad, best, arg, nan_aware):
        mask = buffer("pool_mask", best.shape, np.bool_)
        if padded:
            # padding cells hold -inf and never win; start from the first real cell
            best.fill(-np.inf)
            arg[...] = first
            offsets_to_scan = range(n_offsets)
        else:
            best[...] = x_pad[(slice(None),) + _window_slices(0, kernel_size, stride, dilation,
                                                              out_size)]
            arg.fill(0)
            offsets_to_scan = range(1, n_offsets)
        for k in offsets_to_scan:
            v = x_pad[(slice(None),) + _window_slices(k, kernel_size, stride, dilation,
                                                      out_size)]
            xp.greater(v, best, out=mask)
            if nan_aware:
                # PyTorch: `if (val > maxval || isnan(val))`, so the last NaN wins
                mask |= xp.isnan(v)
                xp.copyto(best, v, where=mask)
            else:
                xp.maximum(best, v, out=best)
            xp.copyto(arg, k, where=mask, casting="unsafe")

    def work(chunks):
        for a, b in chunks:
            x_pad = _pad_planes(planes[a:b], padding, pad_size, -np.inf, "pool_x")
            scan(x_pad, out[a:b], offsets[a:b], nan_aware=False)
            # np.maximum propagates NaN into the value but the offset tracks only '>':
            # redo chunks that met a NaN with PyTorch's exact rule (a NaN sum also
            # flags +inf and -inf together, which the exact rule handles as well)
            if xp.isnan(xp.sum(out[a:b])):
                scan(x_pad, out[a:b], offsets[a:b], nan_aware=True)

    parallel_chunks(work, N * C, chunk)
    return (out.reshape((N, C) + out_size), offsets.reshape((N, C) + out_size))


def window_indices(offsets, input_size, kernel_size, stride, padding=(0, 0), dilation=(1, 1)):
    """Kernel offsets (N, C, OH, OW) from ``max_pool2d`` -> PyTorch's indices: the flat
    position h·W + w of each maximum in its (unpadded) input plane, int64."""
    OH, OW = offsets.shape[-2:]
    (KH, KW), (sh, sw), (ph, pw), (dh, dw) = kernel_size, stride, padding, dilation
    W = input_size[1]
    base = (np.arange(OH) * sh - ph)[:, None] * W + (np.arange(OW) * sw - pw)[None, :]
    i, j = np.divmod(np.arange(KH * KW), KW)
    step = xp.asarray(i * dh * W + j * dw, dtype=np.int64)
    return step[offsets] + xp.asarray(base, dtype=np.int64)


def max_pool2d_backward(grad_output, offsets, input_size, kernel_size, stride,
                        padding=(0, 0), dilation=(1, 1)):
    """Routes grad_output (N, C, OH, OW) to each window's maximum -> (N, C, H, W);
    overlapping windows add up."""
    N, C, OH, OW = grad_output.shape
    H, W = input_size
    pad_size = _padded_size((H, W), kernel_size, stride, padding, dilation, (OH, OW))
    direct = pad_size == (H, W)
    disjoint = all(s > d * (k - 1) for k, s, d in zip(kernel_size, stride, dilation))
    # windows that tile the input exactly (2x2, stride 2 on even sizes) write every
    # input element once, so the gradient needs no zero fill
    tiled = disjoint and direct and all(d == 1 and s == k and n == o * k for n, o, k, s, d in
                                        zip((H, W), (OH, OW), kernel_size, stride, dilation))
    grad_planes = _planes(grad_output)
    offset_planes = offsets.reshape(N * C, OH, OW)
    grad_x = xp.empty((N * C, H, W), dtype=grad_output.dtype)
    top, left = padding
    chunk = _chunk(N * C, pad_size[0] * pad_size[1] * grad_output.itemsize)

    def work(chunks):
        for a, b in chunks:
            g, arg = grad_planes[a:b], offset_planes[a:b]
            # g·mask routes with plain fast loops, but inf·0 = NaN would leak a
            # non-finite gradient into the losing window cells: masked adds then (a
            # float32 sum that overflows takes that exact path too)
            finite = bool(xp.isfinite(xp.sum(g)))
            grad_pad = grad_x[a:b] if direct else buffer(
                "pool_grad_pad", (b - a,) + pad_size, grad_output.dtype)
            if not (tiled and finite):
                grad_pad.fill(0)
            mask = buffer("pool_mask", g.shape, np.bool_)
            routed = buffer("pool_routed", g.shape, g.dtype)
            for k in range(kernel_size[0] * kernel_size[1]):
                view = grad_pad[(slice(None),) + _window_slices(k, kernel_size, stride,
                                                                dilation, (OH, OW))]
                xp.equal(arg, k, out=mask)
                if not finite:
                    xp.add(view, g, out=view, where=mask)
                elif disjoint:
                    xp.multiply(g, mask, out=view)
                else:
                    view += xp.multiply(g, mask, out=routed)
            if not direct:
                grad_x[a:b] = grad_pad[:, top:top + H, left:left + W]

    parallel_chunks(work, N * C, chunk)
    return grad_x.reshape(N, C, H, W)


def _avg_divisor(in_size, kernel_size, stride, padding, out_size, count_include_pad,
                 divisor_override):
    """The divisor of each window: a number, or an (OH, OW) array when it varies.
    PyTorch counts the padding cells a window covers (count_include_pad) but never the
    part of a ceil_mode window that hangs past the padding."""
    if divisor_override is not None:
        return divisor_override
    sizes = []
    for n, k, s, p, o in zip(in_size, kernel_size, stride, padding, out_size):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if count_include_pad:
            sizes.append(end - start)
        else:
            sizes.append(np.minimum(end, n) - np.maximum(start, 0))
    divisor = sizes[0][:, None] * sizes[1][None, :]
    return int(divisor.flat[0]) if (divisor == divisor.flat[0]).all() else divisor


def avg_pool2d(x, kernel_size, stride, padding=(0, 0), ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """x (N, C, H, W) -> (N, C, OH, OW), each window's sum over its divisor."""
    N, C, H, W = x.shape
    out_size = tuple(pool_output_size(n, k, s, p, 1, ceil_mode) for n, k, s, p in
                     zip((H, W), kernel_size, stride, padding))
    pad_size = _padded_size((H, W), kernel_size, stride, padding, (1, 1), out_size)
    divisor = _avg_divisor((H, W), kernel_size, stride, padding, out_size, count_include_pad,
                           divisor_override)
    scale = xp.asarray(1.0 / np.asarray(divisor, dtype=np.float64), dtype=x.dtype)
    planes = _planes(x)
    out = xp.empty((N * C,) + out_size, dtype=x.dtype)
    chunk = _chunk(N * C, pad_size[0] * pad_size[1] * x.itemsize)

    def work(chunks):
        for a, b in chunks:
            x_pad = _pad_planes(planes[a:b], padding, pad_size, 0, "pool_x")
            total = out[a:b]
            for k in range(kernel_size[0] * kernel_size[1]):
                v = x_pad[(slice(None),) + _window_slices(k, kernel_size, stride, (1, 1),
                                                          out_size)]
                if k == 0:
                    total[...] = v
                else:
                    total += v
            total *= scale

    parallel_chunks(work, N * C, chunk)
    return out.reshape((N, C) + out_size)


def avg_pool2d_backward(grad_output, input_size, kernel_size, stride, padding=(0, 0),
                        count_include_pad=True, divisor_override=None):
    """Spreads grad_output (N, C, OH, OW) evenly over each window -> (N, C, H, W)."""
    N, C, OH, OW = grad_output.shape
    H, W = input_size
    pad_size = _padded_size((H, W), kernel_size, stride, padding, (1, 1), (OH, OW))
    divisor = _avg_divisor((H, W), kernel_size, stride, padding, (OH, OW), count_include_pad,
                           divisor_override)
    scale = xp.asarray(1.0 / np.asarray(divisor, dtype=np.float64), dtype=grad_output.dtype)
    grad_planes = _planes(grad_output)
    grad_x = xp.empty((N * C, H, W), dtype=grad_output.dtype)
    top, left = padding
    chunk = _chunk(N * C, pad_size[0] * pad_size[1] * grad_output.itemsize)

    def work(chunks):
        for a, b in chunks:
            scaled = buffer("pool_scaled", (b - a, OH, OW), grad_output.dtype)
            xp.multiply(grad_planes[a:b], scale, out=scaled)
            direct = pad_size == (H, W)
            grad_pad = grad_x[a:b] if direct else buffer(
                "pool_grad_pad", (b - a,) + pad_size, grad_output.dtype)
            grad_pad.fill(0)
            for k in range(kernel_size[0] * kernel_size[1]):
                grad_pad[(slice(None),) + _window_slices(k, kernel_size, stride, (1, 1),
                                                         (OH, OW))] += scaled
            if not direct:
                grad_x[a:b] = grad_pad[:, top:top + H, left:left + W]

    parallel_chunks(work, N * C, chunk)
    return grad_x.reshape(N, C, H, W)


def adaptive_bins(in_size, out_size):
    """PyTorch's adaptive bins: bin i covers [floor(i·in/out), ceil((i+1)·in/out))."""
    i = np.arange(out_size)
    return (i * in_size) // out_size, -((-(i + 1) * in_size) // out_size)


def _bin_matrix(in_size, out_size, dtype):
    """(out, in) averaging matrix: row i is 1/len(bin i) on bin i."""
    start, end = adaptive_bins(in_size, out_size)
    cols = np.arange(in_size)
    inside = (cols[None, :] >= start[:, None]) & (cols[None, :] < end[:, None])
    return xp.asarray(inside / (end - start)[:, None], dtype=dtype)


def adaptive_avg_pool2d(x, output_size):
    """x (N, C, H, W) -> (N, C, OH, OW). Averaging over a rectangle is separable, so
    this is two GEMMs: A_h · x · A_wᵀ with the (out, in) bin-averaging matrices."""
    N, C, H, W = x.shape
    OH, OW = output_size
    a_h, a_w = _bin_matrix(H, OH, x.dtype), _bin_matrix(W, OW, x.dtype)
    rows = xp.tensordot(x, a_w, axes=([3], [1]))  # (N, C, H, OW)
    return xp.ascontiguousarray(xp.tensordot(rows, a_h, axes=([2], [1])).transpose(0, 1, 3, 2))


def adaptive_avg_pool2d_backward(grad_output, input_size):
    """grad_output (N, C, OH, OW) -> (N, C, H, W): A_hᵀ · grad_output · A_w."""
    OH, OW = grad_output.shape[-2:]
    H, W = input_size
    a_h, a_w = _bin_matrix(H, OH, grad_output.dtype), _bin_matrix(W, OW, grad_output.dtype)
    rows = xp.tensordot(grad_output, a_w, axes=([3], [0]))  # (N, C, OH, W)
    return xp.ascontiguousarray(xp.tensordot(rows, a_h, axes=([2], [0])).transpose(0, 1, 3, 2))


def _adaptive_max_axis(x, out_size, axis):
    """Max over adaptive bins along ``axis`` (2 or 3) -> (values, positions along axis).
    Each bin is scanned in order with PyTorch's rule (strictly greater, or NaN)."""
    in_size = x.shape[axis]
    start, end = adaptive_bins(in_size, out_size)
    shape = (-1, 1) if axis == 2 else (-1,)  # bins broadcast along ``axis``
    take = [slice(None)] * 4
    take[axis] = start
    best = x[tuple(take)]
    pos = xp.broadcast_to(xp.asarray(start.reshape(shape)), best.shape).copy()
    for k in range(1, int((end - start).max())):
        inside = start + k < end
        take[axis] = np.minimum(start + k, end - 1)
        v = x[tuple(take)]
        mask = ((v > best) | xp.isnan(v)) & xp.asarray(inside.reshape(shape))
        best = xp.where(mask, v, best)
        pos = xp.where(mask, xp.asarray((start + k).reshape(shape)), pos)
    return best, pos


def adaptive_max_pool2d(x, output_size):
    """x (N, C, H, W) -> (out (N, C, OH, OW), indices (N, C, OH, OW) int64 flat h·W + w).

    Max over a rectangle is separable: first over the width bins of every row, then over
    the height bins. Scanning rows in order and columns in order within each keeps
    PyTorch's row-major first-maximum (and last-NaN) rule."""
    W = x.shape[3]
    row_max, col = _adaptive_max_axis(x, output_size[1], axis=3)  # (N, C, H, OW)
    out, row = _adaptive_max_axis(row_max, output_size[0], axis=2)  # (N, C, OH, OW)
    col = xp.take_along_axis(col, row, axis=2)
    return out, (row * W + col).astype(np.int64)


def scatter_planes(values, indices, plane_size):
    """values, indices (N, C, *) -> (N, C, plane_size) zeros with
    ``out[n, c, indices[n, c, k]] = values[n, c, k]`` (max unpooling's forward; with
    repeated indices one of the values is kept). Raises ValueError on an index outside
    the plane."""
    N, C = values.shape[:2]
    flat_indices = indices.reshape(N * C, -1)
    if flat_indices.size and (flat_indices.min() < 0 or flat_indices.max() >= plane_size):
        bad = flat_indices[(flat_indices < 0) | (flat_indices >= plane_size)][0]
        raise ValueError(f"max_unpool2d: found an invalid max index {int(bad)} "
                         f"(output planes have {plane_size} elements)")
    out = xp.zeros((N * C, plane_size), dtype=values.dtype)
    xp.put_along_axis(out, flat_indices, values.reshape(N * C, -1), axis=1)
    return out.reshape(N, C, plane_size)


def gather_planes(source, indices):
    """source (N, C, plane_size), indices (N, C, *) -> source[n, c, indices[n, c, k]]
    shaped like indices (the adjoint of ``scatter_planes`` for distinct indices, and
    max unpooling's backward as PyTorch defines it)."""
    N, C = indices.shape[:2]
    flat = xp.take_along_axis(source.reshape(N * C, -1), indices.reshape(N * C, -1), axis=1)
    return flat.reshape(indices.shape)


def adaptive_max_pool2d_backward(grad_output, indices, input_size):
    """Adds grad_output (N, C, OH, OW) at the argmax ``indices`` -> (N, C, H, W).
    Adaptive bins can overlap, so one input element may receive several gradients."""
    N, C, OH, OW = grad_output.shape
    H, W = input_size
    plane = (np.arange(N * C, dtype=np.int64) * (H * W)).reshape(N, C, 1, 1)
    flat = (xp.asarray(plane) + indices).ravel()
    total = xp.bincount(flat, weights=grad_output.ravel(), minlength=N * C * H * W)
    return total.astype(grad_output.dtype, copy=False).reshape(N, C, H, W)
