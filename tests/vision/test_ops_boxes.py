"""Box geometry, NMS and the box coder of vg.vision.ops."""
import math

import numpy as np
import pytest

import visiongrad as vg
from visiongrad._kernels import boxes as kernels
from visiongrad.vision import ops


def random_boxes(rng, n, low=0, high=20):
    corner = rng.uniform(low, high, (n, 2))
    return np.concatenate([corner, corner + rng.uniform(1, 10, (n, 2))], axis=1)


def test_box_area():
    boxes = vg.tensor([[0.0, 0.0, 2.0, 3.0], [1.0, 1.0, 1.0, 5.0]])
    np.testing.assert_array_equal(ops.box_area(boxes).numpy(), [6, 0])


def test_box_iou_equals_loop_and_kernel(rng):
    boxes1, boxes2 = random_boxes(rng, 6), random_boxes(rng, 4)
    iou = ops.box_iou(vg.tensor(boxes1), vg.tensor(boxes2)).numpy()
    expected = np.zeros((6, 4))
    for i, a in enumerate(boxes1):
        for j, b in enumerate(boxes2):
            w = max(min(a[2], b[2]) - max(a[0], b[0]), 0)
            h = max(min(a[3], b[3]) - max(a[1], b[1]), 0)
            union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
            expected[i, j] = w * h / union
    np.testing.assert_allclose(iou, expected, rtol=1e-12)
    np.testing.assert_array_equal(iou, kernels.box_iou(boxes1, boxes2))


def test_box_iou_identical_is_one_and_disjoint_is_zero():
    a = vg.tensor([[1.0, 2.0, 4.0, 7.0]])
    assert ops.box_iou(a, a).item() == 1.0
    assert ops.box_iou(a, a + 10).item() == 0.0
    assert ops.box_iou(a, vg.tensor([[1.0, 2.0, 2.5, 7.0]])).item() == 0.5


def test_box_iou_is_differentiable():
    a = vg.tensor([[0.0, 0.0, 4.0, 4.0]], dtype=vg.float64, requires_grad=True)
    b = vg.tensor([[2.0, 0.0, 6.0, 4.0]], dtype=vg.float64)
    ops.box_iou(a, b).sum().backward()
    # inter = 4 (x2 - 2) and union = 4 x2 + 16 - inter = 24, so dIoU/dx2 = 4 / 24; and
    # moving x1 right shrinks only the union (by 4 per unit): dIoU/dx1 = inter · 4 / 24²
    np.testing.assert_allclose(a.grad.numpy()[0, [0, 2]], [32 / 576, 1 / 6], rtol=1e-12)


@pytest.mark.parametrize("in_fmt", ["xyxy", "xywh", "cxcywh"])
@pytest.mark.parametrize("out_fmt", ["xyxy", "xywh", "cxcywh"])
def test_box_convert_round_trip(in_fmt, out_fmt, rng):
    boxes = vg.tensor(random_boxes(rng, 5))
    there = ops.box_convert(boxes, in_fmt, out_fmt)
    np.testing.assert_allclose(ops.box_convert(there, out_fmt, in_fmt).numpy(), boxes.numpy(),
                               atol=1e-12)


def test_box_convert_values():
    boxes = vg.tensor([[1.0, 2.0, 5.0, 8.0]])
    np.testing.assert_array_equal(ops.box_convert(boxes, "xyxy", "xywh").numpy(), [[1, 2, 4, 6]])
    np.testing.assert_array_equal(ops.box_convert(boxes, "xyxy", "cxcywh").numpy(), [[3, 5, 4, 6]])
    np.testing.assert_array_equal(ops.box_convert(vg.tensor([[3.0, 5.0, 4.0, 6.0]]), "cxcywh",
                                                  "xyxy").numpy(), boxes.numpy())
    with pytest.raises(ValueError, match="out_fmt.*'xyxy'.*'yxyx'"):
        ops.box_convert(boxes, "xyxy", "yxyx")


def test_clip_boxes_to_image_and_remove_small_boxes():
    boxes = vg.tensor([[-3.0, 2.0, 12.0, 30.0], [1.0, 1.0, 1.5, 9.0], [2.0, 2.0, 4.0, 4.0]])
    clipped = ops.clip_boxes_to_image(boxes, (20, 10))
    np.testing.assert_array_equal(clipped.numpy(), [[0, 2, 10, 20], [1, 1, 1.5, 9], [2, 2, 4, 4]])
    kept = ops.remove_small_boxes(clipped, 1.0)
    assert kept.dtype == vg.int64
    np.testing.assert_array_equal(kept.numpy(), [0, 2])


