"""Adam (with bias correction, AMSGrad and L2 or decoupled weight decay) and AdamW."""
import numpy as np

from ..creation import zeros_like
from .optimizer import Optimizer, _effective_grad, _evaluate, _zero_step


class Adam(Optimizer):
    r"""Adam, PyTorch's equations (Kingma & Ba, 2015).

    For each parameter θ, learning rate γ, betas (β1, β2), weight decay λ and step
    t = 1, 2, ...::

        g  = ∇f(θ)                     (−∇f(θ) when maximize)
        θ  = θ(1 − γλ)                 (decoupled_weight_decay: AdamW)
        g  = g + λθ                    (otherwise, if λ ≠ 0: L2 in the gradient)
        m  = β1·m + (1 − β1)·g         first moment
        v  = β2·v + (1 − β2)·g²        second moment
        v̂max = max(v̂max, v)            (amsgrad; v̂max replaces v below)
        m̂  = m / (1 − β1ᵗ),  v̂ = v / (1 − β2ᵗ)     bias correction
        θ  = θ − γ·m̂ / (√v̂ + ε)

    Because m and v start at zero they are biased towards zero early on; the
    correction makes the first step ``γ·g/(|g| + ε) ≈ γ·sign(g)``.

    ``bias_correction=False`` (a visiongrad extra) drops the two divisions, giving the
    CS231n/EECS 498 "Adam (almost)", i.e. RMSProp plus momentum. Its first step is
    ``γ(1 − β1)g / (√(1 − β2)|g| + ε)``, about ``3.16·γ·sign(g)`` for the default
    betas: the too-large first step that bias correction exists to fix.

    Args:
        params: iterable of Tensors or of parameter-group dicts.
        lr (float): learning rate γ. Default: 1e-3.
        betas (tuple[float, float]): (β1, β2). Default: (0.9, 0.999).
        eps (float): ε added to the denominator. Default: 1e-8.
        weight_decay (float): λ. Default: 0.
        amsgrad (bool): use the running maximum of v (AMSGrad). Default: False.
        maximize (bool): ascend the objective instead. Default: False.
        decoupled_weight_decay (bool): shrink θ directly instead of adding λθ to the
            gradient (AdamW). Default: False.
        bias_correction (bool): divide the moments by (1 − βᵗ). Default: True.

    State per parameter: ``step``, ``exp_avg`` (m), ``exp_avg_sq`` (v) and, with
    amsgrad, ``max_exp_avg_sq``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, maximize=False, decoupled_weight_decay=False,
                 bias_correction=True):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "bias_correction": bias_correction}
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform one optimization step; returns ``closure()``'s loss if given."""
        loss = _evaluate(closure)
        workspace = self._workspace
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, weight_decay, amsgrad = group["lr"], group["weight_decay"], group["amsgrad"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _zero_step()
                    state["exp_avg"] = zeros_like(p)
                    state["exp_avg_sq"] = zeros_like(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = zeros_like(p)
                param = p.data
                state["step"].data += 1
                step = float(state["step"].data)

                if weight_decay != 0 and group["decoupled_weight_decay"]:
                    param *= 1 - lr * weight_decay
                    grad = _effective_grad(param, p.grad.data, 0, group["maximize"],
                                           workspace(param, 0))
                else:
                    grad = _effective_grad(param, p.grad.data, weight_decay,
                                           group["maximize"], workspace(param, 0))
                work = workspace(param, 1)
                exp_avg, exp_avg_sq = state["exp_avg"].data, state["exp_avg_sq"].data

                # m ← m + (1 − β1)(g − m): PyTorch's lerp, the same EMA
                np.subtract(grad, exp_avg, out=work)
                work *= 1 - beta1
                exp_avg += work
                exp_avg_sq *= beta2
                np.multiply(grad, grad, out=work)
                work *= 1 - beta2
                exp_avg_sq += work

                if group["bias_correction"]:
                    step_size = lr / (1 - beta1 ** step)
                    bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
                else:
                    step_size, bias_correction2_sqrt = lr, 1.0
                if amsgrad:
                    max_exp_avg_sq = state["max_exp_avg_sq"].data
                    np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
                    np.sqrt(max_exp_avg_sq, out=work)
                else:
                    np.sqrt(exp_avg_sq, out=work)
                work /= bias_correction2_sqrt
                work += group["eps"]
                np.divide(exp_avg, work, out=work)
                work *= step_size
                param -= work
        return loss


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    The decay shrinks the parameters directly, ``θ = θ(1 − γλ)``, before the Adam
    update, instead of entering the gradient (and so being rescaled by 1/√v̂) as
    ``Adam(weight_decay=λ)`` does. See :class:`Adam` for the equations.
    Default ``weight_decay`` is 1e-2, as in PyTorch.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)
