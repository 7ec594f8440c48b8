"""Loss functions with PyTorch's formulas, defaults and reductions.

Arguments after ``weight`` (or after ``target`` where there is no weight) are
keyword-only: PyTorch's deprecated ``size_average``/``reduce`` positions are not
reproduced, so a positional call that would bind differently fails loudly instead.
Unlike PyTorch, the element-wise regression losses refuse an input and target of
different shapes instead of broadcasting them with a warning.
"""
import numpy as np

from ... import ops
from ...tensor import Tensor, where
from .activation import log_softmax

_REDUCTIONS = ("none", "mean", "sum")


def _check_reduction(name, reduction, allowed=_REDUCTIONS):
    if reduction not in allowed:
        raise ValueError(f"{name}: reduction must be one of {allowed}, got {reduction!r}")


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor._wrap(np.asarray(x))


def _check_same_shape(name, input, target):
    if input.shape != target.shape:
        raise ValueError(f"{name}: target shape {tuple(target.shape)} must equal input shape "
                         f"{tuple(input.shape)}")


def _check_float(name, argument, tensor):
    if not np.issubdtype(tensor.dtype, np.floating):
        raise TypeError(f"{name}: {argument} must be a floating point tensor, got dtype "
                        f"{tensor.dtype}")


def _check_weight(name, weight, num_classes):
    if weight is not None and tuple(weight.shape) != (num_classes,):
        raise ValueError(f"{name}: weight must have shape ({num_classes},), one value per "
                         f"class, got {tuple(weight.shape)}")


def _class_indices(name, input, target, ignore_index=None):
    """Check integer class labels against input (N, C, d1, ...) or unbatched (C,)."""
    if input.ndim == 0:
        raise ValueError(f"{name}: input must have a class dimension, (N, C) or (C,), "
                         "got a 0-d tensor")
    if not np.issubdtype(target.dtype, np.integer):
        raise TypeError(f"{name}: target must hold integer class indices (int64), got dtype "
                        f"{target.dtype}")
    expected = input.shape[:1] + input.shape[2:] if input.ndim >= 2 else ()
    if target.shape != expected:
        raise ValueError(f"{name}: for input of shape {tuple(input.shape)} the target of "
                         f"class indices must have shape {expected}, got "
                         f"{tuple(target.shape)}")
    num_classes = input.shape[1] if input.ndim >= 2 else input.shape[0]
    labels = target.data
    out_of_range = (labels < 0) | (labels >= num_classes)
    if ignore_index is not None:
        out_of_range &= labels != ignore_index
    if out_of_range.any():
        bad = labels[out_of_range].flat[0]
        hint = f" or ignore_index={ignore_index}" if ignore_index is not None else ""
        raise ValueError(f"{name}: target label {bad} is out of range for {num_classes} "
                         f"classes (expected 0..{num_classes - 1}{hint})")
    return num_classes


def nll_loss(input, target, weight=None, *, ignore_index=-100, reduction="mean"):
    """Negative log-likelihood of log-probabilities.

    input: (N, C), (N, C, d1, ...) or (C,); target: (N,), (N, d1, ...) or () integer
    labels. loss_n = −weight[y_n]·input[n, y_n]; 'mean' divides by the summed weights
    of the non-ignored targets.
    """
    _check_reduction("nll_loss", reduction)
    input, target = _tensor(input), _tensor(target)
    num_classes = _class_indices("nll_loss", input, target, ignore_index)
    _check_weight("nll_loss", weight, num_classes)
    weight = None if weight is None else _tensor(weight).data
    unbatched = input.ndim == 1
    if unbatched:
        input, target = input.unsqueeze(0), Tensor._wrap(target.data.reshape(1))
    loss = ops.NLLLoss.apply(input, target.data, weight=weight, ignore_index=ignore_index,
                             reduction=reduction)
    return loss.reshape(()) if unbatched and reduction == "none" else loss


