"""``Tensor``: a NumPy array plus what autograd needs (``grad``, ``requires_grad`` and
the node that produced it). Every differentiable method is one call to a primitive in
``visiongrad.ops`` or a short composition of them."""
from collections import namedtuple

import numpy as np

from . import ops
from .autograd import engine
from .autograd.function import _retain
from .autograd.grad_mode import is_grad_enabled

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
float16 = np.dtype(np.float16)
int64 = np.dtype(np.int64)
int32 = np.dtype(np.int32)
int16 = np.dtype(np.int16)
int8 = np.dtype(np.int8)
uint8 = np.dtype(np.uint8)
bool_ = np.dtype(np.bool_)

_default_dtype = float32

ReturnTypes = namedtuple("ReturnTypes", ["values", "indices"])


def get_default_dtype():
    return _default_dtype


def set_default_dtype(dtype):
    """Set the floating dtype used for Python floats and random factories."""
    global _default_dtype
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"set_default_dtype: expected a floating dtype, got {dtype}")
    _default_dtype = dtype


def _is_float(dtype):
    return np.issubdtype(dtype, np.floating)


def as_array(data, dtype=None):
    """PyTorch's dtype rules: Python floats become the default float dtype (float32),
    Python ints int64, bools bool; a NumPy array keeps its dtype."""
    if isinstance(data, Tensor):
        array = data.data
    elif isinstance(data, np.ndarray):
        array = data
    elif isinstance(data, np.generic):
        array = np.asarray(data)
    else:
        if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in data):
            data = [x.data if isinstance(x, Tensor) else x for x in data]
        array = np.asarray(data)
        if array.dtype == np.float64:
            array = array.astype(_default_dtype)
        elif np.issubdtype(array.dtype, np.integer) and array.dtype != np.int64:
            array = array.astype(np.int64)
        elif array.dtype.kind in "OUS":
            raise TypeError(f"cannot make a tensor from {type(data).__name__} holding "
                            f"{array.dtype} values; expected numbers")
    if dtype is not None:
        array = array.astype(np.dtype(dtype), copy=False)
    return array


def _normalize_dims(dim, ndim):
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        return tuple(d % ndim if ndim else d for d in dim)
    return dim % ndim if ndim else dim


def _shape_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


