"""Convolution layers: Conv2d and ConvTranspose2d, with PyTorch's constructor arguments,
parameter names and shapes, and default initialisation."""

from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter
from ...creation import empty

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


class _ConvNd(Module):
    """Shared parameters and initialisation. weight: (out_channels, in_channels/groups,
    KH, KW) for a convolution, (in_channels, out_channels/groups, KH, KW) for a
    transposed one; both from kaiming_uniform_(a=sqrt(5)), i.e. U(−1/sqrt(fan_in),
    1/sqrt(fan_in)) with fan_in = weight.shape[1]·KH·KW, and bias (out_channels,) from
    the same range, as PyTorch."""

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation,
                 groups, bias, padding_mode, transposed, dtype):
        super().__init__()
        name = type(self).__name__
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ValueError(f"{name}: in_channels ({in_channels}) and out_channels "
                             f"({out_channels}) must be divisible by groups ({groups})")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{name}: padding_mode must be one of {_PADDING_MODES}, got "
                             f"{padding_mode!r}")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{name}: padding must be an int, a pair, 'valid' or 'same', "
                                 f"got {padding!r}")
            if padding == "same" and _pair(stride) != (1, 1):
                raise ValueError(f"{name}: padding='same' is not supported for strided "
                                 f"convolutions, got stride={stride}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = _pair(kernel_size), _pair(stride)
        self.padding = padding if isinstance(padding, str) else _pair(padding)
        self.dilation, self.groups, self.padding_mode = _pair(dilation), groups, padding_mode
        shape = ((in_channels, out_channels // groups) if transposed
                 else (out_channels, in_channels // groups)) + self.kernel_size
        self.weight = Parameter(empty(*shape, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.default_layer_init_(self.weight, self.bias)

    def extra_repr(self):
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding not in ((0, 0), "valid"):
            text += f", padding={self.padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if getattr(self, "output_padding", (0, 0)) != (0, 0):
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class Conv2d(_ConvNd):
    """2-d convolution: (N, C_in, H, W) or (C_in, H, W) -> (N, C_out, OH, OW); see
    ``F.conv2d``. padding_mode 'reflect', 'replicate' or 'circular' pads with ``F.pad``
    first, as PyTorch."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, transposed=False, dtype=dtype)

    def forward(self, input):
        if self.padding_mode == "zeros":
            return F.conv2d(input, self.weight, self.bias, self.stride, self.padding,
                            self.dilation, self.groups)
        return F.conv2d(F.pad(input, self._pad_amounts(), mode=self.padding_mode), self.weight,
                        self.bias, self.stride, 0, self.dilation, self.groups)

    def _pad_amounts(self):
        """(left, right, top, bottom) for F.pad."""
        if self.padding == "valid":
            return (0, 0, 0, 0)
        if self.padding == "same":
            totals = [d * (k - 1) for k, d in zip(self.kernel_size, self.dilation)]
            (top, bottom), (left, right) = [(t // 2, t - t // 2) for t in totals]
            return (left, right, top, bottom)
        ph, pw = self.padding
        return (pw, pw, ph, ph)


class ConvTranspose2d(_ConvNd):
    """2-d transposed convolution: (N, C_in, H, W) or (C_in, H, W) -> (N, C_out, OH, OW)
    with OH = (H − 1)·stride − 2·padding + dilation·(KH − 1) + output_padding + 1; see
    ``F.conv_transpose2d``. ``forward(input, output_size)`` picks output_padding to reach
    ``output_size`` instead, as PyTorch."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f"ConvTranspose2d: only padding_mode='zeros' is supported, got "
                             f"{padding_mode!r}")
        if isinstance(padding, str):
            raise ValueError(f"ConvTranspose2d: padding must be an int or a pair, got "
                             f"{padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, transposed=True, dtype=dtype)
        self.output_padding = _pair(output_padding)

    def forward(self, input, output_size=None):
        output_padding = self.output_padding if output_size is None else \
            self._output_padding(input, output_size)
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                  output_padding, self.groups, self.dilation)

    def _output_padding(self, input, output_size):
        size = tuple(int(s) for s in output_size)[-2:]
        out = []
        for d, (want, n, s, p, k, dil) in enumerate(zip(size, input.shape[-2:], self.stride,
                                                        self.padding, self.kernel_size,
                                                        self.dilation)):
            smallest = (n - 1) * s - 2 * p + dil * (k - 1) + 1
            if not smallest <= want < smallest + s:
                raise ValueError(f"ConvTranspose2d: requested output_size {tuple(output_size)} "
                                 f"is impossible: dim {d} must be in [{smallest}, "
                                 f"{smallest + s - 1}] for input {tuple(input.shape)}")
            out.append(want - smallest)
        return tuple(out)
