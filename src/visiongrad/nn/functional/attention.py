"""Scaled dot-product attention (Vaswani et al., 2017): softmax(Q·Kᵀ·scale + mask)·V,
composed from matmul and softmax so autograd differentiates it."""
import math

import numpy as np

from ...tensor import Tensor
from .dropout import dropout


def _as_mask(mask):
    return mask if isinstance(mask, Tensor) else Tensor._wrap(np.asarray(mask))


def causal_mask(L, S):
    """(L, S) bool mask, True where query i may attend to key j (j ≤ i): PyTorch's
    top-left aligned lower triangle."""
    return np.tril(np.ones((L, S), dtype=bool))


def attention_with_weights(query, key, value, attn_mask=None, dropout_p=0.0, scale=None):
    """The attention output and the (dropped-out) attention weights.

    query: (..., L, E), key: (..., S, E), value: (..., S, Ev) → ((..., L, Ev), (..., L, S)).
    ``attn_mask`` broadcasts to (..., L, S): bool True = attend, float added to the scores.
    """
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query * scale) @ key.transpose(-2, -1)  # (..., L, S)
    if attn_mask is not None:
        attn_mask = _as_mask(attn_mask)
        if attn_mask.dtype == np.bool_:
            scores = scores.masked_fill(~attn_mask.data, -np.inf)
        else:
            scores = scores + attn_mask.to(scores.dtype)
    weights = scores.softmax(dim=-1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, training=True)
    return weights @ value, weights


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None):
    """softmax(Q·Kᵀ·scale + mask)·V with PyTorch's arguments.

    query: (..., L, E), key: (..., S, E), value: (..., S, Ev) → (..., L, Ev).
    attn_mask: broadcastable to (..., L, S); a bool mask is True where attention is
    allowed, a float mask is added to the scores. ``is_causal`` masks key j > query i
    (cannot be combined with ``attn_mask``). ``scale`` defaults to 1/sqrt(E). Dropout
    with probability ``dropout_p`` is applied to the attention weights (always, as
    PyTorch: pass 0.0 in evaluation).
    """
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise ValueError(f"scaled_dot_product_attention: query, key and value must be at "
                         f"least 2-D (..., L, E), got shapes {tuple(query.shape)}, "
                         f"{tuple(key.shape)}, {tuple(value.shape)}")
    if query.shape[-1] != key.shape[-1]:
        raise ValueError(f"scaled_dot_product_attention: query's last dim ({query.shape[-1]})"
                         f" must equal key's last dim ({key.shape[-1]})")
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(f"scaled_dot_product_attention: key and value must have the same "
                         f"sequence length S (dim -2), got {key.shape[-2]} and "
                         f"{value.shape[-2]}")
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"scaled_dot_product_attention: dropout_p must be in [0, 1], got "
                         f"{dropout_p}")
    if is_causal:
        if attn_mask is not None:
            raise ValueError("scaled_dot_product_attention: pass either attn_mask or "
                             "is_causal=True, not both")
        attn_mask = causal_mask(query.shape[-2], key.shape[-2])
    return attention_with_weights(query, key, value, attn_mask, dropout_p, scale)[0]


__all__ = ["scaled_dot_product_attention"]
