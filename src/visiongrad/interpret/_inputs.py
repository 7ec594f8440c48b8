"""Helpers shared by the interpretation methods: turning images and targets into the
arrays they need, taking gradients with respect to an input only, and the Adam loop
that optimises an image."""
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np

from ..creation import from_numpy
from ..optim import Adam
from ..tensor import Tensor


class OptimizedImage(NamedTuple):
    """What an image optimisation returns: the image (a Tensor without history) and
    the objective's value at each step, in the order computed."""
    image: Tensor
    history: list


def as_image_batch(images, name="images"):
    """A float copy of ``images`` as an (N, C, H, W) array; (C, H, W) becomes N = 1.

    Returns the array and whether the input had no batch dimension."""
    data = images.data if isinstance(images, Tensor) else np.asarray(images)
    if data.ndim not in (3, 4):
        raise ValueError(f"{name} must have shape (N, C, H, W) or (C, H, W), got {data.shape}")
    if not np.issubdtype(data.dtype, np.floating):
        raise TypeError(f"{name} must be floating point, got {data.dtype}")
    unbatched = data.ndim == 3
    return np.array(data[None] if unbatched else data, copy=True), unbatched


def as_targets(target, batch_size):
    """Class indices as an (N,) int64 array; one int is used for every image."""
    data = target.data if isinstance(target, Tensor) else np.asarray(target)
    if data.ndim == 0:
        data = np.full(batch_size, data)
    if data.shape != (batch_size,) or not np.issubdtype(data.dtype, np.integer):
        raise ValueError(f"target must be an int or {batch_size} ints (one per image), "
                         f"got {data.dtype} array of shape {data.shape}")
    return data.astype(np.int64)


def select_scores(scores, targets):
    """scores: (N, K) Tensor; targets: (N,) ints -> (N,) Tensor of scores[i, targets[i]]."""
    if scores.ndim != 2:
        raise ValueError(f"the model must return (N, num_classes) scores, got {scores.shape}")
    num_classes = scores.shape[1]
    if targets.min() < 0 or targets.max() >= num_classes:
        raise ValueError(f"target classes must lie in [0, {num_classes}), got {targets}")
    return scores[np.arange(len(targets)), targets]


@contextmanager
def frozen(module):
    """Switch off ``requires_grad`` on the module's parameters for the duration.

    Interpretation takes gradients with respect to the image only: frozen parameters
    skip their gradient computation and keep whatever ``.grad`` training left."""
    # feature extractors may be plain functions: nothing to freeze there
    parameters = [p for p in module.parameters() if p.requires_grad] \
        if hasattr(module, "parameters") else []
    for p in parameters:
        p.requires_grad = False
    try:
        yield
    finally:
        for p in parameters:
            p.requires_grad = True


def image_leaf(array):
    """A fresh leaf tensor over ``array`` that records gradients."""
    return from_numpy(array).requires_grad_()


def optimize_image(image, objective, steps, lr, model=None):
    """Minimise ``objective(x)`` (a scalar Tensor) over the image x with Adam.

    image: the starting array, e.g. (1, C, H, W); model: a module whose parameters are
    frozen meanwhile. Returns OptimizedImage(image, objective value at each step,
    before that step's update).
    """
    x = image_leaf(np.array(image, copy=True))
    optimizer = Adam([x], lr=lr)
    history = []
    with frozen(model):
        for _ in range(steps):
            optimizer.zero_grad()
            loss = objective(x)
            history.append(loss.item())
            loss.backward()
            optimizer.step()
    return OptimizedImage(from_numpy(x.data), history)
