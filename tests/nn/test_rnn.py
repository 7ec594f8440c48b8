"""Recurrent layers and cells against PyTorch (outputs, final states and every gradient
after copying the state_dict) and the course's properties: RNN cell and unrolled RNN
(C5.32, C5.33), LSTM's uninterrupted cell-state path (C5.40, E24), GRU (C5.41)."""
import numpy as np
import pytest

import visiongrad as vg
import visiongrad.nn as nn

torch = pytest.importorskip("torch")

TOL = {np.float64: dict(rtol=1e-10, atol=1e-10), np.float32: dict(rtol=1e-5, atol=1e-5)}


def _pair(name, dtype, *args, **kwargs):
    """A visiongrad and a PyTorch module of class ``name`` with the same weights."""
    torch_module = getattr(torch.nn, name)(*args, **kwargs, dtype=torch.float64)
    module = getattr(nn, name)(*args, **kwargs, dtype=dtype)
    assert list(module.state_dict()) == list(torch_module.state_dict())
    module.load_state_dict({k: v.numpy() for k, v in torch_module.state_dict().items()})
    return module, torch_module.to(torch.float64 if dtype == np.float64 else torch.float32)


def _flatten(result):
    if isinstance(result, (tuple, list)):
        return [t for r in result for t in _flatten(r)]
    return [result]


def _compare(module, torch_module, inputs, dtype):
    """Runs both on ``inputs`` (arrays, or None for an omitted state), compares every
    output, then backpropagates the same random weighting and compares the gradients of
    every input and parameter."""
    tol = TOL[dtype]
    args = [None if a is None else vg.tensor(a.astype(dtype), requires_grad=True)
            for a in inputs]
    torch_args = [None if a is None else torch.tensor(a.astype(dtype), requires_grad=True)
                  for a in inputs]
    outs = _flatten(module(*_nest(args)))
    refs = _flatten(torch_module(*_nest(torch_args)))
    assert len(outs) == len(refs)
    rng = np.random.default_rng(99)
    total, torch_total = 0, 0
    for out, ref in zip(outs, refs):
        assert out.shape == tuple(ref.shape) and out.dtype == dtype
        np.testing.assert_allclose(out.data, ref.detach().numpy(), **tol)
        grad = rng.standard_normal(out.shape).astype(dtype)
        total = total + (out * vg.tensor(grad)).sum()
        torch_total = torch_total + (ref * torch.tensor(grad)).sum()
    total.backward()
    torch_total.backward()
    for a, ta in zip(args, torch_args):
        if a is not None:
            np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), **tol)
    torch_params = dict(torch_module.named_parameters())
    for name, param in module.named_parameters():
        np.testing.assert_allclose(param.grad.data, torch_params[name].grad.numpy(), **tol,
                                   err_msg=f"gradient of {name}")


def _nest(args):
    # LSTM states travel as one (h, c) tuple
    if len(args) == 3:
        return args[0], None if args[1] is None else (args[1], args[2])
    return args


LAYER_CONFIGS = {
    "one_layer": {},
    "two_layers_bidirectional": dict(num_layers=2, bidirectional=True),
    "batch_first_three_layers": dict(num_layers=3, batch_first=True),
    "bidirectional_batch_first_no_bias": dict(bidirectional=True, batch_first=True, bias=False),
}
LAYERS = {"RNN": {}, "RNN_relu": dict(nonlinearity="relu"), "LSTM": {}, "GRU": {}}


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("with_state", [False, True], ids=["zero_state", "given_state"])
@pytest.mark.parametrize("config", LAYER_CONFIGS, ids=list(LAYER_CONFIGS))
@pytest.mark.parametrize("layer", LAYERS, ids=list(LAYERS))
def test_layer_matches_torch(layer, config, with_state, dtype):
    kwargs = {**LAYERS[layer], **LAYER_CONFIGS[config]}
    module, torch_module = _pair(layer.split("_")[0], dtype, 3, 4, **kwargs)
    rng = np.random.default_rng(0)
    L, N = 5, 2
    x = rng.standard_normal((N, L, 3) if kwargs.get("batch_first") else (L, N, 3))
    D = 2 if kwargs.get("bidirectional") else 1
    count = 2 if layer == "LSTM" else 1
    state_shape = (D * kwargs.get("num_layers", 1), N, 4)
    states = [rng.standard_normal(state_shape) if with_state else None for _ in range(count)]
    if layer == "LSTM" and not with_state:
        states = [None]
    _compare(module, torch_module, [x, *states], dtype)


@pytest.mark.parametrize("layer", ["RNN", "LSTM", "GRU"])
def test_unbatched_input(layer):
    module, torch_module = _pair(layer, np.float64, 3, 4, num_layers=2, bidirectional=True)
    rng = np.random.default_rng(1)
    states = [rng.standard_normal((4, 4)) for _ in range(2 if layer == "LSTM" else 1)]
    _compare(module, torch_module, [rng.standard_normal((5, 3)), *states], np.float64)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("cell,kwargs", [("RNNCell", {}), ("RNNCell", dict(nonlinearity="relu")),
                                         ("LSTMCell", {}), ("GRUCell", {}),
                                         ("GRUCell", dict(bias=False))])
@pytest.mark.parametrize("with_state", [False, True], ids=["zero_state", "given_state"])
def test_cell_matches_torch(cell, kwargs, with_state, dtype):
    module, torch_module = _pair(cell, dtype, 3, 4, **kwargs)
    rng = np.random.default_rng(2)
    count = 2 if cell == "LSTMCell" else 1
    states = [rng.standard_normal((2, 4)) if with_state else None for _ in range(count)]
    if cell == "LSTMCell" and not with_state:
        states = [None]
    _compare(module, torch_module, [rng.standard_normal((2, 3)), *states], dtype)


