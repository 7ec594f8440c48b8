"""The convolution kernels against slow loop twins that spell out the definitions."""
import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from visiongrad._kernels.conv import (col2im, conv2d, conv2d_input_grad, conv2d_weight_grad,
                                      conv_output_size, im2col)


def _pad(x, padding):
    top, bottom, left, right = padding
    return np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))


def _window(a, oh, ow, kernel, stride, dilation):
    (KH, KW), (sh, sw), (dh, dw) = kernel, stride, dilation
    return (slice(oh * sh, oh * sh + dh * (KH - 1) + 1, dh),
            slice(ow * sw, ow * sw + dw * (KW - 1) + 1, dw))


def conv2d_loops(x, w, b, stride, padding, dilation, groups):
    """out[n, f, oh, ow] = Σ_{c in f's group, i, j} x_pad[n, c, oh·sh + i·dh, ow·sw + j·dw]
    · w[f, c, i, j] + b[f]."""
    N, C, H, W = x.shape
    F, Cg, KH, KW = w.shape
    x_pad = _pad(x, padding)
    OH = (x_pad.shape[2] - dilation[0] * (KH - 1) - 1) // stride[0] + 1
    OW = (x_pad.shape[3] - dilation[1] * (KW - 1) - 1) // stride[1] + 1
    out = np.zeros((N, F, OH, OW))
    for n in range(N):
        for f in range(F):
            g = f // (F // groups)
            for oh in range(OH):
                for ow in range(OW):
                    rows, cols = _window(x_pad, oh, ow, (KH, KW), stride, dilation)
                    patch = x_pad[n, g * Cg:(g + 1) * Cg, rows, cols]
                    out[n, f, oh, ow] = np.sum(patch * w[f]) + (0 if b is None else b[f])
    return out


def conv2d_grads_loops(x, w, grad_out, stride, padding, dilation, groups):
    """Scatter each output's gradient back onto its window: (grad_x, grad_w, grad_b)."""
    N, C, H, W = x.shape
    F, Cg, KH, KW = w.shape
    x_pad = _pad(x, padding)
    grad_pad = np.zeros_like(x_pad)
    grad_w = np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            g = f // (F // groups)
            for oh in range(grad_out.shape[2]):
                for ow in range(grad_out.shape[3]):
                    rows, cols = _window(x_pad, oh, ow, (KH, KW), stride, dilation)
                    grad_pad[n, g * Cg:(g + 1) * Cg, rows, cols] += grad_out[n, f, oh, ow] * w[f]
                    grad_w[f] += grad_out[n, f, oh, ow] * x_pad[n, g * Cg:(g + 1) * Cg, rows,
                                                                 cols]
    top, _, left, _ = padding
    return grad_pad[:, :, top:top + H, left:left + W], grad_w, grad_out.sum(axis=(0, 2, 3))


# (x shape, weight shape, stride, padding (t, b, l, r), dilation, groups)
CASES = [
    ((2, 3, 7, 6), (4, 3, 3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1),
    ((3, 4, 9, 8), (6, 2, 3, 2), (2, 1), (2, 2, 1, 1), (2, 1), 2),
    ((1, 3, 8, 7), (3, 1, 3, 3), (2, 3), (0, 0, 0, 0), (1, 2), 3),    # depthwise, batch 1
    ((2, 2, 5, 6), (3, 2, 4, 2), (1, 1), (1, 2, 0, 1), (1, 2), 1),    # asymmetric ('same')
    ((2, 4, 5, 5), (3, 4, 1, 1), (1, 1), (0, 0, 0, 0), (1, 1), 1),    # pointwise GEMM path
    ((1, 4, 5, 5), (3, 4, 1, 1), (1, 1), (0, 0, 0, 0), (1, 1), 1),    # ... on one sample
    ((2, 4, 7, 7), (4, 2, 1, 1), (2, 2), (0, 0, 0, 0), (1, 1), 2),    # strided 1x1
    ((2, 3, 4, 4), (2, 3, 3, 3), (1, 1), (3, 3, 3, 3), (1, 1), 1),    # all-padding windows
    ((3, 2, 7, 7), (2, 2, 3, 3), (3, 3), (0, 0, 0, 0), (1, 1), 1),    # floor drops a column
]


@pytest.mark.parametrize("case", CASES, ids=[str(i) for i in range(len(CASES))])
def test_conv2d_matches_loops(case, rng):
    x_shape, w_shape, stride, padding, dilation, groups = case
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0])
    out = conv2d(x, w, b, stride, padding, dilation, groups)
    np.testing.assert_allclose(out, conv2d_loops(x, w, b, stride, padding, dilation, groups),
                               rtol=1e-12, atol=1e-12)
    grad_out = rng.standard_normal(out.shape)
    grad_x, grad_w, grad_b = conv2d_grads_loops(x, w, grad_out, stride, padding, dilation,
                                                groups)
    np.testing.assert_allclose(conv2d_input_grad(grad_out, w, x_shape[2:], stride, padding,
                                                 dilation, groups), grad_x, atol=1e-12)
    got_w, got_b = conv2d_weight_grad(x, grad_out, w_shape[2:], stride, padding, dilation,
                                      groups, with_bias=True)
    np.testing.assert_allclose(got_w, grad_w, atol=1e-11)
    np.testing.assert_allclose(got_b, grad_b, atol=1e-12)


