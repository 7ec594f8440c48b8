"""Hand-made image features (course chapter 3, opening; CS231n assignment 1 ``features.py``).

Before convolutional networks learned their own features, a linear classifier was trained
on features designed by hand, each throwing away something the label does not depend on:

* a hue histogram keeps which colours occur and forgets where they are;
* HOG (Dalal & Triggs 2005) keeps which edge orientations occur roughly where, and
  normalises away local contrast;
* a bag of visual words keeps which small patterns (codewords learned by k-means on
  random patches) occur, and forgets where.

Every feature function maps a batch of images (N, ...) to a float64 matrix (N, D), so
that ``extract_features`` can concatenate several of them, as CS231n's does.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

BLOCK_NORMS = ("L1", "L1-sqrt", "L2", "L2-Hys")

# ITU-R BT.601 luma, the weights of PIL's convert("L"). CS231n's rgb2gray has 0.144 for
# blue, a typo for 0.114 (its weights then sum to 1.03).
_LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114])

# Dalal & Triggs' (and skimage's) epsilon in the block norms; it keeps an all-zero block
# (a flat image region) at zero instead of 0/0.
_BLOCK_NORM_EPS = 1e-5
# L2-Hys clips the L2-normalised block at 0.2 so that a few strong edges cannot dominate
# it, then renormalises (Lowe's SIFT trick, adopted by Dalal & Triggs).
_HYS_CLIP = 0.2

# Largest (rows, clusters) distance matrix, in elements (64 MiB of float64), that the
# k-means assignment step allocates at once.
_CHUNK_ELEMENTS = 1 << 23


def _as_image_batch(images, name):
    """images: array-like (N, ...) of numbers -> np.ndarray, unchanged otherwise."""
    images = np.asarray(images)
    if not (np.issubdtype(images.dtype, np.integer) or np.issubdtype(images.dtype, np.floating)):
        raise TypeError(f"{name}: expected an integer or floating-point array, "
                        f"got dtype {images.dtype}")
    if images.ndim not in (3, 4) or images.shape[0] == 0:
        raise ValueError(f"{name}: expected a batch (N, H, W), (N, H, W, 3) or (N, 3, H, W) "
                         f"with N >= 1, got shape {images.shape}")
    return images


def _rgb_channels_last(images, name):
    """images: (N, H, W, 3) or (N, 3, H, W) -> (N, H, W, 3) float64.

    When both the last and the second axis have length 3 the last one is taken as the
    channel axis (CS231n's images are channels-last).
    """
    if images.ndim == 4 and images.shape[-1] == 3:
        return images.astype(np.float64)
    if images.ndim == 4 and images.shape[1] == 3:
        return np.moveaxis(images, 1, -1).astype(np.float64)
    raise ValueError(f"{name}: expected RGB images (N, H, W, 3) or (N, 3, H, W), "
                     f"got shape {images.shape}")


def _grayscale(images, name):
    """images: (N, H, W) grey, or RGB (N, H, W, 3) / (N, 3, H, W) -> (N, H, W) float64."""
    images = _as_image_batch(images, name)
    if images.ndim == 3:
        return images.astype(np.float64)
    return _rgb_channels_last(images, name) @ _LUMA_WEIGHTS


def _pair(value, name):
    """An int or a pair of ints, each >= 1 -> (int, int)."""
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if (len(pair) != 2 or any(isinstance(v, bool) or not isinstance(v, (int, np.integer))
                              or v < 1 for v in pair)):
        raise ValueError(f"{name}: expected a positive int or a pair of positive ints, "
                         f"got {value!r}")
    return int(pair[0]), int(pair[1])


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name}: expected a positive int, got {value!r}")
    return int(value)


def rgb_to_hsv(rgb):
    """RGB -> HSV, vectorised (the hexcone model of Smith 1978, as matplotlib's).

    rgb: (..., 3) floats in [0, 1] -> (..., 3) float64 (hue, saturation, value), each in
    [0, 1]; hue is the angle on the colour wheel divided by 360 (0 red, 1/3 green, 2/3
    blue), and is 0 for greys, where it is undefined.
    """
    rgb = np.asarray(rgb, dtype=np.float64)
    if rgb.shape[-1:] != (3,):
        raise ValueError(f"rgb: expected shape (..., 3), got {rgb.shape}")
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    value = rgb.max(axis=-1)
    chroma = value - rgb.min(axis=-1)
    colourful = chroma > 0
    # Dividing by 1 where chroma is 0 only avoids 0/0 warnings; those hues are zeroed below.
    safe_chroma = np.where(colourful, chroma, 1.0)
    # The sector of the wheel is decided by the largest channel. On ties the later of
    # red, green, blue wins, as in matplotlib; the tied formulas agree up to rounding.
    hue_sector = np.select(
        [blue == value, green == value],
        [4.0 + (red - green) / safe_chroma, 2.0 + (blue - red) / safe_chroma],
        (green - blue) / safe_chroma)
    hue = np.where(colourful, (hue_sector / 6.0) % 1.0, 0.0)
    saturation = np.where(value > 0, chroma / np.where(value > 0, value, 1.0), 0.0)
    return np.stack([hue, saturation, value], axis=-1)


def color_histogram_hsv(images, nbins=10, xmin=0, xmax=255, normalized=True):
    """Histogram of the hue of each RGB image (CS231n's colour feature).

    images: (N, H, W, 3) or (N, 3, H, W), uint8 or float, values in [0, xmax].
    Returns (N, nbins) float64.

    As in CS231n, the hue in [0, 1) is scaled to [0, xmax) and histogrammed over nbins
    equal bins of [xmin, xmax] (np.histogram's edges: half-open bins, the last closed).
    Not normalized, row n counts pixels, so it sums to H*W (with the default range).
    Normalized, it is divided by the number of pixels counted, and sums to 1; an image
    with none in range gives zeros (np.histogram(density=True) gives NaN).
    The feature ignores where pixels are: permuting them leaves it unchanged.
    """
    images = _rgb_channels_last(_as_image_batch(images, "images"), "images")
    nbins = _positive_int(nbins, "nbins")
    if not xmin < xmax:
        raise ValueError(f"xmin, xmax: expected xmin < xmax, got xmin={xmin}, xmax={xmax}")
    if images.min() < 0:
        raise ValueError(f"images: expected non-negative RGB values, got a minimum of "
                         f"{images.min()}")
    N = images.shape[0]
    # Hue is a ratio of channel differences, so the division by xmax (CS231n's, to reach
    # matplotlib's [0, 1] input range) only matters through rounding; kept for parity.
    hue = rgb_to_hsv(images / xmax)[..., 0].reshape(N, -1) * xmax  # (N, H*W)
    edges = np.linspace(xmin, xmax, nbins + 1)
    bin_index = np.searchsorted(edges, hue, side="right") - 1
    bin_index[hue == edges[-1]] = nbins - 1
    in_range = (bin_index >= 0) & (bin_index < nbins)
    # One bincount for the whole batch: image n owns the slots [n*nbins, (n+1)*nbins).
    image_index = np.broadcast_to(np.arange(N)[:, None], hue.shape)
    flat_index = image_index[in_range] * nbins + bin_index[in_range]
    counts = np.bincount(flat_index, minlength=N * nbins).reshape(N, nbins).astype(np.float64)
    if not normalized:
        return counts
    totals = counts.sum(axis=1, keepdims=True)
    return np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)


def _normalize_blocks(blocks, block_norm):
    """blocks: (..., b_row, b_col, orientations) -> same shape, each block normalised."""
    axes = (-3, -2, -1)
    if block_norm == "L1":
        return blocks / (np.abs(blocks).sum(axis=axes, keepdims=True) + _BLOCK_NORM_EPS)
    if block_norm == "L1-sqrt":
        return np.sqrt(blocks / (np.abs(blocks).sum(axis=axes, keepdims=True) + _BLOCK_NORM_EPS))
    l2 = blocks / np.sqrt((blocks ** 2).sum(axis=axes, keepdims=True) + _BLOCK_NORM_EPS ** 2)
    if block_norm == "L2":
        return l2
    clipped = np.minimum(l2, _HYS_CLIP)
    return clipped / np.sqrt((clipped ** 2).sum(axis=axes, keepdims=True) + _BLOCK_NORM_EPS ** 2)


def hog_features(images, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(3, 3),
                 block_norm="L2-Hys"):
    """Histogram of oriented gradients (Dalal & Triggs 2005), as skimage.feature.hog.

    images: (N, H, W) grey, or RGB (N, H, W, 3) / (N, 3, H, W) converted to grey with
    BT.601 luma weights. Returns (N, D) float64 with, for block_norm in BLOCK_NORMS,
    D = n_blocks_row * n_blocks_col * b_row * b_col * orientations in that (C) order,
    n_blocks = n_cells - cells_per_block + 1 and n_cells = size // pixels_per_cell;
    for block_norm=None, the cell histograms without block normalisation, D =
    n_cells_row * n_cells_col * orientations (like CS231n's simpler hog_feature, which
    also takes one-sided differences).

    1. Gradients by centred differences [-1, 0, 1], zero on the image border.
    2. Each pixel votes its gradient magnitude into one of ``orientations`` equal bins of
       the unsigned angle in [0, 180) degrees (hard assignment, no interpolation); a
       cell's histogram is its pixels' mean vote. Pixels beyond the last whole cell are
       ignored.
    3. Every (b_row, b_col) window of cells, overlapping with stride one cell, is
       normalised as a unit (``block_norm``, eps = 1e-5), so each cell appears in up to
       b_row * b_col blocks, each time under a different normalisation.

    Against skimage.feature.hog(image, orientations, pixels_per_cell, cells_per_block,
    block_norm, feature_vector=True) on a grey image the conventions are the same; the
    differences are of precision only:
    * skimage sums each cell's votes in single precision (``cdef float``); this sums in
      float64, so the features agree to about 1e-6, not bit for bit;
    * skimage computes a float32 image in float32; this always computes in float64;
    * a vote whose angle is a tiny negative number becomes exactly 180 under % 180 in
      float64; 180 degrees is 0 for unsigned gradients, so it goes to bin 0, while
      skimage drops it (integer images never produce such angles).
    For RGB, skimage(channel_axis=-1) takes at each pixel the channel with the largest
    gradient; this converts to grey first, as the course does.
    """
    gray = _grayscale(images, "images")
    orientations = _positive_int(orientations, "orientations")
    c_row, c_col = _pair(pixels_per_cell, "pixels_per_cell")
    b_row, b_col = _pair(cells_per_block, "cells_per_block")
    if block_norm is not None and block_norm not in BLOCK_NORMS:
        raise ValueError(f"block_norm: expected one of {BLOCK_NORMS} or None, "
                         f"got {block_norm!r}")
    N, H, W = gray.shape
    n_cells_row, n_cells_col = H // c_row, W // c_col
    n_blocks_row, n_blocks_col = n_cells_row - b_row + 1, n_cells_col - b_col + 1
    if n_blocks_row < 1 or n_blocks_col < 1:
        raise ValueError(f"images: expected at least {b_row * c_row}x{b_col * c_col} pixels "
                         f"for pixels_per_cell={(c_row, c_col)} and cells_per_block="
                         f"{(b_row, b_col)}, got {H}x{W}")

    g_row = np.zeros_like(gray)
    g_col = np.zeros_like(gray)
    g_row[:, 1:-1, :] = gray[:, 2:, :] - gray[:, :-2, :]
    g_col[:, :, 1:-1] = gray[:, :, 2:] - gray[:, :, :-2]
    rows, cols = n_cells_row * c_row, n_cells_col * c_col
    g_row, g_col = g_row[:, :rows, :cols], g_col[:, :rows, :cols]
    magnitude = np.hypot(g_col, g_row)
    # Unsigned orientation: an edge from dark to light and from light to dark is the same
    # edge. Same expression as skimage, so the angles agree bit for bit.
    angle = np.rad2deg(np.arctan2(g_row, g_col)) % 180.0
    edges = (180.0 / orientations) * np.arange(orientations + 1)
    orientation_bin = (np.searchsorted(edges, angle, side="right") - 1) % orientations

    # One bincount for the batch: pixel (n, r, c) votes into slot (n, r // c_row,
    # c // c_col, bin) of the (N, n_cells_row, n_cells_col, orientations) histogram.
    cell_row = np.arange(rows) // c_row
    cell_col = np.arange(cols) // c_col
    cell = cell_row[:, None] * n_cells_col + cell_col[None, :]  # (rows, cols)
    image_offset = np.arange(N)[:, None, None] * (n_cells_row * n_cells_col)
    slot = (image_offset + cell) * orientations + orientation_bin
    histogram = np.bincount(slot.ravel(), weights=magnitude.ravel(),
                            minlength=N * n_cells_row * n_cells_col * orientations)
    histogram = histogram.reshape(N, n_cells_row, n_cells_col, orientations) / (c_row * c_col)
    if block_norm is None:
        return histogram.reshape(N, -1)

    # (N, n_blocks_row, n_blocks_col, orientations, b_row, b_col), a view
    blocks = sliding_window_view(histogram, (b_row, b_col), axis=(1, 2))
    blocks = blocks.transpose(0, 1, 2, 4, 5, 3)  # (N, nbr, nbc, b_row, b_col, orientations)
    return _normalize_blocks(blocks, block_norm).reshape(N, -1)


def _nearest_center(x, centers):
    """x: (M, D), centers: (K, D) -> (M,) int64 index of each row's nearest centre.

    ||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2, and the first term is the same for every
    centre, so the argmin needs only ||c||^2 - 2 x.c: one matrix product (scikit-learn's
    Lloyd step uses the same expression). Rows go in chunks so that the (rows, K) matrix
    never exceeds _CHUNK_ELEMENTS.
    """
    squared_norms = (centers ** 2).sum(axis=1)
    step = max(1, _CHUNK_ELEMENTS // len(centers))
    return np.concatenate([
        (squared_norms - 2.0 * (x[start:start + step] @ centers.T)).argmin(axis=1)
        for start in range(0, len(x), step)])


def kmeans_plusplus(x, num_clusters, rng=0):
    """k-means++ seeding (Arthur & Vassilvitskii 2007).

    x: (M, D); rng: a numpy Generator or a seed for one. Returns (num_clusters, D)
    float64, rows of x: the first uniformly at random, each next one with probability
    proportional to its squared distance to the nearest centre chosen so far.
    (scikit-learn's default is the greedy variant, which draws 2 + log(k) candidates
    per step and keeps the best; this is the original.)
    """
    x = np.asarray(x, dtype=np.float64)
    rng = np.random.default_rng(rng)
    num_clusters = _positive_int(num_clusters, "num_clusters")
    if x.ndim != 2 or len(x) < num_clusters:
        raise ValueError(f"x: expected shape (M, D) with M >= num_clusters={num_clusters}, "
                         f"got shape {x.shape}")
    centers = np.empty((num_clusters, x.shape[1]))
    centers[0] = x[rng.integers(len(x))]
    closest = ((x - centers[0]) ** 2).sum(axis=1)  # (M,) squared distance to nearest centre
    for k in range(1, num_clusters):
        # Inverse-CDF sampling rather than rng.choice(p=...), which rejects probabilities
        # that do not sum to 1 within its tolerance. If every point already is a centre
        # (fewer distinct points than clusters), the draw lands on the last point.
        cumulative = np.cumsum(closest)
        index = min(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"),
                    len(x) - 1)
        centers[k] = x[index]
        closest = np.minimum(closest, ((x - centers[k]) ** 2).sum(axis=1))
    return centers


def kmeans(x, num_clusters, init=None, max_iter=300, rng=0):
    """Lloyd's k-means: alternately assign each row to its nearest centre and move each
    centre to the mean of its rows, until no assignment changes (or max_iter updates).

    x: (M, D); init: (num_clusters, D) initial centres, or None for kmeans_plusplus(x,
    num_clusters, rng). Returns centers (num_clusters, D) float64 and labels (M,) int64,
    the nearest centre of each row under the returned centres.
    A cluster left empty by an assignment step takes, as its only row, the row farthest
    from the centre it was assigned to (scikit-learn's rule), so that all num_clusters
    centres stay in use.
    """
    x = np.asarray(x, dtype=np.float64)
    num_clusters = _positive_int(num_clusters, "num_clusters")
    max_iter = _positive_int(max_iter, "max_iter")
    if init is None:
        centers = kmeans_plusplus(x, num_clusters, rng)
    else:
        centers = np.array(init, dtype=np.float64)
        if x.ndim != 2 or centers.shape != (num_clusters, x.shape[1]):
            raise ValueError(f"init: expected shape (num_clusters, D) = ({num_clusters}, "
                             f"{x.shape[-1]}) for x of shape {x.shape}, got {centers.shape}")
    D = x.shape[1]
    labels = _nearest_center(x, centers)
    for _ in range(max_iter):
        counts = np.bincount(labels, minlength=num_clusters)
        # Per-cluster sums by one bincount: element (m, d) adds into slot (labels[m], d).
        slot = labels[:, None] * D + np.arange(D)
        sums = np.bincount(slot.ravel(), weights=x.ravel(),
                           minlength=num_clusters * D).reshape(num_clusters, D)
        empty = np.flatnonzero(counts == 0)
        if len(empty):
            # The rows farthest from the centres they were assigned to leave their
            # clusters and each seed one empty cluster.
            distance = ((x - centers[labels]) ** 2).sum(axis=1)
            farthest = np.argsort(distance)[::-1][:len(empty)]
            np.subtract.at(sums, labels[farthest], x[farthest])
            np.subtract.at(counts, labels[farthest], 1)
            sums[empty], counts[empty] = x[farthest], 1
        # A cluster emptied by giving away its only row keeps a zero centre until the
        # next step's relocation.
        centers = sums / np.maximum(counts, 1)[:, None]
        previous, labels = labels, _nearest_center(x, centers)
        if np.array_equal(labels, previous):
            break
    return centers, labels


def _dense_patches(gray, patch_size, stride):
    """gray: (N, H, W) -> (N, P, patch_size**2), the patches whose top-left corners lie on
    a grid of step ``stride``, P = ((H - p) // stride + 1) * ((W - p) // stride + 1)."""
    windows = sliding_window_view(gray, (patch_size, patch_size), axis=(1, 2))
    windows = windows[:, ::stride, ::stride]  # (N, rows, cols, p, p)
    return windows.reshape(len(gray), -1, patch_size * patch_size)


def _random_patches(gray, patch_size, patches_per_image, rng):
    """gray: (N, H, W) -> (N * patches_per_image, patch_size**2), top-left corners drawn
    uniformly (with replacement) from every position where the patch fits."""
    N, H, W = gray.shape
    windows = sliding_window_view(gray, (patch_size, patch_size), axis=(1, 2))
    image = np.repeat(np.arange(N), patches_per_image)
    row = rng.integers(0, H - patch_size + 1, size=len(image))
    col = rng.integers(0, W - patch_size + 1, size=len(image))
    return windows[image, row, col].reshape(len(image), patch_size * patch_size)


class BagOfVisualWords:
    """Bag of visual words: a codebook of num_words grey patch_size x patch_size patches,
    learned by k-means on random patches, and the histogram of nearest codewords over a
    dense grid of patches as each image's feature.

    Images are (N, H, W) grey, or RGB (N, H, W, 3) / (N, 3, H, W) converted to grey with
    BT.601 luma weights; patches are raw pixel values (float64), so the codebook is in the
    images' units. After fit, ``codebook`` is (num_words, patch_size**2).

    num_words: codebook size (k of k-means). patch_size: side of a square patch.
    patches_per_image: random patches per training image for k-means. stride: step of
    the dense grid of patches that transform counts. max_iter: cap on k-means updates.
    seed: seeds one numpy Generator that draws the patches, then seeds k-means++.
    """

    def __init__(self, num_words=50, patch_size=8, patches_per_image=20, stride=4,
                 max_iter=100, seed=0):
        self.num_words = _positive_int(num_words, "num_words")
        self.patch_size = _positive_int(patch_size, "patch_size")
        self.patches_per_image = _positive_int(patches_per_image, "patches_per_image")
        self.stride = _positive_int(stride, "stride")
        self.max_iter = _positive_int(max_iter, "max_iter")
        self.seed = seed
        self.codebook = None

    def _gray(self, images):
        gray = _grayscale(images, "images")
        if min(gray.shape[1:]) < self.patch_size:
            raise ValueError(f"images: expected height and width >= patch_size="
                             f"{self.patch_size}, got {gray.shape[1]}x{gray.shape[2]}")
        return gray

    def fit(self, images):
        """images: (N, H, W) or RGB. Learns ``codebook`` from N * patches_per_image random
        patches; returns self."""
        gray = self._gray(images)
        if len(gray) * self.patches_per_image < self.num_words:
            raise ValueError(f"images: expected at least num_words={self.num_words} "
                             f"patches, got {len(gray)} images x patches_per_image="
                             f"{self.patches_per_image}")
        rng = np.random.default_rng(self.seed)
        patches = _random_patches(gray, self.patch_size, self.patches_per_image, rng)
        self.codebook, _ = kmeans(patches, self.num_words, max_iter=self.max_iter, rng=rng)
        return self

    def transform(self, images):
        """images: (N, H, W) or RGB -> (N, num_words) float64; row n counts, per
        codeword, the dense patches of image n nearest to it (it sums to P, the number
        of patches per image)."""
        if self.codebook is None:
            raise RuntimeError("BagOfVisualWords.transform: call fit(images) first")
        patches = _dense_patches(self._gray(images), self.patch_size, self.stride)
        N, P, _ = patches.shape
        words = _nearest_center(patches.reshape(N * P, -1), self.codebook).reshape(N, P)
        slot = np.arange(N)[:, None] * self.num_words + words
        counts = np.bincount(slot.ravel(), minlength=N * self.num_words)
        return counts.reshape(N, self.num_words).astype(np.float64)

    def fit_transform(self, images):
        return self.fit(images).transform(images)


def extract_features(images, feature_fns):
    """Concatenate several features of the same images (CS231n's extract_features).

    images: (N, ...); feature_fns: callables, each mapping the batch to (N, D_i) (use
    functools.partial to fix their parameters; a fitted BagOfVisualWords gives its
    ``transform``). Returns (N, sum of D_i) float64, the
    features side by side in the order given.
    """
    feature_fns = list(feature_fns)
    if not feature_fns:
        raise ValueError("feature_fns: expected at least one feature function, got none")
    N = len(images)
    columns = []
    for fn in feature_fns:
        feature = np.asarray(fn(images), dtype=np.float64)
        if feature.ndim != 2 or feature.shape[0] != N:
            raise ValueError(f"feature_fns: expected {getattr(fn, '__name__', fn)!r} to "
                             f"return shape (N, D) with N={N}, got {feature.shape}")
        columns.append(feature)
    return np.concatenate(columns, axis=1)
