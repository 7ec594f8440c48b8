import math

import numpy as np
import pytest

import visiongrad as vg
import visiongrad.nn.functional as F
from visiongrad.autograd.gradcheck import relative_error
from visiongrad.classic import LinearClassifier
from visiongrad.classic.linear import (append_bias, linear_loss, penalty, softmax_loss,
                                       svm_loss)
from visiongrad.vision.datasets import MNIST, Digits
from visiongrad.vision.preprocessing import Standardize

# FEATURES §4.1: three images (cat, car, frog), one row of class scores each
GOLDEN_SCORES = np.array([[3.2, 5.1, -1.7],
                          [1.3, 4.9, 2.0],
                          [2.2, 2.5, -3.1]])
GOLDEN_LABELS = np.array([0, 1, 2])


def _flat(images):
    return np.asarray(images, np.float64).reshape(len(images), -1)


def svm_loss_naive(W, b, X, y, reg):
    """The course's loop version of the multiclass SVM loss and its gradient (a test
    reference only; visiongrad gets its gradients from the engine). W: (C, D)."""
    dW, db, loss = np.zeros_like(W), np.zeros_like(b), 0.0
    for i in range(X.shape[0]):
        scores = W @ X[i] + b
        for j in range(W.shape[0]):
            if j == y[i]:
                continue
            margin = scores[j] - scores[y[i]] + 1
            if margin > 0:
                loss += margin
                dW[j] += X[i]
                db[j] += 1
                dW[y[i]] -= X[i]
                db[y[i]] -= 1
    N = X.shape[0]
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W, db / N


def softmax_loss_naive(W, b, X, y, reg):
    """The course's loop version of the softmax loss and its gradient (test reference)."""
    dW, db, loss = np.zeros_like(W), np.zeros_like(b), 0.0
    for i in range(X.shape[0]):
        scores = W @ X[i] + b
        scores -= scores.max()
        probabilities = np.exp(scores) / np.sum(np.exp(scores))
        loss -= np.log(probabilities[y[i]])
        for j in range(W.shape[0]):
            d_score = probabilities[j] - (j == y[i])
            dW[j] += d_score * X[i]
            db[j] += d_score
    N = X.shape[0]
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W, db / N


@pytest.fixture
def problem(rng):
    """A float64 problem: X (30, 12), y (30,) in 5 classes, W (5, 12), b (5,)."""
    X = rng.normal(size=(30, 12))
    y = rng.integers(0, 5, 30)
    W = 0.1 * rng.normal(size=(5, 12))
    b = 0.1 * rng.normal(size=5)
    return X, y, W, b


@pytest.fixture(scope="module")
def digits():
    train, test = Digits(train=True), Digits(train=False)
    scaler = Standardize().fit(_flat(train.data))
    return (scaler.transform(_flat(train.data)).astype(np.float32), train.targets,
            scaler.transform(_flat(test.data)).astype(np.float32), test.targets)


def test_golden_svm_loss():
    assert float(svm_loss(GOLDEN_SCORES, GOLDEN_LABELS)) == pytest.approx(5.2667, abs=1e-4)
    assert float(svm_loss(GOLDEN_SCORES[1:2], GOLDEN_LABELS[1:2])) == 0.0


def test_golden_softmax_loss():
    assert float(softmax_loss(GOLDEN_SCORES, GOLDEN_LABELS)) == pytest.approx(2.7587, abs=1e-4)
    assert float(softmax_loss(GOLDEN_SCORES[:1], GOLDEN_LABELS[:1])) == pytest.approx(2.0404,
                                                                                    abs=1e-4)


@pytest.mark.parametrize("p", [1, 2])
def test_svm_loss_is_the_course_formula_and_c_times_multi_margin(rng, p):
    scores = rng.normal(size=(40, 7))
    y = rng.integers(0, 7, 40)
    margins = np.maximum(0, scores - scores[np.arange(40), y][:, None] + 1) ** p
    margins[np.arange(40), y] = 0
    expected = margins.sum(axis=1).mean()
    loss = svm_loss(vg.tensor(scores), y, p=p)
    assert loss.item() == pytest.approx(expected, rel=1e-12)
    assert loss.item() == pytest.approx(7 * F.multi_margin_loss(vg.tensor(scores), y, p=p).item(),
                                        rel=1e-12)


def test_including_the_correct_class_adds_one(rng):
    scores = rng.normal(size=(50, 10))
    y = rng.integers(0, 10, 50)
    all_j = np.maximum(0, scores - scores[np.arange(50), y][:, None] + 1).sum(axis=1).mean()
    # the j = y_i term is max(0, 1) = 1 for every example
    assert all_j - svm_loss(scores, y).item() == pytest.approx(1.0, abs=1e-12)


def test_softmax_loss_equals_minus_log_probability_and_is_stable():
    scores = np.array([[1000.0, 1001.0], [-1000.0, 1000.0]])
    loss = softmax_loss(scores, np.array([1, 0]))
    assert np.isfinite(loss.item())
    # row 1: -log(e/(1+e)) = log(1 + e^-1); row 2: 2000 exactly
    assert loss.item() == pytest.approx((math.log1p(math.exp(-1)) + 2000) / 2, rel=1e-12)


