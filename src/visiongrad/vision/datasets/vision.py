"""Base classes of the vision datasets."""
import os

import numpy as np

from ...utils.data import Dataset, stratified_split


class VisionDataset(Dataset):
    """A dataset of ``(image, target)`` pairs with optional ``transform`` (applied to the
    image) and ``target_transform`` (applied to the label)."""

    def __init__(self, root=None, transform=None, target_transform=None):
        self.root = os.path.expanduser(os.fspath(root)) if root is not None else None
        for name, fn in (("transform", transform), ("target_transform", target_transform)):
            if fn is not None and not callable(fn):
                raise TypeError(f"{type(self).__name__}: {name} should be callable or None, "
                                f"but got {type(fn).__name__}")
        self.transform = transform
        self.target_transform = target_transform

    def _apply(self, image, target):
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __repr__(self):
        lines = [f"Dataset {type(self).__name__}", f"    Number of datapoints: {len(self)}"]
        if self.root is not None:
            lines.append(f"    Root location: {self.root}")
        lines += [f"    {name}: {fn!r}" for name, fn in (("Transform", self.transform),
                  ("Target transform", self.target_transform)) if fn is not None]
        return "\n".join(lines)


class ArrayDataset(VisionDataset):
    """A dataset held in memory as arrays, for fast whole-array use.

    Subclasses set ``data`` (N, H, W) or (N, H, W, C) uint8, ``targets`` (N,) int64 and
    ``classes`` (names, indexed by label). ``dataset[i]`` is ``(image, label)``: a copy
    of ``data[i]`` (so a transform cannot alter the dataset), the HWC uint8 array
    torchvision would give as a PIL image, and a Python int.
    """

    data: np.ndarray
    targets: np.ndarray
    classes: list

    @property
    def class_to_idx(self):
        return {name: i for i, name in enumerate(self.classes)}

    def __getitem__(self, index):
        return self._apply(self.data[index].copy(), int(self.targets[index]))

    def __len__(self):
        return len(self.data)


def split_indices(targets, train, owner):
    """The indices of ``train=True`` (80 %), ``train=False`` (20 %) or ``train=None``
    (all) in the fixed stratified split with seed 0."""
    if train is None:
        return np.arange(len(targets))
    if not isinstance(train, bool):
        raise TypeError(f"{owner}: train should be True, False or None, but got {train!r}")
    train_idx, test_idx = stratified_split(targets, test_fraction=0.2, seed=0)
    return train_idx if train else test_idx
