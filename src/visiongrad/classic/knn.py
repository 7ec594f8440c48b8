"""k-nearest-neighbour classification (course chapter 1; CS231n assignment 1).

Training memorises the data (O(1)); prediction compares every test example with every
training example (O(N) per test example) and lets the k closest vote.

Erratum E1: the notes say to take the **max** over the absolute differences to the
training images; the nearest neighbour is the **argmin** of the distance.

Distances are computed in float64 whatever the input dtype: uint8 pixels would wrap
around on subtraction, and float64 keeps the three L2 implementations within 1e-10 of
each other.
"""
import numpy as np

from ..utils.data.splits import kfold_indices

DISTANCES = ("l2", "l1")

# Largest float64 temporary (in elements, 128 MiB) that the chunked distance kernels
# and the chunked prediction loop may allocate at once.
_CHUNK_ELEMENTS = 1 << 24
# Block shape of the L1 kernel's (rows, cols, D) difference buffer (8 MiB): the fastest
# of the sizes measured for MNIST-sized inputs.
_L1_BLOCK_ELEMENTS = 1 << 20
_L1_BLOCK_COLS = 64


def _as_rows(X, name):
    """X: (N, ...) -> (N, D) float64, one flattened example per row."""
    X = np.asarray(X)
    if X.ndim < 1 or X.shape[0] == 0:
        raise ValueError(f"{name}: expected an array of shape (N, ...) with N >= 1, "
                         f"got shape {X.shape}")
    if not (np.issubdtype(X.dtype, np.number) or X.dtype == np.bool_):
        raise TypeError(f"{name}: expected a numeric array, got dtype {X.dtype}")
    return X.reshape(X.shape[0], -1).astype(np.float64, copy=False)


def _check_distance(distance):
    if distance not in DISTANCES:
        raise ValueError(f"distance: expected one of {DISTANCES}, got {distance!r}")


