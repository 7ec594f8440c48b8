"""Plots of a training run: loss and accuracy curves, confusion matrix."""
import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def plot_history(history, title=None):
    """Loss and accuracy per epoch (train and, where present, validation) side by side.
    ``history`` is a list of dicts as returned by ``Trainer.fit``."""
    plt = _pyplot()
    epochs = [h["epoch"] for h in history]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    for key, axis in (("loss", left), ("accuracy", right)):
        for prefix, style in (("train_", "-"), ("val_", "--")):
            values = [h.get(prefix + key) for h in history]
            if all(v is not None for v in values):
                axis.plot(epochs, values, style, marker="o", markersize=3,
                          label=prefix.rstrip("_"))
        axis.set_xlabel("epoch")
        axis.set_ylabel(key)
        axis.grid(alpha=0.3)
        axis.legend()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def plot_confusion_matrix(matrix, class_names=None, title="confusion matrix"):
    plt = _pyplot()
    matrix = np.asarray(matrix)
    n = matrix.shape[0]
    figure, axis = plt.subplots(figsize=(0.5 * n + 2, 0.5 * n + 1.5))
    image = axis.imshow(matrix, cmap="Blues")
    figure.colorbar(image, ax=axis, fraction=0.046)
    names = class_names or [str(i) for i in range(n)]
    axis.set_xticks(range(n), names)
    axis.set_yticks(range(n), names)
    axis.set_xlabel("predicted")
    axis.set_ylabel("true")
    for i in range(n):
        for j in range(n):
            if matrix[i, j]:
                axis.text(j, i, int(matrix[i, j]), ha="center", va="center", fontsize=7,
                          color="white" if matrix[i, j] > matrix.max() / 2 else "black")
    axis.set_title(title)
    figure.tight_layout()
    return figure
