"""Classification architectures, one module per family."""
from . import convnet, mlp
from .convnet import ConvNet, ConvNetConfig
from .mlp import MLP

__all__ = ["ConvNet", "ConvNetConfig", "MLP", "convnet", "mlp"]
