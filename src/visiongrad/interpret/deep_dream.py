"""DeepDream (Mordvintsev et al. 2015; course C4.35): amplify whatever a layer already
sees in the image by gradient ascent on ½‖a‖² of its activations a."""
import numpy as np

from ..creation import from_numpy
from ._inputs import OptimizedImage, as_image_batch, frozen, image_leaf
from .class_visualization import jitter


def deep_dream_gradient(feature_extractor, image, layer, model=None):
    """∂(½‖a‖²)/∂image with a = feature_extractor(image)[layer], computed the
    DeepDream way: backpropagate the activation itself as the layer's gradient, since
    ∂(½‖a‖²)/∂a = a.

    image: (N, C, H, W) array; model: the module to freeze meanwhile.
    Returns (gradient array shaped like ``image``, ½‖a‖²).
    """
    x = image_leaf(np.array(image, copy=True))
    with frozen(model):
        activation = feature_extractor(x)[layer]
        activation.backward(gradient=activation.data)
    return x.grad.data, 0.5 * float((activation.data.astype(np.float64) ** 2).sum())


def deep_dream(feature_extractor, image, layer, steps=20, lr=0.01, max_jitter=0, seed=0,
               model=None):
    """Repeat: jitter by a random shift in [−max_jitter, max_jitter]², step
    x ← x + lr · g / mean|g| with g = deep_dream_gradient (the Google notebook's
    normalisation, so ``lr`` is in pixels per step whatever the layer's scale), shift back.

    feature_extractor: x (1, C, H, W) -> list of feature Tensors; image: (C, H, W) or
    (1, C, H, W); model: the module to freeze meanwhile.
    Returns OptimizedImage(image (1, C, H, W), ½‖a‖² before each step).
    """
    data, _ = as_image_batch(image)
    rng = np.random.default_rng(seed)
    history = []
    for _ in range(steps):
        dy, dx = rng.integers(-max_jitter, max_jitter + 1, size=2)
        gradient, objective = deep_dream_gradient(feature_extractor, jitter(data, dy, dx),
                                                  layer, model)
        history.append(objective)
        scale = np.abs(gradient).mean()
        if scale > 0:
            data = data + data.dtype.type(lr / scale) * jitter(gradient, -dy, -dx)
    return OptimizedImage(from_numpy(data), history)
