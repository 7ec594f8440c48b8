"""Classification architectures, one module per family."""
from . import mlp
from .mlp import MLP

__all__ = ["MLP", "mlp"]
