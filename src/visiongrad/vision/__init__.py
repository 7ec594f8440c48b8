"""Computer vision on top of visiongrad: datasets, transforms and data preprocessing."""
from . import datasets, models, preprocessing, transforms

__all__ = ["datasets", "preprocessing", "transforms"]
