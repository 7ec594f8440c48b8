"""RoI Pool and RoI Align: golden numbers (d2l, detectron2), loop twins written from
torchvision's C++ kernels (roi_pool_kernel.cpp, roi_align_kernel.cpp; MMCV's
roi_align for pool='max'), gradients and the front ends."""
import math

import numpy as np
import pytest

import visiongrad as vg
from visiongrad._kernels import roi as kernels
from visiongrad.autograd import gradcheck
from visiongrad.testing import make_inputs
from visiongrad.testing.ops_detection import OPS
from visiongrad.vision import ops


def c_round(v):
    return math.floor(v + 0.5) if v >= 0 else -math.floor(-v + 0.5)


def loop_roi_pool(x, rois, PH, PW, spatial_scale):
    N, C, H, W = x.shape
    out = np.zeros((len(rois), C, PH, PW), dtype=x.dtype)
    argmax = np.full(out.shape, -1, dtype=np.int64)
    for k, roi in enumerate(rois):
        b = int(roi[0])
        x1, y1, x2, y2 = (c_round(v * spatial_scale) for v in roi[1:])
        roi_w, roi_h = max(x2 - x1 + 1, 1), max(y2 - y1 + 1, 1)
        bin_h, bin_w = roi_h / PH, roi_w / PW
        for ph in range(PH):
            for pw in range(PW):
                hs = min(max(math.floor(ph * bin_h) + y1, 0), H)
                he = min(max(math.ceil((ph + 1) * bin_h) + y1, 0), H)
                ws = min(max(math.floor(pw * bin_w) + x1, 0), W)
                we = min(max(math.ceil((pw + 1) * bin_w) + x1, 0), W)
                empty = he <= hs or we <= ws
                for c in range(C):
                    best, where = (0.0 if empty else -np.inf), -1
                    for h in range(hs, he):
                        for w in range(ws, we):
                            if x[b, c, h, w] > best:
                                best, where = x[b, c, h, w], h * W + w
                    out[k, c, ph, pw], argmax[k, c, ph, pw] = best, where
    return out, argmax


def loop_roi_pool_backward(grad_output, rois, argmax, shape):
    grad = np.zeros(shape)
    N, C, H, W = shape
    for k, c, ph, pw in np.ndindex(*grad_output.shape):
        if argmax[k, c, ph, pw] >= 0:
            h, w = divmod(argmax[k, c, ph, pw], W)
            grad[int(rois[k, 0]), c, h, w] += grad_output[k, c, ph, pw]
    return grad


def bilinear_corners(H, W, y, x):
    """[(weight, row, col)] of a sample point, torchvision's bilinear_interpolate."""
    if y < -1.0 or y > H or x < -1.0 or x > W:
        return []
    y, x = max(y, 0.0), max(x, 0.0)
    y_low, x_low = int(y), int(x)
    if y_low >= H - 1:
        y_high = y_low = H - 1
        y = float(y_low)
    else:
        y_high = y_low + 1
    if x_low >= W - 1:
        x_high = x_low = W - 1
        x = float(x_low)
    else:
        x_high = x_low + 1
    ly, lx = y - y_low, x - x_low
    hy, hx = 1 - ly, 1 - lx
    return [(hy * hx, y_low, x_low), (hy * lx, y_low, x_high),
            (ly * hx, y_high, x_low), (ly * lx, y_high, x_high)]


def loop_roi_align(x, rois, PH, PW, spatial_scale, sampling_ratio, aligned, pool="avg",
                   grad_output=None):
    """The forward output, or with grad_output the gradient w.r.t. x."""
    N, C, H, W = x.shape
    out = np.zeros((len(rois), C, PH, PW))
    grad = np.zeros(x.shape)
    offset = 0.5 if aligned else 0.0
    for k, roi in enumerate(rois):
        b = int(roi[0])
        x1, y1, x2, y2 = (v * spatial_scale - offset for v in roi[1:])
        roi_w, roi_h = x2 - x1, y2 - y1
        if not aligned:
            roi_w, roi_h = max(roi_w, 1.0), max(roi_h, 1.0)
        bin_h, bin_w = roi_h / PH, roi_w / PW
        grid_h = sampling_ratio if sampling_ratio > 0 else math.ceil(roi_h / PH)
        grid_w = sampling_ratio if sampling_ratio > 0 else math.ceil(roi_w / PW)
        count = max(grid_h * grid_w, 1)
        for c, ph, pw in np.ndindex(C, PH, PW):
            total, best, best_corners = 0.0, -np.inf, []
            for iy in range(grid_h):
                y = y1 + ph * bin_h + (iy + 0.5) * bin_h / grid_h
                for ix in range(grid_w):
                    xx = x1 + pw * bin_w + (ix + 0.5) * bin_w / grid_w
                    corners = bilinear_corners(H, W, y, xx)
                    value = sum(w * x[b, c, r, s] for w, r, s in corners)
                    total += value
                    if value > best:
                        best, best_corners = value, corners
                    if grad_output is not None and pool == "avg":
                        for w, r, s in corners:
                            grad[b, c, r, s] += grad_output[k, c, ph, pw] * w / count
            if pool == "avg":
                out[k, c, ph, pw] = total / count
            else:
                out[k, c, ph, pw] = best if grid_h * grid_w > 0 else 0.0
                if grad_output is not None:
                    for w, r, s in best_corners:
                        grad[b, c, r, s] += grad_output[k, c, ph, pw] * w
    return out if grad_output is None else grad


