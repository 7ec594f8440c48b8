"""Weight penalties R(W) for the regularised objective L = (1/N)·Σ L_i + λ·R(W).

Conventions (CS231n/EECS 498): the L2 penalty is Σ W² *without* a factor ½, so its
gradient is 2·W and ``loss + reg * l2_penalty(ws)`` matches the assignments'
``reg * np.sum(W * W)``; weight decay in an optimizer with coefficient wd corresponds
to reg = wd / 2. Elastic net is the notes' Σ (β·W² + |W|). Each function takes a
Tensor or an iterable of Tensors (pass the weights only to leave biases
unregularised, as the course does) and returns a differentiable 0-d Tensor.
"""
from ..tensor import Tensor


def _tensors(params):
    params = [params] if isinstance(params, Tensor) else list(params)
    if not params:
        raise ValueError("penalty: expected at least one tensor")
    return params


def l1_penalty(params):
    """R = Σ |W|; its subgradient is sign(W) (0 at 0)."""
    return sum(p.abs().sum() for p in _tensors(params))


def l2_penalty(params):
    """R = Σ W² (no ½); its gradient is 2·W."""
    return sum((p * p).sum() for p in _tensors(params))


def elastic_net_penalty(params, beta):
    """R = Σ (β·W² + |W|): L1 at β = 0, mostly L2 for large β."""
    return sum(beta * (p * p).sum() + p.abs().sum() for p in _tensors(params))
