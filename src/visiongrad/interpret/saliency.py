"""Gradient saliency maps (Simonyan, Vedaldi & Zisserman 2014; course C4.28)."""
from ..creation import from_numpy
from ._inputs import as_image_batch, as_targets, frozen, image_leaf, select_scores


def input_gradient(model, images, target):
    """∂S_c/∂I for each image: the gradient of the unnormalised class score (not the
    softmax probability, whose gradient also pushes the other classes down) with
    respect to the input.

    images: (N, C, H, W) or (C, H, W); target: an int or N ints.
    Returns an array shaped like ``images``. Parameters' ``.grad`` are left untouched.
    Call ``model.eval()`` first: in training mode batch norm and dropout make each
    image's score depend on the rest of the batch or on chance.
    """
    data, unbatched = as_image_batch(images)
    targets = as_targets(target, len(data))
    x = image_leaf(data)
    with frozen(model):
        # images are independent, so the sum's gradient holds each image's own gradient
        select_scores(model(x), targets).sum().backward()
    return x.grad.data[0] if unbatched else x.grad.data


def saliency_map(model, images, target):
    """|∂S_c/∂I| maximised over colour channels (CS231n convention, C4.28).

    images: (N, C, H, W) or (C, H, W); target: an int or N ints.
    Returns a Tensor (N, H, W), or (H, W) for one unbatched image. For a linear model
    S = W·vec(I) + b the map is |W_c| reshaped to the image (maximised over channels).
    """
    gradient = input_gradient(model, images, target)
    return from_numpy(abs(gradient).max(axis=-3))
