"""Negative log-likelihood as a primitive: a gather forward and a scatter backward,
with PyTorch's ``weight``, ``ignore_index`` and ``reduction`` semantics."""
import numpy as np

from ..autograd.function import Function


class NLLLoss(Function):
    """log_probs: (N, C) or (N, C, d1, ...); target: (N,) or (N, d1, ...) integer."""

    @staticmethod
    def forward(ctx, log_probs, target, weight=None, ignore_index=-100, reduction="mean"):
        valid = target != ignore_index
        safe_target = np.where(valid, target, 0)
        picked = np.take_along_axis(log_probs, np.expand_dims(safe_target, 1), axis=1)
        picked = np.squeeze(picked, 1)
        w = (weight[safe_target] if weight is not None
             else np.ones(target.shape, dtype=log_probs.dtype)) * valid
        w = w.astype(log_probs.dtype, copy=False)
        losses = -picked * w
        ctx.save_for_backward(safe_target, w)
        ctx.shape, ctx.reduction = log_probs.shape, reduction
        if reduction == "none":
            return losses
        if reduction == "sum":
            return np.asarray(losses.sum(), dtype=log_probs.dtype)
        total = w.sum()
        ctx.total = total
        # PyTorch: mean over the weights of non-ignored targets (NaN if all are ignored)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(losses.sum() / total, dtype=log_probs.dtype)

    @staticmethod
    def backward(ctx, grad):
        target, w = ctx.saved_tensors
        if ctx.reduction == "none":
            scale = -w * grad
        elif ctx.reduction == "sum":
            scale = -w * grad
        else:
            scale = -w * (grad / ctx.total)
        out = np.zeros(ctx.shape, dtype=w.dtype)
        np.put_along_axis(out, np.expand_dims(target, 1), np.expand_dims(scale, 1), axis=1)
        return out, None
