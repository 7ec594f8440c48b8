import numpy as np
import pytest

import visiongrad as vg


def test_dtype_rules():
    assert vg.tensor([1.0, 2.0]).dtype == vg.float32
    assert vg.tensor([1, 2]).dtype == vg.int64
    assert vg.tensor([True]).dtype == vg.bool
    assert vg.tensor(np.zeros(2)).dtype == vg.float64
    assert vg.tensor(np.zeros(2, np.float32)).dtype == vg.float32
    assert vg.zeros(2, 3).dtype == vg.float32
    assert vg.randn(2, dtype=vg.float64).dtype == vg.float64
    assert vg.arange(5).dtype == vg.int64 and vg.arange(0, 1, 0.5).dtype == vg.float32
    assert vg.full((2,), 3).dtype == vg.int64 and vg.full((2,), 3.0).dtype == vg.float32


def test_scalar_ops_keep_dtype():
    x = vg.ones(3)
    assert (x * 2.5).dtype == vg.float32
    assert (2 * x).dtype == vg.float32
    assert (x + np.float64(1)).dtype == vg.float32
    i = vg.tensor([1, 2])
    assert (i * 2).dtype == vg.int64
    assert (i * 0.5).dtype == vg.float32
    assert (i / 2).dtype == vg.float32
    assert (i + vg.ones(2)).dtype == vg.float32  # PyTorch keeps float32, NumPy would pick float64
    assert (vg.ones(2) + vg.ones(2, dtype=vg.float64)).dtype == vg.float64


def test_float64_gradient_stays_float64():
    x = vg.randn(3, dtype=vg.float64, requires_grad=True)
    (x * 2.0).sum().backward()
    assert x.grad.dtype == vg.float64


def test_mixed_precision_gradients_come_back_in_input_dtype():
    a = vg.randn(3, requires_grad=True)
    b = vg.randn(3, dtype=vg.float64, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype == vg.float32 and b.grad.dtype == vg.float64


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        vg.tensor([1, 2], requires_grad=True)


def test_manual_seed_reproducible():
    vg.manual_seed(42)
    a = vg.randn(5).numpy().copy()
    b = vg.rand(3).numpy().copy()
    vg.manual_seed(42)
    np.testing.assert_array_equal(vg.randn(5).numpy(), a)
    np.testing.assert_array_equal(vg.rand(3).numpy(), b)
    state = vg.get_rng_state()
    c = vg.randint(0, 10, (4,)).numpy().copy()
    vg.set_rng_state(state)
    np.testing.assert_array_equal(vg.randint(0, 10, (4,)).numpy(), c)


def test_max_with_dim_returns_values_and_indices():
    x = vg.tensor([[1.0, 5.0, 5.0], [7.0, 2.0, 3.0]], requires_grad=True)
    values, indices = x.max(1)
    np.testing.assert_array_equal(values.numpy(), [5, 7])
    np.testing.assert_array_equal(indices.numpy(), [1, 0])
    values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 1, 0], [1, 0, 0]])  # first max
    x.grad = None
    x.amax(1).sum().backward()  # amax splits ties evenly
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 0.5, 0.5], [1, 0, 0]])


def test_matmul_shape_error_names_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(4, 5\)"):
        vg.ones(2, 3) @ vg.ones(4, 5)


def test_item_tolist_len_repr():
    x = vg.tensor([[1.0, 2.0]])
    assert x.tolist() == [[1.0, 2.0]]
    assert len(x) == 1 and x.numel() == 2 and x.size(1) == 2 and x.ndim == 2
    assert "tensor(" in repr(x)
    with pytest.raises(ValueError, match="one-element"):
        x.item()


def test_inplace_on_grad_tensor_requires_no_grad():
    w = vg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place"):
        w.add_(1)
    with vg.no_grad():
        w.add_(1)
    np.testing.assert_array_equal(w.numpy(), [2, 2, 2])


def test_comparisons_return_bool_and_no_grad():
    x = vg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    m = x > 1.5
    assert m.dtype == vg.bool and not m.requires_grad
    np.testing.assert_array_equal(x[m].detach().numpy(), [2, 3])


def test_setitem_and_views():
    x = vg.zeros(2, 3)
    x[0, 1] = 5
    x[vg.tensor([False, True])] = 1
    np.testing.assert_array_equal(x.numpy(), [[0, 5, 0], [1, 1, 1]])


def test_cast_is_differentiable():
    x = vg.tensor([1.0, 2.0], requires_grad=True)
    y = x.double() * 3
    assert y.dtype == vg.float64
    y.sum().backward()
    assert x.grad.dtype == vg.float32
    np.testing.assert_array_equal(x.grad.numpy(), [3, 3])


def test_cat_stack_errors_name_shapes():
    with pytest.raises(ValueError, match="tensor 1 has shape"):
        vg.cat([vg.ones(2, 3), vg.ones(3, 3)], dim=1)
    with pytest.raises(ValueError, match="tensor 1 has shape"):
        vg.stack([vg.ones(2), vg.ones(3)])


def test_function_forms_match_methods():
    torch = pytest.importorskip("torch")
    data = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
    x, t = vg.tensor(data), torch.tensor(data)
    for name in ("exp", "abs", "relu", "sigmoid", "tanh"):
        np.testing.assert_allclose(getattr(vg, name)(x).numpy(), getattr(torch, name)(t).numpy())
    np.testing.assert_allclose(vg.sum(x, 1).numpy(), torch.sum(t, 1).numpy())
    np.testing.assert_allclose(vg.max(x).item(), torch.max(t).item())
    np.testing.assert_allclose(vg.softmax(x, 1).numpy(), torch.softmax(t, 1).numpy())
    np.testing.assert_allclose(x.var(False).item(), t.var(False).item())  # var(unbiased)
    np.testing.assert_allclose(x.std(True).item(), t.std(True).item())
    assert vg.allclose(x, x + 1e-9) and vg.is_tensor(x) and not vg.is_tensor(data)


def test_floor_division_and_remainder_follow_python_signs():
    torch = pytest.importorskip("torch")
    a = np.array([5.5, -5.5, 7.0, -7.0])
    b = np.array([2.0, 2.0, -3.0, -3.0])
    x = vg.tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    np.testing.assert_array_equal((x // vg.tensor(b)).numpy(), (tx // torch.tensor(b)).detach().numpy())
    r, tr = x % vg.tensor(b), tx % torch.tensor(b)
    np.testing.assert_allclose(r.detach().numpy(), tr.detach().numpy())
    r.sum().backward()
    tr.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    assert (vg.tensor([7, -7]) % 3).tolist() == [1, 2]
    assert (vg.tensor([7, -7]) // 2).tolist() == [3, -4]
