"""Numerical gradient checks (centered differences in float64).

``numerical_grad`` is the plain centered difference (f(x+h) − f(x−h)) / 2h of
``sum(fn(*inputs) * grad_output)``; ``gradcheck`` compares it with the analytic
gradient from ``backward`` for a random (non-uniform) ``grad_output``, which catches
errors a gradient of ones hides (batch norm's, for one).
"""
import numpy as np

from .grad_mode import no_grad


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when analytic and numerical gradients disagree."""


def relative_error(analytic, numerical):
    """CS231n's metric: max |a − n| / max(1e-8, |a| + |n|)."""
    analytic, numerical = np.asarray(analytic, float), np.asarray(numerical, float)
    if analytic.size == 0:
        return 0.0
    return float(np.max(np.abs(analytic - numerical)
                        / np.maximum(1e-8, np.abs(analytic) + np.abs(numerical))))


def _outputs(fn, inputs):
    from ..tensor import Tensor

    out = fn(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return [o for o in outs if isinstance(o, Tensor) and o.is_floating_point()]


def _objective(fn, inputs, grad_outputs):
    with no_grad():
        outs = _outputs(fn, inputs)
    return sum(float(np.sum(o.data.astype(np.float64) * g)) for o, g in zip(outs, grad_outputs))


def numerical_grad(fn, inputs, grad_output=None, eps=1e-6):
    """One array per input (None for non-float inputs): the centered-difference gradient
    of ``sum(fn(*inputs) * grad_output)``; ``grad_output`` defaults to ones (a tuple of
    arrays when ``fn`` returns a tuple)."""
    from ..tensor import Tensor

    inputs = list(inputs)
    with no_grad():
        outs = _outputs(fn, inputs)
    if grad_output is None:
        grad_outputs = [np.ones(o.shape) for o in outs]
    else:
        raw = grad_output if isinstance(grad_output, (tuple, list)) else (grad_output,)
        grad_outputs = [np.asarray(g.data if isinstance(g, Tensor) else g, dtype=float)
                        for g in raw]
    grads = []
    for x in inputs:
        if not isinstance(x, Tensor) or not x.is_floating_point():
            grads.append(None)
            continue
        grad = np.zeros(x.shape, dtype=np.float64)
        flat, flat_grad = x.data.reshape(-1), grad.reshape(-1)
        if not np.shares_memory(flat, x.data):
            raise ValueError("numerical_grad: inputs must be contiguous arrays")
        for i in range(flat.size):
            original = flat[i]
            flat[i] = original + eps
            plus = _objective(fn, inputs, grad_outputs)
            flat[i] = original - eps
            minus = _objective(fn, inputs, grad_outputs)
            flat[i] = original
            flat_grad[i] = (plus - minus) / (2 * eps)
        grads.append(grad)
    return grads


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Compare analytic and numerical gradients of ``fn(*inputs)`` for every input with
    ``requires_grad=True`` (computed on float64 copies). Returns True, or raises
    ``GradcheckError`` naming the input, the worst element and both values (returns
    False with ``raise_exception=False``). An element fails when
    |analytic − numerical| > atol + rtol·|numerical|."""
    from ..tensor import Tensor

    inputs = [x.detach().double().requires_grad_(x.requires_grad)
              if isinstance(x, Tensor) and x.is_floating_point() else x for x in inputs]
    inputs = [Tensor._wrap(np.ascontiguousarray(x.data).copy(), x.requires_grad)
              if isinstance(x, Tensor) and x.is_floating_point() else x for x in inputs]
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input has requires_grad=True")
    outs = _outputs(fn, inputs)
    rng = np.random.default_rng(0)
    grad_outputs = [rng.standard_normal(o.shape) for o in outs]
    total = None
    for o, g in zip(outs, grad_outputs):
        if not o.requires_grad:
            continue
        term = (o * Tensor._wrap(g.astype(o.dtype))).sum()
        total = term if total is None else total + term
    if total is not None:
        total.backward()
    numerical = numerical_grad(fn, inputs, grad_outputs, eps)
    for i in checked:
        x = inputs[i]
        analytic = x.grad.data if x.grad is not None else np.zeros(x.shape)
        num = numerical[i]
        excess = np.abs(analytic - num) - (atol + rtol * np.abs(num))
        if excess.size and np.max(excess) > 0:
            worst = np.unravel_index(np.argmax(excess), excess.shape)
            message = (
                f"gradcheck: gradient of input {i} (shape {tuple(x.shape)}) is wrong: worst "
                f"element {tuple(int(w) for w in worst)}: analytic {analytic[worst]:.10g} vs "
                f"numerical {num[worst]:.10g} (CS231n relative error "
                f"{relative_error(analytic, num):.3e}; atol={atol}, rtol={rtol})")
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True


def gradient_errors(fn, inputs, eps=1e-6):
    """CS231n relative error per checked input (float64), for reports."""
    from ..tensor import Tensor

    inputs = [Tensor._wrap(np.ascontiguousarray(x.data, dtype=np.float64).copy(),
                           x.requires_grad)
              if isinstance(x, Tensor) and x.is_floating_point() else x for x in inputs]
    outs = _outputs(fn, inputs)
    rng = np.random.default_rng(0)
    grad_outputs = [rng.standard_normal(o.shape) for o in outs]
    total = sum((o * Tensor._wrap(g)).sum() for o, g in zip(outs, grad_outputs))
    total.backward()
    numerical = numerical_grad(fn, inputs, grad_outputs, eps)
    return [relative_error(x.grad.data if x.grad is not None else np.zeros(x.shape),
                           numerical[i])
            for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
