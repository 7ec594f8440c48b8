"""Per-coordinate adaptive step sizes: RMSprop ("leaky AdaGrad") and Adagrad."""
import numpy as np

from ..creation import full_like, zeros_like
from .optimizer import Optimizer, _effective_grad, _evaluate, _zero_step


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture 6e), PyTorch's equations.

    For each parameter θ, learning rate γ, smoothing constant α, momentum μ and
    weight decay λ::

        g  = ∇f(θ)  (−∇f(θ) when maximize),   g = g + λθ  (if λ ≠ 0)
        v  = α·v + (1 − α)·g²
        ṽ  = v − ḡ²,  ḡ = α·ḡ + (1 − α)·g       (centered; otherwise ṽ = v)
        b  = μ·b + g / (√ṽ + ε);   θ = θ − γ·b  (if μ > 0)
        θ  = θ − γ·g / (√ṽ + ε)                 (otherwise)

    With μ = 0 and ``centered=False`` this is CS231n's
    ``cache = decay_rate·cache + (1 − decay_rate)·dx²; x −= lr·dx/(√cache + eps)``
    with ``alpha=decay_rate`` (CS231n's defaults: 0.99 and 1e-8, PyTorch's too).

    Args:
        params: iterable of Tensors or of parameter-group dicts.
        lr (float): learning rate γ. Default: 1e-2.
        alpha (float): smoothing constant α. Default: 0.99.
        eps (float): ε added to the denominator. Default: 1e-8.
        weight_decay (float): L2 penalty λ. Default: 0.
        momentum (float): momentum factor μ. Default: 0.
        centered (bool): normalise by an estimate of the gradient's variance instead
            of its second moment. Default: False.
        maximize (bool): ascend the objective instead. Default: False.

    State per parameter: ``step``, ``square_avg`` (v), ``momentum_buffer`` (μ > 0),
    ``grad_avg`` (ḡ, centered).
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, *, maximize=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay, "maximize": maximize}
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform one optimization step; returns ``closure()``'s loss if given."""
        loss = _evaluate(closure)
        workspace = self._workspace
        for group in self.param_groups:
            alpha, momentum, centered = group["alpha"], group["momentum"], group["centered"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _zero_step()
                    state["square_avg"] = zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = zeros_like(p)
                    if centered:
                        state["grad_avg"] = zeros_like(p)
                param = p.data
                state["step"].data += 1
                grad = _effective_grad(param, p.grad.data, group["weight_decay"],
                                       group["maximize"], workspace(param, 0))
                work = workspace(param, 1)

                square_avg = state["square_avg"].data
                square_avg *= alpha
                np.multiply(grad, grad, out=work)
                work *= 1 - alpha
                square_avg += work
                if centered:
                    grad_avg = state["grad_avg"].data
                    np.subtract(grad, grad_avg, out=work)
                    work *= 1 - alpha
                    grad_avg += work
                    np.multiply(grad_avg, grad_avg, out=work)
                    np.subtract(square_avg, work, out=work)
                    np.sqrt(work, out=work)
                else:
                    np.sqrt(square_avg, out=work)
                work += group["eps"]

                np.divide(grad, work, out=work)
                if momentum > 0:
                    buffer = state["momentum_buffer"].data
                    buffer *= momentum
                    buffer += work
                    np.multiply(buffer, group["lr"], out=work)
                else:
                    work *= group["lr"]
                param -= work
        return loss


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011), PyTorch's equations.

    For each parameter θ, learning rate γ, learning-rate decay η, weight decay λ and
    step t = 1, 2, ...::

        g  = ∇f(θ)  (−∇f(θ) when maximize),   g = g + λθ  (if λ ≠ 0)
        γ̃  = γ / (1 + (t − 1)·η)
        s  = s + g²                            (s starts at initial_accumulator_value)
        θ  = θ − γ̃·g / (√s + ε)

    ``eps=1e-7`` gives CS231n's ``grad_squared += dx·dx; x −= lr·dx/(√grad_squared + 1e-7)``.
    Since s only grows, the effective step γ̃/(√s + ε) shrinks towards zero.

    Args:
        params: iterable of Tensors or of parameter-group dicts.
        lr (float): learning rate γ. Default: 1e-2.
        lr_decay (float): η. Default: 0.
        weight_decay (float): L2 penalty λ. Default: 0.
        initial_accumulator_value (float): starting value of s. Default: 0.
        eps (float): ε added to the denominator. Default: 1e-10.
        maximize (bool): ascend the objective instead. Default: False.

    State per parameter: ``step``, ``sum`` (s), created at construction as in PyTorch.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, *, maximize=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "maximize": maximize}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p, group):
        # the group's own initial_accumulator_value; PyTorch uses the constructor's
        # value for every group, which ignores a per-group setting
        state = self.state[p]
        state["step"] = _zero_step()
        state["sum"] = full_like(p, group["initial_accumulator_value"])

    def step(self, closure=None):
        """Perform one optimization step; returns ``closure()``'s loss if given."""
        loss = _evaluate(closure)
        workspace = self._workspace
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    self._init_state(p, group)
                param = p.data
                state["step"].data += 1
                step = float(state["step"].data)
                grad = _effective_grad(param, p.grad.data, group["weight_decay"],
                                       group["maximize"], workspace(param, 0))
                work = workspace(param, 1)
                clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])

                state_sum = state["sum"].data
                np.multiply(grad, grad, out=work)
                state_sum += work
                np.sqrt(state_sum, out=work)
                work += group["eps"]
                np.divide(grad, work, out=work)
                work *= clr
                param -= work
        return loss
