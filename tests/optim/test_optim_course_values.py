"""The course's optimizer facts (FEATURES C2.10-C2.18, §4.5): first-step sizes, the
CS231n update formulas, and the qualitative differences between methods."""
import numpy as np
import pytest

import visiongrad as vg
from visiongrad.optim import SGD, Adagrad, Adam, AdamW, RMSprop

G = np.array([3.0, -0.02, 1e-3, -50.0])


def first_step(optimizer_cls, **kwargs):
    w = vg.zeros(len(G), dtype=np.float64, requires_grad=True)
    optimizer = optimizer_cls([w], **kwargs)
    w.grad = vg.tensor(G)
    optimizer.step()
    return w.data.copy()


def run(optimizer_cls, gradient, w0, steps, **kwargs):
    """Trajectory of ``steps`` updates from ``w0`` with ``gradient(w)``."""
    w = vg.tensor(np.array(w0, dtype=np.float64), requires_grad=True)
    optimizer = optimizer_cls([w], **kwargs)
    path = []
    for _ in range(steps):
        w.grad = vg.tensor(gradient(w.data))
        optimizer.step()
        path.append(w.data.copy())
    return np.array(path)


def test_adam_first_step_is_lr_times_sign():
    lr = 1e-3
    step = first_step(Adam, lr=lr)
    np.testing.assert_allclose(step, -lr * G / (np.abs(G) + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(step, -lr * np.sign(G), rtol=1e-4)


def test_adam_almost_first_step_is_316_times_lr():
    lr = 1e-3
    step = first_step(Adam, lr=lr, bias_correction=False)
    expected = -lr * 0.1 * G / (np.sqrt(0.001 * G * G) + 1e-8)
    np.testing.assert_allclose(step, expected, rtol=1e-12)
    np.testing.assert_allclose(step, -3.16 * lr * np.sign(G), rtol=1e-3)


@pytest.mark.parametrize("bias_correction", [True, False])
def test_adam_equals_the_course_update(bias_correction):
    # CS231n/EECS 498: m, v moments; unbias with 1 − βᵗ (t counted from 1)
    rng = np.random.default_rng(0)
    grads = rng.standard_normal((15, 6))
    lr, beta1, beta2, eps = 5e-4, 0.9, 0.999, 1e-8
    path = run(Adam, lambda w, it=iter(grads): next(it), np.zeros(6), len(grads),
               lr=lr, bias_correction=bias_correction)
    x, m, v = np.zeros(6), np.zeros(6), np.zeros(6)
    for t, (dx, expected) in enumerate(zip(grads, path), start=1):
        m = beta1 * m + (1 - beta1) * dx
        v = beta2 * v + (1 - beta2) * dx * dx
        m_hat, v_hat = m, v
        if bias_correction:
            m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
        x = x - lr * m_hat / (np.sqrt(v_hat) + eps)
        np.testing.assert_allclose(x, expected, rtol=0, atol=1e-12)


def test_sgd_momentum_equals_the_cs231n_form():
    # C2.12: torch's v = μv + g, w −= αv equals CS231n's v = μv − α g, w += v
    def gradient(w):
        return np.array([w[0], 100 * w[1]]) + np.sin(w)

    alpha, mu = 0.005, 0.9
    path = run(SGD, gradient, [1.0, 1.0], 60, lr=alpha, momentum=mu)
    w, v = np.array([1.0, 1.0]), np.zeros(2)
    for expected in path:
        v = mu * v - alpha * gradient(w)
        w = w + v
        np.testing.assert_allclose(w, expected, rtol=0, atol=1e-12)


def test_adagrad_equals_the_cs231n_form_and_its_step_shrinks():
    lr = 0.1
    path = run(Adagrad, lambda w: np.array([1.0, -2.0]), [0.0, 0.0], 30, lr=lr, eps=1e-7)
    x, grad_squared = np.zeros(2), np.zeros(2)
    for expected in path:
        dx = np.array([1.0, -2.0])
        grad_squared += dx * dx
        x = x - lr * dx / (np.sqrt(grad_squared) + 1e-7)
        np.testing.assert_allclose(x, expected, rtol=0, atol=1e-12)
    # a constant gradient: the effective step lr/√t shrinks towards zero
    steps = np.abs(np.diff(np.vstack([np.zeros(2), path]), axis=0))[:, 0]
    assert np.all(np.diff(steps) < 0)
    np.testing.assert_allclose(steps, lr / np.sqrt(np.arange(1, 31)), rtol=1e-6)


def test_rmsprop_equals_the_cs231n_form():
    rng = np.random.default_rng(1)
    grads = rng.standard_normal((20, 3))
    lr, decay_rate, eps = 1e-2, 0.99, 1e-8
    path = run(RMSprop, lambda w, it=iter(grads): next(it), np.zeros(3), len(grads),
               lr=lr, alpha=decay_rate, eps=eps)
    x, cache = np.zeros(3), np.zeros(3)
    for dx, expected in zip(grads, path):
        cache = decay_rate * cache + (1 - decay_rate) * dx * dx
        x = x - lr * dx / (np.sqrt(cache) + eps)
        np.testing.assert_allclose(x, expected, rtol=0, atol=1e-12)


def ill_conditioned(w):
    # C2.10: f = ½(x² + 100y²)
    return np.array([w[0], 100.0 * w[1]])


def iterations_to(path, tolerance=1e-6):
    below = np.nonzero(np.linalg.norm(path, axis=1) < tolerance)[0]
    return below[0] + 1 if len(below) else np.inf


def test_ill_conditioning_zigzags_and_momentum_is_faster():
    plain = run(SGD, ill_conditioned, [1.0, 1.0], 3000, lr=0.019)
    signs = np.sign(plain[:20, 1])
    assert np.all(signs[1:] == -signs[:-1])  # y flips sign every step
    heavy_ball = run(SGD, ill_conditioned, [1.0, 1.0], 3000, lr=0.01, momentum=0.9)
    assert iterations_to(heavy_ball) < iterations_to(plain) / 2 < np.inf


def test_saddle_point_stalls_plain_gd_and_noise_escapes():
    # C2.11: f = x² − y² from (1, 0): the gradient never has a y component
    def saddle(w):
        return np.array([2 * w[0], -2 * w[1]])

    stalled = run(SGD, saddle, [1.0, 0.0], 200, lr=0.1)
    assert stalled[-1, 1] == 0 and np.linalg.norm(stalled[-1]) < 1e-12
    rng = np.random.default_rng(0)
    noisy = run(SGD, lambda w: saddle(w) + 1e-3 * rng.standard_normal(2), [1.0, 0.0], 200,
                lr=0.1, momentum=0.5)
    assert abs(noisy[-1, 1]) > 1.0


def test_nesterov_differs_from_plain_momentum():
    plain = run(SGD, ill_conditioned, [1.0, 1.0], 10, lr=0.01, momentum=0.9)
    nesterov = run(SGD, ill_conditioned, [1.0, 1.0], 10, lr=0.01, momentum=0.9, nesterov=True)
    assert np.abs(plain - nesterov).max() > 1e-2


def test_adamw_differs_measurably_from_adam_with_l2():
    def gradient(w):
        return np.array([0.01 * w[0], 10.0 * w[1]])

    kwargs = {"lr": 0.05, "weight_decay": 0.1}
    l2 = run(Adam, gradient, [1.0, 1.0], 50, **kwargs)
    decoupled = run(AdamW, gradient, [1.0, 1.0], 50, **kwargs)
    assert np.abs(l2[-1] - decoupled[-1]).max() > 1e-2
    # the decay is applied to θ directly: with a zero gradient AdamW only shrinks
    shrink = run(AdamW, lambda w: np.zeros(2), [1.0, 2.0], 5, **kwargs)
    np.testing.assert_allclose(shrink[-1], np.array([1.0, 2.0]) * (1 - 0.05 * 0.1) ** 5)
