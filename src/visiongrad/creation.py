"""Tensor factories with PyTorch's names, signatures and dtype defaults. Random ones
draw from the global generator (``visiongrad.manual_seed``)."""
import numpy as np

from . import _random
from .tensor import Tensor, _shape_args, as_array, get_default_dtype, int64


def _finish(array, requires_grad):
    return Tensor._wrap(array, requires_grad=False).requires_grad_(requires_grad)


def _float_dtype(dtype):
    return np.dtype(dtype) if dtype is not None else get_default_dtype()


def _check_size(size):
    for s in size:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0:
            raise ValueError(f"size must be non-negative integers, got {size}")
    return size


def tensor(data, dtype=None, requires_grad=False):
    """A new tensor holding a copy of ``data`` (floats → float32, ints → int64; a NumPy
    array keeps its dtype)."""
    return _finish(np.array(as_array(data, dtype), copy=True), requires_grad)


def from_numpy(array):
    """A tensor sharing memory with ``array``."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    return Tensor._wrap(array)


def as_tensor(data, dtype=None):
    if isinstance(data, Tensor) and (dtype is None or np.dtype(dtype) == data.dtype):
        return data
    return Tensor._wrap(as_array(data, dtype))


def zeros(*size, dtype=None, requires_grad=False):
    return _finish(np.zeros(_check_size(_shape_args(size)), _float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad=False):
    return _finish(np.ones(_check_size(_shape_args(size)), _float_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, requires_grad=False):
    return _finish(np.empty(_check_size(_shape_args(size)), _float_dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False):
    if dtype is None:
        dtype = as_array(fill_value).dtype
    return _finish(np.full(_check_size(_shape_args((size,))), fill_value, dtype), requires_grad)


def _like(input, dtype):
    return np.dtype(dtype) if dtype is not None else input.dtype


def zeros_like(input, dtype=None, requires_grad=False):
    return _finish(np.zeros(input.shape, _like(input, dtype)), requires_grad)


def ones_like(input, dtype=None, requires_grad=False):
    return _finish(np.ones(input.shape, _like(input, dtype)), requires_grad)


def full_like(input, fill_value, dtype=None, requires_grad=False):
    return _finish(np.full(input.shape, fill_value, _like(input, dtype)), requires_grad)


def empty_like(input, dtype=None, requires_grad=False):
    return _finish(np.empty(input.shape, _like(input, dtype)), requires_grad)


def rand(*size, dtype=None, requires_grad=False):
    """Uniform on [0, 1)."""
    dtype = _float_dtype(dtype)
    array = _random.default_generator().random(_check_size(_shape_args(size)), dtype=np.float64)
    return _finish(array.astype(dtype), requires_grad)


def randn(*size, dtype=None, requires_grad=False):
    """Standard normal."""
    dtype = _float_dtype(dtype)
    array = _random.default_generator().standard_normal(_check_size(_shape_args(size)))
    return _finish(array.astype(dtype), requires_grad)


def rand_like(input, dtype=None, requires_grad=False):
    return rand(*input.shape, dtype=_like(input, dtype), requires_grad=requires_grad)


def randn_like(input, dtype=None, requires_grad=False):
    return randn(*input.shape, dtype=_like(input, dtype), requires_grad=requires_grad)


def randint(low, high=None, size=None, dtype=None):
    """Integers in [low, high); ``randint(high, size)`` as PyTorch."""
    if size is None:
        if isinstance(high, (tuple, list)):
            low, high, size = 0, low, high
        else:
            raise TypeError("randint: size must be given, e.g. randint(0, 10, (3,))")
    if high is None:
        low, high = 0, low
    if high <= low:
        raise ValueError(f"randint: expected low < high, got low={low}, high={high}")
    array = _random.default_generator().integers(low, high, size=_check_size(tuple(size)))
    return Tensor._wrap(array.astype(dtype if dtype is not None else int64))


def randperm(n, dtype=None):
    return Tensor._wrap(_random.default_generator().permutation(n).astype(
        dtype if dtype is not None else int64))


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    if dtype is None:
        integral = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                       for v in (start, end, step))
        dtype = int64 if integral else get_default_dtype()
    return _finish(np.arange(start, end, step).astype(dtype), requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False):
    return _finish(np.linspace(start, end, steps).astype(_float_dtype(dtype)), requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)
