"""Convolutions: ``conv2d``, ``conv_transpose2d`` and ``conv1d`` (a conv2d over rows of
height 1), with PyTorch's arguments; and ``conv_output_size``, the output-size formula.

Inputs are (N, C, H, W), or (C, H, W) unbatched as in PyTorch. Arguments are checked
here, with errors naming the argument, what was expected and what was given; the
primitives in ``visiongrad.ops.conv`` do the work.
"""
import operator

from ..._kernels.conv import conv_output_size
from ...ops.conv import Conv2d, ConvTranspose2d


def _pair(value, name, fn):
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    try:
        if len(values) != 2 or any(isinstance(v, bool) for v in values):
            raise TypeError
        return tuple(operator.index(v) for v in values)  # ints, NumPy ints included
    except TypeError:
        raise TypeError(f"{fn}: {name} must be an int or a pair of ints, got {value!r}") from None


def _check_positive(values, name, fn, minimum=1):
    if min(values) < minimum:
        bound = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{fn}: {name} must be {bound}, got {values}")


def _batched(input, fn, what="(N, C, H, W) or (C, H, W)"):
    """The input as a 4-D tensor and whether it was unbatched."""
    if input.ndim == 4:
        return input, False
    if input.ndim == 3:
        return input.unsqueeze(0), True
    raise ValueError(f"{fn}: expected a 3-D (unbatched) or 4-D (batched) input {what}, "
                     f"got shape {tuple(input.shape)}")


def _check_weight_and_bias(fn, input, weight, bias, groups, transposed):
    if weight.ndim != 4:
        raise ValueError(f"{fn}: expected a 4-D weight, got shape {tuple(weight.shape)}")
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
        raise ValueError(f"{fn}: groups must be a positive int, got {groups!r}")
    if weight.shape[0] % groups:
        raise ValueError(f"{fn}: weight dim 0 ({weight.shape[0]}) must be divisible by "
                         f"groups={groups}, got weight {tuple(weight.shape)}")
    # conv weight: (F, C/groups, KH, KW); transposed: (C, F/groups, KH, KW)
    in_channels = weight.shape[0] if transposed else weight.shape[1] * groups
    out_channels = weight.shape[1] * groups if transposed else weight.shape[0]
    if input.shape[1] != in_channels:
        raise ValueError(f"{fn}: expected input with {in_channels} channels (weight "
                         f"{tuple(weight.shape)}, groups={groups}), got {input.shape[1]}")
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise ValueError(f"{fn}: expected bias of shape ({out_channels},) for weight "
                         f"{tuple(weight.shape)}, got {tuple(bias.shape)}")
    dtypes = [t.dtype for t in (input, weight, bias) if t is not None]
    if len(set(dtypes)) > 1:
        raise TypeError(f"{fn}: input, weight and bias must have the same dtype, got "
                        + ", ".join(str(d) for d in dtypes))


def _conv_padding(padding, kernel_size, stride, dilation):
    """padding as (top, bottom, left, right): int/pair, 'valid' (none) or 'same' (total
    dilation·(k − 1) per dim, the odd one out at the bottom/right, as PyTorch)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding != "same":
            raise ValueError(f"conv2d: padding must be an int, a pair, 'valid' or 'same', "
                             f"got {padding!r}")
        if stride != (1, 1):
            raise ValueError(f"conv2d: padding='same' is not supported for strided "
                             f"convolutions, got stride={stride}")
        out = []
        for k, d in zip(kernel_size, dilation):
            total = d * (k - 1)
            out += [total // 2, total - total // 2]
        return tuple(out)
    ph, pw = _pair(padding, "padding", "conv2d")
    _check_positive((ph, pw), "padding", "conv2d", minimum=0)
    return (ph, ph, pw, pw)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d cross-correlation, as ``torch.nn.functional.conv2d``.

    input (N, C, H, W) or (C, H, W); weight (F, C/groups, KH, KW); bias (F,) ->
    (N, F, OH, OW) with OH = floor((H + pad_top + pad_bottom − dilation·(KH − 1) − 1)
    / stride) + 1. ``padding`` is an int, a pair, 'valid' or 'same' (stride 1 only);
    groups=C with F = m·C is a depthwise convolution."""
    x, unbatched = _batched(input, "conv2d")
    stride = _pair(stride, "stride", "conv2d")
    dilation = _pair(dilation, "dilation", "conv2d")
    _check_positive(stride, "stride", "conv2d")
    _check_positive(dilation, "dilation", "conv2d")
    _check_weight_and_bias("conv2d", x, weight, bias, groups, transposed=False)
    kernel_size = tuple(weight.shape[2:])
    pad = _conv_padding(padding, kernel_size, stride, dilation)
    H, W = x.shape[2:]
    out_size = tuple(conv_output_size(n + lo + hi, k, 0, s, d) for n, lo, hi, k, s, d in
                     zip((H, W), pad[::2], pad[1::2], kernel_size, stride, dilation))
    if min(out_size) <= 0:
        raise ValueError(
            f"conv2d: kernel {kernel_size[0]}x{kernel_size[1]} with stride {stride}, "
            f"padding {(pad[0], pad[2])} and dilation {dilation} would give an output of size "
            f"{out_size[0]}x{out_size[1]}; input {H}x{W} is too small for kernel "
            f"{_text([d * (k - 1) + 1 for k, d in zip(kernel_size, dilation)])} with padding "
            f"{_text(pad)}")
    args = (x, weight) if bias is None else (x, weight, bias)
    out = Conv2d.apply(*args, stride=stride, padding=pad, dilation=dilation, groups=groups)
    return out.squeeze(0) if unbatched else out


