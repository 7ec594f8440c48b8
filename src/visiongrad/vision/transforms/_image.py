"""What the image functions share: accepting NumPy arrays or Tensors of shape (C, H, W)
or (N, C, H, W), checking that layout, reading arguments the way torchvision does, and
naming the interpolation."""
import enum
import math
import numbers

import numpy as np

from ...tensor import Tensor, get_default_dtype


class InterpolationMode(enum.Enum):
    """How geometric transforms read between pixels: torchvision's enum, limited to the
    two modes the NumPy sampler has. Wherever ``interpolation=`` is taken, the strings
    'nearest' and 'bilinear' are accepted too."""

    NEAREST = "nearest"
    BILINEAR = "bilinear"


def interpolation_mode(value, owner):
    """An InterpolationMode or its string → 'nearest' or 'bilinear'."""
    if isinstance(value, InterpolationMode):
        return value.value
    if isinstance(value, str) and value in ("nearest", "bilinear"):
        return value
    raise ValueError(f"{owner}: interpolation should be InterpolationMode.NEAREST, "
                     f"InterpolationMode.BILINEAR, 'nearest' or 'bilinear', but got {value!r}")


def unwrap(img, owner):
    """(array, whether img is a Tensor) for an image of shape (C, H, W) or (N, C, H, W)."""
    if isinstance(img, Tensor):
        array, is_tensor = img.data, True
    elif isinstance(img, np.ndarray):
        array, is_tensor = img, False
    else:
        raise TypeError(f"{owner}: img should be a Tensor or a numpy.ndarray, "
                        f"but got {type(img).__name__}")
    if array.ndim not in (3, 4):
        raise ValueError(f"{owner}: img should have shape (C, H, W) or (N, C, H, W), "
                         f"but got shape {array.shape}")
    channels, width = array.shape[-3], array.shape[-1]
    # many channels and a width of 1, 3 or 4 is an (H, W, C) image from PIL or OpenCV
    if channels > 4 and width in (1, 3, 4):
        raise ValueError(f"{owner}: img should be channels-first (C, H, W) or (N, C, H, W), "
                         f"but got shape {array.shape}, which looks like (H, W, C); convert it "
                         f"with ToTensor() or transpose(2, 0, 1)")
    return array, is_tensor


def wrap(array, is_tensor):
    """The result in the kind of the input. Augmentation prepares data, so a Tensor comes
    back as a new Tensor without autograd history."""
    return Tensor._wrap(array) if is_tensor else array


def float_dtype(array):
    """The dtype to compute in: the image's own if it is floating, else the default."""
    return array.dtype if np.issubdtype(array.dtype, np.floating) else get_default_dtype()


def cast_back(result, dtype):
    """A float result in the input's dtype; integer images (masks, uint8) are rounded
    first, as torchvision does."""
    if np.issubdtype(dtype, np.floating):
        return result.astype(dtype, copy=False)
    return np.round(result).astype(dtype)


def check_float(array, owner):
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(f"{owner}: img should be a float image with values in [0, 1], but got "
                        f"dtype {array.dtype}; convert uint8 images with ToTensor() first")


def check_channels(array, owner, permitted=(1, 3)):
    if array.shape[-3] not in permitted:
        raise ValueError(f"{owner}: img should have {' or '.join(map(str, permitted))} channels, "
                         f"but got {array.shape[-3]} (shape {array.shape})")


def check_factor(value, name, owner):
    if not isinstance(value, numbers.Real) or value < 0:
        raise ValueError(f"{owner}: {name} should be a non-negative number, but got {value!r}")
    return float(value)


def pair(value, name, owner):
    """torchvision's size rule: a number n means (n, n), a sequence of one or two numbers
    is (height, width). → (int, int), both positive."""
    if isinstance(value, numbers.Integral):
        value = (value, value)
    elif isinstance(value, (tuple, list)) and len(value) == 1:
        value = (value[0], value[0])
    if (not isinstance(value, (tuple, list)) or len(value) != 2
            or not all(isinstance(v, numbers.Integral) and v > 0 for v in value)):
        raise ValueError(f"{owner}: {name} should be a positive int or a sequence of one or two "
                         f"positive ints (height, width), but got {value!r}")
    return int(value[0]), int(value[1])


def fill_values(fill, channels, dtype, owner):
    """``fill`` (a number or one number per channel) as an array of shape (C, 1, 1)."""
    values = np.asarray(fill, dtype=dtype).reshape(-1)
    if values.size not in (1, channels):
        raise ValueError(f"{owner}: fill should be a number or {channels} numbers (one per "
                         f"channel), but got {fill!r}")
    return np.broadcast_to(values, (channels,)).reshape(channels, 1, 1)


def check_probability(p, owner):
    if not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{owner}: p should be a probability in [0, 1], but got {p!r}")
    return float(p)


def interval(value, name, owner, bound=(-math.inf, math.inf), symmetric_about=0.0):
    """A range argument: a non-negative number v means (c - v, c + v) about
    ``symmetric_about``; a pair (low, high) is taken as it is. Both must lie in bound."""
    if isinstance(value, numbers.Real):
        if value < 0:
            raise ValueError(f"{owner}: {name} should be non-negative when it is a single "
                             f"number, but got {value!r}")
        value = (symmetric_about - value, symmetric_about + value)
    if (not isinstance(value, (tuple, list)) or len(value) != 2
            or not all(isinstance(v, numbers.Real) for v in value)
            or not bound[0] <= value[0] <= value[1] <= bound[1]):
        raise ValueError(f"{owner}: {name} should be a number or a pair (low, high) with "
                         f"{bound[0]} <= low <= high <= {bound[1]}, but got {value!r}")
    return float(value[0]), float(value[1])


def format_transform(transform, **fields):
    inside = ", ".join(f"{name}={value!r}" for name, value in fields.items())
    return f"{type(transform).__name__}({inside})"
