"""Box geometry for detection: areas, pairwise IoU and greedy non-maximum suppression.

Boxes are (x1, y1, x2, y2) with x1 <= x2 and y1 <= y2, in continuous coordinates: a box's
width is x2 - x1 (no "+ 1" pixel convention), as in torchvision.ops.
"""
import numpy as np

from .._backend import xp


def box_area(boxes):
    """boxes: (..., 4) xyxy → (...,) areas (x2 - x1) · (y2 - y1)."""
    return (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])


def box_iou(boxes1, boxes2):
    """Pairwise intersection over union.

    boxes1: (N, 4), boxes2: (M, 4) xyxy → (N, M). Two empty boxes give 0 / 0 = nan, as
    in torchvision.
    """
    area1, area2 = box_area(boxes1), box_area(boxes2)
    top_left = xp.maximum(boxes1[:, None, :2], boxes2[None, :, :2])  # (N, M, 2)
    bottom_right = xp.minimum(boxes1[:, None, 2:], boxes2[None, :, 2:])
    wh = xp.clip(bottom_right - top_left, 0, None)
    inter = wh[..., 0] * wh[..., 1]
    # (area1 + area2) - inter: the order of torchvision's NMS kernel, so an IoU that
    # equals the threshold there equals it here too
    with np.errstate(invalid="ignore", divide="ignore"):
        return inter / (area1[:, None] + area2[None, :] - inter)


def nms(boxes, scores, iou_threshold):
    """Greedy non-maximum suppression.

    boxes: (N, 4) xyxy; scores: (N,) → int64 (K,) indices of the kept boxes, by
    decreasing score. Repeatedly keep the highest-scoring box left and discard every box
    whose IoU with it is strictly greater than ``iou_threshold`` (a box at exactly the
    threshold survives). The sort is stable, so boxes of equal score are visited, and
    returned, in input order; torchvision leaves ties implementation-defined.
    """
    order = xp.argsort(-scores, kind="stable")
    # the comparison is in float64 like torchvision's C++ (float IoU > double threshold);
    # NumPy would otherwise round the threshold to the boxes' float32
    overlaps = box_iou(boxes[order], boxes[order]).astype(np.float64) > iou_threshold
    suppressed = xp.zeros(len(order), dtype=bool)
    keep = []
    for i in range(len(order)):
        if suppressed[i]:
            continue
        keep.append(i)
        suppressed |= overlaps[i]
    return order[xp.asarray(keep, dtype=np.int64)]
