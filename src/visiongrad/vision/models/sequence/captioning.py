"""Image captioning with a recurrent network, as CS231n's ``CaptioningRNN``: the image
feature vector is projected to the initial hidden state, the caption's words are
embedded, a vanilla RNN or an LSTM reads them, and a temporal affine layer scores the
next word at every step.

    features: (N, input_dim), captions: (N, T + 1) int64 -> loss (a scalar)

Captions start with ``<START>``, end with ``<END>`` and are padded with ``<NULL>``,
whose positions the loss ignores. ``digit_captions`` builds a tiny offline task:
"<START> seven <END>" for a Digits image of a seven.
"""
from dataclasses import dataclass

import numpy as np

from ... import _models_registry as registry
from ....autograd.grad_mode import no_grad
from ....creation import zeros_like
from ....nn import LSTM, RNN, Embedding, Linear, Module
from ....nn import functional as F
from ....tensor import Tensor

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
# the three special tokens first, at CS231n's indices 0, 1, 2
DIGIT_VOCAB = ("<NULL>", "<START>", "<END>") + DIGIT_WORDS
_CELLS = {"rnn": RNN, "lstm": LSTM}


@dataclass
class CaptioningConfig:
    vocab_size: int = len(DIGIT_VOCAB)  # words, special tokens included
    input_dim: int = 64                 # image feature size (64: Digits' flattened 8×8)
    wordvec_dim: int = 32               # word embedding width
    hidden_dim: int = 64                # recurrent state width
    cell: str = "rnn"                   # 'rnn' (tanh) or 'lstm'
    null_idx: int = 0                   # <NULL> padding, ignored by the loss
    start_idx: int = 1                  # <START>, the first input word
    end_idx: int = 2                    # <END>, after which sampling writes <NULL>


class CaptioningRNN(Module):
    """CS231n's captioning network built from ``CaptioningConfig``.

    Layers: ``feature_proj`` (input_dim -> hidden_dim, gives h0; an LSTM's c0 is zero),
    ``embedding`` (vocab_size -> wordvec_dim), ``rnn`` (batch first), ``head``
    (hidden_dim -> vocab_size, applied at every time step).
    """

    def __init__(self, config=CaptioningConfig()):
        super().__init__()
        if config.cell not in _CELLS:
            raise ValueError(f"CaptioningRNN: cell should be one of {tuple(_CELLS)}, "
                             f"but got {config.cell!r}")
        special = (config.null_idx, config.start_idx, config.end_idx)
        if len(set(special)) != 3 or not all(0 <= i < config.vocab_size for i in special):
            raise ValueError(f"CaptioningRNN: null_idx, start_idx and end_idx must be distinct "
                             f"indices below vocab_size={config.vocab_size}, got {special}")
        self.config = config
        self.feature_proj = Linear(config.input_dim, config.hidden_dim)
        self.embedding = Embedding(config.vocab_size, config.wordvec_dim)
        self.rnn = _CELLS[config.cell](config.wordvec_dim, config.hidden_dim, batch_first=True)
        self.head = Linear(config.hidden_dim, config.vocab_size)

    def _initial_state(self, features):
        if features.ndim != 2 or features.shape[1] != self.config.input_dim:
            raise ValueError(f"CaptioningRNN: features should be (N, {self.config.input_dim}), "
                             f"got {tuple(features.shape)}")
        h0 = self.feature_proj(features).unsqueeze(0)  # (1, N, H): one layer
        if self.config.cell == "lstm":
            return h0, zeros_like(h0)
        return h0

    def forward(self, features, captions_in):
        """features: (N, input_dim); captions_in: (N, T) int64, teacher-forced input words
        -> scores (N, T, vocab_size) for the word after each."""
        output, _ = self.rnn(self.embedding(captions_in), self._initial_state(features))
        return self.head(output)

    def loss(self, features, captions):
        """Temporal softmax cross-entropy: captions (N, T + 1) give the inputs
        captions[:, :-1] and the targets captions[:, 1:]; the mean runs over the
        targets that are not <NULL>."""
        if captions.ndim != 2 or captions.shape[1] < 2:
            raise ValueError(f"CaptioningRNN.loss: captions should be (N, T + 1) with T ≥ 1, "
                             f"got {tuple(captions.shape)}")
        scores = self(features, captions[:, :-1])
        return F.cross_entropy(scores.reshape(-1, scores.shape[-1]),
                               captions[:, 1:].reshape(-1), ignore_index=self.config.null_idx)

    def sample(self, features, max_length=30):
        """Greedy decoding: feed <START>, then each step's most likely word.
        features: (N, input_dim) -> int64 (N, max_length) words after <START>; once a
        caption has produced <END>, its remaining positions are <NULL>."""
        config = self.config
        N = features.shape[0]
        captions = np.full((N, max_length), config.null_idx, dtype=np.int64)
        finished = np.zeros(N, dtype=bool)
        word = np.full((N, 1), config.start_idx, dtype=np.int64)
        with no_grad():
            state = self._initial_state(features)
            for t in range(max_length):
                output, state = self.rnn(self.embedding(Tensor(word)), state)
                word = self.head(output).data.argmax(axis=-1)  # (N, 1)
                captions[:, t] = np.where(finished, config.null_idx, word[:, 0])
                finished |= word[:, 0] == config.end_idx
        return Tensor(captions)


def digit_captions(targets, length=5, vocab=DIGIT_VOCAB):
    """Captions "<START> seven <END>" for digit labels, padded with <NULL>.

    targets: (N,) ints in 0..9 -> int64 (N, length) indices into ``vocab``; the padding
    makes the <NULL> masking of the loss matter.
    """
    targets = np.asarray(targets)
    if length < 3:
        raise ValueError(f"digit_captions: length must be at least 3, got {length}")
    if targets.ndim != 1 or ((targets < 0) | (targets > 9)).any():
        raise ValueError("digit_captions: targets should be a 1-D array of digits 0..9")
    index = {word: i for i, word in enumerate(vocab)}
    captions = np.full((len(targets), length), index["<NULL>"], dtype=np.int64)
    captions[:, 0] = index["<START>"]
    captions[:, 1] = [index[DIGIT_WORDS[d]] for d in targets]
    captions[:, 2] = index["<END>"]
    return captions


def decode_captions(captions, vocab=DIGIT_VOCAB):
    """int (N, T) word indices -> N strings, stopping at <END> and skipping <NULL> and
    <START>."""
    texts = []
    for row in np.asarray(captions.data if isinstance(captions, Tensor) else captions):
        words = []
        for i in row:
            if vocab[i] == "<END>":
                break
            if vocab[i] not in ("<NULL>", "<START>"):
                words.append(vocab[i])
        texts.append(" ".join(words))
    return texts


@registry.register("captioning_rnn")
def captioning_rnn(num_classes=len(DIGIT_VOCAB), **kwargs):
    """A ``CaptioningRNN`` whose vocabulary has ``num_classes`` words (the classes the
    temporal affine layer scores); other keyword arguments are ``CaptioningConfig``
    fields."""
    return CaptioningRNN(CaptioningConfig(vocab_size=num_classes, **kwargs))