def test_loss_bounds():
    # erratum E5: softmax L_i lies in [0, inf); so does the SVM's
    confident = np.array([[50.0, 0.0, 0.0]])
    wrong = np.array([[0.0, 500.0, 0.0]])
    assert svm_loss(confident, [0]).item() == 0.0
    assert 0 <= softmax_loss(confident, [0]).item() < 1e-20
    assert svm_loss(wrong, [0]).item() == pytest.approx(501 + 1)
    assert softmax_loss(wrong, [0]).item() == pytest.approx(500, rel=1e-9)


def test_initial_losses_with_small_weights(digits):
    # W ≈ 0 gives all scores ≈ 0: SVM L ≈ C - 1 (erratum E2), softmax L ≈ ln C
    X_train, y_train, _, _ = digits
    svm = LinearClassifier("svm", reg=0).fit(X_train, y_train, num_iters=1)
    softmax = LinearClassifier("softmax", reg=0).fit(X_train, y_train, num_iters=1)
    assert svm.loss_history[0] == pytest.approx(10 - 1, rel=0.05)
    assert softmax.loss_history[0] == pytest.approx(math.log(10), rel=0.05)


def test_scaling_a_zero_loss_solution_keeps_zero_loss(rng):
    # the notes' Q7: if L(W) = 0 then L(λW) = 0 for λ > 1, so W is not unique
    centers = 6 * np.eye(4)
    y = rng.integers(0, 4, 80)
    X = centers[y] + rng.normal(scale=0.3, size=(80, 4))
    model = LinearClassifier("svm", reg=0).fit(X, y, lr=0.1, epochs=100, batch_size=80)
    scores = model.scores(X)
    assert svm_loss(scores, y).item() == 0.0
    for scale in (1.5, 2.0, 10.0):
        assert svm_loss(scale * scores, y).item() == 0.0


def test_bias_trick_scores_equal_explicit_bias(rng, digits):
    X = rng.integers(-8, 9, size=(20, 6)).astype(np.float64)
    W = rng.integers(-4, 5, size=(3, 6)) / 4
    b = rng.integers(-4, 5, size=3) / 4
    explicit = F.linear(vg.tensor(X), vg.tensor(W), vg.tensor(b)).numpy()
    assert append_bias(X).shape == (20, 7)
    np.testing.assert_array_equal(append_bias(X) @ np.hstack([W, b[:, None]]).T, explicit)
    X_train, y_train, _, _ = digits
    model = LinearClassifier("softmax").fit(X_train[:300].astype(np.float64), y_train[:300],
                                            epochs=2)
    folded = np.hstack([model.W, model.b[:, None]])
    np.testing.assert_allclose(append_bias(X_train[:300].astype(np.float64)) @ folded.T,
                               model.scores(X_train[:300].astype(np.float64)), rtol=1e-12)


@pytest.mark.parametrize("loss,naive", [("svm", svm_loss_naive), ("softmax", softmax_loss_naive)])
def test_engine_gradient_equals_naive_loops(problem, loss, naive):
    X, y, W, b = problem
    weight = vg.tensor(W, requires_grad=True)
    bias = vg.tensor(b, requires_grad=True)
    objective = linear_loss(vg.tensor(X), weight, bias, y, loss=loss, reg=0.05)
    objective.backward()
    expected_loss, expected_dW, expected_db = naive(W, b, X, y, reg=0.05)
    assert objective.item() == pytest.approx(expected_loss, rel=1e-12)
    assert relative_error(weight.grad.numpy(), expected_dW) < 1e-7
    assert relative_error(bias.grad.numpy(), expected_db) < 1e-7


@pytest.mark.parametrize("loss", ["svm", "softmax"])
@pytest.mark.parametrize("reg_type", ["l2", "l1", "elastic"])
def test_objective_gradcheck(problem, loss, reg_type):
    X, y, W, b = problem
    weight = vg.tensor(W, requires_grad=True)
    bias = vg.tensor(b, requires_grad=True)
    assert vg.autograd.gradcheck(
        lambda w, c: linear_loss(vg.tensor(X), w, c, y, loss=loss, reg=0.1, reg_type=reg_type,
                                 beta=0.7), (weight, bias))


@pytest.mark.parametrize("p", [1, 2])
def test_svm_loss_gradcheck(rng, p):
    scores = vg.tensor(rng.normal(size=(8, 5)), requires_grad=True)
    y = rng.integers(0, 5, 8)
    assert vg.autograd.gradcheck(lambda s: svm_loss(s, y, p=p), (scores,))


def test_penalties_and_their_gradients(problem):
    _, _, W, _ = problem
    weight = vg.tensor(W, requires_grad=True)
    assert penalty(weight, "l2").item() == pytest.approx(np.sum(W ** 2), rel=1e-12)
    assert penalty(weight, "l1").item() == pytest.approx(np.sum(np.abs(W)), rel=1e-12)
    assert penalty(weight, "elastic", beta=0.0).item() == penalty(weight, "l1").item()
    penalty(weight, "elastic", beta=0.3).backward()
    np.testing.assert_allclose(weight.grad.numpy(), 0.6 * W + np.sign(W), rtol=1e-12)


