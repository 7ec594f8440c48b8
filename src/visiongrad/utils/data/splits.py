"""Deterministic index splits for model selection: stratified train/test and
train/val/test splits, and k-fold cross-validation indices (plain and stratified)
with scikit-learn's fold layout.

A split with an integer ``seed`` uses its own generator, so it neither depends on nor
disturbs the global one; ``seed=None`` (only where shuffling is optional) draws from
the global generator. Returned indices are sorted int64 arrays.
"""
import math
import numbers
import warnings

import numpy as np

from ... import _random
from ...tensor import Tensor


def _generator(seed):
    if seed is None:
        return _random.default_generator()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed should be an int or None, but got {type(seed).__name__}")
    return np.random.Generator(np.random.PCG64(seed))


def _labels_array(labels, owner):
    labels = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    if labels.ndim != 1 or len(labels) == 0:
        raise ValueError(f"{owner}: labels should be a non-empty 1-d sequence, "
                         f"but got shape {labels.shape}")
    return labels


def _count_for(fraction, n, name, owner):
    if not isinstance(fraction, numbers.Real) or not 0 < fraction < 1:
        raise ValueError(f"{owner}: {name} should be a number strictly between 0 and 1, "
                         f"but got {name}={fraction!r}")
    # scikit-learn's ceil(fraction * n), except that float noise does not add a sample:
    # 0.07 * 100 = 7.000000000000001 gives 7 here, 8 in scikit-learn
    return math.ceil(fraction * n - 1e-9)


def _proportional(counts, total):
    """Split ``total`` items over classes in proportion to ``counts`` (largest remainder,
    ties to the lower class index); never more than a class holds."""
    exact = counts * total
    allocation = exact // counts.sum()
    remainders = exact % counts.sum()
    order = np.argsort(-remainders, kind="stable")
    allocation[order[:total - allocation.sum()]] += 1
    return allocation


def _stratified_parts(labels, sizes, seed):
    """Indices of ``len(sizes)`` disjoint parts of the given sizes, each holding every
    class in proportion, then the rest: ``[part_0, part_1, ..., rest]``."""
    _, classes = np.unique(labels, return_inverse=True)
    remaining = np.bincount(classes)
    per_class = []
    for size in sizes:
        allocation = _proportional(remaining, size)
        per_class.append(allocation)
        remaining = remaining - allocation
    generator = _generator(seed)
    parts = [[] for _ in range(len(sizes) + 1)]
    for c in range(len(remaining)):
        members = generator.permutation(np.flatnonzero(classes == c))
        bounds = np.cumsum([0] + [int(allocation[c]) for allocation in per_class])
        for part, start, stop in zip(parts, bounds[:-1], bounds[1:]):
            part.append(members[start:stop])
        parts[-1].append(members[bounds[-1]:])
    return [np.sort(np.concatenate(part)).astype(np.int64) for part in parts]


def stratified_split(labels, test_fraction=0.2, seed=0):
    """Split indices into train and test sets holding every class in proportion.

    ``labels``: (N,) class labels. The test set has ``ceil(test_fraction * N)`` indices
    (scikit-learn's rounding, without its float noise: 7 for 0.07 of 100), shared out
    over classes by largest remainder; the same labels and seed always give the same
    split. Returns ``(train_idx, test_idx)``.
    """
    labels = _labels_array(labels, "stratified_split")
    n_test = _count_for(test_fraction, len(labels), "test_fraction", "stratified_split")
    if n_test >= len(labels):
        raise ValueError(f"stratified_split: test_fraction={test_fraction} leaves no training "
                         f"samples out of {len(labels)}")
    test_idx, train_idx = _stratified_parts(labels, [n_test], seed)
    return train_idx, test_idx


def train_val_test_split(labels, val_fraction=0.1, test_fraction=0.2, seed=0):
    """Split indices into stratified train, validation and test sets.

    ``labels``: (N,) class labels. Sizes are ``ceil(val_fraction * N)`` and
    ``ceil(test_fraction * N)``; the rest is training. Tune on validation, evaluate on
    test once. Returns ``(train_idx, val_idx, test_idx)``.
    """
    labels = _labels_array(labels, "train_val_test_split")
    n = len(labels)
    n_val = _count_for(val_fraction, n, "val_fraction", "train_val_test_split")
    n_test = _count_for(test_fraction, n, "test_fraction", "train_val_test_split")
    if n_val + n_test >= n:
        raise ValueError(f"train_val_test_split: val_fraction={val_fraction} and "
                         f"test_fraction={test_fraction} leave no training samples out of {n}")
    test_idx, val_idx, train_idx = _stratified_parts(labels, [n_test, n_val], seed)
    return train_idx, val_idx, test_idx


