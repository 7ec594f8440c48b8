"""Feature inversion (Mahendran & Vedaldi 2015; course C4.34): an image whose features
match a given image's, with a total-variation prior."""
import numpy as np

from ..autograd.grad_mode import no_grad
from ..creation import from_numpy
from ._inputs import as_image_batch, optimize_image
from .style import content_loss, tv_loss


def feature_inversion(feature_extractor, image, layer, tv_weight=0.0, steps=200, lr=0.05,
                      seed=0, model=None):
    """argmin_x ‖φ_layer(x) − φ_layer(image)‖² + tv_weight·TV(x), by Adam from uniform
    noise in [0, 1). Deeper layers keep less of the image, so their inversions drift
    further from it while matching the features as well.

    feature_extractor: x (1, C, H, W) -> list of feature Tensors; image: (C, H, W) or
    (1, C, H, W); layer: index into that list; model: the module to freeze meanwhile.
    Returns OptimizedImage(image (1, C, H, W), total loss at each step).
    """
    data, _ = as_image_batch(image)
    with no_grad():
        target = feature_extractor(from_numpy(data))[layer]
    start = np.random.default_rng(seed).random(data.shape).astype(data.dtype)

    def objective(x):
        return content_loss(feature_extractor(x)[layer], target) + tv_loss(x, tv_weight)

    return optimize_image(start, objective, steps, lr, model)
