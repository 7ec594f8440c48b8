"""Faster R-CNN's box parameterisation (torchvision's ``BoxCoder``): a box b relative to
a proposal p is t = (wx (b_x - p_x) / p_w, wy (b_y - p_y) / p_h, ww log(b_w / p_w),
wh log(b_h / p_h)) with centres (x, y) and sizes w = x2 - x1, h = y2 - y1."""
import math

from ...tensor import stack

# above log(1000 / 16) the exponential of a predicted size would overflow training
BBOX_XFORM_CLIP = math.log(1000.0 / 16)


def _centres_sizes(boxes):
    widths = boxes[:, 2] - boxes[:, 0]
    heights = boxes[:, 3] - boxes[:, 1]
    return boxes[:, 0] + 0.5 * widths, boxes[:, 1] + 0.5 * heights, widths, heights


def encode_boxes(reference_boxes, proposals, weights=(1.0, 1.0, 1.0, 1.0)):
    """Regression targets of reference_boxes (N, 4) xyxy relative to proposals (N, 4)
    xyxy → (N, 4) (t_x, t_y, t_w, t_h). Faster R-CNN's heads use weights (10, 10, 5, 5)."""
    wx, wy, ww, wh = weights
    px, py, pw, ph = _centres_sizes(proposals)
    bx, by, bw, bh = _centres_sizes(reference_boxes)
    return stack([wx * (bx - px) / pw, wy * (by - py) / ph,
                  ww * (bw / pw).log(), wh * (bh / ph).log()], dim=-1)


def decode_boxes(rel_codes, boxes, weights=(1.0, 1.0, 1.0, 1.0), bbox_xform_clip=BBOX_XFORM_CLIP):
    """Apply rel_codes (N, 4) (t_x, t_y, t_w, t_h) to boxes (N, 4) xyxy → (N, 4) xyxy:
    b_x = p_x + p_w t_x, b_y = p_y + p_h t_y, b_w = p_w exp(t_w), b_h = p_h exp(t_h),
    with t_w and t_h first clamped at ``bbox_xform_clip``."""
    wx, wy, ww, wh = weights
    px, py, pw, ph = _centres_sizes(boxes)
    dx, dy = rel_codes[:, 0] / wx, rel_codes[:, 1] / wy
    dw = (rel_codes[:, 2] / ww).clamp(max=bbox_xform_clip)
    dh = (rel_codes[:, 3] / wh).clamp(max=bbox_xform_clip)
    cx, cy = dx * pw + px, dy * ph + py
    half_w, half_h = 0.5 * dw.exp() * pw, 0.5 * dh.exp() * ph
    return stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], dim=-1)