def _check_folds(k, n, shuffle, seed, owner):
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 2:
        raise ValueError(f"{owner}: k should be an integer of at least 2, but got k={k!r}")
    if k > n:
        raise ValueError(f"{owner}: cannot have k={k} folds with only {n} samples")
    if not isinstance(shuffle, bool):
        raise TypeError(f"{owner}: shuffle should be a boolean value, but got shuffle={shuffle!r}")
    if not shuffle and seed is not None:
        raise ValueError(f"{owner}: seed={seed} has no effect since shuffle is False; "
                         f"pass shuffle=True or seed=None")


def kfold_indices(n, k=5, shuffle=False, seed=None):
    """Yield ``(train_idx, val_idx)`` for k-fold cross-validation over ``n`` samples.

    Every sample is in exactly one validation fold; the first ``n % k`` folds have one
    more sample than the others. With ``shuffle=False`` the folds are consecutive blocks,
    equal to ``sklearn.model_selection.KFold(k)``; with ``shuffle=True`` the blocks are
    taken from a permutation drawn from ``seed`` (the global generator when None).
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"kfold_indices: n should be a positive integer, but got n={n!r}")
    _check_folds(k, n, shuffle, seed, "kfold_indices")
    order = _generator(seed).permutation(n) if shuffle else np.arange(n)
    fold_sizes = np.full(k, n // k)
    fold_sizes[:n % k] += 1
    fold_of = np.empty(n, dtype=np.int64)
    fold_of[order] = np.repeat(np.arange(k), fold_sizes)
    return _folds(fold_of, k)


def _folds(fold_of, k):
    # a generator apart from the public functions, so that they check their arguments
    # when called rather than on the first iteration
    for fold in range(k):
        yield np.flatnonzero(fold_of != fold), np.flatnonzero(fold_of == fold)


def stratified_kfold_indices(labels, k=5, shuffle=False, seed=None):
    """Yield ``(train_idx, val_idx)`` for stratified k-fold cross-validation.

    Each fold holds every class in proportion and fold sizes differ by at most one; the
    assignment is ``sklearn.model_selection.StratifiedKFold(k)``'s (identical folds with
    ``shuffle=False``; with ``shuffle=True`` each class's fold labels are permuted using
    ``seed``).
    """
    labels = _labels_array(labels, "stratified_kfold_indices")
    _check_folds(k, len(labels), shuffle, seed, "stratified_kfold_indices")
    # classes numbered in order of first appearance, as scikit-learn does
    _, first_index, inverse = np.unique(labels, return_index=True, return_inverse=True)
    _, appearance_rank = np.unique(first_index, return_inverse=True)
    encoded = appearance_rank[inverse]
    n_classes = len(first_index)
    counts = np.bincount(encoded)
    if np.all(k > counts):
        raise ValueError(f"stratified_kfold_indices: k={k} cannot be greater than the "
                         f"number of members in each class (at most {counts.max()})")
    if k > counts.min():
        warnings.warn(f"stratified_kfold_indices: the least populated class has only "
                      f"{counts.min()} members, which is less than k={k}", stacklevel=2)
    # Dealing the sorted labels round-robin to the folds fixes how many of each class
    # every fold gets, and keeps fold sizes within one of each other.
    ordered = np.sort(encoded)
    allocation = np.stack([np.bincount(ordered[i::k], minlength=n_classes) for i in range(k)])
    generator = _generator(seed) if shuffle else None
    fold_of = np.empty(len(labels), dtype=np.int64)
    for c in range(n_classes):
        folds_for_class = np.repeat(np.arange(k), allocation[:, c])
        if shuffle:
            generator.shuffle(folds_for_class)
        fold_of[encoded == c] = folds_for_class
    return _folds(fold_of, k)
