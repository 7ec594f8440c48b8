"""Linear classifiers (course chapter 1; CS231n assignment 1): scores
f(x; W, b) = Wx + b with W: (C, D), b: (C,), under the multiclass SVM or the softmax
loss, trained by minibatch SGD on the autograd engine. The gradients come from
``backward()`` through ``F.multi_margin_loss`` / ``F.cross_entropy`` and the
regularisation penalties, not from hand-written formulas.

The bias trick: appending a constant 1 to every example, x -> (x, 1) (``append_bias``),
and b as a last column of W, W -> [W | b], gives [W | b](x, 1) = Wx + b, so one matrix
holds both. ``LinearClassifier`` keeps W and b apart instead, so that the penalty
λR(W) leaves b alone (the usual choice; CS231n's bias trick regularises b as well).

The objective is L(W) = (1/N) Σ_i L_i(f(x_i; W, b), y_i) + λ R(W), with R without a
factor ½, as in CS231n/EECS (feature C2.01): R = ΣW² (l2), Σ|W| (l1) or
Σ(βW² + |W|) (elastic net).
"""
import numpy as np

from ..autograd.grad_mode import no_grad
from ..creation import from_numpy, zeros
from ..nn import functional as F
from ..nn.regularization import elastic_net_penalty, l1_penalty, l2_penalty
from ..optim import SGD, Adam
from ..tensor import Tensor

LOSSES = ("svm", "softmax")
REG_TYPES = ("l2", "l1", "elastic")
OPTIMIZERS = ("sgd", "adam")


def _as_scores(scores):
    scores = scores if isinstance(scores, Tensor) else from_numpy(np.asarray(scores))
    if scores.ndim != 2:
        raise ValueError(f"scores: expected shape (N, C), got {tuple(scores.shape)}")
    return scores


def svm_loss(scores, y, p=1):
    """Multiclass SVM (hinge) loss, the course's definition:

        L_i = Σ_{j≠y_i} max(0, s_j - s_{y_i} + 1)^p,    L = (1/N) Σ_i L_i

    scores: (N, C) Tensor or array, y: (N,) class indices in [0, C) -> 0-d Tensor
    (differentiable in scores). p=2 is the squared hinge (L2-SVM, the notes' Q6).

    Computed as C·F.multi_margin_loss(scores, y, p): PyTorch's loss divides by C.
    Summing over j = y_i too would add exactly 1 per example (Q4). With W ≈ 0 all
    scores are ≈ 0 and L ≈ C - 1; erratum E2: the notes' answer N×(C-1) is the
    un-averaged sum. L ranges over [0, ∞) (Q2). Erratum E3: averaging instead of summing
    over examples (Q5) scales the loss and its gradient by 1/N but does not change the
    minimiser; it is not what keeps the gradient from exploding.
    """
    scores = _as_scores(scores)
    return F.multi_margin_loss(scores, y, p=p) * scores.shape[1]


def softmax_loss(scores, y):
    """Softmax (cross-entropy) loss, the course's definition:

        L_i = -log(e^{s_{y_i}} / Σ_j e^{s_j}),    L = (1/N) Σ_i L_i

    scores: (N, C) Tensor or array, y: (N,) class indices in [0, C) -> 0-d Tensor.
    Erratum E4: the numerator is the true class's e^{s_{y_i}} (the notes write e^{s_k}).
    Erratum E5: L_i ranges over [0, ∞): 0 when p_{y_i} -> 1, +∞ when p_{y_i} -> 0 (the
    notes say max 0, min -∞). With W ≈ 0, L ≈ ln C. Computed as F.cross_entropy, which
    subtracts the row maximum before exponentiating (stable for scores like 1000).
    """
    return F.cross_entropy(_as_scores(scores), y)


def penalty(weight, reg_type="l2", beta=0.5):
    """R(W) for ``reg_type`` 'l2' (ΣW²), 'l1' (Σ|W|) or 'elastic' (Σ(βW² + |W|)),
    a 0-d Tensor differentiable in ``weight``."""
    if reg_type == "l2":
        return l2_penalty(weight)
    if reg_type == "l1":
        return l1_penalty(weight)
    if reg_type == "elastic":
        return elastic_net_penalty(weight, beta=beta)
    raise ValueError(f"reg_type: expected one of {REG_TYPES}, got {reg_type!r}")


