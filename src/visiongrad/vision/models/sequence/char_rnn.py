"""A character-level language model (Karpathy's char-rnn; CS231n/EECS lecture 12):
embed each character, run a recurrent layer, score the next character.

    idx: (N, T) int64 -> logits (N, T, vocab_size), hidden

``sample`` draws a continuation from softmax(logits / temperature) with the global
generator, so ``manual_seed`` makes it reproducible. ``tbptt_step`` trains on one chunk
of a long sequence with truncated back-propagation through time.
"""
from dataclasses import dataclass

import numpy as np

from ... import _models_registry as registry
from ...._random import default_generator
from ....autograd.grad_mode import no_grad
from ....nn import GRU, LSTM, RNN, Embedding, Linear, Module
from ....nn import functional as F
from ....tensor import Tensor

_CELLS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


@dataclass
class CharRNNConfig:
    vocab_size: int = 65      # distinct characters (tiny-shakespeare has 65)
    embedding_dim: int = 32   # width of the learned character vectors
    hidden_size: int = 128    # recurrent state width
    num_layers: int = 1       # stacked recurrent layers
    cell: str = "lstm"        # 'rnn' (tanh Elman), 'lstm' or 'gru'


def _detach(hidden):
    """Cut a hidden state (a tensor, or LSTM's (h, c)) from the graph, keeping its values."""
    if isinstance(hidden, tuple):
        return tuple(h.detach() for h in hidden)
    return hidden.detach()


def _as_indices(tokens, name):
    array = tokens.data if isinstance(tokens, Tensor) else np.asarray(tokens)
    if array.ndim == 1:
        array = array[None]
    if array.ndim != 2 or array.shape[1] == 0 or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"CharRNN.{name}: expected a non-empty integer sequence (T,) or "
                         f"batch (N, T), got shape {array.shape} of dtype {array.dtype}")
    return array.astype(np.int64)


class CharRNN(Module):
    """Embedding -> RNN/LSTM/GRU (batch first) -> Linear, built from ``CharRNNConfig``."""

    def __init__(self, config=CharRNNConfig()):
        super().__init__()
        if config.cell not in _CELLS:
            raise ValueError(f"CharRNN: cell should be one of {tuple(_CELLS)}, "
                             f"but got {config.cell!r}")
        self.config = config
        self.embedding = Embedding(config.vocab_size, config.embedding_dim)
        self.rnn = _CELLS[config.cell](config.embedding_dim, config.hidden_size,
                                       num_layers=config.num_layers, batch_first=True)
        self.head = Linear(config.hidden_size, config.vocab_size)

    def forward(self, idx, hidden=None):
        """idx: (N, T) int64; hidden: the recurrent layer's state or None (zeros) ->
        (logits (N, T, vocab_size), hidden), hidden (num_layers, N, hidden_size), or
        (h, c) for an LSTM."""
        if idx.ndim != 2:
            raise ValueError(f"CharRNN: idx should be (N, T) character indices, "
                             f"got shape {tuple(idx.shape)}")
        output, hidden = self.rnn(self.embedding(idx), hidden)
        return self.head(output), hidden

    def sample(self, start_tokens, length, temperature=1.0):
        """Extend ``start_tokens`` ((T0,) or (N, T0) ints) by ``length`` characters, each
        drawn from softmax(logits / temperature) with the global generator: lower
        temperatures sharpen the distribution towards the most likely character.
        Returns int64 (N, T0 + length) (N = 1 for a 1-D start)."""
        if temperature <= 0:
            raise ValueError(f"CharRNN.sample: temperature must be positive, got {temperature}")
        if length < 0:
            raise ValueError(f"CharRNN.sample: length must be non-negative, got {length}")
        tokens = _as_indices(start_tokens, "sample")
        generator = default_generator()
        sequence = [tokens]
        with no_grad():
            # the whole prefix primes the state; afterwards one character at a time
            logits, hidden = self(Tensor(tokens), None)
            for _ in range(length):
                scores = logits.data[:, -1].astype(np.float64) / temperature
                probs = np.exp(scores - scores.max(axis=1, keepdims=True))
                probs /= probs.sum(axis=1, keepdims=True)
                # inverse-CDF draw; the clip guards against round-off past the last bin
                u = generator.random((len(probs), 1))
                nxt = np.minimum((probs.cumsum(axis=1) < u).sum(axis=1), probs.shape[1] - 1)
                sequence.append(nxt[:, None].astype(np.int64))
                logits, hidden = self(Tensor(sequence[-1]), hidden)
        return Tensor(np.concatenate(sequence, axis=1))


def tbptt_step(model, inputs, targets, hidden=None, optimizer=None):
    """One chunk of truncated back-propagation through time.

    inputs, targets: (N, T) int64, one chunk of a longer sequence; hidden: the state the
    previous chunk returned (or None). The state is detached on entry, so the chunk's
    loss back-propagates within the chunk only, while the forward pass still starts
    from where the previous chunk ended. Gradients accumulate into ``.grad``; with an
    ``optimizer`` it is zeroed before and stepped after. Returns (loss (a float), the
    final state detached, ready for the next chunk).
    """
    if hidden is not None:
        hidden = _detach(hidden)
    if optimizer is not None:
        optimizer.zero_grad()
    logits, hidden = model(inputs, hidden)
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
    loss.backward()
    if optimizer is not None:
        optimizer.step()
    return loss.item(), _detach(hidden)


@registry.register("char_rnn")
def char_rnn(num_classes=65, **kwargs):
    """A ``CharRNN`` over ``num_classes`` characters (its vocabulary: input and output
    classes alike); other keyword arguments are ``CharRNNConfig`` fields."""
    return CharRNN(CharRNNConfig(vocab_size=num_classes, **kwargs))
