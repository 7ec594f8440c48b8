"""Embedding lookup as a primitive: a gather forward and a scatter-add backward (the
composite ``weight[indices]`` works too, but this one also knows padding_idx and
scale_grad_by_freq)."""
import numpy as np

from ..autograd.function import Function


class Embedding(Function):
    """weight: (num_embeddings, D), indices: any integer shape → (*indices.shape, D)."""

    @staticmethod
    def forward(ctx, weight, indices, padding_idx=None, scale_grad_by_freq=False):
        ctx.save_for_backward(indices)
        ctx.num_embeddings = weight.shape[0]
        ctx.padding_idx, ctx.scale_grad_by_freq = padding_idx, scale_grad_by_freq
        return weight[indices]

    @staticmethod
    def backward(ctx, grad):
        (indices,) = ctx.saved_tensors
        flat = indices.reshape(-1)
        grad = grad.reshape(flat.size, -1)
        if ctx.scale_grad_by_freq:
            counts = np.bincount(flat, minlength=ctx.num_embeddings)
            grad = grad / counts[flat, None].astype(grad.dtype)
        grad_weight = np.zeros((ctx.num_embeddings, grad.shape[1]), dtype=grad.dtype)
        np.add.at(grad_weight, flat, grad)
        if ctx.padding_idx is not None:
            grad_weight[ctx.padding_idx] = 0
        return grad_weight, None
