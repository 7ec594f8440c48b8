"""CIFAR-10 from the official "python version" batches."""
import os
import tarfile

import numpy as np

from .utils import check_integrity, download_url, restricted_load
from .vision import ArrayDataset


def _text(key):
    # batches written by Python 2 load with str keys, ones rewritten by Python 3 with bytes
    return key.decode("latin1") if isinstance(key, bytes) else key


def _read_batch(path, required):
    """A batch file as a dict with str keys, checked to hold the ``required`` keys."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"CIFAR10: {path} not found; expected the official "
                                f"cifar-10-batches-py folder (pass download=True to fetch it)")
    entry = restricted_load(path)
    if not isinstance(entry, dict):
        raise ValueError(f"CIFAR10: {path} should hold a dict, but holds {type(entry).__name__}")
    entry = {_text(key): value for key, value in entry.items()}
    missing = [key for key in required if key not in entry]
    if missing:
        raise ValueError(f"CIFAR10: {path} lacks the keys {missing}; found {sorted(entry)}")
    return entry


class CIFAR10(ArrayDataset):
    """32×32 colour images in 10 classes, read from ``root/cifar-10-batches-py``:
    ``data_batch_1`` .. ``data_batch_5`` (50,000 images) for ``train=True``,
    ``test_batch`` (10,000) for ``train=False``, all six for ``train=None``, and class
    names from ``batches.meta``. Each batch is a pickled dict with ``data`` (N, 3072)
    uint8 (the red, green and blue 32×32 planes of each image) and ``labels`` (N ints);
    the files are read with a restricted unpickler that builds nothing but containers
    and NumPy arrays. ``download=True`` fetches and unpacks the official archive into
    ``root`` (checking its MD5) when the folder is missing.

    Shapes: ``data`` (N, 32, 32, 3) uint8, ``targets`` (N,) int64; ``dataset[i]`` is a
    (32, 32, 3) uint8 array and an int label (before ``transform``).
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [f"data_batch_{i}" for i in range(1, 6)]
    test_list = ["test_batch"]
    meta_file = "batches.meta"

    def __init__(self, root, train=True, transform=None, target_transform=None,
                 download=False):
        if root is None:
            raise ValueError("CIFAR10: root should be the folder holding cifar-10-batches-py, "
                             "but got None")
        super().__init__(root, transform, target_transform)
        if train is not None and not isinstance(train, bool):
            raise TypeError(f"CIFAR10: train should be True, False or None, but got {train!r}")
        self.train = train
        if download:
            self.download()
        names = {True: self.train_list, False: self.test_list,
                 None: self.train_list + self.test_list}[train]
        images, labels = [], []
        for name in names:
            path = os.path.join(self.root, self.base_folder, name)
            entry = _read_batch(path, ["data", "labels"])
            data = np.asarray(entry["data"])
            if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
                raise ValueError(f"CIFAR10: {path} should hold data of shape (N, 3072) "
                                 f"uint8, but holds {data.dtype} of shape {data.shape}")
            if len(entry["labels"]) != len(data):
                raise ValueError(f"CIFAR10: {path} holds {len(data)} images but "
                                 f"{len(entry['labels'])} labels")
            # rows are channel planes: (N, 3, 32, 32) → HWC
            images.append(data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
            labels.append(np.asarray(entry["labels"], dtype=np.int64))
        self.data = np.ascontiguousarray(np.concatenate(images))
        self.targets = np.concatenate(labels)
        meta = _read_batch(os.path.join(self.root, self.base_folder, self.meta_file),
                           ["label_names"])
        self.classes = [_text(name) for name in meta["label_names"]]

    def download(self):
        """Fetch and unpack the official archive unless the batches are already there."""
        folder = os.path.join(self.root, self.base_folder)
        if all(os.path.isfile(os.path.join(folder, name))
               for name in self.train_list + self.test_list + [self.meta_file]):
            return
        archive = os.path.join(self.root, self.filename)
        if not check_integrity(archive, self.tgz_md5):
            download_url(self.url, archive, self.tgz_md5)
        with tarfile.open(archive, "r:gz") as tar:
            # the "data" filter refuses absolute paths, links out of root and devices
            tar.extractall(self.root, filter="data")