def linear_loss(x, weight, bias, target, loss="softmax", reg=0.0, reg_type="l2", beta=0.5):
    """The regularised objective of a linear classifier as one engine graph:

        L = (1/N) Σ_i L_i(W x_i + b, y_i) + reg · R(W)

    x: (N, D), weight: (C, D), bias: (C,) or None, target: (N,) class indices ->
    0-d Tensor. ``loss`` is 'svm' or 'softmax'; reg = 0 gives the data loss alone.
    """
    if loss not in LOSSES:
        raise ValueError(f"loss: expected one of {LOSSES}, got {loss!r}")
    scores = F.linear(x, weight, bias)
    data_loss = svm_loss(scores, target) if loss == "svm" else softmax_loss(scores, target)
    if reg == 0:
        return data_loss
    return data_loss + reg * penalty(weight, reg_type, beta)


def append_bias(X):
    """The bias trick: X: (N, D) -> (N, D + 1) with a last column of ones, so that
    append_bias(X) @ [W | b].T == X @ W.T + b."""
    X = np.asarray(X)
    return np.hstack([X, np.ones((X.shape[0], 1), dtype=X.dtype)])


def _minibatches(num_examples, batch_size, num_steps, rng):
    """Index arrays of ``num_steps`` minibatches taken in order from consecutive
    shuffled passes over the data (each pass ends with a smaller batch when
    batch_size does not divide num_examples)."""
    taken = 0
    while True:
        order = rng.permutation(num_examples)
        for start in range(0, num_examples, batch_size):
            if taken == num_steps:
                return
            taken += 1
            yield order[start:start + batch_size]


