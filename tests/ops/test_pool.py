"""Pooling: PyTorch parity (values, indices, gradients) on randomized geometries, max
unpooling, the tie rule, and argument errors."""
import numpy as np
import pytest

import visiongrad as vg
import visiongrad.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _run(fn, x, dtype):
    """fn's outputs and the input gradient for a fixed random output gradient."""
    t = vg.tensor(x.astype(dtype), requires_grad=True) if isinstance(x, np.ndarray) else x
    result = fn(t)
    out = result[0] if isinstance(result, tuple) else result
    grad = np.random.default_rng(7).standard_normal(tuple(out.shape)).astype(dtype)
    if isinstance(out, vg.Tensor):
        out.backward(vg.tensor(grad))
        return result, t.grad.data
    out.backward(torch.tensor(grad))
    return result, t.grad.numpy()


def _compare(fn, torch_fn, x, dtype=np.float64, rtol=1e-12, atol=1e-12):
    result, grad = _run(fn, x, dtype)
    expected, expected_grad = _run(torch_fn, torch.tensor(x.astype(dtype), requires_grad=True),
                                   dtype)
    results = result if isinstance(result, tuple) else (result,)
    expecteds = expected if isinstance(expected, tuple) else (expected,)
    for r, e in zip(results, expecteds):
        assert r.shape == tuple(e.shape) and r.dtype == e.detach().numpy().dtype
        np.testing.assert_allclose(r.data, e.detach().numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(grad, expected_grad, rtol=rtol, atol=atol)


def _random_pool(rng, dilation):
    kernel = tuple(int(k) for k in rng.integers(1, 5, 2))
    stride = tuple(int(s) for s in rng.integers(1, 4, 2))
    dil = tuple(int(d) for d in rng.integers(1, 3, 2)) if dilation else (1, 1)
    padding = tuple(int(rng.integers(0, k // 2 + 1)) for k in kernel)
    size = tuple(int(n) for n in rng.integers(6, 13, 2))
    return kernel, stride, padding, dil, size, bool(rng.random() < 0.5)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_max_pool2d_matches_torch_with_ties(seed, dtype):
    rng = np.random.default_rng(seed)
    kernel, stride, padding, dilation, size, ceil_mode = _random_pool(rng, dilation=True)
    x = np.round(rng.standard_normal((2, 3) + size) * 2)  # many ties: the first max wins
    kwargs = dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation,
                  ceil_mode=ceil_mode, return_indices=True)
    # float32 gradients of overlapping windows add up in another order than PyTorch's
    tolerance = 1e-12 if dtype == np.float64 else 1e-6
    _compare(lambda t: F.max_pool2d(t, **kwargs), lambda t: TF.max_pool2d(t, **kwargs), x, dtype,
             tolerance, tolerance)


@pytest.mark.parametrize("seed", range(12))
def test_avg_pool2d_matches_torch(seed):
    rng = np.random.default_rng(50 + seed)
    kernel, stride, padding, _, size, ceil_mode = _random_pool(rng, dilation=False)
    kwargs = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode,
                  count_include_pad=bool(seed % 2),
                  divisor_override=int(rng.integers(1, 7)) if seed % 3 == 0 else None)
    x = rng.standard_normal((2, 3) + size)
    _compare(lambda t: F.avg_pool2d(t, **kwargs), lambda t: TF.avg_pool2d(t, **kwargs), x)
    _compare(lambda t: F.avg_pool2d(t, **kwargs), lambda t: TF.avg_pool2d(t, **kwargs), x,
             np.float32, 1e-5, 1e-6)


@pytest.mark.parametrize("in_size, out_size", [((7, 9), (3, 4)), ((5, 5), (7, 3)),
                                               ((8, 8), 1), ((10, 6), (None, 4)),
                                               ((6, 6), (6, 6)), ((13, 11), (4, 5))])
def test_adaptive_pools_match_torch(in_size, out_size, rng):
    x = np.round(rng.standard_normal((2, 3) + in_size) * 2)
    _compare(lambda t: F.adaptive_avg_pool2d(t, out_size),
             lambda t: TF.adaptive_avg_pool2d(t, out_size), x)
    _compare(lambda t: F.adaptive_max_pool2d(t, out_size, return_indices=True),
             lambda t: TF.adaptive_max_pool2d(t, out_size, return_indices=True), x)
    _compare(lambda t: F.adaptive_avg_pool2d(t, out_size),
             lambda t: TF.adaptive_avg_pool2d(t, out_size), x, np.float32, 1e-6, 1e-6)


def test_global_average_pooling_is_the_spatial_mean(rng):
    x = vg.tensor(rng.standard_normal((2, 5, 7, 6)))
    np.testing.assert_allclose(F.adaptive_avg_pool2d(x, 1).data,
                               x.data.mean(axis=(2, 3), keepdims=True), atol=1e-14)


def test_1d_pools_and_unbatched_inputs_match_torch(rng):
    x = np.round(rng.standard_normal((2, 3, 11)) * 2)
    kwargs = dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)
    _compare(lambda t: F.max_pool1d(t, return_indices=True, **kwargs),
             lambda t: TF.max_pool1d(t, return_indices=True, **kwargs), x)
    _compare(lambda t: F.avg_pool1d(t, **kwargs), lambda t: TF.avg_pool1d(t, **kwargs), x)
    x = rng.standard_normal((3, 7, 8))
    _compare(lambda t: F.max_pool2d(t, 2, return_indices=True),
             lambda t: TF.max_pool2d(t, 2, return_indices=True), x)
    _compare(lambda t: F.avg_pool2d(t, 3, 2, 1), lambda t: TF.avg_pool2d(t, 3, 2, 1), x)
    _compare(lambda t: F.adaptive_max_pool2d(t, 3), lambda t: TF.adaptive_max_pool2d(t, 3), x)


def test_max_pool_propagates_nan_like_torch():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    x[0, 0, 0, 1] = np.nan
    out, idx = F.max_pool2d(vg.tensor(x), 2, return_indices=True)
    expected, expected_idx = TF.max_pool2d(torch.tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(out.data, expected.numpy())
    np.testing.assert_array_equal(idx.data, expected_idx.numpy())


@pytest.mark.parametrize("shape, kernel, stride, padding, output_size", [
    ((2, 3, 8, 8), 2, None, 0, None),
    ((1, 2, 7, 9), 3, 2, 1, None),
    ((2, 2, 9, 7), 2, 2, 0, (9, 7)),     # odd input: unpool back to the original size
    ((1, 1, 5, 5), (2, 3), (2, 1), (1, 0), (1, 1, 5, 5)),
])
def test_max_unpool2d_matches_torch(shape, kernel, stride, padding, output_size, rng):
    x = rng.standard_normal(shape)
    pooled, idx = F.max_pool2d(vg.tensor(x), kernel, stride, padding, return_indices=True)
    values = vg.tensor(pooled.data, requires_grad=True)
    out = F.max_unpool2d(values, idx, kernel, stride, padding, output_size)
    t_values = torch.tensor(pooled.data, requires_grad=True)
    t_idx = torch.tensor(idx.data)
    expected = TF.max_unpool2d(t_values, t_idx, kernel, stride, padding, output_size)
    np.testing.assert_array_equal(out.data, expected.detach().numpy())
    grad = rng.standard_normal(out.shape)
    out.backward(vg.tensor(grad))
    expected.backward(torch.tensor(grad))
    np.testing.assert_array_equal(values.grad.data, t_values.grad.numpy())


def test_unpooling_puts_each_maximum_back_in_place(rng):
    x = vg.tensor(rng.standard_normal((1, 1, 4, 4)))
    pooled, idx = F.max_pool2d(x, 2, return_indices=True)
    restored = F.max_unpool2d(pooled, idx, 2).data[0, 0]
    mask = restored != 0
    assert mask.sum() == 4
    np.testing.assert_array_equal(restored[mask], x.data[0, 0][mask])
    np.testing.assert_array_equal(np.sort(restored[mask]), np.sort(pooled.data.ravel()))


def test_bed_of_nails_unpooling_is_max_unpooling_at_the_top_left():
    x = vg.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    top_left = vg.tensor([[[[0, 2], [8, 10]]]], dtype=vg.int64)  # (2i)·4 + 2j in a 4x4 plane
    np.testing.assert_array_equal(F.max_unpool2d(x, top_left, 2).data[0, 0],
                                  [[1, 0, 2, 0], [0, 0, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]])


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.max_pool2d(vg.randn(1, 1, 5, 5), 3, padding=2), ValueError,
     "padding should be at most half"),
    (lambda: F.avg_pool2d(vg.randn(1, 1, 5, 5), 2, padding=2), ValueError,
     "padding should be at most half"),
    (lambda: F.max_pool2d(vg.randn(1, 1, 2, 2), 3), ValueError,
     "output of size 0x0; input 2x2 is too small"),
    (lambda: F.max_pool2d(vg.randn(5, 5), 2), ValueError, "3-D .* or 4-D"),
    (lambda: F.max_pool2d(vg.zeros(1, 1, 4, 4, dtype=vg.int64), 2), TypeError,
     "floating-point"),
    (lambda: F.avg_pool2d(vg.randn(1, 1, 4, 4), 2, divisor_override=0), ValueError,
     "divisor_override"),
    (lambda: F.max_pool2d(vg.randn(1, 1, 4, 4), 2, stride=0), ValueError,
     "stride must be positive"),
    (lambda: F.adaptive_avg_pool2d(vg.randn(1, 1, 4, 4), (2, 0)), ValueError,
     "must be positive"),
    (lambda: F.max_unpool2d(vg.randn(1, 1, 2, 2), vg.zeros(1, 1, 2, 2, dtype=vg.int64), 2,
                            output_size=(6, 6)), ValueError,
     "invalid output_size .* between 2 and 6"),
    (lambda: F.max_unpool2d(vg.randn(1, 1, 2, 2), vg.full((1, 1, 2, 2), 16, dtype=vg.int64), 2),
     ValueError, "invalid max index 16"),
    (lambda: F.max_unpool2d(vg.randn(1, 1, 2, 2), vg.zeros(1, 1, 2, 3, dtype=vg.int64), 2),
     ValueError, "indices must have the input's shape"),
])
def test_argument_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
