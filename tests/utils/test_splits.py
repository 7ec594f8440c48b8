import math

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score, train_test_split
from sklearn.neighbors import KNeighborsClassifier

import visiongrad as vg
from visiongrad.utils.data import (kfold_indices, stratified_kfold_indices, stratified_split,
                                   train_val_test_split)


def unbalanced_labels():
    # classes of 37, 50 and 13 members, shuffled, with string names
    labels = np.array(["cat"] * 37 + ["dog"] * 50 + ["eel"] * 13)
    return labels[np.random.default_rng(1).permutation(len(labels))]


def assert_stratified(labels, part, fraction):
    for name in np.unique(labels):
        members = np.count_nonzero(labels == name)
        assert abs(np.count_nonzero(labels[part] == name) - members * fraction) < 1 + 1e-9


def test_stratified_split_is_disjoint_complete_and_stratified():
    labels = unbalanced_labels()
    train_idx, test_idx = stratified_split(labels, test_fraction=0.2, seed=0)
    assert len(test_idx) == 20 and len(train_idx) == 80
    assert np.intersect1d(train_idx, test_idx).size == 0
    assert np.array_equal(np.sort(np.concatenate([train_idx, test_idx])), np.arange(100))
    assert train_idx.dtype == np.int64
    assert_stratified(labels, test_idx, 0.2)


def test_stratified_split_is_deterministic_and_ignores_the_global_seed():
    labels = unbalanced_labels()
    vg.manual_seed(1)
    first = stratified_split(labels, seed=4)
    vg.manual_seed(2)
    second = stratified_split(labels, seed=4)
    other = stratified_split(labels, seed=5)
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    assert not np.array_equal(first[1], other[1])


@pytest.mark.parametrize("n, fraction", [(1797, 0.2), (10, 0.7), (101, 0.25), (5000, 0.2)])
def test_stratified_split_sizes_equal_sklearn(n, fraction):
    labels = np.arange(n) % 3
    _, test_idx = stratified_split(labels, test_fraction=fraction)
    _, sk_test = train_test_split(np.arange(n), test_size=fraction, stratify=labels,
                                  random_state=0)
    assert len(test_idx) == len(sk_test)


def test_split_size_ignores_float_noise():
    # 0.07 * 100 evaluates to 7.000000000000001; scikit-learn's ceil makes that 8
    _, test_idx = stratified_split(np.arange(100) % 2, test_fraction=0.07)
    assert len(test_idx) == 7


def test_digits_split_sizes():
    labels = load_digits().target
    train_idx, test_idx = stratified_split(labels, 0.2, seed=0)
    assert (len(train_idx), len(test_idx)) == (1437, 360)
    assert_stratified(labels, test_idx, 360 / 1797)


def test_train_val_test_split():
    labels = unbalanced_labels()
    train_idx, val_idx, test_idx = train_val_test_split(labels, val_fraction=0.1,
                                                        test_fraction=0.2, seed=0)
    assert (len(train_idx), len(val_idx), len(test_idx)) == (70, 10, 20)
    assert np.array_equal(np.sort(np.concatenate([train_idx, val_idx, test_idx])), np.arange(100))
    assert_stratified(labels, val_idx, 0.1)
    assert_stratified(labels, test_idx, 0.2)
    with pytest.raises(ValueError, match="no training samples"):
        train_val_test_split(labels, val_fraction=0.5, test_fraction=0.5)


@pytest.mark.parametrize("kwargs, message", [(dict(test_fraction=0), "test_fraction"),
                                             (dict(test_fraction=1.0), "test_fraction"),
                                             (dict(seed=1.5), "seed")])
def test_stratified_split_errors(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        stratified_split([0, 1, 0, 1], **kwargs)


@pytest.mark.parametrize("n, k", [(10, 3), (11, 5), (5, 5), (100, 7)])
def test_kfold_equals_sklearn_and_partitions(n, k):
    ours = list(kfold_indices(n, k))
    theirs = list(KFold(k).split(np.zeros(n)))
    assert len(ours) == k
    for (train, val), (sk_train, sk_val) in zip(ours, theirs):
        assert np.array_equal(train, sk_train) and np.array_equal(val, sk_val)
        assert np.array_equal(np.sort(np.concatenate([train, val])), np.arange(n))
    sizes = [len(val) for _, val in ours]
    assert max(sizes) - min(sizes) <= 1
    assert np.array_equal(np.sort(np.concatenate([val for _, val in ours])), np.arange(n))


def test_shuffled_kfold_partitions_and_is_reproducible():
    first = list(kfold_indices(23, 4, shuffle=True, seed=3))
    second = list(kfold_indices(23, 4, shuffle=True, seed=3))
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(first, second))
    assert np.array_equal(np.sort(np.concatenate([val for _, val in first])), np.arange(23))
    assert not np.array_equal(first[0][1], np.arange(6))
    with pytest.raises(ValueError, match="shuffle is False"):
        kfold_indices(10, 2, seed=1)
    with pytest.raises(ValueError, match="folds"):
        kfold_indices(3, 4)
    with pytest.raises(ValueError, match="cannot be greater"):
        stratified_kfold_indices([0, 0, 1, 1], 3)


def test_stratified_kfold_equals_sklearn():
    labels = unbalanced_labels()
    for k in (2, 5, 10):
        ours = list(stratified_kfold_indices(labels, k))
        theirs = list(StratifiedKFold(k).split(np.zeros(len(labels)), labels))
        for (train, val), (sk_train, sk_val) in zip(ours, theirs):
            assert np.array_equal(train, sk_train) and np.array_equal(val, sk_val)
        sizes = [len(val) for _, val in ours]
        assert max(sizes) - min(sizes) <= 1


def test_shuffled_stratified_kfold_keeps_the_class_counts_of_each_fold():
    labels = unbalanced_labels()
    plain = list(stratified_kfold_indices(labels, 5))
    shuffled = list(stratified_kfold_indices(labels, 5, shuffle=True, seed=0))
    assert np.array_equal(np.sort(np.concatenate([val for _, val in shuffled])), np.arange(100))
    for (_, val), (_, shuffled_val) in zip(plain, shuffled):
        for name in np.unique(labels):
            assert np.count_nonzero(labels[val] == name) == \
                np.count_nonzero(labels[shuffled_val] == name)
    assert any(not np.array_equal(a[1], b[1]) for a, b in zip(plain, shuffled))


def test_kfold_mean_accuracy_equals_cross_val_score():
    digits = load_digits()
    x, y = digits.data[:600], digits.target[:600]
    model = KNeighborsClassifier(n_neighbors=3)
    scores = [model.fit(x[train], y[train]).score(x[val], y[val])
              for train, val in kfold_indices(len(y), 5)]
    expected = cross_val_score(KNeighborsClassifier(n_neighbors=3), x, y, cv=KFold(5))
    assert math.isclose(np.mean(scores), expected.mean(), rel_tol=0, abs_tol=1e-15)
