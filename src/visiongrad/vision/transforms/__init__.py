"""Image transforms with torchvision's API: ``functional`` holds the deterministic
functions, the classes wrap them and draw the random parameters from visiongrad's
global generator, so ``vg.manual_seed`` makes a pipeline reproducible.

Transforms take (C, H, W) float arrays or Tensors (and (N, C, H, W) batches, one draw
per batch) and return the same kind; ``ToTensor`` turns HWC uint8 images into CHW
floats in [0, 1]. MixUp and CutMix act on a batch and its labels together.
"""
from . import functional
from ._augment import BatchRandomCrop, Cutout, CutMix, GaussianNoise, MixUp, RandomErasing
from ._image import InterpolationMode
from .transforms import (IMAGENET_EIGVALS, IMAGENET_EIGVECS, CenterCrop, ColorJitter, Compose,
                         FiveCrop, GaussianBlur, Grayscale, Lambda, Normalize, Pad, PCALighting,
                         RandomAffine, RandomApply, RandomChoice, RandomCrop, RandomGrayscale,
                         RandomHorizontalFlip, RandomLensDistortion, RandomResize,
                         RandomResizedCrop, RandomRotation, RandomVerticalFlip, Resize, TenCrop,
                         ToTensor)

__all__ = [
    "functional", "InterpolationMode",
    "Compose", "RandomApply", "RandomChoice", "Lambda",
    "ToTensor", "Normalize",
    "Resize", "CenterCrop", "Pad", "FiveCrop", "TenCrop",
    "RandomHorizontalFlip", "RandomVerticalFlip", "RandomCrop", "RandomResizedCrop",
    "RandomResize", "RandomRotation", "RandomAffine", "RandomLensDistortion",
    "ColorJitter", "Grayscale", "RandomGrayscale", "GaussianBlur", "PCALighting",
    "IMAGENET_EIGVALS", "IMAGENET_EIGVECS",
    "RandomErasing", "Cutout", "GaussianNoise", "MixUp", "CutMix", "BatchRandomCrop",
]