def test_large_planes_are_split_into_row_blocks(rng):
    # one sample's patch matrix (16·9·60·60 float64 = 4.1 MB) exceeds a chunk, so the
    # output rows are processed in blocks; compare against whole-array arithmetic
    x, w = rng.standard_normal((2, 16, 60, 60)), rng.standard_normal((2, 16, 3, 3))
    out = conv2d(x, w, None, (1, 1), (1, 1, 1, 1))
    x_pad = _pad(x, (1, 1, 1, 1))
    expected = sum(np.einsum("nchw,fc->nfhw", x_pad[:, :, i:i + 60, j:j + 60], w[:, :, i, j])
                   for i in range(3) for j in range(3))
    np.testing.assert_allclose(out, expected, atol=1e-11)
    grad_out = rng.standard_normal(out.shape)
    grad_w = conv2d_weight_grad(x, grad_out, (3, 3), (1, 1), (1, 1, 1, 1))
    expected_w = np.stack([np.einsum("nfhw,nchw->fc", grad_out, x_pad[:, :, i:i + 60, j:j + 60])
                           for i in range(3) for j in range(3)], axis=-1).reshape(w.shape)
    np.testing.assert_allclose(grad_w, expected_w, atol=1e-9)
    grad_x = conv2d_input_grad(grad_out, w, (60, 60), (1, 1), (1, 1, 1, 1))
    # the input gradient of a 'same' 3x3 convolution is the convolution with the flipped,
    # transposed kernel
    flipped = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)
    np.testing.assert_allclose(grad_x, conv2d(grad_out, np.ascontiguousarray(flipped), None,
                                              (1, 1), (1, 1, 1, 1)), atol=1e-11)


def test_serial_and_threaded_agree_and_keep_dtype(rng):
    # 1.2 MB of patches: split over threads unless BLAS is limited to one thread
    x = rng.standard_normal((8, 16, 16, 16)).astype(np.float32)
    w = rng.standard_normal((5, 16, 3, 3)).astype(np.float32)
    grad_out = rng.standard_normal((8, 5, 16, 16)).astype(np.float32)

    def run():
        return (conv2d(x, w, None, (1, 1), (1, 1, 1, 1)),
                conv2d_input_grad(grad_out, w, (16, 16), (1, 1), (1, 1, 1, 1)),
                conv2d_weight_grad(x, grad_out, (3, 3), (1, 1), (1, 1, 1, 1)))

    threaded = run()
    with threadpool_limits(1):
        serial = run()
    for a, b in zip(threaded, serial):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-4)


def test_non_contiguous_and_broadcast_inputs(rng):
    x = rng.standard_normal((5, 5, 3, 2)).transpose(3, 2, 0, 1)  # (2, 3, 5, 5), strided
    w = rng.standard_normal((4, 3, 1, 1))
    out = conv2d(x, w, None)
    np.testing.assert_allclose(out, conv2d(np.ascontiguousarray(x), w, None), atol=1e-14)
    # the gradient of a sum arrives as a read-only broadcast of ones
    grad_out = np.broadcast_to(np.ones(1), out.shape)
    np.testing.assert_allclose(conv2d_weight_grad(x, grad_out, (1, 1)),
                               conv2d_weight_grad(x, np.ones(out.shape), (1, 1)), atol=1e-13)
    np.testing.assert_allclose(conv2d_input_grad(grad_out, w, (5, 5)),
                               conv2d_input_grad(np.ones(out.shape), w, (5, 5)), atol=1e-13)


def test_im2col_matches_loops_and_col2im_is_its_adjoint(rng):
    x_pad = rng.standard_normal((3, 2, 9, 10))  # (C, n, Hp, Wp)
    kernel, stride, dilation, rows, out_width = (2, 3), (2, 1), (3, 2), (1, 3), 5
    cols = im2col(x_pad, kernel, stride, dilation, rows, out_width,
                  np.empty((3, 2, 3, 2, 2, 5)))
    for i in range(2):
        for j in range(3):
            for r in range(2):
                for q in range(5):
                    np.testing.assert_array_equal(
                        cols[:, i, j, :, r, q],
                        x_pad[:, :, (rows[0] + r) * 2 + i * 3, q + j * 2])
    other = rng.standard_normal(cols.shape)
    back = col2im(other, kernel, stride, dilation, rows, np.zeros_like(x_pad))
    np.testing.assert_allclose(np.sum(cols * other), np.sum(x_pad * back), rtol=1e-12)


def test_zero_sized_batch_and_output(rng):
    assert conv2d(np.zeros((0, 3, 5, 5)), rng.standard_normal((2, 3, 3, 3))).shape == (0, 2, 3, 3)
    grad_w = conv2d_weight_grad(np.zeros((0, 3, 5, 5)), np.zeros((0, 2, 3, 3)), (3, 3))
    np.testing.assert_array_equal(grad_w, np.zeros((2, 3, 3, 3)))


@pytest.mark.parametrize("size, kernel, padding, stride, expected", [
    (32, 5, 0, 1, 28), (7, 3, 0, 2, 3), (32, 5, 2, 1, 32), (7, 3, 0, 3, 2), (4, 3, 1, 2, 2),
    (224, 11, 2, 4, 55), (227, 11, 0, 4, 55)])
def test_conv_output_size_floors_like_pytorch(size, kernel, padding, stride, expected):
    assert conv_output_size(size, kernel, padding, stride) == expected


def test_conv_output_size_strict_rejects_uneven_tilings():
    assert conv_output_size(7, 3, 0, 2, strict=True) == 3
    assert conv_output_size(32, 5, 2, 1, strict=True) == 32
    with pytest.raises(ValueError, match="not divisible by stride 3"):
        conv_output_size(7, 3, 0, 3, strict=True)
    assert conv_output_size(9, 3, 0, 1, dilation=2) == 5