class LinearClassifier:
    """A linear classifier, scores = X W^T + b, trained with the multiclass SVM or the
    softmax loss plus λR(W) (see the module docstring).

    Args:
        loss: 'svm' (multiclass hinge) or 'softmax' (cross-entropy).
        reg: regularisation strength λ.
        reg_type: 'l2' (ΣW²), 'l1' (Σ|W|) or 'elastic' (Σ(βW² + |W|)).
        beta: β of the elastic net (ignored otherwise).
        weight_scale: std of the initial W (CS231n's 0.001·randn): small, so that
            the initial loss is ≈ C - 1 (SVM) or ≈ ln C (softmax).

    After ``fit``: ``W`` (C, D) and ``b`` (C,) NumPy arrays, ``classes_`` the sorted
    labels (class c is ``classes_[c]``) and ``loss_history`` (one float per step).
    """

    def __init__(self, loss="softmax", reg=1e-4, reg_type="l2", beta=0.5, weight_scale=1e-3):
        if loss not in LOSSES:
            raise ValueError(f"loss: expected one of {LOSSES}, got {loss!r}")
        if reg_type not in REG_TYPES:
            raise ValueError(f"reg_type: expected one of {REG_TYPES}, got {reg_type!r}")
        if reg < 0:
            raise ValueError(f"reg: expected a non-negative strength, got {reg}")
        self.loss, self.reg, self.reg_type, self.beta = loss, reg, reg_type, beta
        self.weight_scale = weight_scale
        self.weight = None
        self.bias = None
        self.classes_ = None
        self.loss_history = []

    @property
    def W(self):
        """(C, D) weights; row c is class c's template."""
        return None if self.weight is None else self.weight.data

    @property
    def b(self):
        """(C,) biases."""
        return None if self.bias is None else self.bias.data

    @staticmethod
    def _rows(X):
        """X: (N, ...) -> (N, D) float array: float64 stays float64 (gradient checks),
        anything else becomes float32, the default dtype."""
        X = np.asarray(X)
        if X.ndim < 1 or X.shape[0] == 0:
            raise ValueError(f"X: expected an array of shape (N, ...) with N >= 1, got "
                             f"shape {X.shape}")
        dtype = np.float64 if X.dtype == np.float64 else np.float32
        return X.reshape(X.shape[0], -1).astype(dtype, copy=False)

    def fit(self, X, y, lr=1e-2, epochs=10, num_iters=None, batch_size=200, optimizer="sgd",
            momentum=0.0, seed=0, verbose=False):
        """Train from a fresh initialisation by minibatch gradient descent.

        X: (N, ...) examples (flattened to (N, D)); y: (N,) labels.
        lr: learning rate. epochs: passes over the shuffled data; ``num_iters``, when
        given, replaces it by that many minibatch steps (CS231n's form). batch_size:
        examples per step (batch_size >= N is full-batch gradient descent).
        optimizer: 'sgd' (with ``momentum``) or 'adam'. seed: seeds the initial W and
        the shuffling with a private generator, so equal seeds give bit-identical runs.
        verbose: show a progress bar. Returns self.
        """
        X = self._rows(X)
        y = np.asarray(y)
        if y.shape != (X.shape[0],):
            raise ValueError(f"y: expected shape ({X.shape[0]},) to match X, got {y.shape}")
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer: expected one of {OPTIMIZERS}, got {optimizer!r}")
        if batch_size < 1:
            raise ValueError(f"batch_size: expected a positive integer, got {batch_size}")
        num_steps = num_iters if num_iters is not None else epochs * -(-X.shape[0] // batch_size)
        if num_steps < 1:
            raise ValueError(f"epochs/num_iters: expected at least one step, got "
                             f"epochs={epochs}, num_iters={num_iters}")
        self.classes_, target = np.unique(y, return_inverse=True)
        rng = np.random.default_rng(seed)
        num_classes, D = len(self.classes_), X.shape[1]
        initial = self.weight_scale * rng.standard_normal((num_classes, D))
        self.weight = from_numpy(initial.astype(X.dtype)).requires_grad_()
        self.bias = zeros(num_classes, dtype=X.dtype).requires_grad_()
        parameters = [self.weight, self.bias]
        if optimizer == "sgd":
            step_rule = SGD(parameters, lr=lr, momentum=momentum)
        else:
            step_rule = Adam(parameters, lr=lr)
        batches = _minibatches(X.shape[0], batch_size, num_steps, rng)
        if verbose:
            from tqdm.auto import tqdm

            batches = tqdm(batches, total=num_steps, desc=f"{self.loss} classifier",
                           unit="step")
        self.loss_history = []
        for batch in batches:
            # Indexing the arrays directly: a DataLoader would collate example by example.
            loss = linear_loss(from_numpy(X[batch]), self.weight, self.bias,
                               from_numpy(target[batch]), self.loss, self.reg,
                               self.reg_type, self.beta)
            step_rule.zero_grad()
            loss.backward()
            step_rule.step()
            self.loss_history.append(loss.item())
            if verbose and len(self.loss_history) % 20 == 0:
                batches.set_postfix(loss=f"{self.loss_history[-1]:.4f}")
        return self

    train = fit  # the course's name: train(images, labels) -> model

    def scores(self, X):
        """X: (N, ...) -> (N, C) class scores X W^T + b."""
        if self.weight is None:
            raise RuntimeError("LinearClassifier: call fit(X, y) before predicting")
        X = self._rows(X).astype(self.weight.dtype, copy=False)
        if X.shape[1] != self.weight.shape[1]:
            raise ValueError(f"X: expected {self.weight.shape[1]} features per example (as "
                             f"in training), got {X.shape[1]}")
        with no_grad():
            return F.linear(from_numpy(X), self.weight, self.bias).numpy()

    def predict(self, X):
        """X: (N, ...) -> (N,) labels of the highest-scoring classes."""
        return self.classes_[self.scores(X).argmax(axis=1)]

    def score(self, X, y):
        """Mean accuracy of ``predict(X)`` against y: (N,)."""
        y = np.asarray(y)
        prediction = self.predict(X)
        if y.shape != prediction.shape:
            raise ValueError(f"y: expected shape {prediction.shape} to match X, got {y.shape}")
        return float(np.mean(prediction == y))