def _text(values):
    """'5' for (5, 5), '(5, 3)' otherwise."""
    return str(values[0]) if len(set(values)) == 1 else str(tuple(values))


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """2-d transposed convolution (the adjoint of conv2d), as
    ``torch.nn.functional.conv_transpose2d``.

    input (N, C, H, W) or (C, H, W); weight (C, F/groups, KH, KW); bias (F,) ->
    (N, F, OH, OW) with OH = (H − 1)·stride − 2·padding + dilation·(KH − 1)
    + output_padding + 1. ``output_padding`` (< stride or < dilation) picks among the
    input sizes a strided convolution maps to the same output size: a 3×3, stride-2,
    padding-1 transposed convolution takes 2×2 to 3×3, and to 4×4 with output_padding=1."""
    x, unbatched = _batched(input, "conv_transpose2d")
    stride = _pair(stride, "stride", "conv_transpose2d")
    dilation = _pair(dilation, "dilation", "conv_transpose2d")
    padding = _pair(padding, "padding", "conv_transpose2d")
    output_padding = _pair(output_padding, "output_padding", "conv_transpose2d")
    _check_positive(stride, "stride", "conv_transpose2d")
    _check_positive(dilation, "dilation", "conv_transpose2d")
    _check_positive(padding, "padding", "conv_transpose2d", minimum=0)
    _check_positive(output_padding, "output_padding", "conv_transpose2d", minimum=0)
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= max(s, d):
            raise ValueError(f"conv_transpose2d: output_padding must be smaller than either "
                             f"stride or dilation, got output_padding={output_padding}, "
                             f"stride={stride}, dilation={dilation}")
    _check_weight_and_bias("conv_transpose2d", x, weight, bias, groups, transposed=True)
    kernel_size = tuple(weight.shape[2:])
    out_size = tuple((n - 1) * s - 2 * p + d * (k - 1) + op + 1 for n, s, p, d, k, op in
                     zip(x.shape[2:], stride, padding, dilation, kernel_size, output_padding))
    if min(out_size) <= 0:
        raise ValueError(
            f"conv_transpose2d: input {x.shape[2]}x{x.shape[3]} with kernel "
            f"{kernel_size[0]}x{kernel_size[1]}, stride {stride}, padding {padding}, "
            f"output_padding {output_padding} and dilation {dilation} would give an output "
            f"of size {out_size[0]}x{out_size[1]}; padding is too large")
    args = (x, weight) if bias is None else (x, weight, bias)
    out = ConvTranspose2d.apply(*args, stride=stride, padding=padding,
                                output_padding=output_padding, dilation=dilation, groups=groups)
    return out.squeeze(0) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d cross-correlation: input (N, C, L) or (C, L), weight (F, C/groups, K) ->
    (N, F, L_out); computed as conv2d on rows of height 1."""
    if input.ndim not in (2, 3) or weight.ndim != 3:
        raise ValueError(f"conv1d: expected a 2-D or 3-D input (N, C, L) and a 3-D weight "
                         f"(F, C/groups, K), got shapes {tuple(input.shape)} and "
                         f"{tuple(weight.shape)}")
    pad = padding if isinstance(padding, str) else (0, _single(padding, "padding"))
    out = conv2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias, (1, _single(stride, "stride")),
                 pad, (1, _single(dilation, "dilation")), groups)
    return out.squeeze(-2)


def _single(value, name):
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise TypeError(f"conv1d: {name} must be an int or a 1-tuple, got {value!r}")
        return value[0]
    return value


__all__ = ["conv1d", "conv2d", "conv_output_size", "conv_transpose2d"]
