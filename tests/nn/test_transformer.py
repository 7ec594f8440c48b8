"""MultiheadAttention and the Transformer blocks against PyTorch after copying the
state_dict: outputs, attention weights and every gradient (C6.05, C6.09, C6.11), with
PyTorch's mask convention (True = blocked) and the course's properties."""
import warnings

import numpy as np
import pytest

import visiongrad as vg
import visiongrad.nn as nn

torch = pytest.importorskip("torch")

TOL = {np.float64: dict(rtol=1e-10, atol=1e-10), np.float32: dict(rtol=1e-5, atol=1e-5)}


def _copy(module, torch_module):
    assert list(module.state_dict()) == list(torch_module.state_dict())
    module.load_state_dict({k: v.detach().numpy() for k, v in torch_module.state_dict().items()})


def _mha_pair(dtype, E=8, H=2, **kwargs):
    torch_module = torch.nn.MultiheadAttention(E, H, **kwargs, dtype=torch.float64)
    with torch.no_grad():
        for p in torch_module.parameters():
            # PyTorch zero-initialises the biases: randomise them so they are tested
            p.copy_(torch.randn(p.shape, dtype=torch.float64) * 0.5)
    module = nn.MultiheadAttention(E, H, **kwargs, dtype=dtype)
    _copy(module, torch_module)
    return module, torch_module.to(torch.float32 if dtype == np.float32 else torch.float64)


def _as_torch(value):
    return torch.tensor(value) if isinstance(value, np.ndarray) else value


def _check(module, torch_module, arrays, dtype, grad_input_count, **kwargs):
    """Calls both with ``arrays`` as tensors (the first ``grad_input_count`` requiring
    grad) and ``kwargs`` (NumPy masks converted), compares every output, then every
    input and parameter gradient of a random weighting of the outputs."""
    tol = TOL[dtype]
    arrays = [a.astype(dtype) for a in arrays]
    inputs = [vg.tensor(a, requires_grad=i < grad_input_count) for i, a in enumerate(arrays)]
    torch_inputs = [torch.tensor(a, requires_grad=i < grad_input_count)
                    for i, a in enumerate(arrays)]
    outs = module(*inputs, **{k: (vg.tensor(v) if isinstance(v, np.ndarray) else v)
                              for k, v in kwargs.items()})
    refs = torch_module(*torch_inputs, **{k: _as_torch(v) for k, v in kwargs.items()})
    outs = [o for o in (outs if isinstance(outs, tuple) else (outs,)) if o is not None]
    refs = [r for r in (refs if isinstance(refs, tuple) else (refs,)) if r is not None]
    assert len(outs) == len(refs)
    rng = np.random.default_rng(42)
    total, torch_total = 0, 0
    for out, ref in zip(outs, refs):
        assert out.shape == tuple(ref.shape) and out.dtype == dtype
        np.testing.assert_allclose(out.data, ref.detach().numpy(), **tol)
        grad = rng.standard_normal(out.shape).astype(dtype)
        total = total + (out * vg.tensor(grad)).sum()
        torch_total = torch_total + (ref * torch.tensor(grad)).sum()
    total.backward()
    torch_total.backward()
    for x, tx in zip(inputs[:grad_input_count], torch_inputs):
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), **tol)
    torch_params = dict(torch_module.named_parameters())
    for name, param in module.named_parameters():
        np.testing.assert_allclose(param.grad.data, torch_params[name].grad.numpy(), **tol,
                                   err_msg=f"gradient of {name}")
    return outs


def _padding_mask(rng, N, S):
    mask = rng.random((N, S)) > 0.6
    mask[:, 0] = False  # keep one key per sample: no all-blocked row
    return mask


MASKS = ["none", "key_padding", "bool_attn", "float_attn", "per_head_attn", "both"]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("average", [True, False], ids=["averaged", "per_head"])
@pytest.mark.parametrize("masks", MASKS)
def test_multihead_attention_matches_torch(masks, average, dtype):
    rng = np.random.default_rng(0)
    L, S, N, E, H = 4, 6, 3, 8, 2
    module, torch_module = _mha_pair(dtype, E, H)
    kwargs = dict(average_attn_weights=average)
    if masks in ("key_padding", "both"):
        kwargs["key_padding_mask"] = _padding_mask(rng, N, S)
    if masks in ("bool_attn", "both"):
        attn = rng.random((L, S)) > 0.6
        attn[:, 0] = False  # key 0 is never blocked: no all-blocked row
        kwargs["attn_mask"] = attn
    if masks == "float_attn":
        kwargs["attn_mask"] = rng.standard_normal((L, S)).astype(dtype)
    if masks == "per_head_attn":
        kwargs["attn_mask"] = rng.standard_normal((N * H, L, S)).astype(dtype)
    arrays = [rng.standard_normal((L, N, E)), rng.standard_normal((S, N, E)),
              rng.standard_normal((S, N, E))]
    _check(module, torch_module, arrays, dtype, 3, **kwargs)


