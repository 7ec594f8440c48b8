"""Classification metrics on arrays of labels or scores."""
import numpy as np


def _array(x):
    return np.asarray(getattr(x, "data", x))


def accuracy(scores_or_predictions, targets):
    """Fraction correct; accepts (N, C) scores or (N,) predicted labels."""
    predictions = _array(scores_or_predictions)
    if predictions.ndim == 2:
        predictions = predictions.argmax(axis=1)
    targets = _array(targets)
    if predictions.shape != targets.shape:
        raise ValueError(f"accuracy: predictions have shape {predictions.shape}, "
                         f"targets {targets.shape}")
    return float(np.mean(predictions == targets)) if targets.size else float("nan")


def top_k_accuracy(scores, targets, k=5):
    """Fraction of samples whose target is among the k highest scores."""
    scores, targets = _array(scores), _array(targets)
    if not 1 <= k <= scores.shape[1]:
        raise ValueError(f"top_k_accuracy: k must be in [1, {scores.shape[1]}], got {k}")
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    return float(np.mean(np.any(top == targets[:, None], axis=1)))


def confusion_matrix(predictions, targets, num_classes=None):
    """(C, C) counts; row = true class, column = predicted class (scikit-learn's layout)."""
    predictions, targets = _array(predictions), _array(targets)
    if predictions.ndim == 2:
        predictions = predictions.argmax(axis=1)
    if num_classes is None:
        num_classes = int(max(predictions.max(initial=0), targets.max(initial=0))) + 1
    return np.bincount(targets * num_classes + predictions,
                       minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def per_class_accuracy(predictions, targets, num_classes=None):
    """Recall of each class (NaN for a class with no samples)."""
    matrix = confusion_matrix(predictions, targets, num_classes)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.diag(matrix) / matrix.sum(axis=1)