def random_rois(rng, K, N, H, W, spatial_scale):
    """Boxes in image coordinates: inside, straddling the border, tiny and inverted."""
    size = np.array([W, H]) / spatial_scale
    corner = rng.uniform(-0.3, 1.0, (K, 2)) * size
    extent = rng.uniform(-0.05, 0.8, (K, 2)) * size
    batch = rng.integers(0, N, (K, 1))
    return np.concatenate([batch, corner, corner + extent], axis=1)


def test_roi_pool_golden_d2l():
    X = vg.arange(16, dtype=vg.float32).reshape(1, 1, 4, 4)
    rois = vg.tensor([[0, 0, 0, 20, 20], [0, 0, 10, 30, 30]], dtype=vg.float32)
    out = ops.roi_pool(X, rois, output_size=(2, 2), spatial_scale=0.1)
    np.testing.assert_array_equal(out.numpy(), [[[[5, 6], [9, 10]]], [[[9, 11], [13, 15]]]])
    assert out.dtype == vg.float32


@pytest.mark.parametrize("aligned, expected", [
    (False, [[7.5, 8, 8.5, 9], [10, 10.5, 11, 11.5], [12.5, 13, 13.5, 14], [15, 15.5, 16, 16.5]]),
    (True, [[4.5, 5, 5.5, 6], [7, 7.5, 8, 8.5], [9.5, 10, 10.5, 11], [12, 12.5, 13, 13.5]]),
])
def test_roi_align_golden_detectron2(aligned, expected):
    X = vg.arange(25, dtype=vg.float64).reshape(1, 1, 5, 5)
    boxes = [vg.tensor([[1.0, 1.0, 3.0, 3.0]])]
    out = ops.roi_align(X, boxes, 4, spatial_scale=1.0, sampling_ratio=0, aligned=aligned)
    np.testing.assert_allclose(out.numpy()[0, 0], expected, atol=1e-12)


@pytest.mark.parametrize("pool", ["avg", "max"])
def test_roi_align_empty_box_gives_zeros_and_zero_gradient(pool):
    X = vg.tensor(np.random.default_rng(0).random((1, 1, 5, 5)), requires_grad=True)
    out = ops.roi_align(X, [vg.tensor([[3.0, 4.0, 5.0, 4.0]])], 7, aligned=True, pool=pool)
    assert out.shape == (1, 1, 7, 7) and np.all(out.numpy() == 0)
    out.sum().backward()
    assert np.all(X.grad.numpy() == 0)


def test_roi_align_scale_invariance():
    # a 2 × 2 block mean is the ×2 bilinear downsample; the box on it is halved
    image = np.random.default_rng(0).random((1, 1, 30, 30)).astype(np.float32) * 100
    half = image.reshape(1, 1, 15, 2, 15, 2).mean(axis=(3, 5))
    box = np.array([[10.0, 10.0, 20.0, 20.0]], dtype=np.float32)
    out = ops.roi_align(vg.tensor(image), [vg.tensor(box)], 5, aligned=True)
    out_half = ops.roi_align(vg.tensor(half), [vg.tensor(box / 2)], 5, aligned=True)
    assert np.abs(out.numpy() - out_half.numpy()).max() < 1e-4


@pytest.mark.parametrize("spatial_scale, output_size",
                         [(1.0, (2, 2)), (0.5, (3, 2)), (0.25, (1, 4))])
def test_roi_pool_equals_loop(spatial_scale, output_size):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 9, 11))
    rois = random_rois(rng, 12, 2, 9, 11, spatial_scale)
    out, argmax = kernels.roi_pool(x, rois, output_size, spatial_scale)
    expected, expected_argmax = loop_roi_pool(x, rois, *output_size, spatial_scale)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(argmax, expected_argmax)
    grad_output = rng.standard_normal(out.shape)
    np.testing.assert_allclose(kernels.roi_pool_backward(grad_output, rois, argmax, x.shape),
                               loop_roi_pool_backward(grad_output, rois, argmax, x.shape),
                               atol=1e-12)


def test_roi_pool_ties_take_the_first_cell():
    x = np.ones((1, 1, 4, 4))
    out, argmax = kernels.roi_pool(x, np.array([[0.0, 1, 1, 3, 3]]), (1, 1), 1.0)
    assert out[0, 0, 0, 0] == 1 and argmax[0, 0, 0, 0] == 1 * 4 + 1