@pytest.mark.parametrize("kwargs", [dict(batch_first=True), dict(kdim=5, vdim=3),
                                    dict(bias=False), dict(batch_first=True, kdim=5, vdim=3)],
                         ids=["batch_first", "kdim_vdim", "no_bias", "batch_first_kdim_vdim"])
def test_multihead_attention_options(kwargs):
    rng = np.random.default_rng(1)
    module, torch_module = _mha_pair(np.float64, 8, 4, **kwargs)
    seq = (lambda T, C: (2, T, C)) if kwargs.get("batch_first") else (lambda T, C: (T, 2, C))
    arrays = [rng.standard_normal(seq(4, 8)), rng.standard_normal(seq(5, kwargs.get("kdim", 8))),
              rng.standard_normal(seq(5, kwargs.get("vdim", 8)))]
    _check(module, torch_module, arrays, np.float64, 3,
           key_padding_mask=_padding_mask(rng, 2, 5))


def test_multihead_attention_unbatched_and_without_weights():
    rng = np.random.default_rng(2)
    module, torch_module = _mha_pair(np.float64, 6, 3)
    x = rng.standard_normal((5, 6))
    _check(module, torch_module, [x, x, x], np.float64, 3,
           attn_mask=np.triu(np.ones((5, 5), dtype=bool), 1))
    out, weights = module(*(vg.tensor(x),) * 3, need_weights=False)
    assert weights is None and out.shape == (5, 6)


def test_multihead_attention_weights_are_probabilities():
    rng = np.random.default_rng(3)
    module = nn.MultiheadAttention(8, 2, dtype=np.float64)
    x = vg.tensor(rng.standard_normal((4, 2, 8)))
    blocked = np.zeros((2, 4), dtype=bool)
    blocked[:, 2] = True
    _, weights = module(x, x, x, key_padding_mask=blocked, average_attn_weights=False)
    assert weights.shape == (2, 2, 4, 4)
    np.testing.assert_allclose(weights.data.sum(-1), 1.0, atol=1e-12)
    np.testing.assert_array_equal(weights.data[..., 2], 0.0)  # True = blocked


def test_one_head_is_plain_attention_with_projections():
    # num_heads = 1: softmax(QKᵀ/sqrt(E))V with Q, K, V = X·W_Q, X·W_K, X·W_V (C6.05)
    rng = np.random.default_rng(4)
    E = 4
    module = nn.MultiheadAttention(E, 1, batch_first=True, dtype=np.float64)
    with vg.no_grad():
        module.in_proj_bias.data[:] = rng.standard_normal(3 * E)
    x = rng.standard_normal((2, 5, E))
    w, b = module.in_proj_weight.data, module.in_proj_bias.data
    q, k, v = (x @ w[i * E:(i + 1) * E].T + b[i * E:(i + 1) * E] for i in range(3))
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(E)
    a = np.exp(scores - scores.max(-1, keepdims=True))
    a /= a.sum(-1, keepdims=True)
    expected = (a @ v) @ module.out_proj.weight.data.T + module.out_proj.bias.data
    out, weights = module(*(vg.tensor(x),) * 3)
    np.testing.assert_allclose(out.data, expected, atol=1e-12)
    np.testing.assert_allclose(weights.data, a, atol=1e-12)


def test_self_attention_is_permutation_equivariant():
    # no positional information: permuting the inputs permutes the outputs (C6.06)
    rng = np.random.default_rng(5)
    module = nn.MultiheadAttention(8, 2, batch_first=True, dtype=np.float64)
    x = rng.standard_normal((1, 6, 8))
    perm = rng.permutation(6)
    out = module(*(vg.tensor(x),) * 3)[0].data
    permuted = module(*(vg.tensor(x[:, perm]),) * 3)[0].data
    np.testing.assert_allclose(permuted, out[:, perm], atol=1e-10)


def test_causal_mask_hides_the_future():
    # masked self-attention: the output at t does not depend on inputs after t (C6.08)
    rng = np.random.default_rng(6)
    T = 5
    module = nn.MultiheadAttention(4, 2, batch_first=True, dtype=np.float64)
    future = np.triu(np.ones((T, T), dtype=bool), 1)
    x = rng.standard_normal((1, T, 4))
    base = module(*(vg.tensor(x),) * 3, attn_mask=future)[0].data
    for t in range(T - 1):
        changed = x.copy()
        changed[:, t + 1:] += 5.0
        out = module(*(vg.tensor(changed),) * 3, attn_mask=future, is_causal=True)[0].data
        np.testing.assert_allclose(out[:, :t + 1], base[:, :t + 1], atol=1e-12)
        assert not np.allclose(out[:, t + 1:], base[:, t + 1:])


