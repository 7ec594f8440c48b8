"""Synthetic shapes: circles, squares and triangles of random sizes and colours on a
noisy background, with exact per-pixel labels, instance masks and boxes.

Every image is drawn from ``numpy.random.default_rng((seed, index))``, so ``dataset[i]``
is the same whatever the order of access and whatever else used the global generator.
"""
import numpy as np

from ...creation import from_numpy
from .vision import VisionDataset

_TASKS = ("segmentation", "detection")
# a bounding-box placement is retried this many times before the image keeps fewer objects
_PLACEMENT_TRIES = 50


def _circle(ys, xs, top, left, size):
    radius = size / 2
    return (xs - left - radius) ** 2 + (ys - top - radius) ** 2 <= radius ** 2


def _square(ys, xs, top, left, size):
    return (xs >= left) & (xs < left + size) & (ys >= top) & (ys < top + size)


def _triangle(ys, xs, top, left, size):
    # apex at the top centre; the half-width grows linearly to size/2 at the base
    depth = ys - top
    return (depth >= 0) & (depth < size) & (np.abs(xs - left - size / 2) <= depth / 2)


class SyntheticShapes(VisionDataset):
    """``num_images`` seeded images of up to ``max_objects`` non-overlapping shapes.

    ``dataset[i]`` is ``(image, target)`` with ``image`` a float32 (3, H, W) Tensor in
    [0, 1] (what torchvision's ``ToTensor`` gives) and ``target``:

    - task 'segmentation': an int64 (H, W) Tensor of class ids, 0 = background;
    - task 'detection': torchvision's detection dict, ``boxes`` float32 (N, 4) xyxy,
      ``labels`` int64 (N,) in 1..3, ``masks`` uint8 (N, H, W), ``image_id`` int.

    Boxes enclose their mask's pixels exactly (x2 = last column + 1), so a box is the
    tight box of its instance mask. Objects never overlap, so every mask is whole.

    Args:
        num_images: length of the dataset.
        image_size: int or (height, width), each at least 16.
        max_objects: each image holds 1..max_objects shapes (fewer if they do not fit).
        seed: picks the whole dataset.
        task: 'segmentation' or 'detection'.
        transform, target_transform: as ``VisionDataset``.
    """

    classes = ["background", "circle", "square", "triangle"]
    _painters = (_circle, _square, _triangle)

    def __init__(self, num_images=100, image_size=64, max_objects=3, seed=0,
                 task="segmentation", transform=None, target_transform=None):
        super().__init__(transform=transform, target_transform=target_transform)
        if task not in _TASKS:
            raise ValueError(f"SyntheticShapes: task should be one of {_TASKS}, but got {task!r}")
        height, width = (image_size, image_size) if np.isscalar(image_size) else image_size
        if min(height, width) < 16:
            raise ValueError(f"SyntheticShapes: image_size should be at least 16, "
                             f"but got {image_size}")
        if num_images < 0 or max_objects < 1:
            raise ValueError(f"SyntheticShapes: need num_images >= 0 and max_objects >= 1, "
                             f"but got {num_images} and {max_objects}")
        self.num_images, self.max_objects, self.seed, self.task = (
            num_images, max_objects, seed, task)
        self.image_size = (int(height), int(width))

    def __len__(self):
        return self.num_images

    def generate(self, index):
        """The arrays of image ``index``: image float32 (3, H, W), semantic mask int64
        (H, W), instance masks uint8 (N, H, W), boxes float32 (N, 4), labels int64 (N,)."""
        if not 0 <= index < self.num_images:
            raise IndexError(f"SyntheticShapes: index {index} out of range "
                             f"for {self.num_images} images")
        rng = np.random.default_rng((self.seed, index))
        height, width = self.image_size
        ys, xs = np.mgrid[:height, :width] + 0.5  # pixel centres
        background = rng.uniform(0.0, 0.4, size=3)
        image = np.broadcast_to(background[:, None, None], (3, height, width)).copy()
        semantic = np.zeros((height, width), dtype=np.int64)
        taken = np.zeros((height, width), dtype=bool)
        masks, labels = [], []
        short = min(height, width)
        for _ in range(rng.integers(1, self.max_objects + 1)):
            label = int(rng.integers(1, len(self.classes)))
            for _ in range(_PLACEMENT_TRIES):
                size = int(rng.integers(max(short // 8, 3), short // 3 + 1))
                top = int(rng.integers(0, height - size + 1))
                left = int(rng.integers(0, width - size + 1))
                # one free pixel of margin keeps neighbouring shapes from touching
                rows = slice(max(top - 1, 0), top + size + 1)
                columns = slice(max(left - 1, 0), left + size + 1)
                if not taken[rows, columns].any():
                    break
            else:
                continue
            taken[top:top + size, left:left + size] = True
            mask = self._painters[label - 1](ys, xs, top, left, size)
            # bright colours keep every shape distinguishable from the darker background
            image[:, mask] = rng.uniform(0.5, 1.0, size=(3, 1))
            semantic[mask] = label
            masks.append(mask)
            labels.append(label)
        image = np.clip(image + rng.normal(0.0, 0.05, size=image.shape), 0.0, 1.0)
        masks = np.array(masks, dtype=np.uint8).reshape(-1, height, width)
        boxes = np.zeros((len(masks), 4), dtype=np.float32)
        for i, mask in enumerate(masks):
            rows, columns = np.nonzero(mask)
            boxes[i] = columns.min(), rows.min(), columns.max() + 1, rows.max() + 1
        return (image.astype(np.float32), semantic, masks, boxes,
                np.array(labels, dtype=np.int64))

    def __getitem__(self, index):
        image, semantic, masks, boxes, labels = self.generate(index)
        if self.task == "segmentation":
            return self._apply(from_numpy(image), from_numpy(semantic))
        target = {"boxes": from_numpy(boxes), "labels": from_numpy(labels),
                  "masks": from_numpy(masks), "image_id": index}
        return self._apply(from_numpy(image), target)


def collate_detection(batch):
    """Batch detection samples as torchvision's references do: ``(images, targets)``,
    a list of (3, H, W) images and a list of target dicts, since their numbers of boxes
    (and, in general, image sizes) differ."""
    images, targets = zip(*batch) if batch else ((), ())
    return list(images), list(targets)
