"""``OpInfo``: one row of the operation table."""
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np


@dataclass
class OpInfo:
    name: str
    # visiongrad function of Tensors (and fixed arguments baked in with a lambda)
    fn: Callable
    # makes the inputs: sample(rng) -> list of NumPy arrays; float arrays become
    # tensors with requires_grad, integer/bool arrays plain tensors
    sample: Callable
    # PyTorch reference: ref(torch, *torch_tensors) -> tensor or tuple; None if PyTorch
    # has no equivalent
    ref: Optional[Callable] = None
    # gradient check tolerances (float64, centered differences)
    grad_atol: float = 1e-5
    grad_rtol: float = 1e-3
    # PyTorch comparison tolerances (float64 / float32)
    atol64: float = 1e-10
    rtol64: float = 1e-8
    atol32: float = 1e-5
    rtol32: float = 1e-5
    # indices of inputs to differentiate (default: every float input)
    grad_inputs: Optional[tuple] = None
    # compare gradients with PyTorch (off for ops whose gradient convention differs)
    check_grad_ref: bool = True
    notes: str = field(default="")


def make_inputs(op, rng, dtype=np.float64):
    """The op's sample inputs as visiongrad Tensors of ``dtype``."""
    from ..tensor import Tensor

    arrays = op.sample(rng)
    tensors = []
    for i, a in enumerate(arrays):
        a = np.asarray(a)
        if np.issubdtype(a.dtype, np.floating):
            wants = op.grad_inputs is None or i in op.grad_inputs
            tensors.append(Tensor._wrap(a.astype(dtype), requires_grad=wants))
        else:
            tensors.append(Tensor._wrap(a))
    return tensors
