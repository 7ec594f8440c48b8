"""Recurrent layers with PyTorch's constructor arguments, parameter names, gate orders
and return values: the cells RNNCell, LSTMCell, GRUCell (one time step) and the
sequence layers RNN, LSTM, GRU (stacked, optionally bidirectional).

Every step splits into the input part gi = x·W_ihᵀ + b_ih and the hidden part
gh = h·W_hhᵀ + b_hh. A sequence layer computes gi for all time steps in one matmul and
loops over time only for gh, which depends on the previous step.
"""
import math

from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter
from ...creation import empty, zeros
from ...tensor import cat, stack

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _rnn_tanh_step(gi, gh, h):
    return (gi + gh).tanh()


def _rnn_relu_step(gi, gh, h):
    return F.relu(gi + gh)


def _lstm_step(gi, gh, state):
    """PyTorch's gate order i, f, g, o: c' = f⊙c + i⊙g, h' = o⊙tanh(c')."""
    h, c = state
    i, f, g, o = (gi + gh).chunk(4, dim=-1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c.tanh(), c


def _gru_step(gi, gh, h):
    """Gate order r, z, n; the reset gate multiplies the hidden part *after* its matmul
    (n = tanh(i_n + r⊙(W_hn·h + b_hn))), as PyTorch and cuDNN, not before it."""
    i_r, i_z, i_n = gi.chunk(3, dim=-1)
    h_r, h_z, h_n = gh.chunk(3, dim=-1)
    r = (i_r + h_r).sigmoid()
    z = (i_z + h_z).sigmoid()
    n = (i_n + r * h_n).tanh()
    return (1 - z) * n + z * h


_STEPS = {"RNN_TANH": _rnn_tanh_step, "RNN_RELU": _rnn_relu_step, "LSTM": _lstm_step,
          "GRU": _gru_step}


def _rnn_mode(nonlinearity):
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    return "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"


def _check_sizes(input_size, hidden_size):
    if not isinstance(hidden_size, int) or hidden_size <= 0:
        raise ValueError(f"hidden_size must be a positive integer, got {hidden_size!r}")
    if not isinstance(input_size, int) or input_size <= 0:
        raise ValueError(f"input_size must be a positive integer, got {input_size!r}")


class _RNNCellBase(Module):
    """One time step. input: (N, input_size) or (input_size,); hidden: (N, hidden_size)
    or (hidden_size,), zeros when omitted. Parameters weight_ih (G·H, input_size),
    weight_hh (G·H, H), bias_ih, bias_hh (G·H,), all from U(−1/sqrt(H), 1/sqrt(H))."""

    def __init__(self, mode, input_size, hidden_size, bias, dtype):
        super().__init__()
        _check_sizes(input_size, hidden_size)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self._mode = mode
        gate_size = _GATES[mode] * hidden_size
        self.weight_ih = Parameter(empty(gate_size, input_size, dtype=dtype))
        self.weight_hh = Parameter(empty(gate_size, hidden_size, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(gate_size, dtype=dtype))
            self.bias_hh = Parameter(empty(gate_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.hidden_size)
        for param in self.parameters():
            init.uniform_(param, -bound, bound)

    def _step(self, input, hx):
        if input.ndim not in (1, 2) or input.shape[-1] != self.input_size:
            raise ValueError(f"{type(self).__name__}: expected input of shape (N, "
                             f"{self.input_size}) or ({self.input_size},), got "
                             f"{tuple(input.shape)}")
        batched = input.ndim == 2
        if not batched:
            input = input.unsqueeze(0)
        expected = (input.shape[0], self.hidden_size)
        states = hx if isinstance(hx, tuple) else (hx,)
        states = tuple(
            zeros(*expected, dtype=input.dtype) if s is None else
            (s if batched else s.unsqueeze(0)) for s in states)
        for s in states:
            if tuple(s.shape) != expected:
                raise ValueError(f"{type(self).__name__}: expected hidden state of shape "
                                 f"{expected if batched else expected[1:]}, got "
                                 f"{tuple(s.shape) if batched else tuple(s.shape[1:])}")
        gi = F.linear(input, self.weight_ih, self.bias_ih)
        gh = F.linear(states[0], self.weight_hh, self.bias_hh)
        out = _STEPS[self._mode](gi, gh, states if self._mode == "LSTM" else states[0])
        if batched:
            return out
        return tuple(o.squeeze(0) for o in out) if isinstance(out, tuple) else out.squeeze(0)

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}, bias={self.bias}"


class RNNCell(_RNNCellBase):
    """h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (or relu). input: (N, input_size) or
    (input_size,); hx: (N, hidden_size) or None → h': (N, hidden_size)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", dtype=None):
        super().__init__(_rnn_mode(nonlinearity), input_size, hidden_size, bias, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        return self._step(input, hx)


class LSTMCell(_RNNCellBase):
    """One LSTM step, gates i, f, g, o stacked in that order in weight_ih/weight_hh
    (4·H rows). input: (N, input_size); hx: (h, c), each (N, hidden_size), or None →
    (h', c')."""

    def __init__(self, input_size, hidden_size, bias=True, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, bias, dtype)

    def forward(self, input, hx=None):
        return self._step(input, (None, None) if hx is None else tuple(hx))


class GRUCell(_RNNCellBase):
    """One GRU step, gates r, z, n stacked in that order (3·H rows).
    input: (N, input_size); hx: (N, hidden_size) or None → h': (N, hidden_size)."""

    def __init__(self, input_size, hidden_size, bias=True, dtype=None):
        super().__init__("GRU", input_size, hidden_size, bias, dtype)

    def forward(self, input, hx=None):
        return self._step(input, hx)


class _RNNBase(Module):
    """A stack of ``num_layers`` recurrent layers over a sequence, each optionally
    bidirectional (the reverse direction reads the sequence backwards and its outputs
    are concatenated after the forward ones). ``dropout`` is applied to the outputs of
    every layer but the last, in training.

    Parameters per layer k and direction (suffix ``_reverse`` for the backward one):
    weight_ih_l{k} (G·H, input_size for k = 0 else D·H), weight_hh_l{k} (G·H, H),
    bias_ih_l{k}, bias_hh_l{k} (G·H,), all from U(−1/sqrt(H), 1/sqrt(H)).
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, dtype=None):
        super().__init__()
        _check_sizes(input_size, hidden_size)
        if not isinstance(num_layers, int) or num_layers <= 0:
            raise ValueError(f"num_layers must be a positive integer, got {num_layers!r}")
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"dropout must be a number in [0, 1], got {dropout}")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional = float(dropout), bidirectional
        directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        # the registration order is PyTorch's, so parameters() lines up with torch's
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                shapes = [("weight_ih", (gate_size, layer_input)),
                          ("weight_hh", (gate_size, hidden_size))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                for name, shape in shapes:
                    setattr(self, name + suffix, Parameter(empty(*shape, dtype=dtype)))
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.hidden_size)
        for param in self.parameters():
            init.uniform_(param, -bound, bound)

    def _weights(self, layer, direction):
        suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        return tuple(getattr(self, name + suffix) if name.startswith("weight") or self.bias
                     else None for name in names)

    def _check_input(self, input):
        if input.ndim not in (2, 3) or input.shape[-1] != self.input_size:
            layout = "(N, L, H_in)" if self.batch_first else "(L, N, H_in)"
            raise ValueError(f"{type(self).__name__}: expected input of shape {layout} or "
                             f"(L, H_in) with H_in = {self.input_size}, got "
                             f"{tuple(input.shape)}")

    def _initial_states(self, hx, count, N, dtype, batched):
        """hx: tuple of ``count`` states (or None), each (D·num_layers, N, H) or
        (D·num_layers, H) unbatched → the same, batched."""
        directions = 2 if self.bidirectional else 1
        expected = (directions * self.num_layers, N, self.hidden_size)
        if hx is None:
            return tuple(zeros(*expected, dtype=dtype) for _ in range(count))
        states = []
        for s in hx:
            if not batched:
                if s.ndim != 2:
                    raise ValueError(f"{type(self).__name__}: for unbatched input the hidden "
                                     f"state must be 2-D {expected[::2]}, got "
                                     f"{tuple(s.shape)}")
                s = s.unsqueeze(1)
            if tuple(s.shape) != expected:
                raise ValueError(f"{type(self).__name__}: expected hidden state of shape "
                                 f"{expected}, got {tuple(s.shape)}")
            states.append(s)
        return tuple(states)

    def _run(self, input, states):
        """input: (L, N, H_in); states: tuple of (D·num_layers, N, H) →
        output (L, N, D·H) and the final states, each (D·num_layers, N, H)."""
        directions = 2 if self.bidirectional else 1
        step = _STEPS[self.mode]
        is_lstm = self.mode == "LSTM"
        finals = [[] for _ in states]
        x = input
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                w_ih, w_hh, b_ih, b_hh = self._weights(layer, direction)
                index = layer * directions + direction
                state = tuple(s[index] for s in states)
                gi = F.linear(x, w_ih, b_ih).split(1, dim=0)  # L tensors (1, N, G·H)
                times = range(len(gi)) if direction == 0 else range(len(gi) - 1, -1, -1)
                hs = [None] * len(gi)
                for t in times:
                    gh = F.linear(state[0], w_hh, b_hh)
                    state = step(gi[t][0], gh, state if is_lstm else state[0])
                    state = state if is_lstm else (state,)
                    hs[t] = state[0]
                outputs.append(stack(hs, dim=0))
                for final, s in zip(finals, state):
                    final.append(s)
            x = outputs[0] if directions == 1 else cat(outputs, dim=-1)
            if self.dropout > 0.0 and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, self.training)
        return x, tuple(stack(final, dim=0) for final in finals)

    def _forward(self, input, hx, count):
        self._check_input(input)
        batched = input.ndim == 3
        if not batched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        states = self._initial_states(hx, count, input.shape[1], input.dtype, batched)
        output, finals = self._run(input, states)
        if not batched:
            output = output.squeeze(1)
            finals = tuple(f.squeeze(1) for f in finals)
        elif self.batch_first:
            output = output.transpose(0, 1)
        return output, finals

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        return text


class RNN(_RNNBase):
    """Elman RNN: h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh) (or relu).

    input: (L, N, H_in), (N, L, H_in) with ``batch_first``, or unbatched (L, H_in);
    hx: (D·num_layers, N, H) or None. Returns (output (L, N, D·H), h_n (D·num_layers,
    N, H)), with D = 2 if bidirectional else 1.
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, dtype=None):
        super().__init__(_rnn_mode(nonlinearity), input_size, hidden_size, num_layers, bias,
                         batch_first, dropout, bidirectional, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        output, (h_n,) = self._forward(input, None if hx is None else (hx,), 1)
        return output, h_n


class LSTM(_RNNBase):
    """Long short-term memory (Hochreiter & Schmidhuber, 1997), PyTorch's gate order
    i, f, g, o: c_t = f⊙c_{t−1} + i⊙g, h_t = o⊙tanh(c_t).

    input as ``RNN``; hx: (h_0, c_0), each (D·num_layers, N, H), or None. Returns
    (output (L, N, D·H), (h_n, c_n)).
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, dtype)

    def forward(self, input, hx=None):
        output, (h_n, c_n) = self._forward(input, None if hx is None else tuple(hx), 2)
        return output, (h_n, c_n)


class GRU(_RNNBase):
    """Gated recurrent unit (Cho et al., 2014), PyTorch's gate order r, z, n:
    h_t = (1 − z)⊙n + z⊙h_{t−1}, n = tanh(W_in·x + b_in + r⊙(W_hn·h + b_hn)).

    input and hx as ``RNN``. Returns (output (L, N, D·H), h_n (D·num_layers, N, H)).
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, dtype)

    def forward(self, input, hx=None):
        output, (h_n,) = self._forward(input, None if hx is None else (hx,), 1)
        return output, h_n
