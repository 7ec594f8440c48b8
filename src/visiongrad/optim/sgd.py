"""Stochastic gradient descent, with optional (Nesterov) momentum and weight decay."""
import numpy as np

from ..creation import from_numpy
from .optimizer import Optimizer, _effective_grad, _evaluate


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum), PyTorch's equations.

    For each parameter θ with gradient ∇f(θ), learning rate γ, momentum μ,
    dampening τ and weight decay λ::

        g  = ∇f(θ)                    (−∇f(θ) when maximize)
        g  = g + λθ                   (if λ ≠ 0)
        b  = g                        (first step)
        b  = μb + (1 − τ)g            (later steps, if μ ≠ 0)
        g  = g + μb  if nesterov  else  b
        θ  = θ − γg

    With constant γ this equals CS231n's form ``v = μv − γ∇f; θ = θ + v`` (``v = −γb``).
    Nesterov momentum takes the step from the look-ahead point; written in the
    variables of the current parameters it is the ``g + μb`` line above.

    Args:
        params: iterable of Tensors or of parameter-group dicts.
        lr (float): learning rate γ. Default: 1e-3.
        momentum (float): momentum factor μ. Default: 0.
        dampening (float): dampening τ for momentum. Default: 0.
        weight_decay (float): L2 penalty λ. Default: 0.
        nesterov (bool): use Nesterov momentum. Default: False.
        maximize (bool): ascend the objective instead. Default: False.

    State per parameter (when μ ≠ 0): ``momentum_buffer``.
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening "
                             f"(got momentum={momentum}, dampening={dampening})")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize}
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform one optimization step; returns ``closure()``'s loss if given."""
        loss = _evaluate(closure)
        workspace = self._workspace
        for group in self.param_groups:
            momentum = group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                param = p.data
                grad = _effective_grad(param, p.grad.data, group["weight_decay"],
                                       group["maximize"], workspace(param, 0))
                work = workspace(param, 1)
                if momentum != 0:
                    state = self.state[p]
                    buffer = state.get("momentum_buffer")
                    if buffer is None:
                        state["momentum_buffer"] = from_numpy(np.array(grad, copy=True))
                        buffer = state["momentum_buffer"].data
                    else:
                        buffer = buffer.data
                        buffer *= momentum
                        if group["dampening"] == 0:
                            buffer += grad
                        else:
                            buffer += np.multiply(grad, 1 - group["dampening"], out=work)
                    if group["nesterov"]:
                        np.multiply(buffer, momentum, out=work)
                        grad = np.add(grad, work, out=work)
                    else:
                        grad = buffer
                np.multiply(grad, group["lr"], out=work)
                param -= work
        return loss