def _layer_pair(name, dtype, **kwargs):
    torch_module = getattr(torch.nn, name)(**kwargs, dtype=torch.float64)
    with torch.no_grad():
        for p in torch_module.parameters():
            p.copy_(torch.randn(p.shape, dtype=torch.float64) * 0.3 + (p == 1) * 1.0)
    module = getattr(nn, name)(**kwargs, dtype=dtype)
    _copy(module, torch_module)
    torch_module.to(torch.float32 if dtype == np.float32 else torch.float64)
    return module.eval(), torch_module.eval()


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("norm_first", [False, True], ids=["post_norm", "pre_norm"])
def test_encoder_layer_matches_torch(norm_first, activation, dtype):
    torch.manual_seed(0)
    rng = np.random.default_rng(7)
    module, torch_module = _layer_pair(
        "TransformerEncoderLayer", dtype, d_model=8, nhead=2, dim_feedforward=16,
        activation=activation, norm_first=norm_first, batch_first=True)
    x = rng.standard_normal((2, 5, 8))
    _check(module, torch_module, [x], dtype, 1, src_mask=np.triu(np.ones((5, 5), bool), 1),
           src_key_padding_mask=_padding_mask(rng, 2, 5))


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("norm_first", [False, True], ids=["post_norm", "pre_norm"])
def test_decoder_layer_matches_torch(norm_first, dtype):
    torch.manual_seed(1)
    rng = np.random.default_rng(8)
    module, torch_module = _layer_pair(
        "TransformerDecoderLayer", dtype, d_model=8, nhead=4, dim_feedforward=12,
        norm_first=norm_first)
    tgt, memory = rng.standard_normal((4, 2, 8)), rng.standard_normal((6, 2, 8))
    _check(module, torch_module, [tgt, memory], dtype, 2,
           tgt_mask=np.triu(np.ones((4, 4), bool), 1),
           memory_key_padding_mask=_padding_mask(rng, 2, 6))


@pytest.mark.parametrize("norm_first", [False, True], ids=["post_norm", "pre_norm"])
def test_stacks_with_final_norm_match_torch(norm_first):
    torch.manual_seed(2)
    rng = np.random.default_rng(9)
    kwargs = dict(d_model=8, nhead=2, dim_feedforward=16, norm_first=norm_first)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's nested-tensor notice for norm_first
        torch_encoder = torch.nn.TransformerEncoder(
            torch.nn.TransformerEncoderLayer(**kwargs, dtype=torch.float64), 2,
            norm=torch.nn.LayerNorm(8, dtype=torch.float64))
    torch_decoder = torch.nn.TransformerDecoder(
        torch.nn.TransformerDecoderLayer(**kwargs, dtype=torch.float64), 2,
        norm=torch.nn.LayerNorm(8, dtype=torch.float64))
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(**kwargs, dtype=np.float64), 2,
                                    norm=nn.LayerNorm(8, dtype=np.float64))
    decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(**kwargs, dtype=np.float64), 2,
                                    norm=nn.LayerNorm(8, dtype=np.float64))
    for module, torch_module in [(encoder, torch_encoder), (decoder, torch_decoder)]:
        with torch.no_grad():
            for p in torch_module.parameters():
                p.add_(torch.randn(p.shape, dtype=torch.float64) * 0.1)
        _copy(module, torch_module)
        module.eval(), torch_module.eval()
    src, tgt = rng.standard_normal((5, 2, 8)), rng.standard_normal((3, 2, 8))
    _check(encoder, torch_encoder, [src], np.float64, 1,
           mask=np.triu(np.ones((5, 5), bool), 1))
    memory = encoder(vg.tensor(src)).data
    _check(decoder, torch_decoder, [tgt, memory], np.float64, 2,
           tgt_mask=np.triu(np.ones((3, 3), bool), 1))


def test_stack_layers_are_independent_copies():
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16)
    encoder = nn.TransformerEncoder(layer, 3)
    assert len(encoder.layers) == 3
    first, second = encoder.layers[0], encoder.layers[1]
    np.testing.assert_array_equal(first.linear1.weight.data, layer.linear1.weight.data)
    assert first.linear1.weight is not second.linear1.weight


def test_dropout_is_active_in_training_only():
    vg.manual_seed(0)
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.5)
    x = vg.tensor(np.random.default_rng(10).standard_normal((4, 2, 8)).astype(np.float32))
    assert not np.allclose(layer(x).data, layer(x).data)
    layer.eval()
    np.testing.assert_array_equal(layer(x).data, layer(x).data)


def test_errors_name_argument_expected_and_actual():
    with pytest.raises(ValueError, match=r"embed_dim \(6\) must be a positive multiple of "
                                         r"num_heads \(4\)"):
        nn.MultiheadAttention(6, 4)
    module = nn.MultiheadAttention(4, 2)
    x = vg.zeros(3, 2, 4)
    with pytest.raises(ValueError, match=r"key_padding_mask must have shape \(2, 3\)"):
        module(x, x, x, key_padding_mask=np.zeros((3, 2), bool))
    with pytest.raises(ValueError, match="attn_mask must have shape"):
        module(x, x, x, attn_mask=np.zeros((2, 3), bool))
    with pytest.raises(ValueError, match=r"feature sizes \(4, 4, 4\), got \(5, 4, 4\)"):
        module(vg.zeros(3, 2, 5), x, x)
    with pytest.raises(ValueError, match="is_causal"):
        module(x, x, x, is_causal=True)
    with pytest.raises(ValueError, match="activation"):
        nn.TransformerEncoderLayer(4, 2, activation="swish")
