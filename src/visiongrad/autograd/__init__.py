"""Automatic differentiation: ``Function``, the engine, grad mode and gradient checks.

Gradients are first order only: a backward pass is not itself recorded.
"""
from .engine import backward, sum_to
from .function import Context, Function
from .gradcheck import GradcheckError, gradcheck, numerical_grad, relative_error
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled

__all__ = ["Context", "Function", "GradcheckError", "backward", "enable_grad", "gradcheck",
           "is_grad_enabled", "no_grad", "numerical_grad", "relative_error",
           "set_grad_enabled", "sum_to"]