def cross_entropy(input, target, weight=None, *, ignore_index=-100, reduction="mean",
                  label_smoothing=0.0):
    """Softmax cross-entropy of raw scores.

    input: (N, C), (N, C, d1, ...) or (C,). target: class indices of shape (N, d1, ...)
    (with ``ignore_index``), or class probabilities of the input's shape. With
    ``label_smoothing`` ε the target becomes (1 − ε)·target + ε/C, and the loss is
    exactly PyTorch's, weights and ignored targets included.
    """
    _check_reduction("cross_entropy", reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0, got "
                         f"{label_smoothing}")
    input, target = _tensor(input), _tensor(target)
    if input.ndim == 0:
        raise ValueError("cross_entropy: input must have a class dimension, (N, C) or (C,), "
                         "got a 0-d tensor")
    class_dim = 1 if input.ndim >= 2 else 0
    num_classes = input.shape[class_dim]
    _check_weight("cross_entropy", weight, num_classes)
    # weight along the class dim, broadcasting over N and the spatial dims
    class_weight = None if weight is None else Tensor._wrap(_tensor(weight).data.reshape(
        (num_classes,) + (1,) * (input.ndim - class_dim - 1)))
    log_probs = log_softmax(input, class_dim)
    if target.shape == input.shape:
        _check_float("cross_entropy", "a target of class probabilities (same shape as input)",
                     target)
        return _soft_cross_entropy(log_probs, target, class_weight, reduction,
                                   label_smoothing, class_dim)
    _class_indices("cross_entropy", input, target, ignore_index)
    loss = nll_loss(log_probs, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0.0:
        return loss
    weighted = log_probs if class_weight is None else log_probs * class_weight
    ignored = target.data == ignore_index
    smooth = where(ignored, 0.0, -weighted.sum(class_dim))
    if reduction == "mean":
        # PyTorch normalises by the same total as nll_loss: the kept targets' weights
        kept = target.data[~ignored]
        total = kept.size if weight is None else _tensor(weight).data[kept].sum()
        smooth = smooth.sum() / float(total)
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * loss + smooth * (label_smoothing / num_classes)


def _soft_cross_entropy(log_probs, target, class_weight, reduction, label_smoothing,
                        class_dim):
    num_classes = log_probs.shape[class_dim]
    if label_smoothing > 0.0:
        target = target * (1 - label_smoothing) + label_smoothing / num_classes
    product = log_probs * target
    if class_weight is not None:
        product = product * class_weight
    if reduction == "none":
        return -product.sum(class_dim)
    if reduction == "sum":
        return -product.sum()
    # PyTorch divides by the number of predictions (N·d1·...), not by the weights
    return -product.sum() / (log_probs.numel() // num_classes)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, reduction="mean"):
    """Multiclass hinge loss, PyTorch's definition.

    input: (N, C) or (C,); target: (N,) or () integer labels.
    loss_n = Σ_{j≠y} weight[y]·max(0, margin − x[y] + x[j])^p / C. The division by C
    is PyTorch's: the CS231n multiclass SVM loss is C times this.
    """
    _check_reduction("multi_margin_loss", reduction)
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: only p == 1 and p == 2 supported, got {p}")
    input, target = _tensor(input), _tensor(target)
    if input.ndim not in (1, 2):
        raise ValueError(f"multi_margin_loss: input must be (N, C) or (C,), got shape "
                         f"{tuple(input.shape)}")
    num_classes = _class_indices("multi_margin_loss", input, target)
    _check_weight("multi_margin_loss", weight, num_classes)
    scores = input if input.ndim == 2 else input.unsqueeze(0)
    labels = target.data.reshape(-1)
    rows = np.arange(scores.shape[0])
    correct = scores[rows, labels].unsqueeze(1)
    margins = (scores - correct + margin).relu()
    if p == 2:
        margins = margins * margins
    others = np.ones(scores.shape, dtype=scores.dtype)
    others[rows, labels] = 0
    if weight is not None:
        others *= _tensor(weight).data[labels][:, None].astype(scores.dtype)
    loss = (margins * Tensor._wrap(others)).sum(1) / num_classes
    if input.ndim == 1:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def mse_loss(input, target, *, reduction="mean"):
    """(x − y)², reduced."""
    _check_reduction("mse_loss", reduction)
    input, target = _tensor(input), _tensor(target)
    _check_same_shape("mse_loss", input, target)
    return _reduce((input - target) ** 2, reduction)


def l1_loss(input, target, *, reduction="mean"):
    """|x − y|, reduced."""
    _check_reduction("l1_loss", reduction)
    input, target = _tensor(input), _tensor(target)
    _check_same_shape("l1_loss", input, target)
    return _reduce((input - target).abs(), reduction)


def smooth_l1_loss(input, target, *, reduction="mean", beta=1.0):
    """0.5·d²/beta where |d| < beta, else |d| − 0.5·beta (d = x − y); beta = 0 is L1."""
    _check_reduction("smooth_l1_loss", reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    input, target = _tensor(input), _tensor(target)
    _check_same_shape("smooth_l1_loss", input, target)
    diff = input - target
    abs_diff = diff.abs()
    loss = where(abs_diff.data < beta, diff * diff * (0.5 / beta), abs_diff - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input, target, *, reduction="mean", delta=1.0):
    """0.5·d² where |d| < delta, else delta·(|d| − 0.5·delta): smooth_l1 times delta."""
    _check_reduction("huber_loss", reduction)
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    input, target = _tensor(input), _tensor(target)
    _check_same_shape("huber_loss", input, target)
    diff = input - target
    abs_diff = diff.abs()
    loss = where(abs_diff.data < delta, diff * diff * 0.5, (abs_diff - 0.5 * delta) * delta)
    return _reduce(loss, reduction)


def binary_cross_entropy(input, target, weight=None, *, reduction="mean"):
    """−weight·(y·log x + (1 − y)·log(1 − x)) for probabilities x in [0, 1]; the logs
    are clamped at −100 as in PyTorch, so x = 0 or 1 stays finite."""
    _check_reduction("binary_cross_entropy", reduction)
    input, target = _tensor(input), _tensor(target)
    _check_same_shape("binary_cross_entropy", input, target)
    _check_float("binary_cross_entropy", "target", target)
    if input.numel() and not ((input.data >= 0) & (input.data <= 1)).all():
        raise ValueError("binary_cross_entropy: all elements of input should be between "
                         "0 and 1 (probabilities); for scores use "
                         "binary_cross_entropy_with_logits")
    loss = ops.BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, *, reduction="mean",
                                     pos_weight=None):
    """binary_cross_entropy(sigmoid(x), y) computed from the logits x without overflow;
    ``pos_weight`` (broadcast over the last dim, one value per class) multiplies the
    positive term: −[pos_weight·y·log σ(x) + (1 − y)·log(1 − σ(x))]."""
    _check_reduction("binary_cross_entropy_with_logits", reduction)
    input, target = _tensor(input), _tensor(target)
    _check_same_shape("binary_cross_entropy_with_logits", input, target)
    _check_float("binary_cross_entropy_with_logits", "target", target)
    pos_weight = None if pos_weight is None else _tensor(pos_weight).data
    loss = ops.BinaryCrossEntropyWithLogits.apply(input, target, pos_weight=pos_weight)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def kl_div(input, target, *, reduction="mean", log_target=False):
    """KL(target ‖ prediction) with ``input`` = log-probabilities of the prediction:
    target·(log target − input), with 0·log 0 = 0 (``log_target``: target given as
    log-probabilities). 'batchmean' divides the sum by the batch size (the true KL
    per example); 'mean' divides by the number of elements, as PyTorch."""
    _check_reduction("kl_div", reduction, _REDUCTIONS + ("batchmean",))
    input, target = _tensor(input), _tensor(target)
    _check_same_shape("kl_div", input, target)
    _check_float("kl_div", "target", target)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        zero = target.data == 0
        # xlogy(t, t): 0 where t == 0, and a log that never sees 0
        entropy = where(zero, 0.0, target * where(zero, 1.0, target).log())
        loss = entropy - target * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim else loss.sum()
    return _reduce(loss, reduction)


__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
           "huber_loss", "kl_div", "l1_loss", "mse_loss", "multi_margin_loss", "nll_loss",
           "smooth_l1_loss"]
