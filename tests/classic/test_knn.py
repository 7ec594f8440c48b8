import numpy as np
import pytest
from scipy.spatial.distance import cdist
from sklearn.datasets import load_digits
from sklearn.model_selection import KFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier

from visiongrad.classic import knn as knn_module
from visiongrad.classic.knn import (KNearestNeighbor, cross_validate_knn, majority_vote,
                                   pairwise_l1, pairwise_l2, select_k)
from visiongrad.vision.datasets import MNIST, Digits


@pytest.fixture
def blobs(rng):
    """Three overlapping Gaussian classes in 20-D, continuous so that no two distances
    tie; train (200) and test (60) drawn separately."""
    centers = rng.normal(scale=1.5, size=(3, 20))
    y_train = rng.integers(0, 3, 200)
    y_test = rng.integers(0, 3, 60)
    X_train = centers[y_train] + rng.normal(size=(200, 20))
    X_test = centers[y_test] + rng.normal(size=(60, 20))
    return X_train, y_train, X_test, y_test


def test_three_l2_implementations_agree_and_equal_scipy(blobs):
    X_train, y_train, X_test, _ = blobs
    model = KNearestNeighbor().fit(X_train, y_train)
    reference = cdist(X_test, X_train, "euclidean")
    two = model.compute_distances_two_loops(X_test)
    one = model.compute_distances_one_loop(X_test)
    none = model.compute_distances_no_loops(X_test)
    assert two.shape == one.shape == none.shape == (60, 200)
    np.testing.assert_allclose(one, two, rtol=0, atol=1e-10)
    np.testing.assert_allclose(none, two, rtol=0, atol=1e-10)
    np.testing.assert_allclose(none, reference, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(model.compute_distances(X_test, "l2"), none)


@pytest.mark.parametrize("shapes", [((60, 20), (200, 20)), ((50, 2000), (130, 2000)),
                                    ((1, 3), (1, 3)), ((7, 1), (300, 1))])
def test_l1_equals_scipy_cityblock(rng, shapes):
    # (50, 2000) x (130, 2000) spans several row and column blocks of the L1 buffer
    A, B = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    np.testing.assert_allclose(pairwise_l1(A, B), cdist(A, B, "cityblock"), rtol=1e-12, atol=0)


def test_l2_is_clipped_at_zero_for_identical_rows(rng):
    # large-norm rows make ||a||^2 + ||b||^2 - 2ab cancel to a tiny negative number
    A = 1e4 + rng.normal(size=(30, 50))
    distances = pairwise_l2(A, A)
    assert np.all(np.isfinite(distances))
    assert np.all(distances >= 0)
    # what is left of a zero distance is of the order sqrt(eps)·||a|| (about 1e-3 here)
    bound = 4 * np.sqrt(np.finfo(np.float64).eps) * np.linalg.norm(A, axis=1)
    assert np.all(np.diag(distances) <= bound)


def test_distances_are_float64_and_uint8_does_not_wrap():
    X_train = np.array([[0, 0], [255, 255]], dtype=np.uint8)
    model = KNearestNeighbor().fit(X_train, [0, 1])
    X_test = np.array([[255, 255]], dtype=np.uint8)
    for distance, expected in (("l2", [255 * np.sqrt(2), 0]), ("l1", [510, 0])):
        distances = model.compute_distances(X_test, distance)
        assert distances.dtype == np.float64
        np.testing.assert_allclose(distances, [expected], atol=1e-9)
    np.testing.assert_allclose(model.compute_distances_two_loops(X_test), [[255 * np.sqrt(2), 0]])


def test_images_are_flattened(rng):
    images = rng.normal(size=(40, 4, 5, 3))  # (N, H, W, C)
    labels = rng.integers(0, 4, 40)
    model = KNearestNeighbor().train(images, labels)
    assert model.X_train.shape == (40, 60)
    np.testing.assert_array_equal(model.predict(images[:7]), labels[:7])


@pytest.mark.parametrize("distance", ["l2", "l1"])
def test_one_nn_on_its_own_training_set_is_perfect(blobs, distance):
    X_train, y_train, _, _ = blobs
    model = KNearestNeighbor().fit(X_train, y_train)
    assert model.score(X_train, y_train, k=1, distance=distance) == 1.0


@pytest.mark.parametrize("distance,metric", [("l2", "euclidean"), ("l1", "manhattan")])
@pytest.mark.parametrize("k", [1, 3, 4, 7, 15])
def test_matches_sklearn_brute_where_no_vote_ties(blobs, distance, metric, k):
    X_train, y_train, X_test, _ = blobs
    model = KNearestNeighbor().fit(X_train, y_train)
    reference = KNeighborsClassifier(n_neighbors=k, algorithm="brute", metric=metric)
    expected = reference.fit(X_train, y_train).predict(X_test)
    neighbors = model.neighbor_classes(X_test, k, distance)
    counts = np.stack([np.bincount(row, minlength=3) for row in neighbors])
    top_two = np.sort(counts, axis=1)[:, -2:]
    no_tie = top_two[:, 1] > top_two[:, 0]
    assert no_tie.sum() >= 40
    prediction = model.predict(X_test, k=k, distance=distance)
    np.testing.assert_array_equal(prediction[no_tie], expected[no_tie])
    if k == 1:
        assert prediction.dtype == y_train.dtype


def test_vote_tie_goes_to_smallest_tied_label():
    # 1-D points: the test point 0 has neighbours at distances 1, 2, 3, 4, 5
    X_train = np.array([[1.0], [-2.0], [3.0], [-4.0], [5.0], [40.0]])
    y_train = np.array([7, 4, 4, 7, 1, 0])
    model = KNearestNeighbor().fit(X_train, y_train)
    X_test = np.array([[0.0]])
    assert model.predict(X_test, k=1)[0] == 7
    assert model.predict(X_test, k=2)[0] == 4  # 7 vs 4, one vote each -> 4
    assert model.predict(X_test, k=3)[0] == 4  # 4 has two votes
    # 7: 2, 4: 2, 1: 1 -> the smallest of the *tied* labels, 4, not the smallest label 1
    assert model.predict(X_test, k=5, distance="l1")[0] == 4


def test_equally_distant_neighbours_are_taken_in_training_order():
    X_train = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    model = KNearestNeighbor().fit(X_train, [9, 2, 5])
    assert model.predict([[0.0, 0.0]], k=1)[0] == 9
    np.testing.assert_array_equal(model.neighbor_classes([[0.0, 0.0]], 3), [[2, 0, 1]])


def test_string_labels():
    model = KNearestNeighbor().fit([[0.0], [1.0], [5.0]], ["cat", "car", "frog"])
    np.testing.assert_array_equal(model.predict([[0.9], [4.0]]), ["car", "frog"])


def test_majority_vote():
    neighbors = np.array([[0, 1, 1], [2, 2, 0], [3, 1, 2], [0, 0, 0]])
    np.testing.assert_array_equal(majority_vote(neighbors, 4), [1, 2, 1, 0])


def test_chunked_prediction_equals_one_chunk(blobs, monkeypatch):
    X_train, y_train, X_test, _ = blobs
    model = KNearestNeighbor().fit(X_train, y_train)
    whole = model.predict(X_test, k=5)
    distances = model.compute_distances_no_loops(X_test)
    monkeypatch.setattr(knn_module, "_CHUNK_ELEMENTS", 7 * X_train.shape[0])
    np.testing.assert_array_equal(model.predict(X_test, k=5), whole)
    # a different chunking changes the BLAS blocking, hence the last bits
    np.testing.assert_allclose(model.compute_distances_no_loops(X_test), distances,
                               rtol=1e-13, atol=0)


def test_errors_name_the_argument(blobs):
    X_train, y_train, X_test, _ = blobs
    with pytest.raises(RuntimeError, match="fit"):
        KNearestNeighbor().predict(X_test)
    model = KNearestNeighbor().fit(X_train, y_train)
    with pytest.raises(ValueError, match=r"k: expected an integer in \[1, 200\].*got 201"):
        model.predict(X_test, k=201)
    with pytest.raises(ValueError, match="k: expected"):
        model.predict(X_test, k=0)
    with pytest.raises(ValueError, match=r"distance: expected one of .*got 'cosine'"):
        model.predict(X_test, distance="cosine")
    with pytest.raises(ValueError, match="X: expected 20 features.*got 19"):
        model.predict(X_test[:, :19])
    with pytest.raises(ValueError, match=r"y: expected shape \(200,\).*got \(199,\)"):
        KNearestNeighbor().fit(X_train, y_train[:-1])
    with pytest.raises(ValueError, match="X: expected an array of shape"):
        KNearestNeighbor().fit(np.zeros((0, 3)), [])
    with pytest.raises(ValueError, match=r"pairwise_l1: expected .*\(2, 3\) and \(4, 2\)"):
        pairwise_l1(np.zeros((2, 3)), np.zeros((4, 2)))


@pytest.mark.parametrize("distance,metric", [("l2", "euclidean"), ("l1", "manhattan")])
def test_cross_validation_equals_sklearn_cross_val_score(rng, distance, metric):
    digits = load_digits()
    # a little jitter so that no two distances tie (sklearn's neighbour order among
    # equal distances is unspecified); 1797 % 5 != 0, so fold sizes differ by one
    X = digits.data + rng.normal(scale=1e-3, size=digits.data.shape)
    y = digits.target
    ks = [1, 3, 6, 10]
    k_to_accuracies = cross_validate_knn(X, y, ks, num_folds=5, distance=distance)
    assert list(k_to_accuracies) == ks
    for k in ks:
        reference = cross_val_score(
            KNeighborsClassifier(n_neighbors=k, algorithm="brute", metric=metric), X, y,
            cv=KFold(5), scoring="accuracy")
        np.testing.assert_allclose(k_to_accuracies[k], reference, rtol=0, atol=1e-12)
    assert 0.9 < np.mean(k_to_accuracies[1]) < 1.0


def test_cross_validation_shuffle_matters_for_class_sorted_data(rng):
    # sorted by class: each unshuffled fold's classes are absent from its training folds
    y = np.repeat(np.arange(5), 20)
    X = rng.normal(scale=0.3, size=(100, 4)) + y[:, None]
    blocks = cross_validate_knn(X, y, [1], num_folds=5)
    shuffled = cross_validate_knn(X, y, [1], num_folds=5, shuffle=True, seed=0)
    np.testing.assert_array_equal(blocks[1], 0.0)
    assert shuffled[1].min() > 0.8
    again = cross_validate_knn(X, y, [1], num_folds=5, shuffle=True, seed=0)
    np.testing.assert_array_equal(again[1], shuffled[1])


def test_select_k_prefers_highest_mean_then_smallest_k():
    assert select_k({1: [0.9, 0.8], 3: [0.9, 0.9], 5: [0.95, 0.85]}) == 3
    assert select_k({7: [0.5], 2: [0.5], 4: [0.4]}) == 2
    with pytest.raises(ValueError, match="k_to_accuracies"):
        select_k({})


def test_cross_validation_errors(blobs):
    X_train, y_train, _, _ = blobs
    with pytest.raises(ValueError, match=r"ks: expected values of at most 160.*got 161"):
        cross_validate_knn(X_train, y_train, [1, 161], num_folds=5)
    with pytest.raises(ValueError, match="ks: expected a non-empty"):
        cross_validate_knn(X_train, y_train, [], num_folds=5)
    with pytest.raises(ValueError, match="y: expected shape"):
        cross_validate_knn(X_train, y_train[:3], [1])


def test_digits_one_nn_accuracy():
    train, test = Digits(train=True), Digits(train=False)
    model = KNearestNeighbor().fit(train.data, train.targets)
    assert model.score(test.data, test.targets, k=1) >= 0.97


def test_mnist_knn_accuracy():
    train, test = MNIST(train=True), MNIST(train=False)
    model = KNearestNeighbor().fit(train.data, train.targets)
    assert model.score(test.data, test.targets, k=1) >= 0.92
