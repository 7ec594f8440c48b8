"""Activation functions. ``inplace=`` is accepted for PyTorch compatibility, but the
result is always a new tensor: autograd here does not track in-place updates."""
import warnings

from ... import ops
from ...tensor import where

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def relu(input, inplace=False):
    """max(0, x)."""
    return ops.Relu.apply(input)


def relu6(input, inplace=False):
    """min(max(0, x), 6)."""
    return hardtanh(input, 0.0, 6.0)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x if x > 0 else negative_slope·x."""
    return ops.LeakyRelu.apply(input, negative_slope=negative_slope)


def elu(input, alpha=1.0, inplace=False):
    """x if x > 0 else alpha·(exp(x) − 1) (Clevert et al., 2015)."""
    return ops.Elu.apply(input, alpha=alpha)


def selu(input, inplace=False):
    """scale·elu(x, alpha) with alpha ≈ 1.6733, scale ≈ 1.0507 (Klambauer et al., 2017):
    keeps activations near zero mean and unit variance with LeCun-normal weights."""
    return ops.Elu.apply(input, alpha=_SELU_ALPHA, scale=_SELU_SCALE)


def gelu(input, approximate="none"):
    """x·Φ(x) (Hendrycks & Gimpel, 2016); ``approximate='tanh'`` uses the tanh form."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return ops.Gelu.apply(input, approximate=approximate)


def silu(input, inplace=False):
    """x·σ(x), also called Swish (Ramachandran et al., 2017)."""
    return input * ops.Sigmoid.apply(input)


def sigmoid(input):
    return ops.Sigmoid.apply(input)


def tanh(input):
    return ops.Tanh.apply(input)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta·x)) / beta, linear where beta·x > threshold."""
    return ops.Softplus.apply(input, beta=beta, threshold=threshold)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """clamp(x, min_val, max_val)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than "
                         f"max_val ({max_val})")
    return input.clamp(min_val, max_val)


def hardsigmoid(input, inplace=False):
    """clamp(x/6 + 1/2, 0, 1), the piecewise-linear sigmoid of MobileNetV3."""
    return (input / 6 + 0.5).clamp(0.0, 1.0)


def hardswish(input, inplace=False):
    """x·hardsigmoid(x) (Howard et al., 2019)."""
    return input * hardsigmoid(input)


def prelu(input, weight):
    """max(0, x) + weight·min(0, x) with one learned slope per channel (dim 1) or one
    for all; weight: (1,) or (C,). Inputs with fewer than 2 dims have one channel."""
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.ndim != 1 or weight.shape[0] not in (1, channels):
        raise ValueError(f"prelu: weight must have shape (1,) or ({channels},) for input of "
                         f"shape {tuple(input.shape)}, got {tuple(weight.shape)}")
    if input.ndim == 0:
        weight = weight.reshape(())
    elif weight.shape[0] != 1:
        weight = weight.reshape((channels,) + (1,) * (input.ndim - 2))
    return where(input > 0, input, weight * input)


def _softmax_dim(name, ndim):
    # PyTorch's legacy choice when dim is omitted
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                  "call to include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, dtype=None):
    """exp(x_i) / Σ_j exp(x_j) along ``dim`` (the maximum is subtracted first)."""
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim)
    if dtype is not None:
        input = input.to(dtype)
    return ops.Softmax.apply(input, axis=dim)


def softmin(input, dim=None, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim)
    return softmax(-input, dim, dtype)


def log_softmax(input, dim=None, dtype=None):
    """x_i − log Σ_j exp(x_j) along ``dim``, computed stably in one primitive."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim)
    if dtype is not None:
        input = input.to(dtype)
    return ops.LogSoftmax.apply(input, axis=dim)


__all__ = ["elu", "gelu", "hardsigmoid", "hardswish", "hardtanh", "leaky_relu",
           "log_softmax", "prelu", "relu", "relu6", "selu", "sigmoid",
           "silu", "softmax", "softmin", "softplus", "tanh"]
