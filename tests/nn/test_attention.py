"""F.scaled_dot_product_attention against PyTorch and against the course's properties:
the two-loop definition (C6.04), scaled vs unscaled saturation (C6.04, E25), causal
masking (C6.08) and permutation equivariance of self-attention (C6.06)."""
import numpy as np
import pytest

import visiongrad as vg
import visiongrad.nn.functional as F

torch = pytest.importorskip("torch")


def _loop_attention(q, k, v, scale):
    """e_ij = q_i·k_j·scale, a_i = softmax(e_i), y_i = Σ_j a_ij v_j, one pair at a time."""
    L, S = q.shape[0], k.shape[0]
    y = np.zeros((L, v.shape[1]))
    for i in range(L):
        e = np.array([q[i] @ k[j] * scale for j in range(S)])
        a = np.exp(e - e.max())
        a /= a.sum()
        for j in range(S):
            y[i] += a[j] * v[j]
    return y


def test_equals_loop_definition():
    rng = np.random.default_rng(0)
    q, k, v = rng.standard_normal((4, 3)), rng.standard_normal((6, 3)), rng.standard_normal((6, 5))
    out = F.scaled_dot_product_attention(vg.tensor(q), vg.tensor(k), vg.tensor(v))
    np.testing.assert_allclose(out.data, _loop_attention(q, k, v, 1 / np.sqrt(3)), atol=1e-12)


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-10), (np.float32, 1e-5)])
@pytest.mark.parametrize("mask_kind", ["none", "bool", "float", "causal"])
def test_matches_torch_with_gradients(mask_kind, dtype, tol):
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s).astype(dtype) for s in [(2, 3, 4, 8), (2, 3, 7, 8),
                                                              (2, 3, 7, 5)]]
    kwargs, torch_kwargs = {}, {}
    if mask_kind == "bool":
        mask = rng.random((2, 1, 4, 7)) > 0.5
        mask[..., 0] = True
        kwargs["attn_mask"], torch_kwargs["attn_mask"] = vg.tensor(mask), torch.tensor(mask)
    elif mask_kind == "float":
        mask = rng.standard_normal((4, 7)).astype(dtype)
        kwargs["attn_mask"], torch_kwargs["attn_mask"] = vg.tensor(mask), torch.tensor(mask)
    elif mask_kind == "causal":
        kwargs["is_causal"] = torch_kwargs["is_causal"] = True
    inputs = [vg.tensor(a, requires_grad=True) for a in arrays]
    torch_inputs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = F.scaled_dot_product_attention(*inputs, **kwargs)
    ref = torch.nn.functional.scaled_dot_product_attention(*torch_inputs, **torch_kwargs)
    assert out.dtype == dtype
    np.testing.assert_allclose(out.data, ref.detach().numpy(), atol=tol, rtol=tol)
    grad = rng.standard_normal(out.shape).astype(dtype)
    out.backward(vg.tensor(grad))
    ref.backward(torch.tensor(grad))
    for x, tx in zip(inputs, torch_inputs):
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), atol=10 * tol, rtol=10 * tol)


def test_scale_and_dropout_one_and_zero():
    rng = np.random.default_rng(2)
    q, k, v = (vg.tensor(rng.standard_normal((3, 4))) for _ in range(3))
    scaled = F.scaled_dot_product_attention(q, k, v, scale=0.25)
    ref = torch.nn.functional.scaled_dot_product_attention(
        *(torch.tensor(x.data) for x in (q, k, v)), scale=0.25)
    np.testing.assert_allclose(scaled.data, ref.numpy(), atol=1e-12)
    np.testing.assert_array_equal(F.scaled_dot_product_attention(q, k, v, dropout_p=1.0).data, 0)
    np.testing.assert_array_equal(F.scaled_dot_product_attention(q, k, v, dropout_p=0.0).data,
                                  F.scaled_dot_product_attention(q, k, v).data)


def test_scaling_prevents_saturation():
    # unit-variance q, k of size D = 512: q·k has variance D, so the unscaled softmax is
    # nearly one-hot; dividing by sqrt(D) restores unit variance (E25)
    rng = np.random.default_rng(3)
    D = 512
    q, k = rng.standard_normal((64, D)), rng.standard_normal((16, D))
    v = vg.tensor(np.eye(16))  # the output rows are then the attention weights
    unscaled = F.scaled_dot_product_attention(vg.tensor(q), vg.tensor(k), v, scale=1.0).data
    scaled = F.scaled_dot_product_attention(vg.tensor(q), vg.tensor(k), v).data
    assert (unscaled.max(axis=1) > 0.9).mean() > 0.75
    assert scaled.max(axis=1).mean() < 0.6


def test_causal_output_ignores_the_future():
    rng = np.random.default_rng(4)
    T, E = 6, 4
    x = rng.standard_normal((2, T, E))
    base = F.scaled_dot_product_attention(*(vg.tensor(x),) * 3, is_causal=True).data
    for t in range(T - 1):
        changed = x.copy()
        changed[:, t + 1:] += rng.standard_normal(changed[:, t + 1:].shape) * 10
        out = F.scaled_dot_product_attention(*(vg.tensor(changed),) * 3, is_causal=True).data
        np.testing.assert_allclose(out[:, :t + 1], base[:, :t + 1], atol=1e-12)
        assert not np.allclose(out[:, t + 1:], base[:, t + 1:])


def test_causal_equals_explicit_lower_triangular_bool_mask():
    rng = np.random.default_rng(5)
    q, k, v = (vg.tensor(rng.standard_normal((5, 3))) for _ in range(3))
    mask = vg.tensor(np.tril(np.ones((5, 5), dtype=bool)))
    np.testing.assert_array_equal(F.scaled_dot_product_attention(q, k, v, is_causal=True).data,
                                  F.scaled_dot_product_attention(q, k, v, attn_mask=mask).data)


def test_self_attention_is_permutation_equivariant():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((7, 4))
    perm = rng.permutation(7)
    out = F.scaled_dot_product_attention(*(vg.tensor(x),) * 3).data
    permuted = F.scaled_dot_product_attention(*(vg.tensor(x[perm]),) * 3).data
    np.testing.assert_allclose(permuted, out[perm], atol=1e-10)


def test_errors_name_the_problem():
    q, k = vg.zeros(3, 4), vg.zeros(5, 4)
    with pytest.raises(ValueError, match="query's last dim"):
        F.scaled_dot_product_attention(q, vg.zeros(5, 3), vg.zeros(5, 2))
    with pytest.raises(ValueError, match="same sequence length"):
        F.scaled_dot_product_attention(q, k, vg.zeros(4, 2))
    with pytest.raises(ValueError, match="not both"):
        F.scaled_dot_product_attention(q, k, k, attn_mask=np.ones((3, 5), bool), is_causal=True)
    with pytest.raises(ValueError, match="dropout_p"):
        F.scaled_dot_product_attention(q, k, k, dropout_p=1.5)
