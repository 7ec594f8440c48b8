"""Classification datasets returning ``(image, label)``: ``image`` is an (H, W) or
(H, W, C) uint8 array (what torchvision gives as a PIL image) passed through
``transform``; in-memory datasets expose ``data``, ``targets`` and ``classes``."""
from .cifar import CIFAR10
from .digits import Digits
from .folder import IMG_EXTENSIONS, ImageFolder, default_loader
from .idx import read_idx, write_idx
from .mnist import MNIST
from .utils import (RestrictedUnpickler, calculate_md5, check_integrity, download_url,
                    restricted_load)
from .vision import ArrayDataset, VisionDataset

__all__ = ["ArrayDataset", "CIFAR10", "Digits", "IMG_EXTENSIONS", "ImageFolder", "MNIST",
           "RestrictedUnpickler", "VisionDataset", "calculate_md5", "check_integrity",
           "default_loader", "download_url", "read_idx", "restricted_load", "write_idx"]
from .shapes import SyntheticShapes, collate_detection  # noqa: E402

__all__ += ["SyntheticShapes", "collate_detection"]
