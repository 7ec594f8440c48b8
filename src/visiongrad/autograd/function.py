"""``Function``: a primitive with a hand-written backward, and ``Context``, the record
it leaves in the graph.

A primitive subclasses ``Function`` and implements two static methods on arrays:

    forward(ctx, *inputs, **params) -> array or tuple of arrays
    backward(ctx, *grad_outputs)    -> one array (or None) per positional input

``Function.apply`` unwraps Tensors, runs ``forward`` and, when gradients are needed,
records a ``Context`` on the outputs. The context keeps only what backward needs:
the arrays passed to ``save_for_backward`` and, for each input, where its gradient
goes (the producing node or the leaf tensor), never the input tensors' data. Outputs
are never stored in their own context, so the graph has no reference cycles.
"""
import weakref

import numpy as np

from .grad_mode import is_grad_enabled


class Context:
    """What a primitive's forward leaves for its backward.

    Attributes set on it in forward (shapes, flags) are available in backward.
    """

    def __init__(self, function, needs_input_grad):
        self.function = function
        self.needs_input_grad = needs_input_grad
        self._saved = ()
        self._inputs = ()  # per positional input: None, a leaf Tensor, or (Context, index)
        self._input_meta = ()  # per positional input: (shape, dtype) or None
        self._n_outputs = 1
        self._output_meta = ()  # per output: (shape, dtype)
        self._hooks = {}  # output index -> list of hooks
        self._retained = {}  # output index -> weakref to a Tensor that retains its grad
        self._freed = False

    def save_for_backward(self, *arrays):
        self._saved = arrays

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(
                f"Trying to backward through {self.function.__name__} a second time, "
                "after its saved arrays were freed; call backward(retain_graph=True) the "
                "first time if you need to backward twice")
        return self._saved

    def __repr__(self):
        return f"<{self.function.__name__}Backward>"

    @property
    def name(self):
        return f"{self.function.__name__}Backward"


class Function:
    """Base class of every primitive. Subclasses define static ``forward``/``backward``."""

    @staticmethod
    def forward(ctx, *inputs, **params):
        raise NotImplementedError("a Function subclass must define forward")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("a Function subclass must define backward")

    @classmethod
    def apply(cls, *inputs, **params):
        from ..tensor import Tensor

        arrays = [x.data if isinstance(x, Tensor) else x for x in inputs]
        needs = tuple(isinstance(x, Tensor) and x.requires_grad for x in inputs)
        record = is_grad_enabled() and any(needs)
        ctx = Context(cls, needs)
        out = cls.forward(ctx, *arrays, **params)
        multiple = isinstance(out, tuple)
        outs = out if multiple else (out,)
        if not record:
            results = tuple(Tensor._wrap(np.asarray(o)) for o in outs)
            return results if multiple else results[0]

        ctx._inputs = tuple(
            (x if x._ctx is None else (x._ctx, x._output_index)) if need else None
            for x, need in zip(inputs, needs))
        ctx._input_meta = tuple(
            (x.shape, x.dtype) if need else None for x, need in zip(inputs, needs))
        ctx._n_outputs = len(outs)
        results = []
        for i, o in enumerate(outs):
            o = np.asarray(o)
            differentiable = np.issubdtype(o.dtype, np.floating)
            t = Tensor._wrap(o, requires_grad=differentiable)
            if differentiable:
                t._ctx = ctx
                t._output_index = i
            results.append(t)
        ctx._output_meta = tuple((o.shape, o.dtype) for o in results)
        return tuple(results) if multiple else results[0]


def _retain(ctx, index, tensor):
    ctx._retained[index] = weakref.ref(tensor)
