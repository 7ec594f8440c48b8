"""Resizing and padding layers: Upsample and the 2-D padding layers, each one call to
``F.interpolate`` or ``F.pad``."""
from .. import functional as F
from ..module import Module


class Upsample(Module):
    """Resize (N, C, *spatial) to ``size`` or by ``scale_factor`` with ``F.interpolate``
    (mode 'nearest', 'linear', 'bilinear' or 'trilinear'). Nearest upsampling by 2 is
    the "nearest neighbour unpooling" of encoder-decoder networks."""

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.size, self.mode, self.align_corners = size, mode, align_corners
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor is not None else None
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             self.recompute_scale_factor)

    def extra_repr(self):
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return info + f", mode={self.mode!r}"


def _four(padding):
    if isinstance(padding, int):
        return (padding,) * 4
    padding = tuple(padding)
    if len(padding) != 4:
        raise ValueError(f"expected padding as an int or (left, right, top, bottom), got "
                         f"{padding}")
    return padding


class _Pad2d(Module):
    """Pads the last two dims of (N, C, H, W) or (C, H, W); padding is an int or
    (left, right, top, bottom)."""

    mode = "constant"

    def __init__(self, padding):
        super().__init__()
        self.padding = _four(padding)

    def forward(self, input):
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class ReflectionPad2d(_Pad2d):
    """Mirror at the edges without repeating them: padding (1, 1, 0, 0) turns a row
    [a, b, c] into [b, a, b, c, b]."""

    mode = "reflect"


class ReplicationPad2d(_Pad2d):
    """Repeat the edge pixels: a row [a, b, c] padded by 1 becomes [a, a, b, c, c]."""

    mode = "replicate"


class CircularPad2d(_Pad2d):
    """Wrap around (periodic boundary): a row [a, b, c] padded by 1 becomes [c, a, b, c, a]."""

    mode = "circular"


class ConstantPad2d(_Pad2d):
    """Fill with ``value``."""

    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ZeroPad2d(ConstantPad2d):
    """Fill with zeros, the padding of convolutions."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"
