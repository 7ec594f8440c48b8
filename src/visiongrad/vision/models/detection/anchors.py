"""Anchor boxes for region proposal networks, with torchvision's ``AnchorGenerator``
conventions (Ren et al., 2015)."""
import numpy as np

from ....creation import from_numpy
from ....nn import Module


class AnchorGenerator(Module):
    """K = len(sizes[l]) × len(aspect_ratios[l]) anchors at every location of feature
    level l (erratum E23: K counts scales times ratios).

    Each anchor keeps the area size² while its aspect ratio r = height / width varies:
    h = size·sqrt(r), w = size / sqrt(r); the base anchors (ratio-major, size-minor order)
    are centred on 0 and rounded to integers, as torchvision does. Location (i, j) of a
    level with stride (s_y, s_x) = image size // feature size shifts them by
    ((j + offset)·s_x, (i + offset)·s_y). ``offset=0`` is torchvision's grid (anchors
    centred on the top-left corner of each cell); ``offset=0.5`` centres them in the cell,
    as detectron2 recommends and the course notes draw.

    Args:
        sizes: one tuple of sizes (square-root areas, in pixels) per feature level; a flat
            tuple gives one level per size, as torchvision.
        aspect_ratios: one tuple of height / width ratios per level (or one tuple, used
            for every level).
        offset: cell fraction added to every grid position (0 or 0.5).
    """

    def __init__(self, sizes=((128, 256, 512),), aspect_ratios=((0.5, 1.0, 2.0),), offset=0.0):
        super().__init__()
        if not isinstance(sizes[0], (list, tuple)):
            sizes = tuple((size,) for size in sizes)
        if not isinstance(aspect_ratios[0], (list, tuple)):
            aspect_ratios = (aspect_ratios,) * len(sizes)
        if len(sizes) != len(aspect_ratios):
            raise ValueError(f"AnchorGenerator: sizes give {len(sizes)} feature levels but "
                             f"aspect_ratios give {len(aspect_ratios)}")
        self.sizes, self.aspect_ratios, self.offset = sizes, aspect_ratios, offset
        self.cell_anchors = [self.generate_anchors(s, r) for s, r in zip(sizes, aspect_ratios)]

    @staticmethod
    def generate_anchors(scales, aspect_ratios):
        """(len(aspect_ratios)·len(scales), 4) float32 xyxy base anchors centred on 0."""
        scales = np.asarray(scales, dtype=np.float32)
        aspect_ratios = np.asarray(aspect_ratios, dtype=np.float32)
        h_ratios = np.sqrt(aspect_ratios)
        w_ratios = 1 / h_ratios
        ws = (w_ratios[:, None] * scales[None, :]).reshape(-1)
        hs = (h_ratios[:, None] * scales[None, :]).reshape(-1)
        return np.round(np.stack([-ws, -hs, ws, hs], axis=1) / 2)

    def num_anchors_per_location(self):
        """K of each level."""
        return [len(s) * len(r) for s, r in zip(self.sizes, self.aspect_ratios)]

    def grid_anchors(self, grid_sizes, strides):
        """One (h·w·K, 4) array per level: location-major (row by row), anchor-minor,
        the order of ``RPNHead``'s outputs once flattened."""
        anchors = []
        for (height, width), (stride_y, stride_x), base in zip(grid_sizes, strides,
                                                               self.cell_anchors):
            shifts_x = (np.arange(width, dtype=np.float32) + self.offset) * stride_x
            shifts_y = (np.arange(height, dtype=np.float32) + self.offset) * stride_y
            shift_y, shift_x = np.meshgrid(shifts_y, shifts_x, indexing="ij")
            shifts = np.stack([shift_x, shift_y, shift_x, shift_y], axis=-1).reshape(-1, 1, 4)
            anchors.append((shifts + base[None]).reshape(-1, 4))
        return anchors

    def forward(self, image_size, feature_maps):
        """image_size: (height, width) of the (padded) batch; feature_maps: one
        (N, C, h_l, w_l) Tensor per level → a list of N float32 (Σ_l h_l·w_l·K_l, 4)
        anchor Tensors, one per image (all equal, since the batch shares one size)."""
        if len(feature_maps) != len(self.cell_anchors):
            raise ValueError(f"AnchorGenerator: {len(self.cell_anchors)} levels of anchors "
                             f"but {len(feature_maps)} feature maps")
        grid_sizes = [tuple(feature.shape[-2:]) for feature in feature_maps]
        # integer strides, as torchvision: the image size need not be a multiple
        strides = [(image_size[0] // h, image_size[1] // w) for h, w in grid_sizes]
        anchors = np.concatenate(self.grid_anchors(grid_sizes, strides)).astype(np.float32)
        return [from_numpy(anchors.copy()) for _ in range(feature_maps[0].shape[0])]