def test_zero_reg_is_the_data_loss(problem):
    X, y, W, b = problem
    objective = linear_loss(vg.tensor(X), vg.tensor(W), vg.tensor(b), y, "softmax", reg=0.0)
    assert objective.item() == softmax_loss(X @ W.T + b, y).item()


def test_l1_regularisation_sparsifies_weights(digits):
    X_train, y_train, _, _ = digits
    near_zero = []
    for reg in (1e-4, 1e-2):
        model = LinearClassifier("softmax", reg=reg, reg_type="l1").fit(
            X_train, y_train, lr=0.1, epochs=10)
        near_zero.append(np.mean(np.abs(model.W) < 1e-2))
    assert near_zero[1] > near_zero[0] + 0.2


def test_seeded_fits_are_bit_identical(digits):
    X_train, y_train, _, _ = digits
    runs = [LinearClassifier("svm").fit(X_train, y_train, epochs=2, seed=seed)
            for seed in (3, 3, 4)]
    np.testing.assert_array_equal(runs[0].W, runs[1].W)
    assert runs[0].loss_history == runs[1].loss_history
    assert not np.array_equal(runs[0].W, runs[2].W)


def test_fit_on_images_with_arbitrary_labels(rng):
    labels = np.array([3, 5, 7])
    y = labels[rng.integers(0, 3, 120)]
    images = rng.normal(scale=0.3, size=(120, 4, 4)) + (y == 5)[:, None, None] * 2.0 \
        - (y == 7)[:, None, None] * 2.0
    model = LinearClassifier("softmax", reg=1e-3).fit(images, y, lr=0.5, epochs=30,
                                                      batch_size=40, optimizer="adam")
    assert model.W.shape == (3, 16) and model.b.shape == (3,)
    assert model.W.dtype == np.float64
    assert len(model.loss_history) == 30 * 3
    assert np.mean(model.loss_history[-3:]) < 0.5 * model.loss_history[0]
    prediction = model.predict(images)
    assert set(np.unique(prediction)) <= {3, 5, 7}
    assert model.score(images, y) > 0.95


def test_num_iters_replaces_epochs(digits):
    X_train, y_train, _, _ = digits
    model = LinearClassifier("svm").fit(X_train, y_train, epochs=50, num_iters=13,
                                        batch_size=100, optimizer="sgd", momentum=0.9)
    assert len(model.loss_history) == 13
    assert model.W.dtype == np.float32


def test_errors_name_the_argument(digits):
    X_train, y_train, _, _ = digits
    with pytest.raises(ValueError,
                       match=r"loss: expected one of \('svm', 'softmax'\), got 'hinge'"):
        LinearClassifier("hinge")
    with pytest.raises(ValueError, match="reg_type: expected one of .*got 'l3'"):
        LinearClassifier(reg_type="l3")
    with pytest.raises(ValueError, match="reg: expected a non-negative"):
        LinearClassifier(reg=-1)
    with pytest.raises(RuntimeError, match="fit"):
        LinearClassifier().predict(X_train)
    with pytest.raises(ValueError, match="optimizer: expected one of .*got 'lbfgs'"):
        LinearClassifier().fit(X_train, y_train, optimizer="lbfgs")
    with pytest.raises(ValueError, match=r"y: expected shape \(1437,\).*got \(5,\)"):
        LinearClassifier().fit(X_train, y_train[:5])
    model = LinearClassifier().fit(X_train, y_train, num_iters=1)
    with pytest.raises(ValueError, match="X: expected 64 features.*got 63"):
        model.predict(X_train[:, :63])
    with pytest.raises(ValueError, match="scores: expected shape"):
        svm_loss(np.zeros(3), [0])


def test_digits_linear_svm_accuracy(digits):
    X_train, y_train, X_test, y_test = digits
    model = LinearClassifier("svm", reg=1e-3).fit(X_train, y_train, lr=0.5, epochs=50,
                                                  batch_size=200)
    assert model.score(X_test, y_test) >= 0.94


def test_digits_softmax_accuracy(digits):
    X_train, y_train, X_test, y_test = digits
    model = LinearClassifier("softmax", reg=1e-3).fit(X_train, y_train, lr=1.0, epochs=20,
                                                      batch_size=200)
    assert model.score(X_test, y_test) >= 0.95


def test_mnist_softmax_accuracy():
    train, test = MNIST(train=True), MNIST(train=False)
    scaler = Standardize().fit(_flat(train.data))
    model = LinearClassifier("softmax", reg=1e-3).fit(
        scaler.transform(_flat(train.data)).astype(np.float32), train.targets, lr=0.1, epochs=5,
        batch_size=200)
    assert model.score(scaler.transform(_flat(test.data)).astype(np.float32), test.targets) >= 0.87
