"""The pooling kernels against slow loop twins written after PyTorch's CPU loops."""
import numpy as np
import pytest

from visiongrad._kernels import pool


def max_pool_loops(x, kernel, stride, padding, dilation, ceil_mode):
    """PyTorch's scan: real elements only, row by row; replace on '>' or NaN."""
    N, C, H, W = x.shape
    OH, OW = (pool.pool_output_size(n, k, s, p, d, ceil_mode) for n, k, s, p, d in
              zip((H, W), kernel, stride, padding, dilation))
    out = np.empty((N, C, OH, OW))
    idx = np.empty((N, C, OH, OW), dtype=np.int64)
    for n in range(N):
        for c in range(C):
            for oh in range(OH):
                for ow in range(OW):
                    best, where = -np.inf, None
                    for i in range(kernel[0]):
                        h = oh * stride[0] - padding[0] + i * dilation[0]
                        for j in range(kernel[1]):
                            w = ow * stride[1] - padding[1] + j * dilation[1]
                            if not (0 <= h < H and 0 <= w < W):
                                continue
                            if where is None:
                                where = h * W + w
                            if x[n, c, h, w] > best or np.isnan(x[n, c, h, w]):
                                best, where = x[n, c, h, w], h * W + w
                    out[n, c, oh, ow], idx[n, c, oh, ow] = best, where
    return out, idx


