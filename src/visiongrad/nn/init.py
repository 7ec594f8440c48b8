"""Weight initialisation with PyTorch's names and formulas (torch.nn.init).

Every initialiser fills ``tensor.data`` in place from the global generator
(``visiongrad.manual_seed``), is never recorded by autograd, and returns the tensor.
"""
import math
import warnings

import numpy as np
from scipy.special import erfinv

from .._random import default_generator


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for an activation: the factor by which it shrinks the
    standard deviation, inverted (He et al. for ReLU; 3/4 for SELU, as PyTorch)."""
    linear_fns = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d")
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    if nonlinearity == "selu":
        # PyTorch's choice, which keeps the variance of SELU networks close to 1
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    """fan_in = shape[1]·receptive field, fan_out = shape[0]·receptive field, for a
    weight of shape (out, in, *kernel)."""
    if tensor.ndim < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer "
                         f"than 2 dimensions (got shape {tuple(tensor.shape)})")
    receptive_field = int(np.prod(tensor.shape[2:])) if tensor.ndim > 2 else 1
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _fill(tensor, values):
    tensor.data[...] = values
    return tensor


def _draw(tensor, method):
    """Standard samples drawn straight into the tensor's memory when it is a contiguous
    float32/float64 array (drawing float64 elsewhere and copying is several times slower
    for large layers, such as VGG's 100M-parameter classifier)."""
    data = tensor.data
    if data.dtype in (np.float32, np.float64) and data.flags.c_contiguous:
        method(out=data, dtype=data.dtype)
        return data
    data[...] = method(size=data.shape)
    return data


def uniform_(tensor, a=0.0, b=1.0):
    """Fill with U(a, b)."""
    data = _draw(tensor, default_generator().random)
    data *= b - a
    data += a
    return tensor


def normal_(tensor, mean=0.0, std=1.0):
    """Fill with N(mean, std²)."""
    data = _draw(tensor, default_generator().standard_normal)
    data *= std
    data += mean
    return tensor


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0):
    """Fill with N(mean, std²) truncated to [a, b]: the normal CDF inverted at a uniform
    draw between CDF(a) and CDF(b), exact in float64 for any interval."""
    def norm_cdf(x):
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)
    low, high = norm_cdf((a - mean) / std), norm_cdf((b - mean) / std)
    u = default_generator().uniform(2 * low - 1, 2 * high - 1, tensor.shape)
    return _fill(tensor, np.clip(erfinv(u) * std * math.sqrt(2.0) + mean, a, b))


def constant_(tensor, val):
    return _fill(tensor, val)


def ones_(tensor):
    return _fill(tensor, 1)


def zeros_(tensor):
    return _fill(tensor, 0)


def eye_(tensor):
    """Fill a 2-D tensor with the identity (ones on the diagonal)."""
    if tensor.ndim != 2:
        raise ValueError(f"Only tensors with 2 dimensions are supported, got shape "
                         f"{tuple(tensor.shape)}")
    return _fill(tensor, np.eye(*tensor.shape))


def xavier_uniform_(tensor, gain=1.0):
    """U(−a, a) with a = gain·sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor, gain=1.0):
    """N(0, std²) with std = gain·sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)))


def _kaiming_std(tensor, a, mode, nonlinearity):
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def _has_zero_dim(tensor):
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    """U(−bound, bound) with bound = gain·sqrt(3 / fan) (He et al., 2015); ``a`` is the
    leaky ReLU's negative slope, ``mode`` picks fan_in (forward) or fan_out (backward)."""
    if _has_zero_dim(tensor):
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    """N(0, std²) with std = gain / sqrt(fan) (He et al., 2015)."""
    if _has_zero_dim(tensor):
        return tensor
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity))


def orthogonal_(tensor, gain=1):
    """A (semi-)orthogonal matrix from the QR decomposition of a Gaussian one, signs
    fixed by R's diagonal so the result is uniformly distributed (Saxe et al., 2013).
    Dimensions after the first are flattened."""
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flattened = default_generator().standard_normal((rows, cols))
    if rows < cols:
        flattened = flattened.T
    q, r = np.linalg.qr(flattened)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(tensor.shape))


def default_layer_init_(weight, bias=None):
    """PyTorch's default initialisation of Linear and Conv layers: weight from
    kaiming_uniform_(a=√5), i.e. U(−1/√fan_in, 1/√fan_in), and the bias from the same
    range."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        uniform_(bias, -bound, bound)
    return weight
