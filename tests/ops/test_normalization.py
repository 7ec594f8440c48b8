"""The fused BatchNorm primitive against its composed (graph) twin, its numerics, and the
training-mode output statistics (C3.14, C3.16)."""
import numpy as np
import pytest

import visiongrad as vg
from visiongrad.ops.normalization import BatchNorm


def _graph_batch_norm(x, w, b, eps=1e-5):
    """Batch norm composed from Tensor ops: the backward comes from the graph."""
    axes = (0,) + tuple(range(2, x.ndim))
    view = (1, -1) + (1,) * (x.ndim - 2)
    mean = x.mean(axes, keepdim=True)
    var = ((x - mean) ** 2).mean(axes, keepdim=True)
    xhat = (x - mean) / (var + eps).sqrt()
    return xhat * w.reshape(view) + b.reshape(view)


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 6), (3, 2, 4, 5)])
def test_simplified_backward_equals_graph_backward(rng, shape):
    x_data = rng.standard_normal(shape) * 3 + 1
    w_data, b_data = rng.uniform(0.5, 2, shape[1]), rng.standard_normal(shape[1])
    grad_out = rng.standard_normal(shape)
    grads = []
    for fn in (lambda x, w, b: BatchNorm.apply(x, w, b, eps=1e-5)[0], _graph_batch_norm):
        x, w, b = (vg.tensor(a, requires_grad=True) for a in (x_data, w_data, b_data))
        out = fn(x, w, b)
        out.backward(vg.tensor(grad_out))
        grads.append((out.data, x.grad.data, w.grad.data, b.grad.data))
    for fused, graph in zip(*grads):
        np.testing.assert_allclose(fused, graph, rtol=0, atol=1e-12)


def test_returns_batch_mean_and_biased_variance(rng):
    x = rng.standard_normal((6, 4, 3, 3)) * 2 - 5
    _, mean, var = BatchNorm.apply(vg.tensor(x), None, None, eps=1e-5)
    np.testing.assert_allclose(mean.data, x.mean((0, 2, 3)), rtol=1e-12)
    np.testing.assert_allclose(var.data, x.var((0, 2, 3)), rtol=1e-12)


def test_float32_variance_is_stable_for_large_means(rng):
    # E[x²] − E[x]² in float32 would lose every digit here: mean 1e4, std 1
    x = (rng.standard_normal((64, 3, 16, 16)) + 1e4).astype(np.float32)
    out, _, var = BatchNorm.apply(vg.tensor(x), None, None, eps=1e-5)
    exact = x.astype(np.float64).var((0, 2, 3))
    np.testing.assert_allclose(var.data, exact, rtol=1e-3)
    np.testing.assert_allclose(out.data.std((0, 2, 3)), 1, atol=1e-3)


def test_training_output_has_mean_beta_and_std_gamma(rng):
    x = vg.tensor(rng.standard_normal((200, 3)) * [1, 5, 0.1] + [10, -3, 0])
    gamma, beta = vg.tensor([1.0, 2.0, 0.5]), vg.tensor([0.0, -1.0, 3.0])
    out = vg.nn.functional.batch_norm(x, None, None, gamma, beta, training=True)
    np.testing.assert_allclose(out.data.mean(0), beta.data, atol=1e-3)
    np.testing.assert_allclose(out.data.std(0), gamma.data, atol=1e-3)


def test_float32_matches_float64_reference(rng):
    x = rng.standard_normal((16, 8, 7, 7)) * 4 + 2
    g = rng.standard_normal(x.shape)
    results = {}
    for dtype in (np.float32, np.float64):
        t = vg.tensor(x.astype(dtype), requires_grad=True)
        out = BatchNorm.apply(t, None, None, eps=1e-5)[0]
        out.backward(vg.tensor(g.astype(dtype)))
        assert out.dtype == dtype and t.grad.dtype == dtype
        results[dtype] = (out.data, t.grad.data)
    for low, high in zip(results[np.float32], results[np.float64]):
        np.testing.assert_allclose(low, high, rtol=1e-4, atol=1e-5)


def test_gradient_through_statistics_outputs(rng):
    x = vg.tensor(rng.standard_normal((4, 2, 3)), requires_grad=True)
    assert vg.autograd.gradcheck(lambda x: BatchNorm.apply(x, None, None, eps=1e-5)[1:], [x])


def test_no_graph_under_no_grad(rng):
    x = vg.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    with vg.no_grad():
        out, _, _ = BatchNorm.apply(x, None, None, eps=1e-5)
    assert not out.requires_grad and out.grad_fn is None


def test_batch_norm_on_both_threads_matches_torch_and_is_deterministic():
    # large enough that the sample axis is split into chunks run on the kernel threads
    torch = pytest.importorskip("torch")
    from visiongrad.nn import functional as F

    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 16, 24, 24)).astype(np.float32) * 3 + 1
    w, b = rng.standard_normal(16).astype(np.float32), rng.standard_normal(16).astype(np.float32)
    g = rng.standard_normal(x.shape).astype(np.float32)

    def ours():
        xt = vg.tensor(x, requires_grad=True)
        wt, bt = vg.tensor(w, requires_grad=True), vg.tensor(b, requires_grad=True)
        out = F.batch_norm(xt, vg.zeros(16), vg.ones(16), wt, bt, training=True)
        out.backward(vg.tensor(g))
        return out.numpy(), xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()

    first, second = ours(), ours()
    for a, c in zip(first, second):
        np.testing.assert_array_equal(a, c)
    xt = torch.tensor(x, requires_grad=True)
    wt, bt = torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)
    out = torch.nn.functional.batch_norm(xt, torch.zeros(16), torch.ones(16), wt, bt,
                                         training=True)
    out.backward(torch.tensor(g))
    expected = (out.detach().numpy(), xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy())
    for actual, reference in zip(first, expected):
        np.testing.assert_allclose(actual, reference, rtol=1e-4, atol=1e-4)
