"""Table rows for detection ops. torchvision cannot be installed beside the pinned torch,
so the RoI rows have no PyTorch reference; tests/vision/test_roi.py checks them against
loop twins of torchvision's kernels. box_iou and decode_boxes are compared with
torchvision's formulas written in torch."""
import math

import numpy as np

from .opinfo import OpInfo


def _ops():
    from visiongrad.vision import ops
    return ops


def _roi_inputs(rng):
    # features and (K, 5) boxes [batch_index, x1, y1, x2, y2] on a 2× larger image,
    # some straddling the border
    x = rng.standard_normal((2, 3, 6, 7))
    corner = rng.uniform(-2, 10, (5, 2))
    boxes = np.concatenate([rng.integers(0, 2, (5, 1)), corner,
                            corner + rng.uniform(1, 8, (5, 2))], axis=1)
    return [x, boxes]


def _roi_align_row(name, **kwargs):
    return OpInfo(f"roi_align_{name}",
                  lambda x, boxes: _ops().roi_align(x, boxes, (3, 2), 0.5, **kwargs),
                  _roi_inputs, grad_inputs=(0,))


def _box_pairs(rng):
    corner = rng.uniform(0, 10, (2, 5, 2))
    boxes = np.concatenate([corner, corner + rng.uniform(1, 8, (2, 5, 2))], axis=2)
    return [boxes[0], boxes[1, :4]]


def _box_iou_torch(t, boxes1, boxes2):
    area1 = (boxes1[:, 2] - boxes1[:, 0]) * (boxes1[:, 3] - boxes1[:, 1])
    area2 = (boxes2[:, 2] - boxes2[:, 0]) * (boxes2[:, 3] - boxes2[:, 1])
    lt = t.max(boxes1[:, None, :2], boxes2[:, :2])
    rb = t.min(boxes1[:, None, 2:], boxes2[:, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[:, :, 0] * wh[:, :, 1]
    return inter / (area1[:, None] + area2 - inter)


def _decode_inputs(rng):
    corner = rng.uniform(0, 10, (6, 2))
    boxes = np.concatenate([corner, corner + rng.uniform(1, 8, (6, 2))], axis=1)
    codes = rng.standard_normal((6, 4))
    codes[0, 2] = 6.0  # above the clamp: a zero size gradient
    return [codes, boxes]


def _decode_torch(t, codes, boxes):
    widths, heights = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    ctr_x, ctr_y = boxes[:, 0] + 0.5 * widths, boxes[:, 1] + 0.5 * heights
    dx, dy = codes[:, 0] / 10, codes[:, 1] / 10
    dw = t.clamp(codes[:, 2] / 5, max=math.log(1000.0 / 16))
    dh = t.clamp(codes[:, 3] / 5, max=math.log(1000.0 / 16))
    pred_ctr_x, pred_ctr_y = dx * widths + ctr_x, dy * heights + ctr_y
    pred_w, pred_h = t.exp(dw) * widths, t.exp(dh) * heights
    return t.stack([pred_ctr_x - 0.5 * pred_w, pred_ctr_y - 0.5 * pred_h,
                    pred_ctr_x + 0.5 * pred_w, pred_ctr_y + 0.5 * pred_h], dim=1)


OPS = [
    OpInfo("roi_pool", lambda x, boxes: _ops().roi_pool(x, boxes, (3, 2), 0.5), _roi_inputs,
           grad_inputs=(0,)),
    _roi_align_row("avg_adaptive"),
    _roi_align_row("avg_sampling2_aligned", sampling_ratio=2, aligned=True),
    _roi_align_row("max_sampling2", sampling_ratio=2, pool="max"),
    OpInfo("box_iou", lambda a, b: _ops().box_iou(a, b), _box_pairs, _box_iou_torch),
    OpInfo("decode_boxes", lambda codes, boxes: _ops().decode_boxes(codes, boxes, (10, 10, 5, 5)),
           _decode_inputs, _decode_torch),
]