@pytest.mark.parametrize("pool", ["avg", "max"])
@pytest.mark.parametrize("aligned", [False, True])
@pytest.mark.parametrize("sampling_ratio", [-1, 0, 1, 2])
def test_roi_align_equals_loop(sampling_ratio, aligned, pool):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 2, 7, 8))
    rois = random_rois(rng, 8, 2, 7, 8, 0.5)
    out, argmax = kernels.roi_align(x, rois, (3, 2), 0.5, sampling_ratio, aligned, pool)
    np.testing.assert_allclose(out, loop_roi_align(x, rois, 3, 2, 0.5, sampling_ratio, aligned,
                                                   pool), atol=1e-12)
    grad_output = rng.standard_normal(out.shape)
    grad = kernels.roi_align_backward(grad_output, rois, x.shape, (3, 2), 0.5, sampling_ratio,
                                      aligned, argmax)
    expected = loop_roi_align(x, rois, 3, 2, 0.5, sampling_ratio, aligned, pool, grad_output)
    np.testing.assert_allclose(grad, expected, atol=1e-12)


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_table_rows_gradcheck(op):
    inputs = make_inputs(op, np.random.default_rng(0))
    assert gradcheck(op.fn, inputs, atol=op.grad_atol, rtol=op.grad_rtol)


@pytest.mark.parametrize("fn", [ops.roi_pool, ops.roi_align])
def test_box_list_equals_box_tensor(fn):
    rng = np.random.default_rng(7)
    X = vg.tensor(rng.standard_normal((2, 3, 8, 8)))
    per_image = [rng.uniform(0, 7, (3, 4)), rng.uniform(0, 7, (2, 4))]
    per_image = [np.concatenate([b[:, :2], b[:, :2] + b[:, 2:] / 2], axis=1) for b in per_image]
    rows = np.concatenate([np.concatenate([np.full((len(b), 1), i), b], axis=1)
                           for i, b in enumerate(per_image)])
    from_list = fn(X, [vg.tensor(b) for b in per_image], (2, 3))
    np.testing.assert_array_equal(from_list.numpy(), fn(X, vg.tensor(rows), (2, 3)).numpy())


def test_modules_equal_functions():
    rng = np.random.default_rng(8)
    X = vg.tensor(rng.standard_normal((1, 2, 6, 6)))
    boxes = vg.tensor([[0.0, 1.0, 1.0, 9.0, 7.0]])
    np.testing.assert_array_equal(ops.RoIAlign((2, 2), 0.5, 2, aligned=True)(X, boxes).numpy(),
                                  ops.roi_align(X, boxes, 2, 0.5, 2, True).numpy())
    np.testing.assert_array_equal(ops.RoIPool(3, 0.5)(X, boxes).numpy(),
                                  ops.roi_pool(X, boxes, 3, 0.5).numpy())
    assert repr(ops.RoIPool(3, 0.5)) == "RoIPool(output_size=3, spatial_scale=0.5)"


def test_no_boxes_give_empty_output():
    X = vg.tensor(np.ones((1, 2, 4, 4)), requires_grad=True)
    for pool in ("avg", "max"):
        out = ops.roi_align(X, vg.tensor(np.zeros((0, 5))), 2, pool=pool)
        assert out.shape == (0, 2, 2, 2)
        out.sum().backward()
        assert np.all(X.grad.numpy() == 0)
    assert ops.roi_pool(X, [vg.tensor(np.zeros((0, 4)))], 2).shape == (0, 2, 2, 2)


def test_errors_name_the_argument():
    X = vg.tensor(np.ones((1, 1, 4, 4)))
    with pytest.raises(ValueError, match=r"boxes .*\(K, 5\).*\(3, 4\)"):
        ops.roi_align(X, vg.tensor(np.zeros((3, 4))), 2)
    with pytest.raises(ValueError, match=r"boxes\[0\].*\(K_i, 4\).*\(3, 5\)"):
        ops.roi_pool(X, [vg.tensor(np.zeros((3, 5)))], 2)
    with pytest.raises(ValueError, match=r"batch indices.*\[0, 1\).*\[2\]"):
        ops.roi_pool(X, vg.tensor([[2.0, 0, 0, 1, 1]]), 2)
    with pytest.raises(ValueError, match="pool.*'avg' or 'max'.*'sum'"):
        ops.roi_align(X, vg.tensor([[0.0, 0, 0, 1, 1]]), 2, pool="sum")
    with pytest.raises(ValueError, match="output_size.*0"):
        ops.roi_align(X, vg.tensor([[0.0, 0, 0, 1, 1]]), (2, 0))
    with pytest.raises(TypeError, match="boxes.*ndarray"):
        ops.roi_pool(X, np.zeros((1, 5)), 2)
