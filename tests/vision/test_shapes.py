import numpy as np
import pytest

from visiongrad.vision.datasets import SyntheticShapes, collate_detection


def test_detection_sample_format():
    dataset = SyntheticShapes(4, image_size=64, max_objects=4, seed=3, task="detection")
    image, target = dataset[1]
    assert image.shape == (3, 64, 64) and image.dtype == np.float32
    assert 0 <= image.data.min() and image.data.max() <= 1
    n = target["boxes"].shape[0]
    assert 1 <= n <= 4
    assert target["boxes"].shape == (n, 4) and target["boxes"].dtype == np.float32
    assert target["labels"].shape == (n,) and target["labels"].dtype == np.int64
    assert target["masks"].shape == (n, 64, 64) and target["masks"].dtype == np.uint8
    assert target["image_id"] == 1
    assert set(target["labels"].data.tolist()) <= {1, 2, 3}


def test_boxes_are_tight_around_disjoint_masks():
    dataset = SyntheticShapes(20, image_size=(48, 64), max_objects=5, seed=0, task="detection")
    for index in range(len(dataset)):
        _, target = dataset[index]
        masks = target["masks"].data
        assert masks.sum(axis=0).max() == 1  # no two instances share a pixel
        for mask, box in zip(masks, target["boxes"].data):
            rows, columns = np.nonzero(mask)
            np.testing.assert_array_equal(
                box, [columns.min(), rows.min(), columns.max() + 1, rows.max() + 1])


def test_shape_fill_fractions_identify_the_classes():
    # square fills its box, circle about pi/4 of it, triangle about 1/2
    expected = {1: np.pi / 4, 2: 1.0, 3: 0.5}
    dataset = SyntheticShapes(30, image_size=64, max_objects=3, seed=1, task="detection")
    for index in range(len(dataset)):
        _, target = dataset[index]
        for mask, box, label in zip(target["masks"].data, target["boxes"].data,
                                    target["labels"].data):
            x1, y1, x2, y2 = box
            fill = mask.sum() / ((x2 - x1) * (y2 - y1))
            assert abs(fill - expected[int(label)]) < 0.2, (label, fill)


def test_segmentation_mask_agrees_with_instances():
    detection = SyntheticShapes(5, image_size=32, max_objects=3, seed=7, task="detection")
    segmentation = SyntheticShapes(5, image_size=32, max_objects=3, seed=7)
    for index in range(5):
        image, target = detection[index]
        seg_image, semantic = segmentation[index]
        np.testing.assert_array_equal(image.data, seg_image.data)
        assert semantic.shape == (32, 32) and semantic.dtype == np.int64
        expected = (target["masks"].data * target["labels"].data[:, None, None]).sum(axis=0)
        np.testing.assert_array_equal(semantic.data, expected)


def test_seeded_and_independent_of_access_order():
    a = SyntheticShapes(6, seed=11)
    b = SyntheticShapes(6, seed=11)
    later_first = [b[i][1].data for i in reversed(range(6))][::-1]
    for i in range(6):
        np.testing.assert_array_equal(a[i][1].data, later_first[i])
    other = SyntheticShapes(6, seed=12)
    assert any(not np.array_equal(a[i][0].data, other[i][0].data) for i in range(6))


def test_objects_are_visible_against_the_background():
    image, semantic = SyntheticShapes(1, image_size=64, seed=2)[0]
    image, semantic = image.data, semantic.data
    foreground = image[:, semantic > 0].max(axis=0).mean()
    background = image[:, semantic == 0].max(axis=0).mean()
    assert foreground > background + 0.2


def test_collate_detection_keeps_lists():
    dataset = SyntheticShapes(3, image_size=32, seed=0, task="detection")
    images, targets = collate_detection([dataset[i] for i in range(3)])
    assert len(images) == len(targets) == 3
    assert targets[2]["image_id"] == 2 and images[0].shape == (3, 32, 32)


@pytest.mark.parametrize("kwargs, error", [
    (dict(task="classification"), ValueError),
    (dict(image_size=8), ValueError),
    (dict(max_objects=0), ValueError),
])
def test_invalid_arguments(kwargs, error):
    with pytest.raises(error):
        SyntheticShapes(2, **kwargs)


def test_index_out_of_range():
    with pytest.raises(IndexError):
        SyntheticShapes(2)[2]
