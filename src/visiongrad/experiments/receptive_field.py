"""Chapter 3: receptive fields, measured as the support of one output unit's input
gradient (EECS 498 lecture 7)."""
import numpy as np

# name -> layers, each (kind, kernel size, stride) with kind "conv" or "pool"
_ARCHITECTURES = {
    "3×3 conv ×2": [("conv", 3, 1)] * 2,
    "5×5 conv": [("conv", 5, 1)],
    "3×3 conv ×3": [("conv", 3, 1)] * 3,
    "7×7 conv": [("conv", 7, 1)],
    "3×3 conv, 2×2 pool /2, 3×3 conv": [("conv", 3, 1), ("pool", 2, 2), ("conv", 3, 1)],
    "7×7 conv /2, 3×3 pool /2, 3×3 conv ×2": [("conv", 7, 2), ("pool", 3, 2),
                                              ("conv", 3, 1), ("conv", 3, 1)],
}


def receptive_field_size(layers):
    """r_l = r_{l−1} + (k_l − 1)·Π_{i<l} s_i with r_0 = 1: the side, in input pixels, of
    the receptive field after each of ``layers`` ((kind, kernel size, stride) triples;
    a pooling window counts like a convolution of the same size and stride)."""
    sizes, size, jump = [], 1, 1
    for _, kernel_size, stride in layers:
        size += (kernel_size - 1) * jump
        jump *= stride
        sizes.append(size)
    return sizes


def _input_gradient(layers, input_size):
    """|∂y/∂x| of the central output unit of a single-channel stack of unpadded
    convolutions with weights |N(0, 1)| and average pools. x: (input_size, input_size);
    returns the same shape."""
    import visiongrad as vg
    from visiongrad.nn import functional as F

    # the stack is linear, so the gradient does not depend on x
    x = vg.zeros(1, 1, input_size, input_size, dtype=vg.float64, requires_grad=True)
    y = x
    for kind, kernel_size, stride in layers:
        if kind == "conv":
            # positive weights: no two paths can cancel, so every pixel of the field shows
            w = vg.randn(1, 1, kernel_size, kernel_size, dtype=vg.float64).abs()
            y = F.conv2d(y, w, stride=stride)
        else:
            # average, not max: max pooling sends each window's gradient to one pixel,
            # so its gradient support would understate the window's receptive field
            y = F.avg_pool2d(y, kernel_size, stride)
    height, width = y.shape[-2:]
    y[0, 0, height // 2, width // 2].backward()
    return np.abs(x.grad.numpy()[0, 0])


def _support(gradient):
    """(height, width) of the bounding box of the non-zero pixels, and whether every
    pixel inside it is non-zero."""
    rows = np.flatnonzero(gradient.any(axis=1))
    columns = np.flatnonzero(gradient.any(axis=0))
    height, width = rows[-1] - rows[0] + 1, columns[-1] - columns[0] + 1
    box = gradient[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1]
    return int(height), int(width), bool((box != 0).all())


def receptive_fields(kernel_size=3, depths=(1, 2, 3), seed=0):
    """Receptive field = the input pixels one output unit depends on, measured as the
    support of its input gradient (C3.10).

    A stack of L stride-1 k×k convolutions has receptive field 1 + L(k − 1): each
    layer adds k − 1, one layer gives k (three 3×3 layers see 7×7, as one 7×7 layer
    would). The notes' "the next layer's receptive field is k − 1" is erratum E10.
    With strides and pooling, r_l = r_{l−1} + (k_l − 1)·Π_{i<l} s_i
    (``receptive_field_size``), measured on the ``_ARCHITECTURES`` table. Returns
    measured and formula sizes, and a figure of the gradient maps for each depth in
    ``depths``."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    import visiongrad as vg

    vg.manual_seed(seed)
    largest = 1 + max(depths) * (kernel_size - 1)
    # odd size and odd kernels: every map is centred on the same pixel, with a margin
    input_size = 2 * largest + 1
    stacks, maps = {}, {}
    for depth in depths:
        layers = [("conv", kernel_size, 1)] * depth
        maps[depth] = _input_gradient(layers, input_size)
        height, width, filled = _support(maps[depth])
        stacks[f"{depth} × {kernel_size}×{kernel_size} conv"] = {
            "measured": [height, width], "filled": filled,
            "1 + L(k - 1)": 1 + depth * (kernel_size - 1)}
    architectures = {}
    for name, layers in _ARCHITECTURES.items():
        sizes = receptive_field_size(layers)
        height, width, filled = _support(_input_gradient(layers, 2 * sizes[-1] + 1))
        architectures[name] = {"measured": [height, width], "filled": filled,
                               "formula per layer": sizes}
    results = {"stacks": stacks, "architectures": architectures}

    figure, axes = plt.subplots(1, len(depths), figsize=(4 * len(depths), 4.2), squeeze=False)
    for axis, depth in zip(axes[0], depths):
        size = 1 + depth * (kernel_size - 1)
        axis.imshow(maps[depth], cmap="viridis")
        corner = input_size // 2 - size // 2 - 0.5
        axis.add_patch(plt.Rectangle((corner, corner), size, size, fill=False,
                                     edgecolor="C3", linewidth=1.5))
        axis.set_title(f"{depth} × {kernel_size}×{kernel_size} conv: |∂y/∂x| of the centre "
                       f"unit\nred box: 1 + L(k − 1) = {size}")
        axis.set_xticks([])
        axis.set_yticks([])
    figure.tight_layout()
    return results, figure
