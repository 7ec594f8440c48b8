"""Gradient clipping (torch.nn.utils.clip_grad): rescale all gradients together when
their joint norm is too large, or clamp each element."""
import math

import numpy as np

from ...tensor import Tensor


def _tensor_list(tensors):
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _vector_norm(array, norm_type):
    flat = np.abs(array.reshape(-1))
    if norm_type == math.inf:
        return flat.max(initial=0)
    if norm_type == 0:
        return np.count_nonzero(flat).astype(array.dtype)
    if norm_type == 2:
        return np.sqrt(np.dot(flat, flat))
    return np.sum(flat ** norm_type) ** (1.0 / norm_type)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False):
    """The p-norm of all ``tensors`` seen as one vector (the norm of their norms), as
    a 0-d Tensor."""
    tensors = _tensor_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return Tensor._wrap(np.asarray(0.0, dtype=np.float32))
    norms = [_vector_norm(t.data, norm_type) for t in tensors]
    dtype = np.result_type(*[t.dtype for t in tensors])
    total = np.asarray(_vector_norm(np.asarray(norms, dtype=dtype), norm_type), dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    return Tensor._wrap(total)


def clip_grads_with_norm_(parameters, max_norm, total_norm):
    """Multiply every gradient by min(max_norm / (total_norm + 1e-6), 1), in place."""
    grads = [p.grad for p in _tensor_list(parameters) if p.grad is not None]
    total = total_norm.data if isinstance(total_norm, Tensor) else np.asarray(total_norm)
    coefficient = min(float(max_norm) / (float(total) + 1e-6), 1.0)
    for grad in grads:
        # PyTorch multiplies even when the coefficient is 1 (a no-op but for NaN/inf)
        grad.data *= grad.dtype.type(coefficient)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Rescale the gradients of ``parameters`` in place so that their joint
    ``norm_type``-norm is at most ``max_norm``; returns the norm before clipping as a
    0-d Tensor."""
    parameters = _tensor_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite)
    if grads:
        clip_grads_with_norm_(parameters, max_norm, total_norm)
    return total_norm


def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient element to [−clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    for p in _tensor_list(parameters):
        if p.grad is not None:
            np.clip(p.grad.data, -clip_value, clip_value, out=p.grad.data)