@pytest.mark.parametrize("cell", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_unbatched(cell):
    module, torch_module = _pair(cell, np.float64, 3, 4)
    _compare(module, torch_module, [np.random.default_rng(3).standard_normal(3), None],
             np.float64)


def test_rnn_cell_is_one_affine_map_then_tanh():
    # h' = tanh(W_hh h + W_xh x + b) with b = b_ih + b_hh (C5.32)
    cell = nn.RNNCell(3, 4, dtype=np.float64)
    rng = np.random.default_rng(4)
    x, h = rng.standard_normal((2, 3)), rng.standard_normal((2, 4))
    expected = np.tanh(h @ cell.weight_hh.data.T + x @ cell.weight_ih.data.T
                       + cell.bias_ih.data + cell.bias_hh.data)
    np.testing.assert_allclose(cell(vg.tensor(x), vg.tensor(h)).data, expected, atol=1e-12)


def test_rnn_unrolls_the_cell_with_shared_weights():
    # the layer is the cell applied at every step with the same weights (C5.33)
    rnn = nn.RNN(3, 4, dtype=np.float64)
    cell = nn.RNNCell(3, 4, dtype=np.float64)
    cell.load_state_dict({k[:-3]: v for k, v in rnn.state_dict().items()})
    x = vg.tensor(np.random.default_rng(5).standard_normal((6, 2, 3)))
    output, h_n = rnn(x)
    h = None
    for t in range(6):
        h = cell(x[t], h)
        np.testing.assert_allclose(output.data[t], h.data, atol=1e-12)
    np.testing.assert_allclose(h_n.data[0], h.data, atol=1e-12)


def test_lstm_cell_state_jacobian_is_diag_forget_gate():
    # ∂c_t/∂c_{t−1} = diag(f) exactly: the cell state's uninterrupted path (C5.40)
    cell = nn.LSTMCell(3, 4, dtype=np.float64)
    rng = np.random.default_rng(6)
    x, h = vg.tensor(rng.standard_normal((1, 3))), vg.tensor(rng.standard_normal((1, 4)))
    c = vg.tensor(rng.standard_normal((1, 4)), requires_grad=True)
    gates = (x.data @ cell.weight_ih.data.T + cell.bias_ih.data
             + h.data @ cell.weight_hh.data.T + cell.bias_hh.data)
    forget = 1 / (1 + np.exp(-gates[0, 4:8]))  # PyTorch's order i, f, g, o (E24)
    jacobian = np.zeros((4, 4))
    for j in range(4):
        c.grad = None
        _, c_next = cell(x, (h, c))
        c_next[0, j].backward()
        jacobian[j] = c.grad.data[0]
    np.testing.assert_array_equal(jacobian - np.diag(np.diag(jacobian)), 0)  # no mixing
    np.testing.assert_allclose(np.diag(jacobian), forget, rtol=1e-14)


def test_gru_resets_after_the_hidden_matmul():
    # n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)) (C5.41): with the reset gate pinned at
    # 0, b_hn must vanish from n
    cell = nn.GRUCell(2, 3, dtype=np.float64)
    H = 3
    with vg.no_grad():
        cell.weight_ih.data[:H] = 0
        cell.weight_hh.data[:H] = 0
        cell.bias_ih.data[:H] = -1e3  # r = σ(−2000) = 0
        cell.bias_hh.data[:H] = -1e3
    x, h = vg.tensor(np.ones((1, 2))), vg.tensor(np.ones((1, H)))
    before = cell(x, h).data.copy()
    cell.bias_hh.data[2 * H:] += 5.0
    np.testing.assert_allclose(cell(x, h).data, before, atol=1e-12)


def test_parameter_names_shapes_and_init():
    lstm = nn.LSTM(3, 5, num_layers=2, bidirectional=True)
    shapes = {k: tuple(v.shape) for k, v in lstm.state_dict().items()}
    torch_lstm = torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True)
    assert shapes == {k: tuple(v.shape) for k, v in torch_lstm.state_dict().items()}
    assert shapes["weight_ih_l1_reverse"] == (20, 10)
    bound = 1 / np.sqrt(5)
    values = np.concatenate([p.data.ravel() for p in lstm.parameters()])
    assert values.dtype == np.float32
    assert np.abs(values).max() <= bound and np.abs(values).max() > 0.9 * bound


def test_dropout_between_layers_only_in_training():
    vg.manual_seed(0)
    gru = nn.GRU(3, 4, num_layers=2, dropout=0.5, dtype=np.float64)
    x = vg.tensor(np.random.default_rng(7).standard_normal((4, 2, 3)))
    train_a, train_b = gru(x)[0].data, gru(x)[0].data
    assert not np.allclose(train_a, train_b)
    gru.eval()
    np.testing.assert_array_equal(gru(x)[0].data, gru(x)[0].data)


def test_errors_name_argument_expected_and_actual():
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="hidden_size"):
        nn.LSTM(3, 0)
    with pytest.raises(ValueError, match=r"H_in = 3, got \(5, 2, 4\)"):
        nn.GRU(3, 4)(vg.zeros(5, 2, 4))
    with pytest.raises(ValueError, match=r"expected hidden state of shape \(2, 2, 4\)"):
        nn.RNN(3, 4, bidirectional=True)(vg.zeros(5, 2, 3), vg.zeros(1, 2, 4))
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 3\)"):
        nn.LSTMCell(3, 4)(vg.zeros(2, 5))