def avg_pool_loops(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    N, C, H, W = x.shape
    OH, OW = (pool.pool_output_size(n, k, s, p, 1, ceil_mode) for n, k, s, p in
              zip((H, W), kernel, stride, padding))
    out = np.zeros((N, C, OH, OW))
    for oh in range(OH):
        for ow in range(OW):
            h0, w0 = oh * stride[0] - padding[0], ow * stride[1] - padding[1]
            h1, w1 = min(h0 + kernel[0], H + padding[0]), min(w0 + kernel[1], W + padding[1])
            pool_size = (h1 - h0) * (w1 - w0)
            h0, w0, h1, w1 = max(h0, 0), max(w0, 0), min(h1, H), min(w1, W)
            divisor = divisor_override or (pool_size if count_include_pad
                                           else (h1 - h0) * (w1 - w0))
            out[:, :, oh, ow] = x[:, :, h0:h1, w0:w1].sum(axis=(2, 3)) / divisor
    return out


def adaptive_loops(x, out_size, reduce):
    N, C, H, W = x.shape
    out = np.empty((N, C) + out_size)
    for i in range(out_size[0]):
        h0, h1 = (i * H) // out_size[0], -(-(i + 1) * H // out_size[0])
        for j in range(out_size[1]):
            w0, w1 = (j * W) // out_size[1], -(-(j + 1) * W // out_size[1])
            out[:, :, i, j] = reduce(x[:, :, h0:h1, w0:w1], axis=(2, 3))
    return out


def _scatter_grad(grad_out, idx, shape):
    N, C, H, W = shape
    grad = np.zeros((N, C, H * W))
    for n in range(N):
        for c in range(C):
            for k, g in zip(idx[n, c].ravel(), grad_out[n, c].ravel()):
                grad[n, c, k] += g
    return grad.reshape(shape)


# (shape, kernel, stride, padding, dilation, ceil_mode)
MAX_CASES = [
    ((2, 3, 8, 8), (2, 2), (2, 2), (0, 0), (1, 1), False),
    ((2, 2, 7, 9), (3, 3), (2, 2), (1, 1), (1, 1), True),
    ((1, 2, 10, 11), (3, 2), (2, 3), (1, 1), (2, 1), True),
    ((2, 2, 5, 5), (2, 2), (1, 1), (0, 0), (1, 1), False),
    ((1, 1, 6, 6), (3, 3), (3, 3), (1, 1), (1, 1), True),
    ((1, 2, 9, 9), (2, 2), (1, 1), (1, 1), (3, 3), False),
    ((2, 2, 7, 9), (2, 2), (2, 2), (0, 0), (1, 1), False),   # disjoint, last row/column unused
    ((2, 2, 8, 8), (2, 2), (3, 3), (0, 0), (1, 1), True),    # disjoint with gaps
]


@pytest.mark.parametrize("case", MAX_CASES, ids=[str(i) for i in range(len(MAX_CASES))])
def test_max_pool_matches_loops(case, rng):
    shape, kernel, stride, padding, dilation, ceil_mode = case
    # rounded values make ties, which must resolve to the first maximum
    x = np.round(rng.standard_normal(shape))
    out, offsets = pool.max_pool2d(x, kernel, stride, padding, dilation, ceil_mode)
    expected, expected_idx = max_pool_loops(x, kernel, stride, padding, dilation, ceil_mode)
    np.testing.assert_array_equal(out, expected)
    idx = pool.window_indices(offsets, shape[2:], kernel, stride, padding, dilation)
    np.testing.assert_array_equal(idx, expected_idx)
    grad_out = rng.standard_normal(out.shape)
    np.testing.assert_allclose(
        pool.max_pool2d_backward(grad_out, offsets, shape[2:], kernel, stride, padding, dilation),
        _scatter_grad(grad_out, expected_idx, shape), atol=1e-14)


def test_max_pool_nan_and_minus_inf_follow_pytorch(rng):
    x = rng.standard_normal((2, 2, 7, 7))
    x[0, 0, 1, 1] = x[0, 0, 2, 2] = np.nan  # two NaN in one window: the last one wins
    x[0, 1, 4, 5] = np.nan
    x[1, 1] = -np.inf                        # all -inf: the first real element wins
    for kernel, stride, padding in (((3, 3), (2, 2), (1, 1)), ((2, 2), (2, 2), (0, 0))):
        out, offsets = pool.max_pool2d(x, kernel, stride, padding, (1, 1), True)
        expected, expected_idx = max_pool_loops(x, kernel, stride, padding, (1, 1), True)
        np.testing.assert_array_equal(out, expected)  # NaN == NaN for assert_array_equal
        np.testing.assert_array_equal(
            pool.window_indices(offsets, (7, 7), kernel, stride, padding), expected_idx)


def test_max_pool_backward_keeps_non_finite_gradients_in_place(rng):
    x = rng.standard_normal((1, 2, 4, 4))
    for kernel, stride in (((2, 2), (2, 2)), ((3, 3), (1, 1))):
        out, offsets = pool.max_pool2d(x, kernel, stride)
        grad_out = np.ones(out.shape)
        grad_out[0, 0, 0, 0] = np.inf
        grad_out[0, 1, 0, 0] = np.nan
        _, idx = max_pool_loops(x, kernel, stride, (0, 0), (1, 1), False)
        np.testing.assert_array_equal(
            pool.max_pool2d_backward(grad_out, offsets, (4, 4), kernel, stride),
            _scatter_grad(grad_out, idx, x.shape))


def test_max_pool_keeps_float32_and_large_batches_agree(rng):
    # enough planes for several chunks and both threads
    x = rng.standard_normal((8, 64, 12, 12)).astype(np.float32)
    out, offsets = pool.max_pool2d(x, (2, 2), (2, 2))
    assert out.dtype == np.float32 and offsets.dtype == np.uint8
    np.testing.assert_array_equal(out, x.reshape(8, 64, 6, 2, 6, 2).max(axis=(3, 5)))


@pytest.mark.parametrize("case", [
    ((2, 3, 7, 9), (3, 3), (2, 2), (1, 1), True, True, None),
    ((2, 3, 7, 9), (3, 3), (2, 2), (1, 1), True, False, None),
    ((2, 3, 7, 9), (3, 2), (2, 2), (1, 0), False, True, 3),
    ((2, 3, 8, 8), (2, 2), (2, 2), (0, 0), False, True, None),
    ((1, 2, 6, 5), (4, 3), (3, 2), (2, 1), True, False, None),
])
def test_avg_pool_matches_loops(case, rng):
    shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor = case
    x = rng.standard_normal(shape)
    out = pool.avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor)
    np.testing.assert_allclose(out, avg_pool_loops(x, kernel, stride, padding, ceil_mode,
                                                   count_include_pad, divisor), atol=1e-14)
    # the backward pass is the adjoint of the forward pass
    grad_out = rng.standard_normal(out.shape)
    grad_x = pool.avg_pool2d_backward(grad_out, shape[2:], kernel, stride, padding,
                                      count_include_pad, divisor)
    np.testing.assert_allclose(np.sum(out * grad_out), np.sum(x * grad_x), rtol=1e-12)