class Tensor:
    """A multi-dimensional array that records the operations applied to it.

    ``data`` is a NumPy array; ``grad`` is a Tensor (or None) filled by ``backward``.
    """

    __slots__ = ("data", "grad", "_requires_grad", "_ctx", "_output_index", "_hooks",
                 "__weakref__", "__dict__")
    __array_priority__ = 1000  # numpy_array + tensor calls Tensor.__radd__

    def __init__(self, data, requires_grad=False, dtype=None):
        self.data = as_array(data, dtype)
        self.grad = None
        self._ctx = None
        self._output_index = 0
        self._hooks = []
        self._requires_grad = False
        self.requires_grad = requires_grad

    @classmethod
    def _wrap(cls, array, requires_grad=False):
        t = cls.__new__(cls)
        t.data = array
        t.grad = None
        t._ctx = None
        t._output_index = 0
        t._hooks = []
        t._requires_grad = requires_grad
        return t

    # ---- autograd state ---------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if value and not _is_float(self.data.dtype):
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients, "
                f"got dtype {self.data.dtype}")
        if not value and self._ctx is not None:
            raise RuntimeError("requires_grad can only be switched off on leaf tensors; "
                               "use .detach() for a non-leaf tensor")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        return self._ctx is None

    @property
    def grad_fn(self):
        return self._ctx

    def backward(self, gradient=None, retain_graph=False):
        """Accumulate gradients of this tensor into the ``.grad`` of every leaf."""
        engine.backward(self, gradient, retain_graph)

    def detach(self):
        """The same data, cut from the graph."""
        return Tensor._wrap(self.data)

    def retain_grad(self):
        """Make ``backward`` fill ``.grad`` of this non-leaf tensor too."""
        if self._ctx is not None:
            _retain(self._ctx, self._output_index, self)
        return self

    def register_hook(self, hook):
        """``hook(grad) -> Tensor or None`` runs when this tensor's gradient is computed;
        a returned tensor replaces the gradient."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require grad")
        hooks = self._hooks if self._ctx is None else self._ctx._hooks.setdefault(
            self._output_index, [])
        hooks.append(hook)
        return _HookHandle(hooks, hook)

    # ---- array facts --------------------------------------------------------------------
    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return self.data.ndim

    def dim(self):
        return self.data.ndim

    def size(self, dim=None):
        return self.data.shape if dim is None else self.data.shape[dim]

    def numel(self):
        return int(self.data.size)

    def is_floating_point(self):
        return _is_float(self.data.dtype)

    def numpy(self):
        return self.data

    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item(): only one-element tensors can be converted to a "
                             f"Python scalar, got shape {self.shape}")
        return self.data.reshape(()).item()

    def tolist(self):
        return self.data.tolist()

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self.data.size} values is "
                               "ambiguous")
        return bool(self.data.reshape(()))

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if not np.issubdtype(self.dtype, np.integer):
            raise TypeError("only integer tensors can be used as an index")
        return int(self.item())

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __hash__(self):
        return id(self)

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", precision=4, prefix="tensor(")
        extras = []
        if self.dtype not in (float32, int64, bool_):
            extras.append(f"dtype=visiongrad.{self.dtype}")
        if self._ctx is not None:
            extras.append(f"grad_fn={self._ctx!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    # ---- dtype conversion ---------------------------------------------------------------
    def to(self, dtype=None, *args, **kwargs):
        """``to(dtype)``; device strings ('cpu') are accepted and ignored."""
        if dtype is None or isinstance(dtype, str) and dtype in ("cpu", "numpy"):
            dtype = kwargs.get("dtype")
            if dtype is None:
                return self
        dtype = np.dtype(dtype)
        if dtype == self.dtype:
            return self
        if self.requires_grad and _is_float(dtype):
            return ops.Cast.apply(self, dtype=dtype)
        return Tensor._wrap(self.data.astype(dtype))

    astype = to
    type = to

    def float(self):
        return self.to(float32)

    def double(self):
        return self.to(float64)

    def long(self):
        return self.to(int64)

    def int(self):
        return self.to(int32)

    def bool(self):
        return self.to(bool_)

    def cpu(self):
        return self

    def contiguous(self):
        return self

    def clone(self):
        return self * 1 if self.requires_grad else Tensor._wrap(self.data.copy())

    # ---- in-place updates (outside autograd) ------------------------------------------
    def _check_inplace(self):
        if self.requires_grad and is_grad_enabled():
            raise RuntimeError(
                "a tensor that requires grad is being used in an in-place operation; "
                "wrap it in visiongrad.no_grad() or update .data")

    def zero_(self):
        self._check_inplace()
        self.data[...] = 0
        return self

    def fill_(self, value):
        self._check_inplace()
        self.data[...] = value
        return self

    def copy_(self, other):
        self._check_inplace()
        source = other.data if isinstance(other, Tensor) else np.asarray(other)
        self.data[...] = source
        return self

    def add_(self, other, alpha=1):
        self._check_inplace()
        other = other.data if isinstance(other, Tensor) else other
        self.data += other if alpha == 1 else alpha * other
        return self

    def sub_(self, other, alpha=1):
        return self.add_(other, alpha=-alpha)

    def mul_(self, other):
        self._check_inplace()
        self.data *= other.data if isinstance(other, Tensor) else other
        return self

    def div_(self, other):
        self._check_inplace()
        self.data /= other.data if isinstance(other, Tensor) else other
        return self

    def clamp_(self, min=None, max=None):
        self._check_inplace()
        np.clip(self.data, min, max, out=self.data)
        return self

    def __setitem__(self, index, value):
        self._check_inplace()
        self.data[_index_arrays(index)] = value.data if isinstance(value, Tensor) else value

    # ---- arithmetic ---------------------------------------------------------------------
    def _operand(self, other):
        if isinstance(other, Tensor):
            return other
        if isinstance(other, np.ndarray):
            return Tensor._wrap(other)
        if isinstance(other, (bool, np.bool_)):
            dtype = self.dtype
        elif isinstance(other, (float, np.floating)):
            dtype = self.dtype if _is_float(self.dtype) else _default_dtype
        elif isinstance(other, (int, np.integer)):
            dtype = self.dtype if self.dtype != bool_ else int64
        else:
            return Tensor(other)
        return Tensor._wrap(np.asarray(other, dtype=dtype))

    def _binary(self, fn, other, reverse=False):
        other = self._operand(other)
        a, b = (other, self) if reverse else (self, other)
        # PyTorch: an integer operand takes the float operand's dtype (NumPy would pick float64)
        if a.dtype != b.dtype:
            if _is_float(a.dtype) and not _is_float(b.dtype):
                b = Tensor._wrap(b.data.astype(a.dtype))
            elif _is_float(b.dtype) and not _is_float(a.dtype):
                a = Tensor._wrap(a.data.astype(b.dtype))
        return fn.apply(a, b)

    def __add__(self, other):
        return self._binary(ops.Add, other)

    def __radd__(self, other):
        return self._binary(ops.Add, other, reverse=True)

    def __sub__(self, other):
        return self._binary(ops.Sub, other)

    def __rsub__(self, other):
        return self._binary(ops.Sub, other, reverse=True)

    def __mul__(self, other):
        return self._binary(ops.Mul, other)

    def __rmul__(self, other):
        return self._binary(ops.Mul, other, reverse=True)

    def __truediv__(self, other):
        if not _is_float(self.dtype) and not (
                isinstance(other, Tensor) and _is_float(other.dtype) or isinstance(other, float)):
            return self.to(_default_dtype)._binary(ops.Div, other)
        return self._binary(ops.Div, other)

    def __rtruediv__(self, other):
        if not _is_float(self.dtype) and not isinstance(other, float):
            return self.to(_default_dtype)._binary(ops.Div, other, reverse=True)
        return self._binary(ops.Div, other, reverse=True)

    def __pow__(self, exponent):
        if isinstance(exponent, (int, float)) and not isinstance(exponent, bool):
            if not _is_float(self.dtype):
                return Tensor._wrap(np.power(self.data, exponent))
            return ops.PowScalar.apply(self, exponent=exponent)
        return self._binary(ops.Pow, exponent)

    def __rpow__(self, base):
        return self._binary(ops.Pow, base, reverse=True)

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(self._operand(other), self)

    def __floordiv__(self, other):
        other = self._operand(other)
        return Tensor._wrap(np.floor_divide(self.data, other.data))  # piecewise constant

    def __rfloordiv__(self, other):
        return Tensor._wrap(np.floor_divide(self._operand(other).data, self.data))

    def __mod__(self, other):
        """Python's (and PyTorch's ``remainder``) sign convention: the result has the
        divisor's sign. Differentiable: a − b·floor(a / b) with the floor held constant."""
        other = self._operand(other)
        if not (self.requires_grad or other.requires_grad):
            return Tensor._wrap(np.mod(self.data, other.data))
        return self - other * (self // other)

    def __neg__(self):
        return ops.Neg.apply(self)

    def __abs__(self):
        return self.abs()

    def _compare(self, op, other):
        other = other.data if isinstance(other, Tensor) else other
        return Tensor._wrap(op(self.data, other))

    def __lt__(self, other):
        return self._compare(np.less, other)

    def __le__(self, other):
        return self._compare(np.less_equal, other)

    def __gt__(self, other):
        return self._compare(np.greater, other)

    def __ge__(self, other):
        return self._compare(np.greater_equal, other)

    def __eq__(self, other):
        return self._compare(np.equal, other)

    def __ne__(self, other):
        return self._compare(np.not_equal, other)

    def __invert__(self):
        return Tensor._wrap(np.invert(self.data))

    def __and__(self, other):
        return self._compare(np.logical_and if self.dtype == bool_ else np.bitwise_and, other)

    def __or__(self, other):
        return self._compare(np.logical_or if self.dtype == bool_ else np.bitwise_or, other)

    def eq(self, other):
        return self == other

    def ne(self, other):
        return self != other

    def add(self, other, alpha=1):
        return self + (other * alpha if alpha != 1 else other)

    def sub(self, other, alpha=1):
        return self - (other * alpha if alpha != 1 else other)

    def mul(self, other):
        return self * other

    def div(self, other):
        return self / other

    def pow(self, exponent):
        return self ** exponent

    def matmul(self, other):
        return matmul(self, other)

    # ---- element-wise functions ---------------------------------------------------------
    def exp(self):
        return ops.Exp.apply(self)

    def log(self):
        return ops.Log.apply(self)

    def sqrt(self):
        return ops.Sqrt.apply(self)

    def abs(self):
        return ops.Abs.apply(self)

    def tanh(self):
        return ops.Tanh.apply(self)

    def sigmoid(self):
        return ops.Sigmoid.apply(self)

    def relu(self):
        return ops.Relu.apply(self)

    def square(self):
        return self ** 2

    def sign(self):
        return Tensor._wrap(np.sign(self.data))

    def clamp(self, min=None, max=None):
        if min is None and max is None:
            raise ValueError("clamp: at least one of min and max must be given")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            out = self
            if min is not None:
                out = maximum(out, min)
            if max is not None:
                out = minimum(out, max)
            return out
        return ops.Clamp.apply(self, min=min, max=max)

    clip = clamp

    def masked_fill(self, mask, value):
        mask = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
        return where(Tensor._wrap(mask), self._operand(value), self)

    def softmax(self, dim):
        return ops.Softmax.apply(self, axis=dim)

    def log_softmax(self, dim):
        return ops.LogSoftmax.apply(self, axis=dim)

    # ---- reductions ---------------------------------------------------------------------
    def sum(self, dim=None, keepdim=False):
        dim = _normalize_dims(dim, self.ndim)
        if not _is_float(self.dtype):
            return Tensor._wrap(np.sum(self.data, axis=dim, keepdims=keepdim).astype(
                int64 if self.dtype != np.uint64 else self.dtype))
        return ops.Sum.apply(self, axis=dim, keepdim=keepdim)

    def _count(self, dim):
        if dim is None:
            return self.data.size
        dims = dim if isinstance(dim, tuple) else (dim,)
        return int(np.prod([self.shape[d] for d in dims]))

    def mean(self, dim=None, keepdim=False):
        if not _is_float(self.dtype):
            raise TypeError(f"mean(): expected a floating point tensor, got dtype "
                            f"{self.dtype}; convert with .float() first")
        dim = _normalize_dims(dim, self.ndim)
        return self.sum(dim, keepdim) / self._count(dim)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        """Variance with Bessel's correction by default (``correction=1``), as PyTorch."""
        if isinstance(dim, bool):  # PyTorch's var(unbiased) overload
            dim, unbiased = None, dim
        if unbiased is not None and correction is not None:
            raise ValueError("var: pass either unbiased= or correction=, not both")
        if isinstance(unbiased, (int, np.integer)) and not isinstance(unbiased, bool) \
                and dim is None:
            raise TypeError("var: dim must be given as a keyword when it is an int")
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        dim = _normalize_dims(dim, self.ndim)
        centered = self - self.mean(dim, keepdim=True)
        return (centered * centered).sum(dim, keepdim) / max(0, self._count(dim) - correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        if isinstance(dim, bool):
            dim, unbiased = None, dim
        return self.var(dim, unbiased, keepdim, correction=correction).sqrt()

    def _extreme(self, dim, keepdim, largest):
        if isinstance(dim, Tensor):
            return maximum(self, dim) if largest else minimum(self, dim)
        if dim is None:
            return ops.MaxReduce.apply(self, largest=largest)
        dim = _normalize_dims(dim, self.ndim)
        if not self.requires_grad or not is_grad_enabled():
            array_fn = np.argmax if largest else np.argmin
            index = array_fn(self.data, axis=dim, keepdims=True)
            values = np.take_along_axis(self.data, index, axis=dim)
            if not keepdim:
                values, index = np.squeeze(values, dim), np.squeeze(index, dim)
            return ReturnTypes(Tensor._wrap(values), Tensor._wrap(index.astype(int64)))
        values, indices = ops.MaxReduce.apply(self, axis=dim, keepdim=keepdim,
                                              largest=largest, evenly=False)
        return ReturnTypes(values, indices)

    def max(self, dim=None, keepdim=False):
        """Full reduction → a 0-d tensor; with ``dim`` → (values, indices)."""
        return self._extreme(dim, keepdim, largest=True)

    def min(self, dim=None, keepdim=False):
        return self._extreme(dim, keepdim, largest=False)

    def amax(self, dim=None, keepdim=False):
        dim = _normalize_dims(dim, self.ndim)
        return ops.MaxReduce.apply(self, axis=dim, keepdim=keepdim, largest=True)

    def amin(self, dim=None, keepdim=False):
        dim = _normalize_dims(dim, self.ndim)
        return ops.MaxReduce.apply(self, axis=dim, keepdim=keepdim, largest=False)

    def argmax(self, dim=None, keepdim=False):
        if dim is None:
            out = np.argmax(self.data)
            return Tensor._wrap(np.asarray(out, dtype=int64).reshape(
                (1,) * self.ndim if keepdim else ()))
        return Tensor._wrap(np.argmax(self.data, axis=dim, keepdims=keepdim).astype(int64))

    def argmin(self, dim=None, keepdim=False):
        if dim is None:
            out = np.argmin(self.data)
            return Tensor._wrap(np.asarray(out, dtype=int64).reshape(
                (1,) * self.ndim if keepdim else ()))
        return Tensor._wrap(np.argmin(self.data, axis=dim, keepdims=keepdim).astype(int64))

    def all(self, dim=None):
        return Tensor._wrap(np.all(self.data, axis=dim))

    def any(self, dim=None):
        return Tensor._wrap(np.any(self.data, axis=dim))

    # ---- shape --------------------------------------------------------------------------
    def reshape(self, *shape):
        shape = _shape_args(shape)
        if shape == self.shape:
            return self
        return ops.Reshape.apply(self, shape=shape)

    def view(self, *shape):
        return self.reshape(*shape)

    def view_as(self, other):
        return self.reshape(other.shape)

    def reshape_as(self, other):
        return self.reshape(other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        if self.ndim == 0:
            return self.reshape(1)
        start, end = start_dim % self.ndim, end_dim % self.ndim
        shape = self.shape[:start] + (-1,) + self.shape[end + 1:]
        return self.reshape(shape)

    def permute(self, *dims):
        dims = _shape_args(dims)
        if len(dims) != self.ndim:
            raise ValueError(f"permute: expected {self.ndim} dims, got {dims}")
        dims = tuple(d % self.ndim for d in dims)
        if dims == tuple(range(self.ndim)):
            return self
        return ops.Permute.apply(self, dims=dims)

    def transpose(self, dim0, dim1):
        if self.ndim < 2:
            return self
        dims = list(range(self.ndim))
        dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
        return self.permute(dims)

    def t(self):
        return self.transpose(0, 1)

    @property
    def T(self):
        return self.permute(tuple(reversed(range(self.ndim))))

    def unsqueeze(self, dim):
        dim = dim % (self.ndim + 1)
        return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])

    def squeeze(self, dim=None):
        if dim is None:
            shape = tuple(s for s in self.shape if s != 1)
        else:
            dims = {d % self.ndim for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
            shape = tuple(s for i, s in enumerate(self.shape) if not (i in dims and s == 1))
        return self.reshape(shape)

    def expand(self, *sizes):
        sizes = _shape_args(sizes)
        lead = len(sizes) - self.ndim
        shape = tuple(self.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
        if shape == self.shape:
            return self
        return ops.Expand.apply(self, shape=shape)

    def expand_as(self, other):
        return self.expand(other.shape)

    def split(self, split_size, dim=0):
        length = self.shape[dim]
        sizes = ([split_size] * (length // split_size) + (
            [length % split_size] if length % split_size else [])
            if isinstance(split_size, int) else list(split_size))
        out, start = [], 0
        for size in sizes:
            index = [slice(None)] * self.ndim
            index[dim] = slice(start, start + size)
            out.append(self[tuple(index)])
            start += size
        return tuple(out)

    def chunk(self, chunks, dim=0):
        return self.split(-(-self.shape[dim] // chunks), dim)

    def __getitem__(self, index):
        return ops.GetItem.apply(self, index=_index_arrays(index))


def _index_arrays(index):
    """Replace Tensors inside an index by their arrays."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index


class _HookHandle:
    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


def matmul(a, b):
    a, b = _tensor(a), _tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul: both arguments must be at least 1-dimensional, got "
                         f"shapes {a.shape} and {b.shape}")
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied "
                         f"({k_a} != {k_b})")
    if a.dtype != b.dtype:
        return a._binary(ops.MatMul, b)
    return ops.MatMul.apply(a, b)


def maximum(a, b):
    a = _tensor(a)
    return a._binary(ops.Maximum, b)


def minimum(a, b):
    a = _tensor(a)
    return a._binary(ops.Minimum, b)


def where(condition, a, b):
    """Elements of ``a`` where ``condition`` holds, else of ``b``."""
    condition = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = Tensor(a)
    if isinstance(a, Tensor):
        b = a._operand(b)
    else:
        a = b._operand(a)
    if a.dtype != b.dtype:
        target = np.promote_types(a.dtype, b.dtype)
        if _is_float(a.dtype) != _is_float(b.dtype):
            target = a.dtype if _is_float(a.dtype) else b.dtype
        a, b = a.to(target), b.to(target)
    return ops.Where.apply(Tensor._wrap(condition.astype(bool)), a, b)


def cat(tensors, dim=0):
    tensors = [_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("cat: expected a non-empty sequence of tensors")
    ndim = tensors[0].ndim
    dim = dim % ndim
    for i, t in enumerate(tensors):
        if t.ndim != ndim or t.shape[:dim] + t.shape[dim + 1:] != \
                tensors[0].shape[:dim] + tensors[0].shape[dim + 1:]:
            raise ValueError(f"cat: tensor {i} has shape {t.shape}, which does not match "
                             f"{tensors[0].shape} outside dim {dim}")
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = np.promote_types(dtype, t.dtype)
    tensors = [t.to(dtype) for t in tensors]
    return ops.Cat.apply(*tensors, axis=dim)


def stack(tensors, dim=0):
    tensors = [_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack: expected a non-empty sequence of tensors")
    shape = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.shape != shape:
            raise ValueError(f"stack: tensor {i} has shape {t.shape}, expected {shape}")
    dim = dim % (len(shape) + 1)
    return cat([t.unsqueeze(dim) for t in tensors], dim=dim)


def einsum(equation, *operands):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = operands[0]
    return ops.Einsum.apply(*[_tensor(o) for o in operands], equation=equation)


def _method_function(name):
    def function(input, *args, **kwargs):
        return getattr(_tensor(input), name)(*args, **kwargs)

    function.__name__ = name
    function.__doc__ = f"``visiongrad.{name}(input, ...)`` is ``input.{name}(...)``."
    return function


# PyTorch's function forms of the Tensor methods: vg.exp(x) is x.exp()
METHOD_FUNCTIONS = ("abs", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "clamp", "clip",
                    "sum", "mean", "var", "std", "max", "min", "amax", "amin", "argmax",
                    "argmin", "reshape", "flatten", "transpose", "permute", "unsqueeze",
                    "squeeze", "softmax", "log_softmax", "square", "sign", "split", "chunk",
                    "t", "numel", "masked_fill", "all", "any")
METHOD_FUNCTIONS = {name: _method_function(name) for name in METHOD_FUNCTIONS}


def allclose(input, other, rtol=1e-5, atol=1e-8, equal_nan=False):
    return bool(np.allclose(_tensor(input).data, _tensor(other).data, rtol, atol, equal_nan))


def is_tensor(obj):
    return isinstance(obj, Tensor)
