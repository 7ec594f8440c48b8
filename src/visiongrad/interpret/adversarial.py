"""Adversarial examples: fooling images by gradient ascent (Szegedy et al. 2014;
course C4.33) and the fast gradient sign method (Goodfellow et al. 2015)."""
import numpy as np

from ..creation import from_numpy
from ..nn import functional as F
from ._inputs import as_image_batch, as_targets, frozen, image_leaf, select_scores


def fooling_image(model, image, target_class, lr=1.0, max_iters=100):
    """Nudge ``image`` until ``model`` predicts ``target_class`` (CS231n
    ``make_fooling_image``).

    Each iteration stops if the prediction is already ``target_class``, else steps
    up the target's raw score along its normalised gradient, I ← I + lr · g / ‖g‖₂,
    so every step moves the image by exactly ``lr`` in L2.
    image: (C, H, W) or (1, C, H, W). Returns (fooling image shaped like ``image``,
    number of update steps taken); check ``model`` on the result, which still holds
    the last image when ``max_iters`` steps were not enough. Call ``model.eval()`` first.

    The notes' acceptance figure (C4.33: an L2 change within 10 % of the image norm)
    fits large inputs such as ImageNet photos; on 8×8 digits a change of 20-50 % of
    the image norm was measured, on 28×28 MNIST 40-60 %.
    """
    data, unbatched = as_image_batch(image, "image")
    if len(data) != 1:
        raise ValueError(f"fooling_image takes one image, got a batch of {len(data)}")
    targets = as_targets(target_class, 1)
    steps = 0
    with frozen(model):
        while True:
            x = image_leaf(data)
            scores = model(x)
            objective = select_scores(scores, targets).sum()
            if steps == max_iters or int(scores.data[0].argmax()) == targets[0]:
                break
            objective.backward()
            gradient = x.grad.data
            norm = np.sqrt((gradient.astype(np.float64) ** 2).sum())
            if norm == 0:
                raise RuntimeError(f"the score of class {targets[0]} has zero gradient "
                                   "with respect to the image; gradient ascent cannot move it")
            data = data + data.dtype.type(lr / norm) * gradient
            steps += 1
    return from_numpy(data[0] if unbatched else data), steps


def fgsm(model, images, labels, epsilon, clamp=None):
    """One fast-gradient-sign step: x + ε·sign(∇ₓ L(f(x), y)) with the mean
    cross-entropy L, as ``captum.robust.FGSM`` with its default loss.

    images: (N, C, H, W) or (C, H, W); labels: an int or N ints (true classes: the
    step raises their loss); clamp: optional (low, high) pixel range for the result.
    Returns a Tensor shaped like ``images``.
    """
    data, unbatched = as_image_batch(images)
    targets = as_targets(labels, len(data))
    x = image_leaf(data)
    with frozen(model):
        F.cross_entropy(model(x), from_numpy(targets)).backward()
    adversarial = data + data.dtype.type(epsilon) * np.sign(x.grad.data)
    if clamp is not None:
        adversarial = np.clip(adversarial, *clamp)
    return from_numpy(adversarial[0] if unbatched else adversarial)
