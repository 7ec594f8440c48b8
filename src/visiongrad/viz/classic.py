"""Figures for the classic classifiers of chapter 1: cross-validated accuracy against k
for k-nearest neighbours, the loss curve of a linear classifier and its learned class
templates. Each function returns a ``matplotlib.figure.Figure`` drawn on the Agg
canvas (no pyplot state, no display needed)."""
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def _figure(figsize):
    figure = Figure(figsize=figsize)
    FigureCanvasAgg(figure)
    return figure


def plot_accuracy_vs_k(k_to_accuracies, label=None, ax=None, title="cross-validation"):
    """The CS231n cross-validation plot: one dot per fold and the mean with a standard
    deviation error bar, for every k.

    k_to_accuracies: {k: sequence of per-fold accuracies}. Pass ``ax`` to draw several
    curves (e.g. one per distance) on one axis, each with its ``label``.
    Returns the figure that holds the axis.
    """
    if ax is None:
        ax = _figure((6, 4)).subplots()
    ks = sorted(k_to_accuracies)
    accuracies = [np.asarray(k_to_accuracies[k], dtype=np.float64) for k in ks]
    means = np.array([a.mean() for a in accuracies])
    stds = np.array([a.std() for a in accuracies])
    line = ax.errorbar(ks, means, yerr=stds, marker="o", capsize=3, label=label)
    color = line.lines[0].get_color()
    for k, fold_accuracies in zip(ks, accuracies):
        ax.scatter([k] * len(fold_accuracies), fold_accuracies, s=10, alpha=0.4, color=color)
    ax.set_xlabel("k")
    ax.set_ylabel("validation accuracy")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if label is not None:
        ax.legend()
    return ax.figure


def plot_loss_history(loss_history, title="training loss", window=None):
    """Loss per iteration (thin) and its moving average over ``window`` iterations
    (default: a twentieth of the run), since minibatch losses are noisy."""
    losses = np.asarray(loss_history, dtype=np.float64)
    if losses.ndim != 1 or losses.size == 0:
        raise ValueError(f"loss_history: expected a non-empty 1-D sequence, got shape "
                         f"{losses.shape}")
    ax = _figure((6, 4)).subplots()
    iterations = np.arange(1, losses.size + 1)
    ax.plot(iterations, losses, linewidth=0.6, alpha=0.5, label="per iteration")
    window = window or max(1, losses.size // 20)
    if 1 < window < losses.size:
        smooth = np.convolve(losses, np.ones(window) / window, mode="valid")
        ax.plot(iterations[window - 1:], smooth, label=f"mean of {window}")
        ax.legend()
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    return ax.figure


def plot_templates(W, image_shape, class_names=None, title="learned templates"):
    """The rows of a linear classifier's W: (C, D) shown as images, one per class: each
    row is the template its class score matches against (course chapter 1).

    image_shape: (H, W) for grey images or (3, H, W) for colour (CHW, as in
    visiongrad), with H·W(·3) == D. Each template is rescaled to [0, 1] on its own, as
    in CS231n, because only the pattern, not the scale, is comparable across classes.
    """
    W = np.asarray(W, dtype=np.float64)
    image_shape = tuple(image_shape)
    if W.ndim != 2 or int(np.prod(image_shape)) != W.shape[1]:
        raise ValueError(f"W: expected shape (C, {int(np.prod(image_shape))}) for images of "
                         f"shape {image_shape}, got {W.shape}")
    if len(image_shape) not in (2, 3) or (len(image_shape) == 3 and image_shape[0] not in (1, 3)):
        raise ValueError(f"image_shape: expected (H, W), (1, H, W) or (3, H, W), got "
                         f"{image_shape}")
    num_classes = W.shape[0]
    names = class_names if class_names is not None else [str(c) for c in range(num_classes)]
    columns = min(num_classes, 10)
    rows = -(-num_classes // columns)
    figure = _figure((1.3 * columns, 1.5 * rows + 0.4))
    axes = np.atleast_1d(figure.subplots(rows, columns)).ravel()
    for c, ax in enumerate(axes):
        ax.axis("off")
        if c >= num_classes:
            continue
        template = W[c].reshape(image_shape)
        low, high = template.min(), template.max()
        template = (template - low) / (high - low) if high > low else np.zeros_like(template)
        if template.ndim == 3:
            template = template.transpose(1, 2, 0)  # CHW -> HWC for imshow
            template = template[..., 0] if template.shape[2] == 1 else template
        ax.imshow(template, cmap="gray" if template.ndim == 2 else None, vmin=0, vmax=1)
        ax.set_title(str(names[c]), fontsize=9)
    figure.suptitle(title)
    return figure
