import numpy as np
import pytest
from sklearn.metrics import confusion_matrix as sk_confusion_matrix

import visiongrad as vg
from visiongrad.train.segmentation_metrics import (average_precision,
                                                   coco_mean_average_precision, mean_iou,
                                                   per_class_iou, pixel_accuracy,
                                                   segmentation_confusion_matrix,
                                                   voc_average_precision)


def test_confusion_matrix_and_iou_match_sklearn():
    rng = np.random.default_rng(0)
    targets = rng.integers(0, 5, size=(3, 16, 16))
    scores = rng.normal(size=(3, 5, 16, 16))
    # make predictions mostly right so IoUs are far from 0 and 1
    scores[np.arange(3)[:, None, None], targets, np.arange(16)[:, None], np.arange(16)] += 1.5
    predictions = scores.argmax(axis=1)
    matrix = segmentation_confusion_matrix(vg.tensor(scores), vg.tensor(targets), 5)
    expected = sk_confusion_matrix(targets.ravel(), predictions.ravel(), labels=range(5))
    np.testing.assert_array_equal(matrix, expected)
    assert pixel_accuracy(matrix) == pytest.approx(np.mean(predictions == targets))
    tp = np.diag(expected)
    iou = tp / (expected.sum(0) + expected.sum(1) - tp)
    np.testing.assert_allclose(per_class_iou(matrix), iou)
    assert mean_iou(matrix) == pytest.approx(iou.mean())


def test_ignore_index_and_absent_class():
    targets = np.array([[0, 0, 1, 255]])
    predictions = np.array([[0, 1, 1, 2]])
    matrix = segmentation_confusion_matrix(predictions, targets, 3)
    np.testing.assert_array_equal(matrix, [[1, 1, 0], [0, 1, 0], [0, 0, 0]])
    iou = per_class_iou(matrix)
    np.testing.assert_allclose(iou[:2], [0.5, 0.5])
    assert np.isnan(iou[2])  # absent from targets and (counted) predictions
    assert mean_iou(matrix) == pytest.approx(0.5)
    assert pixel_accuracy(matrix) == pytest.approx(2 / 3)


def test_out_of_range_class_is_an_error():
    with pytest.raises(ValueError, match="lie in"):
        segmentation_confusion_matrix(np.array([[3]]), np.array([[0]]), 3)


def _image(boxes, labels, scores=None):
    item = {"boxes": np.array(boxes, dtype=np.float32).reshape(-1, 4),
            "labels": np.array(labels, dtype=np.int64)}
    if scores is not None:
        item["scores"] = np.array(scores, dtype=np.float32)
    return item


def test_voc_and_coco_ap_hand_computed():
    # two ground truths; ranked detections: hit, miss, hit
    # precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1
    targets = [_image([[0, 0, 10, 10], [20, 20, 30, 30]], [1, 1])]
    detections = [_image([[0, 0, 10, 10], [50, 50, 60, 60], [20, 20, 30, 30]], [1, 1, 1],
                         [0.9, 0.8, 0.7])]
    # all-point: 1/2 · 1 + 1/2 · 2/3
    assert voc_average_precision(detections, targets)[1] == pytest.approx(5 / 6)
    # 101-point: recalls 0..0.5 (51 points) at 1, 0.51..1 (50 points) at 2/3
    expected = (51 + 50 * 2 / 3) / 101
    assert coco_mean_average_precision(detections, targets) == pytest.approx(expected)


def test_coco_map_averages_iou_thresholds():
    # IoU 0.78: a hit at thresholds 0.50..0.75 (6 of 10), a miss above
    targets = [_image([[0, 0, 10, 10]], [2])]
    detections = [_image([[0, 0, 10, 7.8]], [2], [0.5])]
    assert coco_mean_average_precision(detections, targets) == pytest.approx(0.6)
    assert voc_average_precision(detections, targets)[2] == pytest.approx(1.0)


def test_duplicates_classes_and_images():
    targets = [_image([[0, 0, 10, 10]], [1]), _image([[0, 0, 10, 10]], [2])]
    detections = [
        # the duplicate (0.8) of a matched box is a false positive
        _image([[0, 0, 10, 10], [0, 0, 10, 10]], [1, 1], [0.9, 0.8]),
        # a right box with the wrong class counts for neither class
        _image([[0, 0, 10, 10], [0, 0, 10, 10]], [1, 2], [0.95, 0.3]),
    ]
    ap = voc_average_precision(detections, targets)
    # class 1: ranked 0.95 (FP, image 2 has no class-1 box), 0.9 (TP), 0.8 (FP)
    # precision at the only hit is 1/2 → AP = 1/2
    assert ap[1] == pytest.approx(0.5)
    assert ap[2] == pytest.approx(1.0)


def test_average_precision_of_a_perfect_and_an_empty_ranking():
    assert average_precision([0.5, 1.0], [1.0, 1.0]) == pytest.approx(1.0)
    assert average_precision([0.5, 1.0], [1.0, 1.0], "coco101") == pytest.approx(1.0)
    assert average_precision([], []) == 0.0
    assert average_precision([], [], "coco101") == 0.0
    with pytest.raises(ValueError, match="method"):
        average_precision([1.0], [1.0], "eleven")
