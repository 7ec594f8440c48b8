"""Pictures for the interpretation methods: first-layer filter grids (C4.22) and
heat maps (saliency, occlusion) over their images."""
import math

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def filter_grid(weight, columns=None, padding=1):
    """Tile conv filters into one image, each filter rescaled to [0, 1] on its own
    (CS231n ``visualize_grid``): first-layer filters read as small images.

    weight: (F, C, kH, kW) array or Tensor with C = 1 or 3.
    Returns (rows·(kH + padding) − padding, columns·(kW + padding) − padding, C) floats
    in [0, 1]; padding and unused tiles are 0. A constant filter becomes all 0.
    """
    weight = np.asarray(getattr(weight, "data", weight), dtype=np.float64)
    if weight.ndim != 4 or weight.shape[1] not in (1, 3):
        raise ValueError(f"weight must have shape (F, 1 or 3, kH, kW), got {weight.shape}")
    F, C, kH, kW = weight.shape
    columns = columns or math.ceil(math.sqrt(F))
    rows = math.ceil(F / columns)
    grid = np.zeros((rows * (kH + padding) - padding, columns * (kW + padding) - padding, C))
    low = weight.min(axis=(1, 2, 3), keepdims=True)
    span = weight.max(axis=(1, 2, 3), keepdims=True) - low
    # a constant filter has span 0; dividing by 1 there keeps it at 0 instead of NaN
    tiles = ((weight - low) / np.where(span > 0, span, 1)).transpose(0, 2, 3, 1)
    for f in range(F):
        r, c = divmod(f, columns)
        grid[r * (kH + padding):r * (kH + padding) + kH,
             c * (kW + padding):c * (kW + padding) + kW] = tiles[f]
    return grid


def plot_filters(weight, columns=None, title="first-layer filters"):
    """Figure of ``filter_grid(weight)``; one-channel filters are drawn in grey."""
    plt = _pyplot()
    grid = filter_grid(weight, columns)
    figure, axis = plt.subplots(figsize=(4, 4))
    axis.imshow(grid[..., 0] if grid.shape[-1] == 1 else grid, cmap="gray",
                interpolation="nearest")
    axis.set_title(title)
    axis.axis("off")
    figure.tight_layout()
    return figure


def plot_heatmaps(images, maps, titles=None, cmap="hot"):
    """Each image above its heat map (saliency, occlusion drop, ...).

    images: (N, C, H, W) with C = 1 or 3, values in [0, 1]; maps: (N, P, Q).
    """
    plt = _pyplot()
    images = np.asarray(getattr(images, "data", images))
    maps = np.asarray(getattr(maps, "data", maps))
    if images.ndim != 4 or maps.ndim != 3 or len(images) != len(maps):
        raise ValueError(f"expected images (N, C, H, W) and maps (N, P, Q), "
                         f"got {images.shape} and {maps.shape}")
    N = len(images)
    figure, axes = plt.subplots(2, N, figsize=(2 * N, 4), squeeze=False)
    for n in range(N):
        image = images[n].transpose(1, 2, 0)
        axes[0, n].imshow(image[..., 0] if image.shape[-1] == 1 else image, cmap="gray")
        axes[1, n].imshow(maps[n], cmap=cmap)
        if titles is not None:
            axes[0, n].set_title(titles[n])
        axes[0, n].axis("off")
        axes[1, n].axis("off")
    figure.tight_layout()
    return figure
