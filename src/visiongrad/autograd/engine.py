"""Reverse-mode differentiation over the recorded graph.

``backward`` orders the graph iteratively (a 10,000-node chain needs no recursion),
deterministically (reverse post-order of a depth-first walk in input order), runs each
node's backward once all gradients for it are summed, reduces every gradient to its
input's shape (the one place broadcasting's adjoint lives), accumulates into leaves,
and frees each node's saved arrays as soon as its backward has run.
"""
import numpy as np

from .grad_mode import no_grad


def sum_to(grad, shape):
    """Sum ``grad`` over broadcast dimensions so that it has ``shape``."""
    shape = tuple(shape)
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and grad.shape[lead + i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def _topological_order(root):
    """Nodes reachable from ``root``, each after every node that consumes it."""
    order, visited = [], {id(root)}
    stack = [(root, iter(root._inputs))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if isinstance(child, tuple) and id(child[0]) not in visited:
                visited.add(id(child[0]))
                stack.append((child[0], iter(child[0]._inputs)))
                break
        else:
            stack.pop()
            order.append(node)
    order.reverse()
    return order


class _GradBuffer:
    """Sums gradient arrays, copying only when a second contribution arrives (the first
    may be a view of an array that another node still uses)."""

    __slots__ = ("array", "owned")

    def __init__(self, array):
        self.array, self.owned = array, False

    def add(self, array):
        if self.owned:
            np.add(self.array, array, out=self.array, casting="unsafe")
        else:
            self.array = self.array + array
            self.owned = True


def _run_hooks(hooks, grad):
    from ..tensor import Tensor

    for hook in hooks:
        result = hook(Tensor._wrap(grad))
        if result is not None:
            grad = result.data if isinstance(result, Tensor) else np.asarray(result)
    return grad


def _accumulate_leaf(leaf, grad):
    from ..tensor import Tensor

    if leaf._hooks:
        grad = _run_hooks(leaf._hooks, grad)
    if grad.dtype != leaf.dtype:
        grad = grad.astype(leaf.dtype)
    if leaf.grad is None:
        leaf.grad = Tensor._wrap(np.array(grad, copy=True))
    else:
        leaf.grad.data += grad


def backward(tensor, gradient=None, retain_graph=False):
    """Accumulate d(tensor)/d(leaf) · gradient into every leaf's ``.grad``."""
    from ..tensor import Tensor

    if not tensor.requires_grad:
        raise RuntimeError(
            "backward: the tensor does not require grad and has no grad_fn; "
            "did you create it under no_grad() or from tensors with requires_grad=False?")
    if gradient is None:
        if tensor.numel() != 1:
            raise RuntimeError(
                f"backward: grad can be implicitly created only for scalar outputs, "
                f"got shape {tensor.shape}; pass gradient= with that shape")
        grad = np.ones(tensor.shape, dtype=tensor.dtype)
    else:
        grad = gradient.data if isinstance(gradient, Tensor) else np.asarray(gradient)
        if grad.shape != tensor.shape:
            raise ValueError(
                f"backward: gradient must have the tensor's shape {tensor.shape}, "
                f"got {grad.shape}")
        grad = grad.astype(tensor.dtype, copy=False)

    if tensor._ctx is None:
        _accumulate_leaf(tensor, grad)
        return

    with no_grad():
        root = tensor._ctx
        buffers = {id(root): [None] * root._n_outputs}
        buffers[id(root)][tensor._output_index] = _GradBuffer(grad)
        for node in _topological_order(root):
            slots = buffers.pop(id(node), None)
            if slots is None:
                continue
            if node._freed:
                node.saved_tensors  # raises the "second time" error
            grad_outputs = []
            for i, slot in enumerate(slots):
                if slot is None:
                    shape, dtype = node._output_meta[i]
                    # integer outputs (indices) are not differentiable: no zeros for them
                    g = np.zeros(shape, dtype=dtype) if np.issubdtype(dtype, np.floating) \
                        else None
                else:
                    g = slot.array
                if node._hooks.get(i):
                    g = _run_hooks(node._hooks[i], g)
                ref = node._retained.get(i)
                if ref is not None and ref() is not None:
                    t = ref()
                    if t.grad is None:
                        t.grad = Tensor._wrap(np.array(g, copy=True))
                    else:
                        t.grad.data += g
                grad_outputs.append(g)
            grad_inputs = node.function.backward(node, *grad_outputs)
            if not isinstance(grad_inputs, tuple):
                grad_inputs = (grad_inputs,)
            if len(grad_inputs) < len(node._inputs):
                raise RuntimeError(
                    f"{node.function.__name__}.backward returned {len(grad_inputs)} "
                    f"gradients for {len(node._inputs)} inputs")
            for target, meta, g in zip(node._inputs, node._input_meta, grad_inputs):
                if target is None or g is None:
                    continue
                shape, dtype = meta
                g = np.asarray(g)
                g = sum_to(g, shape)
                if g.dtype != dtype:
                    g = g.astype(dtype)
                if isinstance(target, tuple):
                    producer, index = target
                    slots_in = buffers.setdefault(id(producer), [None] * producer._n_outputs)
                    if slots_in[index] is None:
                        slots_in[index] = _GradBuffer(g)
                    else:
                        slots_in[index].add(g)
                else:
                    _accumulate_leaf(target, g)
            if not retain_graph:
                node._saved = ()
                node._freed = True
