"""Attention building blocks for vision models (EECS 498 lecture 13):

- ``AdditiveAttention`` (Bahdanau et al., 2015) and ``AttentionSeq2Seq``, a GRU
  encoder–decoder that attends over the encoder states at every decoder step;
- ``sinusoidal_position_encoding`` (Vaswani et al., 2017) and the learned
  ``LearnedPositionEmbedding``;
- ``SelfAttention2d`` (Zhang et al., 2019, SAGAN): self-attention over the H·W positions
  of a feature map;
- ``PatchEmbedding`` (Dosovitskiy et al., 2021, ViT): non-overlapping patches -> vectors.
"""
from dataclasses import dataclass

import numpy as np

from ....autograd.grad_mode import no_grad
from ....creation import zeros
from ....nn import GRU, Conv2d, Embedding, GRUCell, Linear, Module, Parameter
from ....nn import init
from ....tensor import Tensor, cat, stack


class AdditiveAttention(Module):
    """e_i = vᵀ tanh(W s + U h_i), a = softmax(e), context = Σ_i a_i h_i.

    forward(query (N, query_dim), keys (N, S, key_dim)) -> (context (N, key_dim),
    weights (N, S)), the weights summing to 1 over the S keys.
    """

    def __init__(self, query_dim, key_dim, hidden_dim):
        super().__init__()
        self.query_proj = Linear(query_dim, hidden_dim, bias=False)  # W
        self.key_proj = Linear(key_dim, hidden_dim)                  # U (its bias is the MLP's)
        self.score = Linear(hidden_dim, 1, bias=False)               # v

    def forward(self, query, keys):
        if query.ndim != 2 or keys.ndim != 3 or query.shape[0] != keys.shape[0]:
            raise ValueError(f"AdditiveAttention: expected query (N, D_q) and keys (N, S, D_k), "
                             f"got {tuple(query.shape)} and {tuple(keys.shape)}")
        hidden = (self.query_proj(query).unsqueeze(1) + self.key_proj(keys)).tanh()  # (N, S, A)
        weights = self.score(hidden).squeeze(-1).softmax(dim=-1)                      # (N, S)
        context = (weights.unsqueeze(1) @ keys).squeeze(1)                            # (N, D_k)
        return context, weights


@dataclass
class Seq2SeqConfig:
    vocab_size: int = 10        # token ids 0..vocab_size-1, the start token included
    embedding_dim: int = 16     # token embedding width, shared by encoder and decoder
    hidden_size: int = 64       # encoder and decoder GRU state width
    attention_dim: int = 32     # width of the additive attention's hidden layer
    start_idx: int = 0          # first decoder input; never a target on the toy tasks


class AttentionSeq2Seq(Module):
    """GRU encoder -> GRU decoder that, at step t, attends with its previous state
    s_{t−1} over the encoder states h_i and reads [embedding(y_{t−1}), c_t]; the output
    layer scores the next token from [s_t, c_t]. Built from ``Seq2SeqConfig``.
    """

    def __init__(self, config=Seq2SeqConfig()):
        super().__init__()
        self.config = c = config
        self.embedding = Embedding(c.vocab_size, c.embedding_dim)
        self.encoder = GRU(c.embedding_dim, c.hidden_size, batch_first=True)
        self.attention = AdditiveAttention(c.hidden_size, c.hidden_size, c.attention_dim)
        self.decoder = GRUCell(c.embedding_dim + c.hidden_size, c.hidden_size)
        self.head = Linear(2 * c.hidden_size, c.vocab_size)

    def _decode_step(self, token, state, keys):
        context, weights = self.attention(state, keys)
        state = self.decoder(cat([self.embedding(token), context], dim=-1), state)
        return self.head(cat([state, context], dim=-1)), state, weights

    def forward(self, source, target_in):
        """source: (N, S) int64; target_in: (N, T) teacher-forced decoder inputs (the
        start token, then the targets shifted right) -> (scores (N, T, vocab_size),
        attention weights (N, T, S))."""
        keys, state = self.encoder(self.embedding(source))  # (N, S, H), (1, N, H)
        state = state[0]
        scores, weights = [], []
        for t in range(target_in.shape[1]):
            step_scores, state, step_weights = self._decode_step(target_in[:, t], state, keys)
            scores.append(step_scores)
            weights.append(step_weights)
        return stack(scores, dim=1), stack(weights, dim=1)

    def generate(self, source, length):
        """Greedy decoding: source (N, S) int64 -> (tokens int64 (N, length), attention
        weights (N, length, S) as a NumPy array, for heat maps)."""
        with no_grad():
            keys, state = self.encoder(self.embedding(source))
            state = state[0]
            token = Tensor(np.full(source.shape[0], self.config.start_idx, dtype=np.int64))
            tokens, weights = [], []
            for _ in range(length):
                scores, state, step_weights = self._decode_step(token, state, keys)
                token = scores.argmax(dim=-1)
                tokens.append(token.data)
                weights.append(step_weights.data)
        return Tensor(np.stack(tokens, axis=1)), np.stack(weights, axis=1)


