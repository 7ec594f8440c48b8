"""Semantic segmentation architectures: dense per-pixel class scores."""
from . import fcn
from .fcn import FCN, FCNConfig

__all__ = ["FCN", "FCNConfig", "fcn"]
