"""Computer vision on top of visiongrad: datasets, transforms and data preprocessing."""
from . import datasets, preprocessing, transforms

__all__ = ["datasets", "preprocessing", "transforms"]