def sinusoidal_position_encoding(length, dim):
    """Fixed positional encoding (Vaswani et al., 2017), EECS 498's convention:
    PE[p, 2i] = sin(p / 10000^(2i/dim)), PE[p, 2i+1] = cos(p / 10000^(2i/dim)).

    Returns a float32 tensor (length, dim); every value lies in [−1, 1], and shifting
    the position by k rotates each (sin, cos) pair by a fixed angle.
    """
    if length <= 0 or dim <= 0:
        raise ValueError(f"sinusoidal_position_encoding: length and dim must be positive, "
                         f"got {length} and {dim}")
    position = np.arange(length, dtype=np.float64)[:, None]
    pair = np.arange(dim) // 2  # dims 2i and 2i+1 share the frequency of pair i
    angle = position / 10000.0 ** (2 * pair / dim)
    encoding = np.where(np.arange(dim) % 2 == 0, np.sin(angle), np.cos(angle))
    return Tensor(encoding.astype(np.float32))


class LearnedPositionEmbedding(Module):
    """A learned lookup table of position vectors (BERT, ViT) added to the input.

    weight: (max_length, embedding_dim), from N(0, 0.02²) as ViT.
    forward(x (N, T, embedding_dim)), T ≤ max_length -> x + weight[:T].
    """

    def __init__(self, max_length, embedding_dim):
        super().__init__()
        self.max_length, self.embedding_dim = max_length, embedding_dim
        self.weight = Parameter(zeros(max_length, embedding_dim))
        init.normal_(self.weight, std=0.02)

    def forward(self, x):
        if x.ndim != 3 or x.shape[1] > self.max_length or x.shape[2] != self.embedding_dim:
            raise ValueError(f"LearnedPositionEmbedding: expected (N, T, {self.embedding_dim}) "
                             f"with T ≤ {self.max_length}, got {tuple(x.shape)}")
        return x + self.weight[:x.shape[1]]

    def extra_repr(self):
        return f"{self.max_length}, {self.embedding_dim}"


class SelfAttention2d(Module):
    """SAGAN's self-attention block for a feature map.

    1×1 convolutions give queries and keys (key_channels) and values (value_channels)
    at each of the H·W positions; position j attends to all positions with
    softmax_i(q_j · k_i) (no 1/sqrt(d) scaling, as SAGAN); a 1×1 convolution maps the
    attended values back to C channels, and the block returns x + γ·that, γ a learned
    scalar starting at 0 so that the block starts as the identity.

    x: (N, C, H, W) -> (N, C, H, W).
    """

    def __init__(self, in_channels, key_channels=None, value_channels=None):
        super().__init__()
        key_channels = key_channels or max(1, in_channels // 8)
        value_channels = value_channels or max(1, in_channels // 2)
        self.query = Conv2d(in_channels, key_channels, 1)
        self.key = Conv2d(in_channels, key_channels, 1)
        self.value = Conv2d(in_channels, value_channels, 1)
        self.out = Conv2d(value_channels, in_channels, 1)
        self.gamma = Parameter(zeros(1))

    def forward(self, x, return_attention=False):
        """With ``return_attention`` also the weights (N, H·W, H·W), row j the
        distribution of query position j over the positions (row-major)."""
        if x.ndim != 4:
            raise ValueError(f"SelfAttention2d: expected (N, C, H, W), got {tuple(x.shape)}")
        N, C, H, W = x.shape
        q = self.query(x).flatten(2).transpose(1, 2)  # (N, HW, Ck)
        k = self.key(x).flatten(2)                    # (N, Ck, HW)
        v = self.value(x).flatten(2).transpose(1, 2)  # (N, HW, Cv)
        weights = (q @ k).softmax(dim=-1)             # (N, HW, HW)
        attended = (weights @ v).transpose(1, 2).reshape(N, -1, H, W)
        y = x + self.gamma * self.out(attended)
        return (y, weights) if return_attention else y


class PatchEmbedding(Module):
    """ViT's patch embedding: cut the image into non-overlapping patch_size² patches and
    map each, flattened in (C, p, p) order, linearly to embed_dim — computed as one
    Conv2d with kernel = stride = patch_size.

    x: (N, in_channels, H, W), H and W multiples of patch_size ->
    (N, (H/p)·(W/p), embed_dim), patches in row-major order.
    """

    def __init__(self, patch_size, in_channels, embed_dim):
        super().__init__()
        self.patch_size = patch_size
        self.proj = Conv2d(in_channels, embed_dim, patch_size, stride=patch_size)

    def forward(self, x):
        p = self.patch_size
        if x.ndim != 4 or x.shape[2] % p or x.shape[3] % p:
            raise ValueError(f"PatchEmbedding: expected (N, C, H, W) with H and W multiples "
                             f"of {p}, got {tuple(x.shape)}")
        return self.proj(x).flatten(2).transpose(1, 2)  # (N, E, h, w) -> (N, h·w, E)
