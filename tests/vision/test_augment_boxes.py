"""Boxes follow their image: each *_boxes function, given the arguments of the image
function, gives the box of the moved object (read back from a mask moved the same way).
"""
import numpy as np
import pytest

import visiongrad as vg
from visiongrad.vision.transforms import functional as F

H, W = 20, 24


def object_mask(x1, y1, x2, y2):
    mask = np.zeros((1, H, W))
    mask[0, y1:y2, x1:x2] = 1.0
    return mask


def mask_box(mask):
    """xyxy box (pixel edges) of the nonzero pixels of a (1, h, w) mask."""
    rows, cols = np.nonzero(mask[0] > 0.5)
    return np.array([cols.min(), rows.min(), cols.max() + 1, rows.max() + 1], dtype=float)


BOX = (6, 4, 14, 10)


@pytest.mark.parametrize("image_fn, box_fn", [
    (F.hflip, lambda b: F.hflip_boxes(b, (H, W))),
    (F.vflip, lambda b: F.vflip_boxes(b, (H, W))),
    (lambda m: F.crop(m, 3, 8, 10, 12), lambda b: F.crop_boxes(b, 3, 8, 10, 12)),
    (lambda m: F.pad(m, (2, 1, 0, 3)), lambda b: F.pad_boxes(b, (H, W), (2, 1, 0, 3))),
    (lambda m: F.resize(m, (40, 72), "nearest"), lambda b: F.resize_boxes(b, (H, W), (40, 72))),
    (lambda m: F.resize(m, 10, "nearest"), lambda b: F.resize_boxes(b, (H, W), 10)),
    (lambda m: F.affine(m, 0.0, (3, -2), 1.0, 0.0), lambda b: F.affine_boxes(
        b, (H, W), 0.0, (3, -2), 1.0, 0.0)),
    (lambda m: F.affine(m, 90.0, (1, 0), 1.0, 0.0), lambda b: F.affine_boxes(
        b, (H, W), 90.0, (1, 0), 1.0, 0.0)),
    (lambda m: F.rotate(m, 90.0), lambda b: F.rotate_boxes(b, (H, W), 90.0)),
    (lambda m: F.rotate(m, -90.0, center=(10, 8)), lambda b: F.rotate_boxes(
        b, (H, W), -90.0, center=(10, 8))),
], ids=["hflip", "vflip", "crop", "pad", "resize", "resize_smaller_edge", "translate",
        "affine_90", "rotate_90", "rotate_about_point"])
def test_boxes_follow_the_image_exactly(image_fn, box_fn):
    boxes = np.array([BOX], dtype=float)
    assert np.array_equal(box_fn(boxes)[0], mask_box(image_fn(object_mask(*BOX))))


def test_crop_clamps_and_resize_scales_per_axis():
    boxes = np.array([[2.0, 3.0, 10.0, 12.0], [0.0, 0.0, 24.0, 20.0]])
    cropped = F.crop_boxes(boxes, 5, 4, 6, 8)
    assert np.array_equal(cropped, [[0, 0, 6, 6], [0, 0, 8, 6]])
    resized = F.resize_boxes(boxes, (H, W), (10, 48))
    assert np.array_equal(resized, [[4, 1.5, 20, 6], [0, 0, 48, 10]])


@pytest.mark.parametrize("angle, translate, scale, shear", [
    (25.0, (2, 1), 1.1, 0.0), (-40.0, (0, 0), 0.8, 12.0), (10.0, (-3, 2), 1.0, (5.0, -8.0)),
])
def test_affine_box_encloses_the_moved_object(angle, translate, scale, shear):
    boxes = np.array([BOX], dtype=float)
    moved = F.affine(object_mask(*BOX), angle, translate, scale, shear, interpolation="bilinear")
    got = F.affine_boxes(boxes, (H, W), angle, translate, scale, shear)[0]
    # pixels above 0.5 have their centres inside the moved object, so inside its box;
    # the box of the four moved corners is tight to a pixel
    rows, cols = np.nonzero(moved[0] > 0.5)
    assert got[0] <= cols.min() + 0.5 and got[2] >= cols.max() + 0.5
    assert got[1] <= rows.min() + 0.5 and got[3] >= rows.max() + 0.5
    assert np.abs(got - mask_box(moved)).max() <= 1.0


def test_boxes_keep_the_kind_and_check_their_shape():
    boxes = vg.tensor(np.array([[1.0, 2.0, 3.0, 4.0]]))
    flipped = F.hflip_boxes(boxes, (10, 10))
    assert isinstance(flipped, vg.Tensor) and flipped.numpy().tolist() == [[7, 2, 9, 4]]
    assert boxes.numpy().tolist() == [[1, 2, 3, 4]], "the input is left alone"
    integer = F.vflip_boxes(np.array([[1, 2, 3, 4]]), (10, 10))
    assert integer.dtype == np.float32 and integer.tolist() == [[1, 6, 3, 8]]
    with pytest.raises(ValueError, match=r"\(N, 4\)"):
        F.hflip_boxes(np.zeros(4), (10, 10))
    with pytest.raises(TypeError, match="Tensor or a numpy.ndarray"):
        F.hflip_boxes([[0, 0, 1, 1]], (10, 10))
