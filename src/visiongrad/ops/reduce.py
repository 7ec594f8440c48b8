"""Reductions: sum and max/min (mean, var and std are composed from them)."""
import numpy as np

from ..autograd.function import Function


def _expand_reduced(grad, shape, axis, keepdim):
    """Reshape a reduced gradient so that it broadcasts against the input ``shape``."""
    if axis is None:
        return grad.reshape((1,) * len(shape))
    if not keepdim:
        grad = np.expand_dims(grad, axis)
    return grad


class Sum(Function):
    @staticmethod
    def forward(ctx, a, axis=None, keepdim=False):
        ctx.shape, ctx.axis, ctx.keepdim = a.shape, axis, keepdim
        return np.sum(a, axis=axis, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        grad = _expand_reduced(grad, ctx.shape, ctx.axis, ctx.keepdim)
        return np.broadcast_to(grad, ctx.shape)


class MaxReduce(Function):
    """max (``largest=True``) or min over ``axis``.

    ``evenly=True`` (``amax``/``amin`` and full reductions) splits the gradient equally
    among tied extrema; ``evenly=False`` (``max(dim)``) sends it to the first index
    reached, which is also returned as a second, integer output.
    """

    @staticmethod
    def forward(ctx, a, axis=None, keepdim=False, largest=True, evenly=True):
        reduce_fn = np.max if largest else np.min
        out = reduce_fn(a, axis=axis, keepdims=True)
        ctx.shape, ctx.axis, ctx.keepdim, ctx.evenly = a.shape, axis, keepdim, evenly
        if evenly:
            ctx.save_for_backward(a == out)
            if keepdim:
                return out
            return out.reshape(()) if axis is None else np.squeeze(out, axis)
        arg_fn = np.argmax if largest else np.argmin
        index = arg_fn(a, axis=axis, keepdims=True)
        ctx.save_for_backward(index)
        values = out if keepdim else np.squeeze(out, axis)
        indices = index if keepdim else np.squeeze(index, axis)
        return values, indices.astype(np.int64)

    @staticmethod
    def backward(ctx, grad, grad_indices=None):
        (saved,) = ctx.saved_tensors
        if ctx.axis is None:
            grad = grad.reshape((1,) * len(ctx.shape))
        elif not ctx.keepdim:
            grad = np.expand_dims(grad, ctx.axis)
        if ctx.evenly:
            mask = saved
            count = mask.sum(axis=ctx.axis, keepdims=True)
            return np.where(mask, grad / count, 0).astype(grad.dtype, copy=False)
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        np.put_along_axis(out, saved, grad, axis=ctx.axis)
        return out
