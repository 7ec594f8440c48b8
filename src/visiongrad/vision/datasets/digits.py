"""scikit-learn's handwritten digits (UCI optical recognition of handwritten digits),
shipped with scikit-learn and so available offline."""
import numpy as np

from .vision import ArrayDataset, split_indices


class Digits(ArrayDataset):
    """1,797 8×8 grayscale digits, 10 classes.

    The originals have 17 gray levels (0..16); ``data`` holds them as uint8 scaled to
    0..255 (``round(v * 255 / 16)``) so that ``ToTensor`` maps them to [0, 1] like any
    other 8-bit image. ``train=True`` / ``False`` select a fixed stratified 80/20 split
    (seed 0: 1,437 / 360 images); ``train=None`` keeps all 1,797.

    Shapes: ``data`` (N, 8, 8) uint8, ``targets`` (N,) int64; ``dataset[i]`` is an (8, 8)
    uint8 array and an int label (before ``transform``).
    """

    classes = [str(i) for i in range(10)]

    def __init__(self, train=True, transform=None, target_transform=None):
        super().__init__(None, transform, target_transform)
        # imported here: scikit-learn takes about a second to import
        from sklearn.datasets import load_digits

        digits = load_digits()
        images = np.round(digits.images * (255 / 16)).astype(np.uint8)
        targets = digits.target.astype(np.int64)
        keep = split_indices(targets, train, "Digits")
        self.train = train
        self.data = images[keep]
        self.targets = targets[keep]
