"""A classification dataset from a folder tree: ``root/<class name>/<image file>``."""
import os

import numpy as np
from PIL import Image

from .vision import VisionDataset

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def default_loader(path):
    """Read an image file as an (H, W, 3) uint8 RGB array (grayscale and palette images
    are converted, as torchvision's loader does)."""
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB")).copy()


class ImageFolder(VisionDataset):
    """Images arranged as ``root/<class>/**/<file>``; class folders sorted by name give
    the labels 0, 1, .... Files are kept when their extension is in ``IMG_EXTENSIONS``
    (case-insensitive), or when ``is_valid_file(path)`` says so.

    Images are read on access with ``loader`` (default: an (H, W, 3) uint8 RGB array),
    since a folder's images may differ in size; there is no ``data`` array.
    Attributes: ``classes``, ``class_to_idx``, ``samples`` (list of (path, label)),
    ``targets`` (N,) int64.
    """

    def __init__(self, root, transform=None, target_transform=None, loader=default_loader,
                 is_valid_file=None, allow_empty=False):
        super().__init__(root, transform, target_transform)
        if not os.path.isdir(self.root):
            raise FileNotFoundError(f"ImageFolder: root {self.root} is not a folder")
        self.classes = sorted(entry.name for entry in os.scandir(self.root) if entry.is_dir())
        if not self.classes:
            raise FileNotFoundError(f"ImageFolder: no class folders in {self.root}; expected "
                                    f"{self.root}/<class name>/<image file>")
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}
        if is_valid_file is None:
            def is_valid_file(path):
                return path.lower().endswith(IMG_EXTENSIONS)
        self.samples = []
        empty = []
        for name in self.classes:
            found = []
            for folder, _, files in sorted(os.walk(os.path.join(self.root, name),
                                                   followlinks=True)):
                found += [(os.path.join(folder, f), self.class_to_idx[name])
                          for f in sorted(files) if is_valid_file(os.path.join(folder, f))]
            if not found:
                empty.append(name)
            self.samples += found
        if empty and not allow_empty:
            raise FileNotFoundError(f"ImageFolder: no valid image files in the class folders "
                                    f"{empty} under {self.root}; supported extensions are "
                                    f"{', '.join(IMG_EXTENSIONS)} (pass allow_empty=True to "
                                    f"keep empty classes)")
        self.loader = loader
        self.imgs = self.samples
        self.targets = np.array([label for _, label in self.samples], dtype=np.int64)

    def __getitem__(self, index):
        path, target = self.samples[index]
        return self._apply(self.loader(path), target)

    def __len__(self):
        return len(self.samples)
