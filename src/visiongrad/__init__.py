"""visiongrad: deep learning for computer vision from first principles on NumPy,
with PyTorch's API."""
from . import autograd
from ._random import get_rng_state, initial_seed, manual_seed, set_rng_state
from .autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like,
                       linspace, ones, ones_like, rand, rand_like, randint, randn, randn_like,
                       randperm, tensor, zeros, zeros_like)
from .serialization import load, save
from .tensor import (METHOD_FUNCTIONS, Tensor, allclose, bool_, cat, einsum, float16, float32,
                     float64, get_default_dtype, int8, int16, int32, int64, is_tensor, matmul,
                     maximum, minimum, set_default_dtype, stack, uint8, where)

globals().update(METHOD_FUNCTIONS)  # vg.exp, vg.sum, vg.max, ... as in PyTorch

bool = bool_  # noqa: A001 - PyTorch's name for the dtype

__version__ = "0.1.0"


def __getattr__(name):
    # subpackages load on first use so that `import visiongrad` stays light
    import importlib

    if name in ("nn", "optim", "utils", "vision", "classic", "train", "interpret", "viz", "ops"):
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'visiongrad' has no attribute {name!r}")
