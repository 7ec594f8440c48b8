"""Activation primitives that would otherwise take several element-wise passes each
(leaky ReLU, ELU/SELU, GELU, softplus): one pass forward, one backward."""
import math

import numpy as np
from scipy.special import erf

from ..autograd.function import Function
from .elementwise import _sigmoid


class LeakyRelu(Function):
    """x if x > 0 else negative_slope·x; at 0 the gradient is negative_slope (PyTorch)."""

    @staticmethod
    def forward(ctx, a, negative_slope=0.01):
        positive = a > 0
        ctx.save_for_backward(positive)
        ctx.negative_slope = negative_slope
        return np.where(positive, a, a * a.dtype.type(negative_slope))

    @staticmethod
    def backward(ctx, grad):
        (positive,) = ctx.saved_tensors
        return np.where(positive, grad, grad * grad.dtype.type(ctx.negative_slope))


class Elu(Function):
    """scale·x if x > 0 else scale·alpha·(exp(x) − 1); SELU is ELU with PyTorch's
    (alpha, scale). At 0 the gradient is scale·alpha (PyTorch)."""

    @staticmethod
    def forward(ctx, a, alpha=1.0, scale=1.0):
        ctx.save_for_backward(a)
        ctx.alpha, ctx.scale = alpha, scale
        # expm1 of the non-positive part only: exact near 0, no overflow for large x
        negative = np.expm1(np.minimum(a, 0)) * a.dtype.type(alpha)
        return np.where(a > 0, a, negative) * a.dtype.type(scale)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        slope = np.where(a > 0, 1, np.exp(np.minimum(a, 0)) * a.dtype.type(ctx.alpha))
        return grad * (slope * a.dtype.type(ctx.scale)).astype(grad.dtype, copy=False)


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


class Gelu(Function):
    """x·Φ(x) with the exact normal CDF (``approximate='none'``) or PyTorch's tanh
    approximation 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³)))."""

    @staticmethod
    def forward(ctx, a, approximate="none"):
        ctx.save_for_backward(a)
        ctx.approximate = approximate
        if approximate == "tanh":
            inner = _SQRT_2_OVER_PI * (a + 0.044715 * a ** 3)
            return (0.5 * a * (1 + np.tanh(inner))).astype(a.dtype, copy=False)
        return (0.5 * a * (1 + erf(a / math.sqrt(2)))).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            t = np.tanh(_SQRT_2_OVER_PI * (a + 0.044715 * a ** 3))
            slope = 0.5 * (1 + t) + 0.5 * a * (1 - t * t) * _SQRT_2_OVER_PI * (
                1 + 3 * 0.044715 * a * a)
        else:
            cdf = 0.5 * (1 + erf(a / math.sqrt(2)))
            slope = cdf + a * np.exp(-0.5 * a * a) * _INV_SQRT_2PI
        return grad * slope.astype(grad.dtype, copy=False)


class Softplus(Function):
    """log(1 + exp(beta·x)) / beta, and x itself where beta·x > threshold (PyTorch)."""

    @staticmethod
    def forward(ctx, a, beta=1.0, threshold=20.0):
        z = a * a.dtype.type(beta)
        ctx.save_for_backward(z)
        ctx.threshold = threshold
        # clip before exp so the branch that is thrown away cannot overflow
        smooth = np.log1p(np.exp(np.minimum(z, threshold))) / a.dtype.type(beta)
        return np.where(z > threshold, a, smooth)

    @staticmethod
    def backward(ctx, grad):
        (z,) = ctx.saved_tensors
        return np.where(z > ctx.threshold, grad, grad * _sigmoid(z))
