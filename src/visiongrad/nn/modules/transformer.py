"""Multi-head attention and the Transformer's encoder and decoder blocks (Vaswani et
al., 2017) with PyTorch's arguments, attribute names and state_dict keys.

Masks follow PyTorch's convention for these modules, the opposite of
``F.scaled_dot_product_attention``'s: a bool ``attn_mask`` or ``key_padding_mask`` is
True where attention is *blocked*; a float mask is added to the scores.
"""
import copy

import numpy as np

from .. import functional as F
from .. import init
from ..functional.attention import attention_with_weights
from ..module import Module
from ..parameter import Parameter
from ...creation import empty
from ...tensor import Tensor
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .normalization import LayerNorm


def _additive_mask(mask, dtype, name, expected):
    """A blocking mask (bool True = blocked, or float added) as a float Tensor to add to
    the scores; checks it has one of the ``expected`` shapes."""
    array_or_tensor = mask if isinstance(mask, Tensor) else Tensor._wrap(np.asarray(mask))
    if tuple(array_or_tensor.shape) not in expected:
        raise ValueError(f"MultiheadAttention: {name} must have shape "
                         f"{' or '.join(str(s) for s in expected)}, got "
                         f"{tuple(array_or_tensor.shape)}")
    if array_or_tensor.dtype == np.bool_:
        return Tensor._wrap(np.where(array_or_tensor.data, -np.inf, 0.0).astype(dtype))
    return array_or_tensor.to(dtype)


