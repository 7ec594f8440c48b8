"""Structured random regularizers beyond element dropout: stochastic depth (drop whole
residual branches), DropConnect (drop weights rather than activations), both scaling
what survives by 1/(1 − p) so that evaluation uses the full network unchanged, and
fractional max pooling (random pooling regions)."""
import numpy as np

from ..._random import default_generator
from ...tensor import Tensor
from .linear import linear


def _keep_mask(shape, p, dtype):
    """0 with probability p, else 1/(1 − p), drawn from the global generator."""
    keep = default_generator().random(shape) >= p
    return Tensor._wrap((keep / (1.0 - p)).astype(dtype))


def stochastic_depth(input, p, mode, training=True):
    """Stochastic depth (Huang et al., 2016), torchvision.ops semantics: during training
    zero the whole input (a residual branch's output) with probability ``p`` and scale
    it by 1/(1 − p) otherwise; the identity in eval mode. mode 'row' draws one decision
    per sample (input (N, ...)), 'batch' one for the whole batch. Used as
    x + stochastic_depth(branch(x), p, 'row'), so a dropped branch leaves the identity.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"stochastic_depth: drop probability p must be in [0, 1], got {p}")
    if mode not in ("row", "batch"):
        raise ValueError(f"stochastic_depth: mode must be 'row' or 'batch', got {mode!r}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    shape = (input.shape[0],) + (1,) * (input.ndim - 1) if mode == "row" else (1,) * input.ndim
    return input * _keep_mask(shape, p, input.dtype)


def drop_connect(input, weight, bias=None, p=0.5, training=True):
    """A linear layer with DropConnect (Wan et al., 2013): during training each weight
    is zeroed with probability ``p`` (one mask per call, shared by the batch) and the
    rest scaled by 1/(1 − p); at test time the full weights. The paper approximates the
    test-time average by sampling; with the inverted scaling the full weights give the
    expected pre-activation exactly.

    input: (*, in_features); weight: (out_features, in_features); bias: (out_features,).
    """
    if not 0.0 <= p < 1.0:
        raise ValueError(f"drop_connect: drop probability p must be in [0, 1), got {p}")
    if training and p > 0.0:
        weight = weight * _keep_mask(weight.shape, p, weight.dtype)
    return linear(input, weight, bias)


def _pool_starts(samples, in_size, out_size, pool):
    """Graham's pseudo-random pooling sequence, PyTorch's generate_intervals: start i is
    floor((i + u)·α) − floor(u·α) with α = (in − pool)/(out − 1), the last start
    in − pool. samples: (N, C) uniform in [0, 1) -> (N, C, out) integer starts."""
    dtype = samples.dtype.type
    alpha = dtype(in_size - pool) / dtype(out_size - 1) if out_size > 1 else dtype(0)
    steps = np.arange(out_size, dtype=samples.dtype)
    starts = (np.floor((steps + samples[..., None]) * alpha)
              - np.floor(samples[..., None] * alpha)).astype(np.int64)
    starts[..., -1] = in_size - pool
    return starts


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          _random_samples=None):
    """Fractional max pooling (Graham, 2014): max over kernel_size windows whose
    starting rows and columns follow a pseudo-random sequence, so the size shrinks by a
    non-integer ratio (output_ratio, e.g. 1/√2) and the pooling regions differ per call.

    input: (N, C, H, W) or (C, H, W). output_size = int(H·ratio), int(W·ratio) unless
    given. _random_samples: (N, C, 2) uniform in [0, 1) (width's, then height's), drawn
    from the global generator when None; the same samples give PyTorch's output.
    """
    if input.ndim == 3:
        return fractional_max_pool2d(input.unsqueeze(0), kernel_size, output_size,
                                     output_ratio, _random_samples).squeeze(0)
    if input.ndim != 4:
        raise ValueError(f"fractional_max_pool2d: expected input (N, C, H, W) or (C, H, W), "
                         f"got shape {tuple(input.shape)}")
    N, C, H, W = input.shape
    kh, kw = _pair(kernel_size)
    if (output_size is None) == (output_ratio is None):
        raise ValueError("fractional_max_pool2d: give exactly one of output_size and "
                         f"output_ratio, got {output_size} and {output_ratio}")
    if output_size is None:
        ratio_h, ratio_w = _pair(output_ratio)
        if not (0 < ratio_h < 1 and 0 < ratio_w < 1):
            raise ValueError(f"fractional_max_pool2d: output_ratio must be in (0, 1), got "
                             f"{output_ratio}")
        output_size = (int(H * ratio_h), int(W * ratio_w))
    oh, ow = _pair(output_size)
    if oh + kh - 1 > H or ow + kw - 1 > W or min(oh, ow) < 1:
        raise ValueError(f"fractional_max_pool2d: output size {(oh, ow)} with kernel "
                         f"{(kh, kw)} does not fit the input size {(H, W)}")
    samples = _random_samples
    if samples is None:
        samples = default_generator().random((N, C, 2)).astype(input.dtype)
    samples = np.asarray(samples.data if isinstance(samples, Tensor) else samples)
    rows = _pool_starts(samples[..., 1], H, oh, kh)
    cols = _pool_starts(samples[..., 0], W, ow, kw)
    # gather every window: (N, C, oh, ow, kh, kw), then the max of each
    n = np.arange(N).reshape(N, 1, 1, 1, 1, 1)
    c = np.arange(C).reshape(1, C, 1, 1, 1, 1)
    r = (rows[..., None] + np.arange(kh))[:, :, :, None, :, None]
    q = (cols[..., None] + np.arange(kw))[:, :, None, :, None, :]
    return input[n, c, r, q].amax((-2, -1))
