"""Computer vision on top of visiongrad: datasets, transforms and data preprocessing."""
from . import datasets, models, ops, preprocessing, transforms

__all__ = ["datasets", "ops", "preprocessing", "transforms"]