class MultiheadAttention(Module):
    """Attention with ``num_heads`` heads of size embed_dim / num_heads, each on its own
    projections of query, key and value, concatenated and mixed by ``out_proj``.

    query: (L, N, E) ((N, L, E) with ``batch_first``, (L, E) unbatched); key: (S, N,
    kdim); value: (S, N, vdim). key_padding_mask: (N, S); attn_mask: (L, S) or
    (N·num_heads, L, S). Returns (output (L, N, E), weights (N, L, S) averaged over the
    heads, (N, num_heads, L, S) with ``average_attn_weights=False``, or None when
    ``need_weights`` is False).

    Parameters: in_proj_weight (3E, E) from xavier_uniform_ when kdim = vdim = E, else
    q_proj_weight (E, E), k_proj_weight (E, kdim), v_proj_weight (E, vdim);
    in_proj_bias (3E,) zeros; out_proj a Linear(E, E) with zero bias — PyTorch's.
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, kdim=None, vdim=None,
                 batch_first=False, dtype=None):
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0 or embed_dim % num_heads != 0:
            raise ValueError(f"MultiheadAttention: embed_dim ({embed_dim}) must be a positive "
                             f"multiple of num_heads ({num_heads})")
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.dropout, self.batch_first = dropout, batch_first
        self.head_dim = embed_dim // num_heads
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(empty(3 * embed_dim, embed_dim, dtype=dtype))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.register_parameter("in_proj_weight", None)
            self.q_proj_weight = Parameter(empty(embed_dim, embed_dim, dtype=dtype))
            self.k_proj_weight = Parameter(empty(embed_dim, self.kdim, dtype=dtype))
            self.v_proj_weight = Parameter(empty(embed_dim, self.vdim, dtype=dtype))
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for weight in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(weight)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)

    def _projection_weights(self):
        if self._qkv_same_embed_dim:
            weights = self.in_proj_weight.chunk(3, dim=0)
        else:
            weights = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        biases = ((None,) * 3 if self.in_proj_bias is None
                  else self.in_proj_bias.chunk(3, dim=0))
        return weights, biases

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        """``is_causal`` is only a hint, as in PyTorch: the causal mask itself must be
        passed as ``attn_mask``."""
        if is_causal and attn_mask is None:
            raise ValueError("MultiheadAttention: is_causal=True needs the causal mask "
                             "passed as attn_mask")
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise ValueError(f"MultiheadAttention: query, key and value must all be 3-D "
                             f"(batched) or 2-D (unbatched), got shapes {tuple(query.shape)}, "
                             f"{tuple(key.shape)}, {tuple(value.shape)}")
        batched = query.ndim == 3
        if not batched:
            query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
            if key_padding_mask is not None:
                key_padding_mask = np.asarray(
                    key_padding_mask.data if isinstance(key_padding_mask, Tensor)
                    else key_padding_mask)[None]
        elif self.batch_first:
            query, key, value = (x.transpose(0, 1) for x in (query, key, value))
        L, N, E = query.shape
        S = key.shape[0]
        if E != self.embed_dim or key.shape[-1] != self.kdim or value.shape[-1] != self.vdim:
            raise ValueError(f"MultiheadAttention: expected query, key, value feature sizes "
                             f"({self.embed_dim}, {self.kdim}, {self.vdim}), got "
                             f"({E}, {key.shape[-1]}, {value.shape[-1]})")
        if key.shape[:2] != value.shape[:2] or key.shape[1] != N:
            raise ValueError(f"MultiheadAttention: key and value must share (S, N) and N "
                             f"must match the query's, got query {tuple(query.shape)}, key "
                             f"{tuple(key.shape)}, value {tuple(value.shape)}")
        (w_q, w_k, w_v), (b_q, b_k, b_v) = self._projection_weights()
        H, d = self.num_heads, self.head_dim
        q = F.linear(query, w_q, b_q).reshape(L, N, H, d).permute(1, 2, 0, 3)  # (N, H, L, d)
        k = F.linear(key, w_k, b_k).reshape(S, N, H, d).permute(1, 2, 0, 3)    # (N, H, S, d)
        v = F.linear(value, w_v, b_v).reshape(S, N, H, d).permute(1, 2, 0, 3)  # (N, H, S, d)
        mask = None
        if attn_mask is not None:
            mask = _additive_mask(attn_mask, q.dtype, "attn_mask", [(L, S), (N * H, L, S)])
            if mask.ndim == 3:
                mask = mask.reshape(N, H, L, S)
        if key_padding_mask is not None:
            padding = _additive_mask(key_padding_mask, q.dtype, "key_padding_mask", [(N, S)])
            padding = padding.reshape(N, 1, 1, S)
            mask = padding if mask is None else mask + padding
        dropout_p = self.dropout if self.training else 0.0
        output, weights = attention_with_weights(q, k, v, mask, dropout_p)
        output = output.permute(2, 0, 1, 3).reshape(L, N, E)  # heads concatenated per position
        output = self.out_proj(output)
        if not batched:
            output = output.squeeze(1)
        elif self.batch_first:
            output = output.transpose(0, 1)
        if not need_weights:
            return output, None
        if average_attn_weights:
            weights = weights.mean(dim=1)
        return output, weights if batched else weights.squeeze(0)

    def extra_repr(self):
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"


def _activation_fn(activation):
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    if callable(activation):
        return activation
    raise ValueError(f"activation should be 'relu', 'gelu' or a callable, got {activation!r}")


class TransformerEncoderLayer(Module):
    """Self-attention then a two-layer feed-forward network, each wrapped in a residual
    connection and a LayerNorm: after the residual (post-norm, the paper's), or before
    the sublayer with ``norm_first`` (pre-norm, steadier to train deep).

    src: (S, N, E) ((N, S, E) with ``batch_first``); src_mask: (S, S) or (N·nhead, S, S);
    src_key_padding_mask: (N, S). Returns the same shape as src.
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu",
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True,
                 dtype=None):
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = _activation_fn(activation)

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x):
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerDecoderLayer(Module):
    """Masked self-attention, cross-attention over the encoder's ``memory``, then the
    feed-forward network, each with a residual connection and a LayerNorm (post-norm,
    or pre-norm with ``norm_first``).

    tgt: (T, N, E); memory: (S, N, E) ((N, ·, E) with ``batch_first``); tgt_mask: (T, T);
    memory_mask: (T, S); key padding masks: (N, T) and (N, S). Returns tgt's shape.
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu",
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True,
                 dtype=None):
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, dtype=dtype)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                                 batch_first=batch_first, dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = _activation_fn(activation)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask,
                                    memory_key_padding_mask, memory_is_causal)
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
            x = self.norm2(x + self._mha_block(x, memory, memory_mask,
                                               memory_key_padding_mask, memory_is_causal))
            x = self.norm3(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _mha_block(self, x, memory, attn_mask, key_padding_mask, is_causal):
        x = self.multihead_attn(x, memory, memory, attn_mask=attn_mask,
                                key_padding_mask=key_padding_mask, need_weights=False,
                                is_causal=is_causal)[0]
        return self.dropout2(x)

    def _ff_block(self, x):
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))


def _clones(module, N):
    # deep copies: every layer starts from the same weights, as PyTorch's
    return ModuleList([copy.deepcopy(module) for _ in range(N)])


class TransformerEncoder(Module):
    """``num_layers`` copies of ``encoder_layer`` applied in turn, then ``norm`` if
    given. src: (S, N, E) → (S, N, E); mask and src_key_padding_mask go to every
    layer."""

    def __init__(self, encoder_layer, num_layers, norm=None):
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=False):
        x = src
        for layer in self.layers:
            x = layer(x, src_mask=mask, src_key_padding_mask=src_key_padding_mask,
                      is_causal=is_causal)
        return x if self.norm is None else self.norm(x)


class TransformerDecoder(Module):
    """``num_layers`` copies of ``decoder_layer`` applied in turn to tgt, each attending
    to the same ``memory``, then ``norm`` if given. tgt: (T, N, E) → (T, N, E)."""

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        x = tgt
        for layer in self.layers:
            x = layer(x, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                      tgt_key_padding_mask=tgt_key_padding_mask,
                      memory_key_padding_mask=memory_key_padding_mask,
                      tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)
        return x if self.norm is None else self.norm(x)
