"""Table rows for sequence models: scaled dot-product attention (plain, causal, bool and
float masks, custom scale) and small LSTM and GRU layers, checked through their inputs
and initial states with fixed weights (the parameter gradients are compared with
PyTorch in tests/nn/test_rnn.py)."""
import numpy as np

from .opinfo import OpInfo


def _F():
    import visiongrad.nn.functional as F
    return F


def _qkv(L=4, S=5, E=3, Ev=2, batch=(2,)):
    return lambda rng: [rng.standard_normal((*batch, L, E)), rng.standard_normal((*batch, S, E)),
                        rng.standard_normal((*batch, S, Ev))]


def _bool_mask(L, S):
    mask = np.random.default_rng(3).random((L, S)) > 0.4
    mask[:, 0] = True  # every query attends somewhere: no all −inf row
    return mask


def _sdpa_row(name, sample=None, **kwargs):
    def fn(q, k, v):
        return _F().scaled_dot_product_attention(q, k, v, **kwargs)

    def ref(torch, q, k, v):
        torch_kwargs = {key: torch.tensor(value) if isinstance(value, np.ndarray) else value
                        for key, value in kwargs.items()}
        return torch.nn.functional.scaled_dot_product_attention(q, k, v, **torch_kwargs)

    return OpInfo(name, fn, sample or _qkv(), ref)


def _sdpa_float_mask_row():
    def sample(rng):
        return [*_qkv()(rng), rng.standard_normal((4, 5))]

    return OpInfo("scaled_dot_product_attention_float_mask",
                  lambda q, k, v, mask: _F().scaled_dot_product_attention(q, k, v, mask),
                  sample,
                  lambda t, q, k, v, mask: t.nn.functional.scaled_dot_product_attention(
                      q, k, v, mask))


def _fixed_weights(module):
    """The same weights for a visiongrad and a PyTorch module with equal keys."""
    rng = np.random.default_rng(7)
    return {name: rng.uniform(-0.5, 0.5, tuple(value.shape))
            for name, value in module.state_dict().items()}


def _recurrent_row(name, kind, input_size=3, hidden_size=4, L=3, N=2, **kwargs):
    """``kind`` ('LSTM' or 'GRU') with fixed weights as a function of the input and the
    initial state(s): input (L, N, input_size), each state (D·num_layers, N, H)."""
    directions = 2 if kwargs.get("bidirectional") else 1
    state_shape = (directions * kwargs.get("num_layers", 1), N, hidden_size)
    count = 2 if kind == "LSTM" else 1

    def run(module, x, states):
        output, final = module(x, states if kind == "LSTM" else states[0])
        return (output, *final) if kind == "LSTM" else (output, final)

    def fn(x, *states):
        import visiongrad.nn as nn
        module = getattr(nn, kind)(input_size, hidden_size, dtype=x.dtype, **kwargs)
        module.load_state_dict(_fixed_weights(module))
        return run(module, x, states)

    def ref(torch, x, *states):
        module = getattr(torch.nn, kind)(input_size, hidden_size, dtype=x.dtype, **kwargs)
        module.load_state_dict({k: torch.tensor(v) for k, v in _fixed_weights(module).items()})
        return run(module, x, states)

    def sample(rng):
        return [rng.standard_normal((L, N, input_size)),
                *(rng.standard_normal(state_shape) * 0.5 for _ in range(count))]

    return OpInfo(name, fn, sample, ref)


OPS = [
    _sdpa_row("scaled_dot_product_attention"),
    _sdpa_row("scaled_dot_product_attention_causal", is_causal=True),
    _sdpa_row("scaled_dot_product_attention_causal_rectangular", _qkv(L=3, S=5), is_causal=True),
    _sdpa_row("scaled_dot_product_attention_bool_mask", attn_mask=_bool_mask(4, 5)),
    _sdpa_row("scaled_dot_product_attention_scale_heads", _qkv(batch=(2, 3)), scale=0.7),
    _sdpa_float_mask_row(),
    _recurrent_row("lstm", "LSTM"),
    _recurrent_row("lstm_two_layers_bidirectional", "LSTM", num_layers=2, bidirectional=True),
    _recurrent_row("gru", "GRU"),
    _recurrent_row("gru_bidirectional", "GRU", bidirectional=True),
]
