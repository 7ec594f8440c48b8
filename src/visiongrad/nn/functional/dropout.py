"""Inverted dropout: in training, zero each unit with probability ``p`` and scale the
kept ones by 1/(1 − p), so the expected output equals the input and evaluation is the
identity (no rescaling at test time)."""
import numpy as np

from ..._random import default_generator
from ...tensor import Tensor


def _check_p(p):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _apply_mask(input, p, mask_shape):
    if p == 1.0:
        return input * 0.0
    keep = default_generator().random(mask_shape, dtype=np.float32 if input.dtype == np.float32
                                      else np.float64) >= p
    # one array holding 0 or 1/(1−p): a single multiply in forward and backward
    scale = (keep * (1.0 / (1.0 - p))).astype(input.dtype)
    return input * Tensor._wrap(scale)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` (the drop probability, as PyTorch) and
    scale the rest by 1/(1 − p); the identity when ``training`` is False."""
    _check_p(p)
    if not training or p == 0.0:
        return input
    return _apply_mask(input, p, input.shape)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels: input (N, C, H, W) (or (N, C, L), as PyTorch) keeps or
    drops each (n, c) map together, scaling kept maps by 1/(1 − p)."""
    _check_p(p)
    if input.ndim < 2:
        raise ValueError(f"dropout2d: expected an input with a channel dim, (N, C, H, W), "
                         f"got shape {tuple(input.shape)}")
    if not training or p == 0.0:
        return input
    return _apply_mask(input, p, input.shape[:2] + (1,) * (input.ndim - 2))


__all__ = ["dropout", "dropout2d"]
