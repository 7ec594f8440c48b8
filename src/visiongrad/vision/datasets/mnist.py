"""MNIST handwritten digits: the official IDX files, or the embedded 5,000-image subset."""
import importlib.resources
import os
import urllib.error

import numpy as np

from .idx import read_idx
from .utils import check_integrity, download_url
from .vision import ArrayDataset, split_indices


class MNIST(ArrayDataset):
    """28×28 grayscale handwritten digits, 10 classes.

    ``root=None`` uses the subset embedded in visiongrad (5,000 images, 500 per class;
    see ``visiongrad/data/ATTRIBUTION.md``), split by a fixed stratified 80/20 split
    with seed 0: ``train=True`` gives 4,000 images (400 per class), ``train=False``
    1,000 (100 per class), ``train=None`` all 5,000.

    With a ``root`` folder, the official files are read from ``root/MNIST/raw`` (the
    torchvision layout) or from ``root`` itself: ``train-images-idx3-ubyte``,
    ``train-labels-idx1-ubyte`` (60,000 images) for ``train=True``, ``t10k-*`` (10,000)
    for ``train=False``, both for ``train=None``; each may be gzip-compressed (``.gz``).
    ``download=True`` fetches missing files into ``root/MNIST/raw`` from ``mirrors``,
    checking their MD5; nothing is downloaded otherwise.

    Shapes: ``data`` (N, 28, 28) uint8, ``targets`` (N,) int64; ``dataset[i]`` is a
    (28, 28) uint8 array and an int label (before ``transform``).
    """

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
               "http://yann.lecun.com/exdb/mnist/"]
    resources = [("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
                 ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
                 ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
                 ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c")]
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root=None, train=True, transform=None, target_transform=None,
                 download=False):
        super().__init__(root, transform, target_transform)
        if train is not None and not isinstance(train, bool):
            raise TypeError(f"MNIST: train should be True, False or None, but got {train!r}")
        self.train = train
        if self.root is None:
            if download:
                raise ValueError("MNIST: download=True needs a root folder to download "
                                 "into; root=None uses the embedded 5,000-image subset")
            self.data, self.targets = self._load_embedded(train)
            return
        if download:
            self.download()
        parts = {True: ["train"], False: ["t10k"], None: ["train", "t10k"]}[train]
        images, labels = zip(*(self._load_official(prefix) for prefix in parts))
        self.data = np.concatenate(images)
        self.targets = np.concatenate(labels)

    @staticmethod
    def _load_embedded(train):
        with (importlib.resources.files("visiongrad") / "data" / "mnist_5k.npz").open("rb") as f:
            archive = np.load(f)
            images, labels = archive["images"], archive["labels"].astype(np.int64)
        keep = split_indices(labels, train, "MNIST")
        return images[keep], labels[keep]

    @property
    def raw_folder(self):
        return os.path.join(self.root, "MNIST", "raw")

    def _find(self, name):
        candidates = [os.path.join(folder, name + suffix)
                      for folder in (self.raw_folder, self.root) for suffix in ("", ".gz")]
        for path in candidates:
            if os.path.isfile(path):
                return path
        raise FileNotFoundError(f"MNIST: {name} not found; expected one of "
                                f"{', '.join(candidates)} (pass download=True to fetch "
                                f"the official files, or root=None for the embedded subset)")

    def _load_official(self, prefix):
        images_path = self._find(f"{prefix}-images-idx3-ubyte")
        labels_path = self._find(f"{prefix}-labels-idx1-ubyte")
        images, labels = read_idx(images_path), read_idx(labels_path)
        if images.dtype != np.uint8 or images.ndim != 3:
            raise ValueError(f"MNIST: {images_path} should hold (N, H, W) uint8 images, "
                             f"but holds {images.dtype} of shape {images.shape}")
        if labels.ndim != 1 or len(labels) != len(images):
            raise ValueError(f"MNIST: {labels_path} should hold {len(images)} labels, "
                             f"but holds shape {labels.shape}")
        return images, labels.astype(np.int64)

    def download(self):
        """Fetch the four official files into ``raw_folder`` unless already there."""
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            path = os.path.join(self.raw_folder, filename)
            if check_integrity(path, md5):
                continue
            failures = []
            for mirror in self.mirrors:
                try:
                    download_url(mirror + filename, path, md5)
                    break
                except (urllib.error.URLError, OSError, RuntimeError) as error:
                    failures.append(f"{mirror}{filename}: {error}")
            else:
                raise RuntimeError(f"MNIST: could not download {filename}: "
                                   + "; ".join(failures))
