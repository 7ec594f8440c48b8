"""Normalization layers with PyTorch's parameters, buffers and state_dict keys:
BatchNorm1d/2d, LayerNorm, GroupNorm, InstanceNorm1d/2d, ConditionalInstanceNorm2d and
LocalResponseNorm."""
import numpy as np

from .. import functional as F
from ..module import Module
from ..parameter import Parameter
from ...creation import ones, tensor, zeros
from ...tensor import int64


class _NormBase(Module):
    """Per-channel affine parameters (weight = γ = 1, bias = β = 0) and running
    statistics (running_mean = 0, running_var = 1, num_batches_tracked = 0)."""

    def __init__(self, num_features, eps, momentum, affine, track_running_stats, dtype):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(ones(num_features, dtype=dtype))
            self.bias = Parameter(zeros(num_features, dtype=dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            self.weight.data[...] = 1
            self.bias.data[...] = 0

    def _check_input(self, input):
        if input.ndim not in self._input_dims:
            dims = " or ".join(f"{d}D" for d in self._input_dims)
            raise ValueError(f"{type(self).__name__}: expected {dims} input, got shape "
                             f"{tuple(input.shape)}")
        channel_axis = 0 if input.ndim == self._unbatched_ndim else 1
        if input.shape[channel_axis] != self.num_features:
            raise ValueError(f"{type(self).__name__}: expected {self.num_features} channels "
                             f"(num_features) in dim {channel_axis} of the input, got "
                             f"{input.shape[channel_axis]} in shape {tuple(input.shape)}")

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    _unbatched_ndim = None

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype)

    def forward(self, input):
        self._check_input(input)
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data += 1
            if self.momentum is None:
                # cumulative moving average: after k batches, the plain mean of all k
                momentum = 1.0 / int(self.num_batches_tracked.item())
        # without running statistics, eval mode normalizes with the batch's own
        use_batch_stats = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if track else None,
                            self.running_var if track else None, self.weight, self.bias,
                            use_batch_stats, momentum, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) features or (N, C, L) sequences, per channel C.

    Training normalizes with the batch's mean and biased variance and updates
    running = (1 − momentum)·running + momentum·batch (running_var from the unbiased
    variance; momentum=None gives the cumulative average over all batches); eval mode
    normalizes with the running statistics.
    """

    _input_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Spatial batch normalization of (N, C, H, W), per channel over (N, H, W); see
    ``BatchNorm1d`` for the training and eval behaviour."""

    _input_dims = (4,)


class _InstanceNorm(_NormBase):

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False,
                 track_running_stats=False, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype)

    def forward(self, input):
        self._check_input(input)
        if input.ndim == self._unbatched_ndim:
            return self.forward(input.unsqueeze(0)).squeeze(0)
        # PyTorch's instance norm never counts batches; momentum=None freezes the buffers
        return F.instance_norm(input, self.running_mean, self.running_var, self.weight,
                               self.bias, self.training or not self.track_running_stats,
                               0.0 if self.momentum is None else self.momentum, self.eps)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization of (N, C, L) or unbatched (C, L): each (sample, channel)
    sequence by its own mean and variance. Defaults as PyTorch: no affine map and no
    running statistics (so train and eval agree)."""

    _input_dims = (2, 3)
    _unbatched_ndim = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization of (N, C, H, W) or unbatched (C, H, W): each (sample,
    channel) map by its own mean and variance, as in style transfer. Defaults as
    PyTorch: no affine map and no running statistics."""

    _input_dims = (3, 4)
    _unbatched_ndim = 3


class ConditionalInstanceNorm2d(Module):
    """Conditional instance normalization (Dumoulin et al., 2017): one (γ_s, β_s) pair
    per style s, so one network renders several styles.

    forward(input, style): input (N, C, H, W); style (N,) integer style indices, or
    (N, num_styles) weights that mix the styles' γ and β (style interpolation).
    weight, bias: (num_styles, C).
    """

    def __init__(self, num_features, num_styles, eps=1e-5, dtype=None):
        super().__init__()
        self.num_features, self.num_styles, self.eps = num_features, num_styles, eps
        self.weight = Parameter(ones(num_styles, num_features, dtype=dtype))
        self.bias = Parameter(zeros(num_styles, num_features, dtype=dtype))

    def forward(self, input, style):
        if input.ndim != 4 or input.shape[1] != self.num_features:
            raise ValueError(f"ConditionalInstanceNorm2d: expected input (N, "
                             f"{self.num_features}, H, W), got shape {tuple(input.shape)}")
        if np.issubdtype(style.dtype, np.integer):
            gamma, beta = self.weight[style.data], self.bias[style.data]
        elif style.shape == (input.shape[0], self.num_styles):
            gamma, beta = style @ self.weight, style @ self.bias
        else:
            raise ValueError(f"ConditionalInstanceNorm2d: style must be (N,) style indices "
                             f"or (N, {self.num_styles}) style weights, got "
                             f"{style.dtype} of shape {tuple(style.shape)}")
        out = F.instance_norm(input, eps=self.eps)
        return out * gamma.reshape(*gamma.shape, 1, 1) + beta.reshape(*beta.shape, 1, 1)

    def extra_repr(self):
        return f"{self.num_features}, num_styles={self.num_styles}, eps={self.eps}"


class LayerNorm(Module):
    """Normalize over the last dims ``normalized_shape`` of each sample, then apply an
    element-wise affine map (weight = 1, bias = 0, each of shape normalized_shape) when
    ``elementwise_affine``; ``bias=False`` drops the bias. input: (*, *normalized_shape)."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 dtype=None):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(ones(*self.normalized_shape, dtype=dtype))
            if bias:
                self.bias = Parameter(zeros(*self.normalized_shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class GroupNorm(Module):
    """Group normalization: statistics per sample over each group of
    num_channels/num_groups channels and all positions; per-channel affine map
    (weight = 1, bias = 0, each (num_channels,)). input: (N, C, *)."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, dtype=None):
        super().__init__()
        if num_groups <= 0 or num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_groups={num_groups} must divide "
                             f"num_channels={num_channels}")
        self.num_groups, self.num_channels = num_groups, num_channels
        self.eps, self.affine = eps, affine
        if affine:
            self.weight = Parameter(ones(num_channels, dtype=dtype))
            self.bias = Parameter(zeros(num_channels, dtype=dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input):
        if input.ndim < 2 or input.shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm: expected input (N, {self.num_channels}, *), got "
                             f"shape {tuple(input.shape)}")
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"


class LocalResponseNorm(Module):
    """Across-channel local response normalization (AlexNet); see
    ``F.local_response_norm`` for PyTorch's formula (alpha divided by size)."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