def _row_chunks(num_rows, row_cost):
    """Slices over range(num_rows) such that each chunk holds at most _CHUNK_ELEMENTS
    elements when one row costs ``row_cost`` elements (at least one row per chunk)."""
    step = max(1, _CHUNK_ELEMENTS // max(1, row_cost))
    return [slice(start, min(start + step, num_rows)) for start in range(0, num_rows, step)]


def _pair(name, A, B):
    A, B = np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[1]:
        raise ValueError(f"{name}: expected A: (M, D) and B: (N, D) with the same D, got "
                         f"shapes {A.shape} and {B.shape}")
    return A, B


def pairwise_l2(A, B):
    """Euclidean distances between the rows of A: (M, D) and B: (N, D) -> (M, N).

    Uses ||a - b||^2 = ||a||^2 + ||b||^2 - 2 a.b, so the work is one matrix product.
    Cancellation can make the sum slightly negative for (near-)identical rows, so it is
    clipped at 0 before the square root; for identical rows the result is then of the
    order sqrt(eps)·||a|| rather than exactly 0.
    """
    A, B = _pair("pairwise_l2", A, B)
    out = np.empty((A.shape[0], B.shape[0]))
    B_squared = np.einsum("nd,nd->n", B, B)
    for rows in _row_chunks(A.shape[0], B.shape[0]):
        chunk = out[rows]
        np.matmul(A[rows], B.T, out=chunk)
        chunk *= -2.0
        chunk += np.einsum("md,md->m", A[rows], A[rows])[:, None]
        chunk += B_squared[None, :]
        np.maximum(chunk, 0.0, out=chunk)
        np.sqrt(chunk, out=chunk)
    return out


def pairwise_l1(A, B):
    """Manhattan (city-block) distances between the rows of A: (M, D) and B: (N, D)
    -> (M, N). Fully vectorised by broadcasting (rows, cols, D) differences over blocks
    of A's and B's rows into one reused buffer: a block that stays near the cache
    measured 4x faster than one whole (rows, N, D) slab per chunk of A's rows."""
    A, B = _pair("pairwise_l1", A, B)
    D = A.shape[1]
    out = np.empty((A.shape[0], B.shape[0]))
    cols = min(B.shape[0], _L1_BLOCK_COLS)
    rows = max(1, _L1_BLOCK_ELEMENTS // (cols * max(1, D)))
    buffer = np.empty(rows * cols * D)
    for i in range(0, A.shape[0], rows):
        a = A[i:i + rows]
        for j in range(0, B.shape[0], cols):
            b = B[j:j + cols]
            difference = buffer[:len(a) * len(b) * D].reshape(len(a), len(b), D)
            np.subtract(a[:, None, :], b[None, :, :], out=difference)
            np.abs(difference, out=difference)
            difference.sum(axis=2, out=out[i:i + rows, j:j + cols])
    return out


def majority_vote(neighbor_classes, num_classes):
    """neighbor_classes: (M, k) class indices of each example's k nearest neighbours
    -> (M,) the most frequent class index per row.

    A tie in the vote goes to the smallest class index, i.e. the smallest label (the
    CS231n/EECS convention: ``np.argmax`` of the counts returns the first maximum).
    """
    M = neighbor_classes.shape[0]
    flat = (np.arange(M)[:, None] * num_classes + neighbor_classes).ravel()
    counts = np.bincount(flat, minlength=M * num_classes).reshape(M, num_classes)
    return counts.argmax(axis=1)


class KNearestNeighbor:
    """k-nearest-neighbour classifier with L2 or L1 distance.

    ``fit``/``train`` stores X: (N, ...) (flattened to (N, D)) and y: (N,); ``predict``
    returns, for each test row, the majority label of its k nearest training rows.

    Conventions: the nearest neighbour is the **argmin** of the distance (erratum E1:
    the notes say max). Neighbours at equal distance are ranked by training order
    (stable sort), and a tie in the vote goes to the **smallest label** (CS231n/EECS).

    Attributes: ``X_train`` (N, D) float64, ``y_train`` (N,), ``classes_`` the sorted
    distinct labels.
    """

    def __init__(self):
        self.X_train = None
        self.y_train = None
        self.classes_ = None
        self._train_classes = None

    def fit(self, X, y):
        """X: (N, ...) training examples, y: (N,) labels. Returns self."""
        X = _as_rows(X, "X")
        y = np.asarray(y)
        if y.shape != (X.shape[0],):
            raise ValueError(f"y: expected shape ({X.shape[0]},) to match X, got {y.shape}")
        self.X_train, self.y_train = X, y
        self.classes_, self._train_classes = np.unique(y, return_inverse=True)
        return self

    train = fit  # the course's name: train(images, labels) -> model

    def _check_test(self, X):
        if self.X_train is None:
            raise RuntimeError("KNearestNeighbor: call fit(X, y) before predicting")
        X = _as_rows(X, "X")
        if X.shape[1] != self.X_train.shape[1]:
            raise ValueError(f"X: expected {self.X_train.shape[1]} features per example "
                             f"(as in training), got {X.shape[1]}")
        return X

    def compute_distances_two_loops(self, X):
        """L2 distances, X: (M, ...) -> (M, N), one Python loop over test rows and one
        over training rows (the course's first version; slow)."""
        X = self._check_test(X)
        dists = np.empty((X.shape[0], self.X_train.shape[0]))
        for i in range(X.shape[0]):
            for j in range(self.X_train.shape[0]):
                dists[i, j] = np.sqrt(np.sum((X[i] - self.X_train[j]) ** 2))
        return dists

    def compute_distances_one_loop(self, X):
        """L2 distances, X: (M, ...) -> (M, N), one loop over test rows with the
        training set broadcast."""
        X = self._check_test(X)
        dists = np.empty((X.shape[0], self.X_train.shape[0]))
        for i in range(X.shape[0]):
            dists[i] = np.sqrt(np.sum((self.X_train - X[i]) ** 2, axis=1))
        return dists

    def compute_distances_no_loops(self, X):
        """L2 distances, X: (M, ...) -> (M, N), via ||a||^2 + ||b||^2 - 2ab (one matrix
        product; see ``pairwise_l2``)."""
        return pairwise_l2(self._check_test(X), self.X_train)

    def compute_distances(self, X, distance="l2"):
        """X: (M, ...) -> (M, N) distances to every training example, with the
        vectorised kernel for ``distance`` ('l2' or 'l1')."""
        _check_distance(distance)
        X = self._check_test(X)
        kernel = pairwise_l2 if distance == "l2" else pairwise_l1
        return kernel(X, self.X_train)

    def neighbor_classes(self, X, k, distance="l2"):
        """X: (M, ...) -> (M, k) class indices (into ``classes_``) of the k nearest
        training examples, nearest first. Works in chunks of test rows so that only a
        bounded slice of the (M, N) distance matrix exists at a time."""
        _check_distance(distance)
        X = self._check_test(X)
        num_train = self.X_train.shape[0]
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= num_train:
            raise ValueError(f"k: expected an integer in [1, {num_train}] (the number of "
                             f"training examples), got {k!r}")
        kernel = pairwise_l2 if distance == "l2" else pairwise_l1
        neighbors = np.empty((X.shape[0], k), dtype=np.int64)
        for rows in _row_chunks(X.shape[0], num_train):
            dists = kernel(X[rows], self.X_train)
            # stable, so that equally distant neighbours come in training order
            nearest = np.argsort(dists, axis=1, kind="stable")[:, :k]
            neighbors[rows] = self._train_classes[nearest]
        return neighbors

    def predict(self, X, k=1, distance="l2"):
        """X: (M, ...) -> (M,) predicted labels by majority vote of the k nearest
        training examples (ties -> smallest label)."""
        neighbors = self.neighbor_classes(X, k, distance)
        return self.classes_[majority_vote(neighbors, len(self.classes_))]

    def score(self, X, y, k=1, distance="l2"):
        """Mean accuracy of ``predict(X, k, distance)`` against y: (M,)."""
        y = np.asarray(y)
        prediction = self.predict(X, k, distance)
        if y.shape != prediction.shape:
            raise ValueError(f"y: expected shape {prediction.shape} to match X, got {y.shape}")
        return float(np.mean(prediction == y))


def cross_validate_knn(X, y, ks, num_folds=5, distance="l2", shuffle=False, seed=None,
                       verbose=False):
    """k-fold cross-validation of a k-nearest-neighbour classifier for several k.

    X: (N, ...), y: (N,). The folds are ``kfold_indices(N, num_folds, shuffle, seed)``:
    with ``shuffle=False`` consecutive blocks, identical to
    ``sklearn.model_selection.KFold(num_folds)``. Pass ``shuffle=True`` when the data are
    ordered by class (the embedded MNIST subset is), or a fold would miss whole classes.
    Each fold is held out once; the distances and neighbour ranking are computed once
    per fold and reused for every k.

    Returns ``k_to_accuracies`` (CS231n's name): {k: (num_folds,) array of validation
    accuracies}, in the order of ``ks``.
    """
    X = _as_rows(X, "X")
    y = np.asarray(y)
    if y.shape != (X.shape[0],):
        raise ValueError(f"y: expected shape ({X.shape[0]},) to match X, got {y.shape}")
    ks = [int(k) for k in ks]
    if not ks or min(ks) < 1:
        raise ValueError(f"ks: expected a non-empty sequence of positive integers, got {ks}")
    folds = list(kfold_indices(X.shape[0], num_folds, shuffle=shuffle, seed=seed))
    smallest_train = min(len(train_idx) for train_idx, _ in folds)
    if max(ks) > smallest_train:
        raise ValueError(f"ks: expected values of at most {smallest_train} (the smallest "
                         f"training fold), got {max(ks)}")
    k_to_accuracies = {k: np.empty(num_folds) for k in ks}
    if verbose:
        from tqdm.auto import tqdm

        folds = tqdm(folds, desc=f"{num_folds}-fold cross-validation ({distance})", unit="fold")
    for fold, (train_idx, val_idx) in enumerate(folds):
        model = KNearestNeighbor().fit(X[train_idx], y[train_idx])
        neighbors = model.neighbor_classes(X[val_idx], max(ks), distance)
        for k in ks:
            prediction = model.classes_[majority_vote(neighbors[:, :k], len(model.classes_))]
            k_to_accuracies[k][fold] = np.mean(prediction == y[val_idx])
    return k_to_accuracies


def select_k(k_to_accuracies):
    """The k with the highest mean cross-validated accuracy; among equal means the
    smallest k (the cheaper, less smoothed model)."""
    if not k_to_accuracies:
        raise ValueError("k_to_accuracies: expected at least one k, got an empty mapping")
    return max(sorted(k_to_accuracies), key=lambda k: np.mean(k_to_accuracies[k]))
