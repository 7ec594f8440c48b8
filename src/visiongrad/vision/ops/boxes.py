"""Boxes as Tensors: geometry (differentiable, composed of Tensor ops) and NMS (index
selection on the array kernels of ``_kernels.boxes``).

Boxes are (x1, y1, x2, y2) unless said otherwise, with 0 <= x1 <= x2, 0 <= y1 <= y2.
"""
import numpy as np

from ..._kernels import boxes as kernels
from ...tensor import Tensor, maximum, minimum, stack

_FORMATS = ("xyxy", "xywh", "cxcywh")


def _check_boxes(name, boxes, fn):
    if not isinstance(boxes, Tensor):
        raise TypeError(f"{fn}: {name} should be a Tensor, but got {type(boxes).__name__}")
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"{fn}: {name} should have shape (N, 4), but got {tuple(boxes.shape)}")


def box_area(boxes):
    """boxes: (N, 4) xyxy → (N,) areas (x2 - x1) · (y2 - y1)."""
    _check_boxes("boxes", boxes, "box_area")
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def box_iou(boxes1, boxes2):
    """Pairwise intersection over union: boxes1 (N, 4), boxes2 (M, 4) xyxy → (N, M).

    Differentiable in both inputs; two empty boxes give nan (0 / 0), as in torchvision.
    """
    _check_boxes("boxes1", boxes1, "box_iou")
    _check_boxes("boxes2", boxes2, "box_iou")
    area1, area2 = box_area(boxes1), box_area(boxes2)
    top_left = maximum(boxes1[:, None, :2], boxes2[:, :2])  # (N, M, 2)
    bottom_right = minimum(boxes1[:, None, 2:], boxes2[:, 2:])
    wh = (bottom_right - top_left).clamp(min=0)
    inter = wh[:, :, 0] * wh[:, :, 1]
    return inter / (area1[:, None] + area2 - inter)


def box_convert(boxes, in_fmt, out_fmt):
    """Convert boxes (N, 4) between 'xyxy' (corners), 'xywh' (top-left corner, width,
    height) and 'cxcywh' (centre, width, height) → (N, 4)."""
    _check_boxes("boxes", boxes, "box_convert")
    for name, fmt in (("in_fmt", in_fmt), ("out_fmt", out_fmt)):
        if fmt not in _FORMATS:
            raise ValueError(f"box_convert: {name} should be one of {_FORMATS}, but got {fmt!r}")
    if in_fmt == out_fmt:
        return boxes.clone()
    a, b, c, d = (boxes[:, i] for i in range(4))
    if in_fmt == "xywh":
        a, b, c, d = a, b, a + c, b + d
    elif in_fmt == "cxcywh":
        a, b, c, d = a - 0.5 * c, b - 0.5 * d, a + 0.5 * c, b + 0.5 * d
    if out_fmt == "xywh":
        a, b, c, d = a, b, c - a, d - b
    elif out_fmt == "cxcywh":
        a, b, c, d = (a + c) / 2, (b + d) / 2, c - a, d - b
    return stack([a, b, c, d], dim=-1)


def clip_boxes_to_image(boxes, size):
    """Clamp boxes (N, 4) xyxy into an image of size (height, width) → (N, 4)."""
    _check_boxes("boxes", boxes, "clip_boxes_to_image")
    height, width = size
    x1, y1, x2, y2 = (boxes[:, i].clamp(min=0, max=limit)
                      for i, limit in enumerate((width, height, width, height)))
    return stack([x1, y1, x2, y2], dim=-1)


def remove_small_boxes(boxes, min_size):
    """int64 (K,) indices of the boxes (N, 4) xyxy whose width and height are both at
    least ``min_size``, in input order."""
    _check_boxes("boxes", boxes, "remove_small_boxes")
    wh = boxes.data[:, 2:] - boxes.data[:, :2]
    return Tensor._wrap(np.nonzero((wh >= min_size).all(axis=1))[0].astype(np.int64))


def nms(boxes, scores, iou_threshold):
    """Greedy non-maximum suppression: boxes (N, 4) xyxy, scores (N,) → int64 (K,)
    indices of the kept boxes by decreasing score.

    Keeps the highest-scoring box, discards those with IoU strictly greater than
    ``iou_threshold`` with it, and repeats. Equal scores keep input order (a stable
    sort; torchvision leaves ties implementation-defined).
    """
    _check_boxes("boxes", boxes, "nms")
    if scores.shape != (boxes.shape[0],):
        raise ValueError(f"nms: scores should have shape ({boxes.shape[0]},) to match boxes, "
                         f"but got {tuple(scores.shape)}")
    return Tensor._wrap(kernels.nms(boxes.data, scores.data, iou_threshold))


def batched_nms(boxes, scores, idxs, iou_threshold):
    """NMS within each category: boxes (N, 4) xyxy, scores (N,), idxs (N,) integer
    categories → int64 (K,) indices kept, by decreasing score.

    As torchvision, the boxes of category i are shifted by i · (max coordinate + 1) so
    that boxes of different categories never overlap, and one NMS runs on them all.
    That separation assumes non-negative coordinates.
    """
    _check_boxes("boxes", boxes, "batched_nms")
    N = boxes.shape[0]
    for name, value in (("scores", scores), ("idxs", idxs)):
        if value.shape != (N,):
            raise ValueError(f"batched_nms: {name} should have shape ({N},) to match boxes, "
                             f"but got {tuple(value.shape)}")
    if N == 0:
        return Tensor._wrap(np.zeros(0, dtype=np.int64))
    data = boxes.data
    offsets = idxs.data.astype(data.dtype) * (data.max() + data.dtype.type(1))
    return Tensor._wrap(kernels.nms(data + offsets[:, None], scores.data, iou_threshold))
