"""Dense-prediction metrics on arrays: pixel accuracy, per-class IoU and mIoU from a
confusion matrix (segmentation), and average precision over ranked detections (VOC AP at
IoU 0.5 and COCO's mAP averaged over IoU 0.50:0.05:0.95).

Boxes are continuous xyxy coordinates, as in torchvision and pycocotools (the VOC devkit's
``+ 1`` pixel convention is not used).
"""
import numpy as np

from .._kernels import boxes as box_kernels
from .metrics import _array

COCO_IOU_THRESHOLDS = np.linspace(0.5, 0.95, 10)


def segmentation_confusion_matrix(predictions, targets, num_classes, ignore_index=255):
    """(num_classes, num_classes) pixel counts; row = true class, column = predicted
    class (scikit-learn's layout).

    predictions: (N, H, W) class ids or (N, C, H, W) scores (argmax over C).
    targets: (N, H, W) class ids; pixels equal to ``ignore_index`` are not counted.
    """
    predictions, targets = _array(predictions), _array(targets)
    if predictions.ndim == targets.ndim + 1:
        predictions = predictions.argmax(axis=1)
    if predictions.shape != targets.shape:
        raise ValueError(f"segmentation_confusion_matrix: predictions have shape "
                         f"{predictions.shape}, targets {targets.shape}")
    keep = targets != ignore_index
    predictions, targets = predictions[keep].astype(np.int64), targets[keep].astype(np.int64)
    for name, values in (("predictions", predictions), ("targets", targets)):
        if values.size and (values.min() < 0 or values.max() >= num_classes):
            raise ValueError(f"segmentation_confusion_matrix: {name} should lie in "
                             f"[0, {num_classes}), but range over "
                             f"[{values.min()}, {values.max()}]")
    return np.bincount(targets * num_classes + predictions,
                       minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def pixel_accuracy(matrix):
    """Fraction of pixels labelled correctly: trace / total."""
    matrix = np.asarray(matrix)
    return float(np.trace(matrix) / matrix.sum()) if matrix.sum() else float("nan")


def per_class_iou(matrix):
    """(C,) TP / (TP + FP + FN) per class; NaN for a class absent from both the targets
    and the predictions (its IoU is undefined, not 0)."""
    matrix = np.asarray(matrix, dtype=np.float64)
    true_positives = np.diag(matrix)
    union = matrix.sum(axis=0) + matrix.sum(axis=1) - true_positives
    with np.errstate(invalid="ignore", divide="ignore"):
        return true_positives / union


def mean_iou(matrix):
    """Mean of ``per_class_iou`` over the classes where it is defined."""
    iou = per_class_iou(matrix)
    return float(np.nanmean(iou)) if np.isfinite(iou).any() else float("nan")


def average_precision(recall, precision, method="all_points"):
    """Area under a precision–recall curve given in ranked order (recall non-decreasing).

    'all_points' (VOC 2010+): precision is replaced by its maximum at any higher recall,
    then integrated exactly over recall. 'coco101' (pycocotools): the same envelope
    sampled at recall 0, 0.01, ..., 1 (0 where the recall is never reached), averaged.
    """
    recall, precision = np.asarray(recall, np.float64), np.asarray(precision, np.float64)
    if method == "all_points":
        recall = np.concatenate([[0.0], recall, [1.0]])
        precision = np.concatenate([[0.0], precision, [0.0]])
        precision = np.maximum.accumulate(precision[::-1])[::-1]
        steps = np.nonzero(recall[1:] != recall[:-1])[0]
        return float(np.sum((recall[steps + 1] - recall[steps]) * precision[steps + 1]))
    if method == "coco101":
        envelope = np.maximum.accumulate(precision[::-1])[::-1] if precision.size else precision
        positions = np.searchsorted(recall, np.linspace(0.0, 1.0, 101), side="left")
        sampled = np.zeros(101)
        reached = positions < recall.size
        sampled[reached] = envelope[positions[reached]]
        return float(sampled.mean())
    raise ValueError(f"average_precision: method should be 'all_points' or 'coco101', "
                     f"but got {method!r}")


def _ranked_matches(detections, targets, label, iou_threshold, rule, max_detections):
    """Scores (D,) by decreasing score, true-positive flags (D,) and the number of ground
    truths of class ``label`` over all images."""
    scores, flags, num_ground_truths = [], [], 0
    for detection, target in zip(detections, targets):
        ground_truth = _array(target["boxes"])[_array(target["labels"]) == label]
        num_ground_truths += len(ground_truth)
        of_label = _array(detection["labels"]) == label
        boxes = _array(detection["boxes"])[of_label]
        box_scores = _array(detection["scores"])[of_label]
        order = np.argsort(-box_scores, kind="stable")[:max_detections]
        boxes, box_scores = boxes[order], box_scores[order]
        matched = np.zeros(len(ground_truth), dtype=bool)
        ious = (box_kernels.box_iou(boxes.astype(np.float64), ground_truth.astype(np.float64))
                if len(ground_truth) else np.zeros((len(boxes), 0)))
        for i in range(len(boxes)):
            if rule == "voc":
                # VOC: the best-overlapping ground truth, a duplicate if already taken
                best = int(ious[i].argmax()) if ious.shape[1] else -1
                hit = best >= 0 and ious[i, best] >= iou_threshold and not matched[best]
            else:
                # COCO: the best ground truth not yet taken
                free = np.where(matched, -1.0, ious[i])
                best = int(free.argmax()) if free.size else -1
                hit = best >= 0 and free[best] >= iou_threshold
            if hit:
                matched[best] = True
            flags.append(hit)
        scores.extend(box_scores)
    # one stable sort over all images ranks the detections as the evaluators do
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    return np.asarray(flags, dtype=bool)[order], num_ground_truths


def _class_ap(detections, targets, label, iou_threshold, rule, method, max_detections):
    flags, num_ground_truths = _ranked_matches(detections, targets, label, iou_threshold,
                                               rule, max_detections)
    if num_ground_truths == 0:
        return float("nan")
    true_positives = np.cumsum(flags)
    recall = true_positives / num_ground_truths
    precision = true_positives / np.arange(1, len(flags) + 1)
    return average_precision(recall, precision, method)


def _check_lists(fn, detections, targets):
    if len(detections) != len(targets):
        raise ValueError(f"{fn}: {len(detections)} detection dicts for {len(targets)} "
                         f"target dicts; give one of each per image")


def _labels(targets):
    labels = [_array(target["labels"]) for target in targets]
    return np.unique(np.concatenate(labels)).tolist() if labels else []


def voc_average_precision(detections, targets, iou_threshold=0.5):
    """Pascal VOC per-class AP: ``{label: AP}`` over the labels that have ground truth.

    detections: per image, a dict ``boxes`` (D, 4) xyxy, ``scores`` (D,), ``labels`` (D,).
    targets: per image, a dict ``boxes`` (G, 4) xyxy, ``labels`` (G,).
    A detection is a true positive when its best-overlapping ground truth of its class
    has IoU >= ``iou_threshold`` (the devkit's is strict, >; the difference shows only
    at an exact tie) and was not claimed by a higher-scoring detection; AP uses
    all-point interpolation. mAP is the mean of the values.
    """
    _check_lists("voc_average_precision", detections, targets)
    return {label: _class_ap(detections, targets, label, iou_threshold, "voc", "all_points",
                             None)
            for label in _labels(targets)}


def coco_mean_average_precision(detections, targets, iou_thresholds=COCO_IOU_THRESHOLDS,
                                max_detections=100):
    """COCO's AP (mAP@[.5:.95]): AP with 101-point interpolation, averaged over labels
    with ground truth and over ``iou_thresholds``; the ``max_detections`` best-scoring
    detections of each image and class count. Inputs as ``voc_average_precision``.

    Deliberately simpler than pycocotools: no area ranges and no crowd regions.
    """
    _check_lists("coco_mean_average_precision", detections, targets)
    labels = _labels(targets)
    if not labels:
        return float("nan")
    return float(np.mean([[_class_ap(detections, targets, label, threshold, "coco", "coco101",
                                     max_detections)
                           for label in labels] for threshold in iou_thresholds]))
