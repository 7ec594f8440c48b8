"""Normalization: batch, layer, group, instance and local response normalization.

Batch, layer, group and instance norm differ only in the axes their statistics run over
(Wu & He, *Group Normalization*, fig. 2). All four call the one ``BatchNorm`` primitive
on a view whose axis 1 indexes the groups of elements that share statistics:

    batch norm     (N, C, L)          per channel, over (N, L)
    layer norm     (1, N, D)          per sample, over its last dims
    group norm     (1, N·G, C/G·L)    per sample and group of channels
    instance norm  (1, N·C, L)        per sample and channel

The affine maps of layer norm (per element of normalized_shape) and of group and
instance norm (per channel) are applied afterwards: they are indexed by other axes
than the statistics.
"""
import numpy as np

from ...ops.normalization import BatchNorm, LayerNorm
from ...ops.resample import ConstantPad


def _channel_view(C, ndim):
    return (C,) + (1,) * (ndim - 2)


def _check_per_channel(name, value, C, input_shape):
    if value is not None and value.shape != (C,):
        raise ValueError(f"{name} should have shape ({C},), one entry per channel of the "
                         f"input of shape {tuple(input_shape)}, got {tuple(value.shape)}")


def _update_running(running, statistic, momentum):
    """running ← (1 − momentum)·running + momentum·statistic, in place.

    PyTorch's convention (momentum = 0.1 by default). CS231n writes the same average as
    running = m·running + (1 − m)·batch with m = 0.9: its m is 1 − momentum.
    """
    running.data[...] = momentum * statistic + (1 - momentum) * running.data


