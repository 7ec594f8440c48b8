"""Pooling: ``max_pool2d`` (with PyTorch's indices), ``max_unpool2d``, ``avg_pool2d``,
``adaptive_avg_pool2d``, ``adaptive_max_pool2d``, and the 1-d ``max_pool1d`` /
``avg_pool1d`` (2-d pools over rows of height 1), with PyTorch's arguments.

Inputs are (N, C, H, W), or (C, H, W) unbatched. Max pooling resolves ties to the
first maximum in row-major window order and propagates NaN, as PyTorch.
"""
from ..._kernels.pool import pool_output_size
from ...ops.pool import (AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, MaxPool2d,
                         MaxUnpool2d)
from .conv import _batched, _check_positive, _pair


def _pool_args(fn, kernel_size, stride, padding, dilation=1):
    kernel_size = _pair(kernel_size, "kernel_size", fn)
    # PyTorch: stride=None (or an empty list) means stride = kernel_size
    stride = kernel_size if stride is None or stride == [] or stride == () else \
        _pair(stride, "stride", fn)
    padding, dilation = _pair(padding, "padding", fn), _pair(dilation, "dilation", fn)
    _check_positive(kernel_size, "kernel_size", fn)
    _check_positive(stride, "stride", fn)
    _check_positive(dilation, "dilation", fn)
    _check_positive(padding, "padding", fn, minimum=0)
    # PyTorch's rule, on the kernel size before dilation: a window always holds a real
    # element
    if any(p > k // 2 for p, k in zip(padding, kernel_size)):
        raise ValueError(f"{fn}: padding should be at most half of kernel_size, got "
                         f"padding={padding}, kernel_size={kernel_size}")
    return kernel_size, stride, padding, dilation


def _output_size(fn, x, kernel_size, stride, padding, dilation, ceil_mode):
    H, W = x.shape[2:]
    out_size = tuple(pool_output_size(n, k, s, p, d, ceil_mode) for n, k, s, p, d in
                     zip((H, W), kernel_size, stride, padding, dilation))
    if min(out_size) <= 0:
        raise ValueError(f"{fn}: kernel_size {kernel_size} with stride {stride}, padding "
                         f"{padding} and dilation {dilation} would give an output of size "
                         f"{out_size[0]}x{out_size[1]}; input {H}x{W} is too small")
    return out_size


def _check_float(fn, x):
    if x.dtype.kind != "f":
        raise TypeError(f"{fn}: expected a floating-point input, got dtype {x.dtype}")


def _unbatch(result, unbatched):
    if not unbatched:
        return result
    if isinstance(result, tuple):
        return tuple(r.squeeze(0) for r in result)
    return result.squeeze(0)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """input (N, C, H, W) or (C, H, W) -> (N, C, OH, OW), the maximum of each window;
    with ``return_indices`` also the flat index h·W + w of each maximum within its
    input plane (int64), as ``max_unpool2d`` expects. Padding cells never win."""
    x, unbatched = _batched(input, "max_pool2d")
    _check_float("max_pool2d", x)
    kernel_size, stride, padding, dilation = _pool_args("max_pool2d", kernel_size, stride,
                                                        padding, dilation)
    _output_size("max_pool2d", x, kernel_size, stride, padding, dilation, ceil_mode)
    result = MaxPool2d.apply(x, kernel_size=kernel_size, stride=stride, padding=padding,
                             dilation=dilation, ceil_mode=bool(ceil_mode),
                             return_indices=bool(return_indices))
    return _unbatch(result, unbatched)


def _unpool_size(x, kernel_size, stride, padding, output_size):
    default = tuple((n - 1) * s - 2 * p + k for n, s, p, k in
                    zip(x.shape[2:], stride, padding, kernel_size))
    if output_size is None:
        return default
    size = tuple(int(s) for s in output_size)[-2:]
    if len(size) != 2:
        raise ValueError(f"max_unpool2d: output_size must end with (H, W), got {output_size}")
    for d, (want, base, s) in enumerate(zip(size, default, stride)):
        if not base - s < want < base + s:
            raise ValueError(f"max_unpool2d: invalid output_size {tuple(output_size)} (dim "
                             f"{d} must be between {base - s} and {base + s}, exclusive)")
    return size


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of ``max_pool2d``: input (N, C, H, W) values are put back at
    ``indices`` (from ``max_pool2d(..., return_indices=True)``) in zero planes of size
    (H − 1)·stride − 2·padding + kernel_size, or ``output_size``."""
    x, unbatched = _batched(input, "max_unpool2d")
    idx = indices.unsqueeze(0) if unbatched else indices
    if tuple(idx.shape) != tuple(x.shape):
        raise ValueError(f"max_unpool2d: indices must have the input's shape "
                         f"{tuple(input.shape)}, got {tuple(indices.shape)}")
    if idx.dtype.kind not in "iu":
        raise TypeError(f"max_unpool2d: indices must be integers, got dtype {idx.dtype}")
    kernel_size, stride, padding, _ = _pool_args("max_unpool2d", kernel_size, stride, padding)
    size = _unpool_size(x, kernel_size, stride, padding, output_size)
    out = MaxUnpool2d.apply(x, idx, output_size=size)
    return out.squeeze(0) if unbatched else out


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """input (N, C, H, W) or (C, H, W) -> (N, C, OH, OW), each window's mean. The
    divisor counts the zero padding a window covers when ``count_include_pad`` (never
    the part of a ``ceil_mode`` window past the padding); ``divisor_override`` replaces
    it."""
    x, unbatched = _batched(input, "avg_pool2d")
    _check_float("avg_pool2d", x)
    kernel_size, stride, padding, _ = _pool_args("avg_pool2d", kernel_size, stride, padding)
    if divisor_override is not None and (isinstance(divisor_override, bool)
                                         or int(divisor_override) != divisor_override
                                         or divisor_override == 0):
        raise ValueError(f"avg_pool2d: divisor_override must be a non-zero int, got "
                         f"{divisor_override!r}")
    _output_size("avg_pool2d", x, kernel_size, stride, padding, (1, 1), ceil_mode)
    out = AvgPool2d.apply(x, kernel_size=kernel_size, stride=stride, padding=padding,
                          ceil_mode=bool(ceil_mode), count_include_pad=bool(count_include_pad),
                          divisor_override=divisor_override)
    return out.squeeze(0) if unbatched else out


def _adaptive_size(fn, x, output_size):
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else \
        (output_size, output_size)
    if len(sizes) != 2:
        raise ValueError(f"{fn}: output_size must be an int or a pair, got {output_size!r}")
    # None keeps that input dimension, as PyTorch
    sizes = tuple(n if s is None else int(s) for s, n in zip(sizes, x.shape[2:]))
    if min(sizes) <= 0 or min(x.shape[2:]) <= 0:
        raise ValueError(f"{fn}: output size {sizes} and input size {tuple(x.shape[2:])} "
                         f"must be positive")
    return sizes


def adaptive_avg_pool2d(input, output_size):
    """input (N, C, H, W) or (C, H, W) -> (N, C, OH, OW): bin i of OH covers rows
    [floor(i·H/OH), ceil((i+1)·H/OH)), likewise for columns; each output is its bin's
    mean. ``adaptive_avg_pool2d(x, 1)`` is global average pooling."""
    x, unbatched = _batched(input, "adaptive_avg_pool2d")
    _check_float("adaptive_avg_pool2d", x)
    size = _adaptive_size("adaptive_avg_pool2d", x, output_size)
    out = AdaptiveAvgPool2d.apply(x, output_size=size)
    return out.squeeze(0) if unbatched else out


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """input (N, C, H, W) or (C, H, W) -> (N, C, OH, OW), the maximum of each adaptive
    bin (see ``adaptive_avg_pool2d``), and with ``return_indices`` its flat index in the
    input plane."""
    x, unbatched = _batched(input, "adaptive_max_pool2d")
    _check_float("adaptive_max_pool2d", x)
    size = _adaptive_size("adaptive_max_pool2d", x, output_size)
    result = AdaptiveMaxPool2d.apply(x, output_size=size, return_indices=bool(return_indices))
    return _unbatch(result, unbatched)


def _rows(fn, input):
    if input.ndim not in (2, 3):
        raise ValueError(f"{fn}: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape "
                         f"{tuple(input.shape)}")
    return input.unsqueeze(-2)


def _last(value):
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise TypeError(f"expected an int or a 1-tuple, got {value!r}")
        return value[0]
    return value


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """input (N, C, L) or (C, L) -> (N, C, L_out); indices are positions along L."""
    stride = None if stride is None or stride == [] or stride == () else (1, _last(stride))
    result = max_pool2d(_rows("max_pool1d", input), (1, _last(kernel_size)), stride,
                        (0, _last(padding)), (1, _last(dilation)), ceil_mode, return_indices)
    if isinstance(result, tuple):
        return tuple(r.squeeze(-2) for r in result)
    return result.squeeze(-2)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """input (N, C, L) or (C, L) -> (N, C, L_out), each window's mean."""
    stride = None if stride is None or stride == [] or stride == () else (1, _last(stride))
    out = avg_pool2d(_rows("avg_pool1d", input), (1, _last(kernel_size)), stride,
                     (0, _last(padding)), ceil_mode, count_include_pad)
    return out.squeeze(-2)


__all__ = ["adaptive_avg_pool2d", "adaptive_max_pool2d", "avg_pool1d", "avg_pool2d",
           "max_pool1d", "max_pool2d", "max_unpool2d"]