@pytest.mark.parametrize("in_size, out_size", [((7, 9), (3, 4)), ((5, 5), (7, 3)),
                                               ((8, 8), (1, 1)), ((6, 4), (6, 4))])
def test_adaptive_pools_match_loops(in_size, out_size, rng):
    x = np.round(rng.standard_normal((2, 3) + in_size) * 2)  # with ties
    out = pool.adaptive_avg_pool2d(x, out_size)
    np.testing.assert_allclose(out, adaptive_loops(x, out_size, np.mean), atol=1e-14)
    grad_out = rng.standard_normal(out.shape)
    grad_x = pool.adaptive_avg_pool2d_backward(grad_out, in_size)
    np.testing.assert_allclose(np.sum(out * grad_out), np.sum(x * grad_x), rtol=1e-12)

    out, idx = pool.adaptive_max_pool2d(x, out_size)
    np.testing.assert_array_equal(out, adaptive_loops(x, out_size, np.max))
    flat = x.reshape(2, 3, -1)
    np.testing.assert_array_equal(np.take_along_axis(flat, idx.reshape(2, 3, -1), 2),
                                  out.reshape(2, 3, -1))
    # the first maximum in row-major order of its bin
    for i in range(out_size[0]):
        h0, h1 = (i * in_size[0]) // out_size[0], -(-(i + 1) * in_size[0] // out_size[0])
        for j in range(out_size[1]):
            w0, w1 = (j * in_size[1]) // out_size[1], -(-(j + 1) * in_size[1] // out_size[1])
            window = x[:, :, h0:h1, w0:w1].reshape(2, 3, -1)
            first = np.argmax(window, axis=-1)
            rows, cols = h0 + first // (w1 - w0), w0 + first % (w1 - w0)
            np.testing.assert_array_equal(idx[:, :, i, j], rows * in_size[1] + cols)
    np.testing.assert_allclose(pool.adaptive_max_pool2d_backward(grad_out, idx, in_size),
                               _scatter_grad(grad_out, idx, x.shape), atol=1e-14)


def test_adaptive_bins_follow_floor_and_ceil():
    start, end = pool.adaptive_bins(5, 3)
    np.testing.assert_array_equal(start, [0, 1, 3])
    np.testing.assert_array_equal(end, [2, 4, 5])  # overlapping bins


def test_scatter_and_gather_planes(rng):
    values = rng.standard_normal((2, 3, 4))
    indices = np.stack([rng.permutation(10)[:4] for _ in range(6)]).reshape(2, 3, 4)
    planes = pool.scatter_planes(values, indices, 10)
    for n in range(2):
        for c in range(3):
            expected = np.zeros(10)
            expected[indices[n, c]] = values[n, c]
            np.testing.assert_array_equal(planes[n, c], expected)
    np.testing.assert_array_equal(pool.gather_planes(planes, indices), values)
    with pytest.raises(ValueError, match="invalid max index 10"):
        pool.scatter_planes(values, np.full((2, 3, 4), 10), 10)


@pytest.mark.parametrize("size, kernel, stride, padding, dilation, ceil_mode, expected", [
    (32, 2, 2, 0, 1, False, 16), (7, 3, 2, 0, 1, True, 3), (8, 3, 2, 0, 1, True, 4),
    (6, 3, 2, 1, 1, True, 4), (5, 2, 2, 0, 1, True, 3), (10, 3, 2, 1, 2, False, 4),
    (5, 2, 2, 1, 1, True, 3)])  # the last: a 4th window would start in the right padding
def test_pool_output_size(size, kernel, stride, padding, dilation, ceil_mode, expected):
    assert pool.pool_output_size(size, kernel, stride, padding, dilation, ceil_mode) == expected
