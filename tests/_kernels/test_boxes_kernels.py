"""Box kernels against loop twins written from torchvision's C++ NMS kernel
(torchvision/csrc/ops/cpu/nms_kernel.cpp) and the definition of IoU."""
import numpy as np
import pytest

from visiongrad._kernels import boxes as kernels


def loop_iou(boxes1, boxes2):
    out = np.zeros((len(boxes1), len(boxes2)), dtype=boxes1.dtype)
    for i, (ax1, ay1, ax2, ay2) in enumerate(boxes1):
        for j, (bx1, by1, bx2, by2) in enumerate(boxes2):
            w = max(min(ax2, bx2) - max(ax1, bx1), 0)
            h = max(min(ay2, by2) - max(ay1, by1), 0)
            inter = w * h
            out[i, j] = inter / ((ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter)
    return out


def loop_nms(boxes, scores, iou_threshold):
    # a stable descending sort: Python's sort is stable
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    areas = [(x2 - x1) * (y2 - y1) for x1, y1, x2, y2 in boxes]
    suppressed = [False] * len(scores)
    keep = []
    for a, i in enumerate(order):
        if suppressed[i]:
            continue
        keep.append(i)
        for j in order[a + 1:]:
            if suppressed[j]:
                continue
            w = max(0, min(boxes[i][2], boxes[j][2]) - max(boxes[i][0], boxes[j][0]))
            h = max(0, min(boxes[i][3], boxes[j][3]) - max(boxes[i][1], boxes[j][1]))
            inter = w * h
            # a float (box dtype) IoU against a double threshold, as in C++
            if float(inter / (areas[i] + areas[j] - inter)) > iou_threshold:
                suppressed[j] = True
    return np.array(keep, dtype=np.int64)


def random_boxes(rng, n, integer=False, dtype=np.float64):
    corner = rng.uniform(0, 20, (n, 2))
    size = rng.uniform(1, 10, (n, 2))
    boxes = np.concatenate([corner, corner + size], axis=1)
    return (np.round(boxes) if integer else boxes).astype(dtype)


def test_box_area():
    boxes = np.array([[0, 0, 2, 3], [1, 1, 1, 5], [-1, -2, 3, 2.5]])
    np.testing.assert_array_equal(kernels.box_area(boxes), [6, 0, 18])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_box_iou_equals_loop(rng, dtype):
    boxes1, boxes2 = random_boxes(rng, 7, dtype=dtype), random_boxes(rng, 5, dtype=dtype)
    iou = kernels.box_iou(boxes1, boxes2)
    assert iou.shape == (7, 5) and iou.dtype == dtype
    np.testing.assert_allclose(iou, loop_iou(boxes1, boxes2), rtol=1e-6, atol=0)


def test_box_iou_identical_and_disjoint():
    a = np.array([[1.0, 2.0, 4.0, 7.0]])
    assert kernels.box_iou(a, a)[0, 0] == 1.0
    assert kernels.box_iou(a, a + [3.0, 0, 3.0, 0])[0, 0] == 0.0  # touching edges
    assert kernels.box_iou(a, a + 10)[0, 0] == 0.0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_nms_equals_loop_on_random_cases(dtype):
    rng = np.random.default_rng(1)
    for case in range(3000):
        n = int(rng.integers(0, 12))
        # integer corners and scores give exact IoU ties with the threshold and equal
        # scores; continuous ones the generic case
        integer = case % 2 == 0
        boxes = random_boxes(rng, n, integer=integer, dtype=dtype)
        scores = (rng.integers(0, 4, n) if integer else rng.random(n)).astype(dtype)
        threshold = float(rng.choice([0.0, 0.25, 0.5, 0.6, 1 / 3, 0.7, 1.0]))
        expected = loop_nms(boxes, scores, threshold)
        np.testing.assert_array_equal(kernels.nms(boxes, scores, threshold), expected)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_nms_keeps_iou_equal_to_threshold(dtype):
    # intersection 3, union 5: IoU is exactly the float nearest 0.6
    boxes = np.array([[0, 0, 4, 1], [1, 0, 5, 1]], dtype=dtype)
    scores = np.array([0.9, 0.8], dtype=dtype)
    iou = float(kernels.box_iou(boxes, boxes)[0, 1])
    kept = kernels.nms(boxes, scores, iou)
    np.testing.assert_array_equal(kept, [0, 1])
    np.testing.assert_array_equal(kernels.nms(boxes, scores, np.nextafter(iou, 0)), [0])


def test_nms_float32_compares_in_float64():
    # float32(0.6) > 0.6: torchvision's C++ compares in double and suppresses
    boxes = np.array([[0, 0, 4, 1], [1, 0, 5, 1]], dtype=np.float32)
    np.testing.assert_array_equal(kernels.nms(boxes, np.array([2, 1], np.float32), 0.6), [0])


def test_nms_ties_keep_input_order():
    boxes = np.array([[0, 0, 1, 1], [5, 5, 6, 6], [0, 0, 1, 1], [10, 10, 11, 11]], float)
    scores = np.array([0.5, 0.9, 0.5, 0.5])
    np.testing.assert_array_equal(kernels.nms(boxes, scores, 0.5), [1, 0, 3])


def test_nms_order_and_empty():
    boxes = random_boxes(np.random.default_rng(3), 30)
    scores = np.random.default_rng(4).random(30)
    kept = kernels.nms(boxes, scores, 0.3)
    assert np.all(np.diff(scores[kept]) <= 0)
    assert np.all(kernels.box_iou(boxes[kept], boxes[kept])[np.triu_indices(len(kept), 1)] <= 0.3)
    empty = kernels.nms(np.zeros((0, 4)), np.zeros(0), 0.5)
    assert empty.shape == (0,) and empty.dtype == np.int64
