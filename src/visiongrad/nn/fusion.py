"""Folding an eval-mode batch norm into the convolution before it: at test time batch
norm is a fixed per-channel affine map, so it costs nothing once absorbed (C3.22)."""
import copy

import numpy as np

from .parameter import Parameter
from ..tensor import Tensor


def fuse_conv_bn_eval(conv, bn):
    """A new Conv2d computing bn(conv(x)) for an eval-mode ``bn`` with running statistics.

    Batch norm in eval mode maps each output channel z to γ·(z − μ)/sqrt(σ² + ε) + β,
    i.e. z·s + (β − μ·s) with s = γ/sqrt(σ² + ε); the convolution absorbs it as
    W' = W·s (per output channel) and b' = (b − μ)·s + β. Computed in float64, stored in
    the convolution's dtype. ``conv`` and ``bn`` are left unchanged.
    """
    if conv.training or bn.training:
        raise ValueError("fuse_conv_bn_eval: conv and bn must be in eval mode (call .eval()); "
                         "in training mode batch norm depends on the batch")
    if bn.running_mean is None:
        raise ValueError("fuse_conv_bn_eval: bn has no running statistics "
                         "(track_running_stats=False), so eval mode depends on the batch")
    if bn.num_features != conv.out_channels:
        raise ValueError(f"fuse_conv_bn_eval: bn.num_features ({bn.num_features}) must equal "
                         f"conv.out_channels ({conv.out_channels})")
    dtype = conv.weight.dtype
    C = conv.out_channels
    gamma = bn.weight.data.astype(np.float64) if bn.weight is not None else np.ones(C)
    beta = bn.bias.data.astype(np.float64) if bn.bias is not None else np.zeros(C)
    bias = conv.bias.data.astype(np.float64) if conv.bias is not None else np.zeros(C)
    scale = gamma / np.sqrt(bn.running_var.data.astype(np.float64) + bn.eps)
    fused = copy.deepcopy(conv)
    weight = conv.weight.data.astype(np.float64) * scale.reshape(C, 1, 1, 1)
    fused.weight = Parameter(Tensor(weight.astype(dtype)))
    fused.bias = Parameter(Tensor(((bias - bn.running_mean.data) * scale + beta).astype(dtype)))
    return fused
