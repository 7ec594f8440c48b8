"""Gram matrices, the content / style / total-variation losses, neural texture
synthesis (Gatys et al. 2015) and style transfer (Gatys et al. 2016); course
C4.34, C4.37-C4.39, with EECS 498's conventions."""
import numpy as np

from ..autograd.grad_mode import no_grad
from ..creation import from_numpy
from ._inputs import as_image_batch, optimize_image


def extract_features(x, model):
    """The output of every child of a sequential ``model`` in order (EECS
    ``extract_features``): the list that ``layers`` indices refer to.
    x: (N, C, H, W) Tensor."""
    features = []
    for module in model.children():
        x = module(x)
        features.append(x)
    return features


def gram_matrix(features, normalize=True):
    """G = F Fᵀ with F the features flattened to (C, H·W), per image (C4.37).

    features: (N, C, H, W) Tensor. Returns (N, C, C); normalize=True divides by
    C·H·W (EECS ``gram_matrix(normalize=True)``) so that layers of different sizes
    give comparable losses. G is symmetric positive semi-definite.
    """
    if features.ndim != 4:
        raise ValueError(f"features must have shape (N, C, H, W), got {features.shape}")
    N, C, H, W = features.shape
    flat = features.reshape(N, C, H * W)
    gram = flat.matmul(flat.transpose(1, 2))
    return gram / (C * H * W) if normalize else gram


def content_loss(features, target_features, weight=1.0):
    """weight · Σ (F − P)² over every element (EECS, un-averaged).
    features, target_features: Tensors of one shape, e.g. (1, C, H, W)."""
    if features.shape != target_features.shape:
        raise ValueError(f"content features {features.shape} and target "
                         f"{target_features.shape} differ in shape")
    return weight * ((features - target_features) ** 2).sum()


def style_loss(features, target_grams, weights):
    """Σ_l w_l Σ (G_l − A_l)² with G_l = gram_matrix(features[l]) (normalised).

    features: list of (N, C_l, H_l, W_l) Tensors; target_grams: list of (N or 1,
    C_l, C_l) Gram matrices; weights: list of floats, one per layer."""
    if not len(features) == len(target_grams) == len(weights):
        raise ValueError(f"style_loss needs one target Gram matrix and one weight per "
                         f"layer, got {len(features)} layers, {len(target_grams)} targets "
                         f"and {len(weights)} weights")
    total = 0.0
    for layer_features, target, weight in zip(features, target_grams, weights):
        total = total + weight * ((gram_matrix(layer_features) - target) ** 2).sum()
    return total


def tv_loss(image, weight=1.0):
    """Total variation, EECS's squared-difference form (C4.34):
    weight · (Σ (x[..., i+1, j] − x[..., i, j])² + Σ (x[..., i, j+1] − x[..., i, j])²)
    summed over every image and channel. image: (N, C, H, W) Tensor."""
    vertical = ((image[:, :, 1:, :] - image[:, :, :-1, :]) ** 2).sum()
    horizontal = ((image[:, :, :, 1:] - image[:, :, :, :-1]) ** 2).sum()
    return weight * (vertical + horizontal)


def style_targets(feature_extractor, styles, layers, blend=None):
    """Target Gram matrices at ``layers`` for one style image or a weighted blend of
    several: A_l = Σ_k b_k G_l(style_k) (the Gram matrix is quadratic in the image, so
    blending the Grams, not the images, is what mixes the styles linearly).

    styles: one image (C, H, W) / (1, C, H, W) or a list of them (sizes may differ);
    blend: one weight per style (default: equal weights). Returns a list of
    (1, C_l, C_l) arrays wrapped as Tensors, without history.
    """
    styles = [styles] if not isinstance(styles, (list, tuple)) else list(styles)
    blend = np.full(len(styles), 1 / len(styles)) if blend is None else np.asarray(blend)
    if blend.shape != (len(styles),):
        raise ValueError(f"blend needs one weight per style ({len(styles)}), "
                         f"got shape {blend.shape}")
    targets = [0.0] * len(layers)
    with no_grad():
        for style, share in zip(styles, blend):
            data, _ = as_image_batch(style, "style")
            features = feature_extractor(from_numpy(data))
            for i, layer in enumerate(layers):
                targets[i] = targets[i] + float(share) * gram_matrix(features[layer])
    return targets


def texture_synthesis(feature_extractor, texture, layers, weights=None, steps=200, lr=0.05,
                      image_shape=None, seed=0, model=None):
    """A new image whose Gram matrices at ``layers`` match those of ``texture``
    (Gatys et al. 2015, C4.38), by Adam on the image from uniform noise in [0, 1).

    feature_extractor: x (1, C, H, W) -> list of feature Tensors (e.g.
    ``lambda x: extract_features(x, cnn)``); texture: (C, H, W) or (1, C, H, W);
    weights: per layer (default 1 each); image_shape: (C, H, W) of the output
    (default the texture's); model: the module to freeze while optimising.
    Returns OptimizedImage(image (1, C, H, W), style loss at each step).
    """
    weights = [1.0] * len(layers) if weights is None else list(weights)
    data, _ = as_image_batch(texture, "texture")
    targets = style_targets(feature_extractor, data, layers)
    shape = data.shape[1:] if image_shape is None else tuple(image_shape)
    start = np.random.default_rng(seed).random((1, *shape)).astype(data.dtype)

    def objective(x):
        features = feature_extractor(x)
        return style_loss([features[layer] for layer in layers], targets, weights)

    return optimize_image(start, objective, steps, lr, model)


def style_transfer(content, style, feature_extractor, content_layer, style_layers,
                   style_weights, content_weight=1.0, tv_weight=0.0, steps=200, lr=0.05,
                   blend=None, init="content", seed=0, model=None):
    """Gatys et al. 2016 (C4.39): minimise over the image x
    content_weight·Σ(F(x) − F(content))² at ``content_layer``
    + Σ_l w_l Σ(G_l(x) − A_l)² at ``style_layers`` + tv_weight·TV(x)
    with Adam, where A_l are the (blended) style Grams of ``style_targets``.

    content: (C, H, W) or (1, C, H, W); style: one image or a list (see ``blend``);
    init: "content" (start from the content image) or "noise" (uniform [0, 1));
    model: the module to freeze while optimising.
    Returns OptimizedImage(image (1, C, H, W), total loss at each step).
    """
    if init not in ("content", "noise"):
        raise ValueError(f"init must be 'content' or 'noise', got {init!r}")
    data, _ = as_image_batch(content, "content")
    with no_grad():
        content_target = feature_extractor(from_numpy(data))[content_layer]
    grams = style_targets(feature_extractor, style, style_layers, blend)
    start = data if init == "content" else \
        np.random.default_rng(seed).random(data.shape).astype(data.dtype)

    def objective(x):
        features = feature_extractor(x)
        return (content_loss(features[content_layer], content_target, content_weight)
                + style_loss([features[layer] for layer in style_layers], grams,
                             style_weights)
                + tv_loss(x, tv_weight))

    return optimize_image(start, objective, steps, lr, model)