def _eval_norm(input, running_mean, running_var, weight, bias, eps):
    """Normalize with fixed per-channel statistics: the same map for every sample."""
    out, _, _ = BatchNorm.apply(input, weight, bias, eps=eps, running_mean=running_mean.data,
                                running_var=running_var.data)
    return out


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch normalization (Ioffe & Szegedy, 2015) per channel.

    input: (N, C) or (N, C, *); running_mean, running_var: (C,) buffers or None;
    weight (γ), bias (β): (C,) or None.

    training=True normalizes with the batch's mean and *biased* variance over every axis
    but 1 and, when running buffers are given, updates them in place with momentum;
    running_var takes the *unbiased* batch variance (× n/(n − 1)), so that in eval mode
    it estimates the population variance rather than shrinking it by (n − 1)/n.
    training=False normalizes with the running statistics, the same map for every sample.
    """
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected input of shape (N, C) or (N, C, *), got "
                         f"shape {tuple(input.shape)}")
    C = input.shape[1]
    for name, value in (("running_mean", running_mean), ("running_var", running_var),
                        ("weight", weight), ("bias", bias)):
        _check_per_channel(f"batch_norm: {name}", value, C, input.shape)
    if not training:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: running_mean and running_var are required when "
                             "training=False (eval mode normalizes with them)")
        return _eval_norm(input, running_mean, running_var, weight, bias, eps)
    count = input.numel() // C
    if count <= 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                         f"got input of shape {tuple(input.shape)}")
    out, mean, var = BatchNorm.apply(input, weight, bias, eps=eps)
    if running_mean is not None:
        _update_running(running_mean, mean.data, momentum)
    if running_var is not None:
        _update_running(running_var, var.data * (count / (count - 1)), momentum)
    return out


def _normalized(input, rows, eps):
    """Normalize each of ``rows`` equal slices of input by its own mean and variance.
    Returns the normalized tensor (input's shape) and the per-row mean and biased var."""
    out, mean, var = BatchNorm.apply(input.reshape(1, rows, -1), None, None, eps=eps)
    return out.reshape(input.shape), mean, var


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalize over the last ``len(normalized_shape)`` dims of each sample (Ba et al.,
    2016): no running statistics, the same computation in training and eval, and each
    sample's output independent of the rest of the batch.

    input: (*, *normalized_shape); weight, bias: normalized_shape or None.
    """
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k:]) != normalized_shape:
        raise ValueError(f"layer_norm: normalized_shape={normalized_shape} expects input of "
                         f"shape (*, {', '.join(map(str, normalized_shape))}), got "
                         f"{tuple(input.shape)}")
    for name, value in (("weight", weight), ("bias", bias)):
        if value is not None and tuple(value.shape) != normalized_shape:
            raise ValueError(f"layer_norm: {name} should have shape {normalized_shape}, got "
                             f"{tuple(value.shape)}")
    features = int(np.prod(normalized_shape))
    if weight is not None:
        weight = weight.reshape(features)
    if bias is not None:
        bias = bias.reshape(features)
    out = LayerNorm.apply(input.reshape(-1, features), weight, bias, eps=eps)
    return out.reshape(input.shape)


def _affine_channels(out, weight, bias):
    view = _channel_view(out.shape[1], out.ndim)
    if weight is not None:
        out = out * weight.reshape(view)
    if bias is not None:
        out = out + bias.reshape(view)
    return out


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalize each sample's channels in ``num_groups`` groups (Wu & He, 2018): the
    statistics of group g run over its C/G channels and all positions. G = 1 is layer
    norm over (C, *), G = C is instance norm.

    input: (N, C, *); weight, bias: (C,) or None.
    """
    if input.ndim < 2:
        raise ValueError(f"group_norm: expected input of shape (N, C, *), got shape "
                         f"{tuple(input.shape)}")
    N, C = input.shape[:2]
    if num_groups <= 0 or C % num_groups:
        raise ValueError(f"group_norm: num_groups={num_groups} must divide the number of "
                         f"channels C={C} of the input of shape {tuple(input.shape)}")
    _check_per_channel("group_norm: weight", weight, C, input.shape)
    _check_per_channel("group_norm: bias", bias, C, input.shape)
    out, _, _ = _normalized(input, N * num_groups, eps)
    return _affine_channels(out, weight, bias)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalize each (sample, channel) map by its own statistics (Ulyanov et al.,
    2016), the normalization of style transfer.

    input: (N, C, *); running_mean, running_var, weight, bias: (C,) or None.
    use_input_stats=True normalizes with each map's statistics and, if running buffers
    are given, updates them with the batch average of the per-map mean and unbiased
    variance (as PyTorch); False normalizes with the running statistics.
    """
    if input.ndim < 3:
        raise ValueError(f"instance_norm: expected input of shape (N, C, *) with spatial "
                         f"dims, got shape {tuple(input.shape)}")
    N, C = input.shape[:2]
    for name, value in (("running_mean", running_mean), ("running_var", running_var),
                        ("weight", weight), ("bias", bias)):
        _check_per_channel(f"instance_norm: {name}", value, C, input.shape)
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise ValueError("instance_norm: running_mean and running_var are required when "
                             "use_input_stats=False")
        return _eval_norm(input, running_mean, running_var, weight, bias, eps)
    count = input.numel() // (N * C)
    if count <= 1:
        raise ValueError(f"instance_norm: expected more than 1 spatial element when "
                         f"training, got input of shape {tuple(input.shape)}")
    out, mean, var = _normalized(input, N * C, eps)
    if running_mean is not None:
        _update_running(running_mean, mean.data.reshape(N, C).mean(0), momentum)
    if running_var is not None:
        unbiased = var.data.reshape(N, C).mean(0) * (count / (count - 1))
        _update_running(running_var, unbiased, momentum)
    return _affine_channels(out, weight, bias)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Local response normalization across channels (Krizhevsky et al., 2012), PyTorch's
    definition: b_c = a_c / (k + α/n · Σ a_{c'}²)^β with the sum over the n = ``size``
    channels c' from c − n//2 to c + (n−1)//2 (zeros beyond the ends). PyTorch divides α
    by n; AlexNet's paper does not, so its α = 1e-4 is PyTorch's alpha = 5e-4 at n = 5.

    input: (N, C, *).
    """
    if input.ndim < 3:
        raise ValueError(f"local_response_norm: expected input of shape (N, C, *) with "
                         f"spatial dims, got shape {tuple(input.shape)}")
    C = input.shape[1]
    pads = [(0, 0)] * input.ndim
    pads[1] = (size // 2, (size - 1) // 2)
    squares = ConstantPad.apply(input * input, pads=tuple(pads))
    window = squares[:, 0:C]
    for offset in range(1, size):
        window = window + squares[:, offset:offset + C]
    return input / (window * (alpha / size) + k) ** beta
