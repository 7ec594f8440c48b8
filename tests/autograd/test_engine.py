import gc
import weakref

import numpy as np
import pytest

import visiongrad as vg
from visiongrad.autograd import Function


def test_sum_mul_gate_example():
    # FEATURES §4.2: f = (x + y) z at x=-2, y=5, z=-4
    x, y, z = (vg.tensor(v, requires_grad=True) for v in (-2.0, 5.0, -4.0))
    q = x + y
    q.retain_grad()
    f = q * z
    f.backward()
    assert f.item() == -12
    assert (x.grad.item(), y.grad.item(), z.grad.item()) == (-4, -4, 3)
    assert q.grad.item() == -4  # mul is a swap multiplier: dq = z


def test_relu_vector_example():
    x = vg.tensor([1.0, -2.0, 3.0, -1.0], requires_grad=True)
    x.relu().backward(vg.tensor([4.0, -1.0, 5.0, 9.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [4, 0, 5, 0])


def test_matrix_multiply_example():
    x = vg.tensor([[2.0, 1, -3], [-3, 4, 2]], requires_grad=True)
    w = vg.tensor([[3.0, 2, 1, -1], [2, 1, 3, 2], [3, 2, 1, -2]], requires_grad=True)
    y = x @ w
    np.testing.assert_array_equal(y.numpy(), [[-1, -1, 2, 6], [5, 2, 11, 7]])
    y.backward(vg.tensor([[2.0, 3, -3, 9], [-8, 1, 4, 6]]))
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 16, -9], [-24, 9, -30]])
    np.testing.assert_array_equal(w.grad.numpy(),
                                  [[28, 3, -18, 0], [-30, 7, 13, 33], [-22, -7, 17, -15]])


def test_gate_patterns():
    a, b = vg.tensor(3.0, requires_grad=True), vg.tensor(-2.0, requires_grad=True)
    (a + b).backward()  # add distributes
    assert (a.grad.item(), b.grad.item()) == (1, 1)
    a.grad = b.grad = None
    (a * b).backward()  # mul swaps
    assert (a.grad.item(), b.grad.item()) == (-2, 3)
    a.grad = b.grad = None
    vg.maximum(a, b).backward()  # max routes
    assert (a.grad.item(), b.grad.item()) == (1, 0)
    a.grad = None
    (a * 2 + a * 3).backward()  # copy (fan-out) adds
    assert a.grad.item() == 5


def test_gradients_accumulate_across_backward_calls():
    x = vg.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6, 6])


def test_long_chain_backward_is_iterative():
    x = vg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert np.isclose(x.grad.item(), 1.0001 ** 10_000, rtol=1e-3)


def test_second_backward_raises_unless_retained():
    x = vg.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_saved_arrays_are_freed_after_backward():
    x = vg.randn(100, 100, requires_grad=True)
    h = x.tanh()
    node = h.grad_fn
    h.sum().backward()
    assert node._saved == ()


def test_no_graph_references_after_backward():
    x = vg.randn(10, requires_grad=True)
    y = x.exp()
    ref = weakref.ref(y.grad_fn)
    out = (y * 2).sum()
    out.backward()
    del y, out
    gc.collect()
    assert ref() is None  # no reference cycles keep the graph alive


def test_no_grad_records_nothing_and_is_a_decorator():
    x = vg.tensor([1.0], requires_grad=True)
    with vg.no_grad():
        y = x * 2
        with vg.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad

    @vg.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad
    assert vg.is_grad_enabled()


def test_broadcast_gradient_reduced_to_input_shape():
    a = vg.ones(3, 1, requires_grad=True)
    b = vg.ones(4, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.shape == (3, 1) and b.grad.shape == (4,)
    np.testing.assert_array_equal(a.grad.numpy(), np.full((3, 1), 4))
    np.testing.assert_array_equal(b.grad.numpy(), np.full(4, 3))


def test_backward_requires_scalar_or_gradient():
    x = vg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="scalar outputs"):
        (x * 2).backward()
    with pytest.raises(ValueError, match="shape"):
        (x * 2).backward(vg.ones(4))


def test_backward_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        vg.ones(2).sum().backward()


def test_hooks_modify_gradient():
    x = vg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.register_hook(lambda g: g * 0)
    (y + x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1, 1])
    seen = []
    x.grad = None
    handle = x.register_hook(lambda g: seen.append(g.numpy().copy()))
    (x * 2).sum().backward()
    handle.remove()
    (x * 2).sum().backward()
    assert len(seen) == 1


def test_custom_function():
    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 3 * x ** 2 * grad

    x = vg.tensor([1.0, -2.0], dtype=vg.float64, requires_grad=True)
    assert vg.autograd.gradcheck(lambda t: Cube.apply(t), [x])
    Cube.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3, 12])


def test_gradcheck_catches_a_wrong_backward():
    class WrongSquare(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return x * grad  # should be 2x

    x = vg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    with pytest.raises(vg.autograd.GradcheckError, match=r"input 0 .*worst element"):
        vg.autograd.gradcheck(lambda t: WrongSquare.apply(t), [x])
    assert vg.autograd.gradcheck(lambda t: WrongSquare.apply(t), [x],
                                 raise_exception=False) is False


def test_numerical_grad_centered_vs_forward_difference():
    x = np.array([0.5, -1.0, 2.0])
    exact = 3 * x ** 2
    (num,) = vg.autograd.numerical_grad(lambda t: (t ** 3).sum(),
                                        [vg.tensor(x, requires_grad=True)], eps=1e-5)
    assert np.max(np.abs(num - exact)) <= 1e-8
    h = 1e-3  # the notes' forward difference: error O(h)
    forward = ((x + h) ** 3 - x ** 3) / h
    assert np.max(np.abs(forward - exact)) > 1e-3


def test_relative_error_metric():
    assert vg.autograd.relative_error([1.0], [1.0]) == 0
    assert np.isclose(vg.autograd.relative_error([1.0, 2.0], [1.1, 2.0]), 0.1 / 2.1)
