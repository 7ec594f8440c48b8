"""Bounding boxes through the geometric functions, so that a detection target follows
its image: torchvision v2's ``*_bounding_boxes`` functions for the XYXY format.

Boxes are (N, 4) arrays or Tensors of (x1, y1, x2, y2) in pixel-edge coordinates (the
image spans [0, W] × [0, H]); ``canvas_size`` is the image's (H, W) before the
transform. Calling the image function and the box function with the same arguments
keeps them aligned; masks need no functions of their own, they are images (use
'nearest'). Boxes are clamped to the new canvas where torchvision clamps them; boxes
that end up empty are kept (filter them with box_area).
"""
import numbers

import numpy as np

from ...tensor import Tensor, get_default_dtype
from ._geometry import _get_inverse_affine_matrix, _padding_ltrb, _resized_output_size, _shear_pair
from ._image import pair, wrap


def _unwrap_boxes(boxes, owner):
    if isinstance(boxes, Tensor):
        array, is_tensor = boxes.data, True
    elif isinstance(boxes, np.ndarray):
        array, is_tensor = boxes, False
    else:
        raise TypeError(f"{owner}: boxes should be a Tensor or a numpy.ndarray, "
                        f"but got {type(boxes).__name__}")
    if array.ndim != 2 or array.shape[1] != 4:
        raise ValueError(f"{owner}: boxes should have shape (N, 4) of (x1, y1, x2, y2), "
                         f"but got shape {array.shape}")
    dtype = array.dtype if np.issubdtype(array.dtype, np.floating) else get_default_dtype()
    return array.astype(dtype), is_tensor


def _clamp(array, canvas_size):
    H, W = canvas_size
    array[:, 0::2] = np.clip(array[:, 0::2], 0, W)
    array[:, 1::2] = np.clip(array[:, 1::2], 0, H)
    return array


def hflip_boxes(boxes, canvas_size):
    """The boxes of ``hflip``: x ↦ W - x (and x1, x2 swap)."""
    array, is_tensor = _unwrap_boxes(boxes, "hflip_boxes")
    W = pair(canvas_size, "canvas_size", "hflip_boxes")[1]
    array[:, [0, 2]] = W - array[:, [2, 0]]
    return wrap(array, is_tensor)


def vflip_boxes(boxes, canvas_size):
    """The boxes of ``vflip``: y ↦ H - y (and y1, y2 swap)."""
    array, is_tensor = _unwrap_boxes(boxes, "vflip_boxes")
    H = pair(canvas_size, "canvas_size", "vflip_boxes")[0]
    array[:, [1, 3]] = H - array[:, [3, 1]]
    return wrap(array, is_tensor)


def crop_boxes(boxes, top, left, height, width):
    """The boxes of ``crop(img, top, left, height, width)``: shifted by (-left, -top) and
    clamped to the (height, width) window."""
    array, is_tensor = _unwrap_boxes(boxes, "crop_boxes")
    array -= np.array([left, top, left, top], dtype=array.dtype)
    return wrap(_clamp(array, pair((height, width), "(height, width)", "crop_boxes")), is_tensor)


def pad_boxes(boxes, canvas_size, padding):
    """The boxes of ``pad(img, padding)`` (torchvision's padding order): shifted by
    (left, top) and clamped to the padded canvas."""
    array, is_tensor = _unwrap_boxes(boxes, "pad_boxes")
    H, W = pair(canvas_size, "canvas_size", "pad_boxes")
    left, top, right, bottom = _padding_ltrb(padding, "pad_boxes")
    array += np.array([left, top, left, top], dtype=array.dtype)
    return wrap(_clamp(array, (H + top + bottom, W + left + right)), is_tensor)


def resize_boxes(boxes, canvas_size, size, max_size=None):
    """The boxes of ``resize(img, size, max_size=max_size)``: x scaled by OW / W and y by
    OH / H."""
    array, is_tensor = _unwrap_boxes(boxes, "resize_boxes")
    H, W = pair(canvas_size, "canvas_size", "resize_boxes")
    OH, OW = _resized_output_size((H, W), size, max_size, "resize_boxes")
    array *= np.array([OW / W, OH / H, OW / W, OH / H], dtype=array.dtype)
    return wrap(array, is_tensor)


def affine_boxes(boxes, canvas_size, angle, translate, scale, shear, center=None):
    """The boxes of ``affine`` with the same arguments: the four corners of each box go
    through the forward matrix, the result is their bounding box, clamped to the canvas.
    (A rotated box's bounding box is larger than the object, as in torchvision.)"""
    array, is_tensor = _unwrap_boxes(boxes, "affine_boxes")
    H, W = pair(canvas_size, "canvas_size", "affine_boxes")
    if not isinstance(scale, numbers.Real) or scale <= 0:
        raise ValueError(f"affine_boxes: scale should be a positive number, but got {scale!r}")
    center = [W * 0.5, H * 0.5] if center is None else list(center)
    matrix = np.array(_get_inverse_affine_matrix(center, float(angle), list(translate),
                                                 float(scale), _shear_pair(shear, "affine_boxes"),
                                                 inverted=False)).reshape(2, 3)
    corners = array[:, [[0, 1], [2, 1], [2, 3], [0, 3]]]  # (N, 4 corners, xy)
    moved = corners @ matrix[:, :2].T + matrix[:, 2]
    out = np.concatenate([moved.min(axis=1), moved.max(axis=1)], axis=1).astype(array.dtype)
    return wrap(_clamp(out, (H, W)), is_tensor)


def rotate_boxes(boxes, canvas_size, angle, center=None):
    """The boxes of ``rotate(img, angle, center=center)`` (counter-clockwise, no expand)."""
    if not isinstance(angle, numbers.Real):
        raise TypeError(f"rotate_boxes: angle should be a number, but got {angle!r}")
    return affine_boxes(boxes, canvas_size, -angle, [0.0, 0.0], 1.0, [0.0, 0.0], center)