def test_nms_wraps_the_kernel(rng):
    boxes, scores = random_boxes(rng, 40), rng.random(40)
    kept = ops.nms(vg.tensor(boxes), vg.tensor(scores), 0.4)
    assert kept.dtype == vg.int64
    np.testing.assert_array_equal(kept.numpy(), kernels.nms(boxes, scores, 0.4))
    with pytest.raises(ValueError, match=r"scores .*\(40,\).*\(39,\)"):
        ops.nms(vg.tensor(boxes), vg.tensor(scores[:39]), 0.4)
    with pytest.raises(ValueError, match=r"boxes .*\(N, 4\).*\(40, 3\)"):
        ops.nms(vg.tensor(boxes[:, :3]), vg.tensor(scores), 0.4)


def test_nms_keeps_equal_iou_and_orders_ties_stably():
    # float64: IoU 3 / 5 is exactly the threshold 0.6
    boxes = vg.tensor([[0.0, 0, 4, 1], [1, 0, 5, 1], [10, 10, 11, 11]], dtype=vg.float64)
    scores = vg.tensor([0.5, 0.9, 0.5], dtype=vg.float64)
    np.testing.assert_array_equal(ops.nms(boxes, scores, 0.6).numpy(), [1, 0, 2])
    np.testing.assert_array_equal(ops.nms(boxes, scores, 0.59).numpy(), [1, 2])


def test_batched_nms_equals_per_class_nms_merged():
    rng = np.random.default_rng(2)
    for _ in range(300):
        n = int(rng.integers(1, 25))
        boxes, scores = random_boxes(rng, n, high=15), rng.random(n)
        idxs = rng.integers(0, 3, n)
        kept = ops.batched_nms(vg.tensor(boxes), vg.tensor(scores), vg.tensor(idxs), 0.3).numpy()
        merged = np.concatenate([np.nonzero(idxs == c)[0][kernels.nms(boxes[idxs == c],
                                                                      scores[idxs == c], 0.3)]
                                 for c in np.unique(idxs)])
        merged = merged[np.argsort(-scores[merged], kind="stable")]
        np.testing.assert_array_equal(kept, merged)
    empty = ops.batched_nms(vg.tensor(np.zeros((0, 4))), vg.tensor(np.zeros(0)),
                            vg.tensor(np.zeros(0, dtype=np.int64)), 0.5)
    assert empty.shape == (0,) and empty.dtype == vg.int64


def test_encode_boxes_values():
    proposals = vg.tensor([[0.0, 0.0, 10.0, 10.0]])
    boxes = vg.tensor([[5.0, 5.0, 25.0, 15.0]])
    np.testing.assert_allclose(ops.encode_boxes(boxes, proposals).numpy(),
                               [[1.0, 0.5, math.log(2), 0.0]], atol=1e-12)
    np.testing.assert_allclose(ops.encode_boxes(boxes, proposals, (10, 10, 5, 5)).numpy(),
                               [[10.0, 5.0, 5 * math.log(2), 0.0]], atol=1e-12)


@pytest.mark.parametrize("weights", [(1.0, 1.0, 1.0, 1.0), (10.0, 10.0, 5.0, 5.0)])
def test_decode_inverts_encode(weights, rng):
    proposals, boxes = vg.tensor(random_boxes(rng, 20)), vg.tensor(random_boxes(rng, 20))
    codes = ops.encode_boxes(boxes, proposals, weights)
    np.testing.assert_allclose(ops.decode_boxes(codes, proposals, weights).numpy(),
                               boxes.numpy(), atol=1e-6)


def test_decode_clamps_log_sizes():
    proposals = vg.tensor([[0.0, 0.0, 2.0, 4.0]], dtype=vg.float64)
    codes = vg.tensor([[0.0, 0.0, 10.0, 1.0]], dtype=vg.float64)
    decoded = ops.decode_boxes(codes, proposals).numpy()
    width, height = decoded[0, 2] - decoded[0, 0], decoded[0, 3] - decoded[0, 1]
    np.testing.assert_allclose([width, height], [2 * 1000 / 16, 4 * math.e], rtol=1e-12)
