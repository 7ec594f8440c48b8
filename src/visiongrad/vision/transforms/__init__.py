"""Image transforms with torchvision's API: ``functional`` holds the deterministic
functions, the classes wrap them. They take (C, H, W) float arrays or Tensors and
return the same kind; ``ToTensor`` turns HWC uint8 images into CHW floats in [0, 1]."""
from . import functional
from .transforms import Compose, Lambda, Normalize, ToTensor

__all__ = ["Compose", "Lambda", "Normalize", "ToTensor", "functional"]
