"""Similarities and distances between vectors: cosine_similarity, pairwise_distance,
and normalize (scale to unit p-norm)."""
import math

import numpy as np

from ...tensor import Tensor, where


def _vector_norm(x, p, dim, keepdim):
    """The p-norm along ``dim``; at the zero vector its gradient is 0 (as PyTorch's
    vector_norm), not the 0/0 of differentiating a root at 0."""
    if p == math.inf:
        return x.abs().amax(dim, keepdim)
    total = (x * x).sum(dim, keepdim) if p == 2 else (x.abs() ** p).sum(dim, keepdim)
    nonzero = total.data > 0
    return where(nonzero, where(nonzero, total, 1.0) ** (1.0 / p), 0.0)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Σ x1·x2 / (max(‖x1‖, eps)·max(‖x2‖, eps)) along ``dim`` (inputs broadcast).

    Each input is divided by its own norm before the product (PyTorch's order, which
    keeps the result within [−1, 1]); the eps clamp changes the value only, the
    gradient flows through the unclamped norm, exactly as in PyTorch."""
    shape = np.broadcast_shapes(x1.shape, x2.shape)
    x1, x2 = x1.expand(shape), x2.expand(shape)

    def clamped_norm(x):
        norm = _vector_norm(x, 2, dim, keepdim=True)
        return norm + Tensor._wrap(np.maximum(norm.data, eps) - norm.data)

    return ((x1 / clamped_norm(x1)) * (x2 / clamped_norm(x2))).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """‖x1 − x2 + eps‖_p over the last dim (PyTorch adds eps to the difference)."""
    return _vector_norm(x1 - x2 + eps, p, -1, keepdim)


def normalize(input, p=2.0, dim=1, eps=1e-12):
    """input / max(‖input‖_p, eps) along ``dim``."""
    return input / _vector_norm(input, p, dim, keepdim=True).clamp(min=eps)


__all__ = ["cosine_similarity", "normalize", "pairwise_distance"]
