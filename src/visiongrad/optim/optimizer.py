"""``Optimizer``: the base class that owns parameter groups and per-parameter state.

The contracts are ``torch.optim``'s. ``param_groups`` is a list of dicts, each holding
``params`` and every hyper-parameter (missing ones are filled in from ``defaults``);
``state`` maps a parameter to a dict of tensors named as PyTorch names them
(``momentum_buffer``, ``exp_avg``, ``step``, ...); ``state_dict()`` replaces each
parameter by its position, so a checkpoint has PyTorch's layout::

    {'state': {0: {'step': tensor(3.), 'exp_avg': ..., 'exp_avg_sq': ...}, ...},
     'param_groups': [{'lr': 0.001, 'betas': (0.9, 0.999), ..., 'params': [0, 1]}]}

PyTorch's implementation-selection flags (``foreach``, ``fused``, ``capturable``,
``differentiable``) have no meaning on NumPy and are not group keys here; torch fills
them with its defaults when it loads one of these checkpoints, and they ride along
unused when a torch checkpoint loads here.

Updates write into ``param.data`` in place and keep the parameter's dtype. Temporaries
come from a per-optimizer workspace, so a step allocates nothing once the state exists.
"""
import warnings
from collections import defaultdict
from copy import deepcopy
from itertools import chain

import numpy as np

from ..autograd.grad_mode import enable_grad
from ..creation import from_numpy
from ..tensor import Tensor, get_default_dtype


class _Workspace:
    """Scratch arrays reused across steps: one flat buffer per (dtype, slot), viewed
    in the shape of whichever parameter is being updated."""

    def __init__(self):
        self._buffers = {}

    def __call__(self, like, slot):
        key = (like.dtype, slot)
        flat = self._buffers.get(key)
        if flat is None or flat.size < like.size:
            flat = self._buffers[key] = np.empty(like.size, like.dtype)
        return flat[:like.size].reshape(like.shape)


def _evaluate(closure):
    """Run ``closure`` (which recomputes the loss and calls ``backward``) with gradient
    recording on, as ``torch.optim`` does, and return its loss."""
    if closure is None:
        return None
    with enable_grad():
        return closure()


def _effective_grad(param, grad, weight_decay, maximize, out):
    """``g = ±grad + weight_decay·param`` (L2 regularisation folded into the gradient).

    Returns ``grad`` itself when there is nothing to add, otherwise ``out``; the caller
    must not write into the result unless it is ``out``."""
    if weight_decay == 0:
        return np.negative(grad, out=out) if maximize else grad
    np.multiply(param, weight_decay, out=out)
    if maximize:
        return np.subtract(out, grad, out=out)
    return np.add(out, grad, out=out)


def _zero_step():
    # PyTorch keeps the step count as a float tensor of the default scalar dtype
    return from_numpy(np.zeros((), get_default_dtype()))


class Optimizer:
    """Base class for all optimizers.

    Args:
        params: an iterable of Tensors, of ``(name, Tensor)`` pairs, or of dicts
            (parameter groups, each with a ``params`` entry and optional
            per-group hyper-parameters).
        defaults: hyper-parameter values used by groups that do not set them.
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable "
                            f"of Tensors or dicts, but got {type(params).__name__}")
        self.state = defaultdict(dict)
        self.param_groups = []
        self._workspace = _Workspace()

        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __repr__(self):
        lines = [self.__class__.__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {key}: {group[key]}" for key in sorted(group) if key != "params")
        return "\n".join(lines) + "\n)"

    def add_param_group(self, param_group):
        """Add a group of parameters (a dict with ``params`` and optional
        hyper-parameters), e.g. layers unfrozen part-way through fine-tuning."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        params = list(params)

        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. "
                                 "Some param names are missing")
            param_group["param_names"] = names
        param_group["params"] = params

        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params "
                                f"is {type(param).__name__}")
            if not param.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            param_group.setdefault(name, default)

        if len({id(p) for p in params}) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "each is updated once per occurrence", stacklevel=3)

        existing = set()
        for group in self.param_groups:
            existing.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not existing.isdisjoint(id(p) for p in params):
            raise ValueError("some parameters appear in more than one parameter group")

        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized parameters: to ``None`` (the default,
        which makes the next step skip parameters that get no gradient) or to zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.data[...] = 0

    def step(self, closure=None):
        """Perform one optimization step. ``closure`` (optional) re-evaluates the model
        and returns the loss, which ``step`` then returns."""
        raise NotImplementedError

    def state_dict(self):
        """The optimizer's state as ``{'state': {index: {...}}, 'param_groups': [...]}``.

        Parameters are replaced by their position across all groups (PyTorch's
        layout); the state tensors are the live ones, not copies."""
        param_mappings = {}
        start_index = 0

        def pack_group(group):
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start_index):
                param_mappings.setdefault(id(p), i)
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(param_mappings[id(k)] if isinstance(k, Tensor) else k): v
                        for k, v in self.state.items()}
        return {"state": packed_state, "param_groups": param_groups}

    def load_state_dict(self, state_dict):
        """Load what ``state_dict`` returned (here or from torch, with tensors converted
        to arrays). Parameters are matched by position; state tensors are copied and
        cast to their parameter's dtype, except ``step``."""
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for i, (group, saved) in enumerate(zip(groups, saved_groups)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size "
                    f"of optimizer's group: group {i} has {len(group['params'])} parameters, "
                    f"the state dict {len(saved['params'])}")

        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))
        state = defaultdict(dict)
        for index, entry in state_dict["state"].items():
            if index in id_map:
                param = id_map[index]
                state[param] = {key: _cast_state(param, index, key, value)
                                for key, value in entry.items()}
            else:
                state[index] = entry

        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            # a torch checkpoint lacks visiongrad's extra group keys (Adam's
            # bias_correction); those take this optimizer's defaults
            for name, default in self.defaults.items():
                saved.setdefault(name, default)
        self.state = state
        self.param_groups = saved_groups


def _cast_state(param, index, key, value):
    if isinstance(value, (int, float)) and key == "step":
        value = np.asarray(float(value), get_default_dtype())
    if isinstance(value, Tensor):
        value = value.data
    if not isinstance(value, np.ndarray):
        return deepcopy(value)
    if key == "step":
        # the step count keeps its own dtype, as in PyTorch, and is a 0-d scalar even
        # when a writer stored it with shape (1,)
        return from_numpy(np.array(value, copy=True).reshape(()))
    if value.shape != param.shape:
        raise ValueError(f"loaded state dict has {key!r} of shape {value.shape} for parameter "
                         f"{index}, which has shape {param.shape}")
    dtype = param.dtype if param.is_floating_point() else value.dtype
    return from_numpy(np.array(value, dtype=dtype, copy=True))
