"""Binary cross-entropy primitives with PyTorch's numerics: on probabilities, logs are
clamped at −100 and the gradient's denominator at 1e-12, so saturated inputs (0 or 1)
give finite losses and gradients; on logits, the loss is written with log-sigmoid,
which never overflows."""
import numpy as np

from ..autograd.function import Function
from .elementwise import _sigmoid


def _clamped_logs(x):
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(x), -100), np.maximum(np.log1p(-x), -100)


class BinaryCrossEntropy(Function):
    """Element-wise −(y·log x + (1 − y)·log(1 − x)); x: probabilities, y: targets."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        log_x, log_1mx = _clamped_logs(x)
        return (y - 1) * log_1mx - y * log_x

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        grad_x = grad_y = None
        if ctx.needs_input_grad[0]:
            grad_x = grad * (x - y) / np.maximum((1 - x) * x, x.dtype.type(1e-12))
        if ctx.needs_input_grad[1]:
            log_x, log_1mx = _clamped_logs(x)
            grad_y = grad * (log_1mx - log_x)
        return grad_x, grad_y


def _log_sigmoid(x):
    return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))


class BinaryCrossEntropyWithLogits(Function):
    """Element-wise (1 − y)·x − (1 + (pos_weight − 1)·y)·log σ(x); ``pos_weight``
    (broadcast over the last dim) is a constant, as in PyTorch."""

    @staticmethod
    def forward(ctx, x, y, pos_weight=None):
        ctx.save_for_backward(x, y)
        ctx.pos_weight = pos_weight
        log_sigmoid = _log_sigmoid(x)
        if pos_weight is not None:
            log_sigmoid = log_sigmoid * (1 + (pos_weight - 1) * y)
        return ((1 - y) * x - log_sigmoid).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        pos_weight = ctx.pos_weight
        grad_x = grad_y = None
        if ctx.needs_input_grad[0]:
            sigmoid = _sigmoid(x)
            if pos_weight is None:
                grad_x = grad * (sigmoid - y)
            else:
                grad_x = grad * ((1 + (pos_weight - 1) * y) * (sigmoid - 1) + 1 - y)
        if ctx.needs_input_grad[1]:
            grad_y = -grad * x
            if pos_weight is not None:
                grad_y = grad_y - grad * (pos_weight - 1) * _log_sigmoid(x)
        return grad_x, grad_y
