"""Batch normalization as one fused primitive.

``BatchNorm`` normalizes a (N, C, *) array per channel, with the batch's statistics over
every other axis (training) or with given running statistics (eval). Layer, group and
instance norm reuse it on a reshaped view (their statistics are batch norm's once the
sample axis is folded into the channel axis).

Composed from mean/var/sub/div, training-mode batch norm would keep several full-size
temporaries per call and its backward would run about a dozen element-wise passes; this
primitive runs 5 passes forward and 6 backward (the reductions among them are BLAS dot
products), which matters because element-wise passes are memory-bound. Eval mode is a
per-channel affine map: 2 passes forward, 1 backward for the input.
"""
import numpy as np

from .._kernels.parallel import chunk_size, parallel_chunks
from ..autograd.function import Function


def _over_samples(function, x3):
    """``function(start, stop)`` on chunks of the sample axis of x3: (N, C, L), spread
    over the kernel threads (element-wise NumPy passes are single-threaded; the
    chunks run on both cores). Returns the results in sample order, so that summing
    partial statistics gives the same bits whichever thread took which chunk."""
    N = x3.shape[0]
    chunk = chunk_size(N, x3[0].nbytes)
    per_thread = parallel_chunks(
        lambda chunks: [(start, function(start, stop)) for start, stop in chunks], N, chunk)
    return [result for _, result in sorted(r for results in per_thread for r in results)]


def _channel_sum(x3):
    """Σ over axes (0, 2) of x3: (N, C, L) -> (C,). Row sums go through BLAS (a GEMV per
    sample: memory-speed, and blocked, so float32 sums of 10⁵ terms keep ~1e-7 relative
    accuracy), then the N partial sums are added in float64."""
    # (N, C) features: a matmul per element would be 20-40× slower than a plain sum
    if x3.shape[2] == 1:
        return x3[:, :, 0].sum(0, dtype=np.float64)
    return (x3 @ np.ones(x3.shape[2], x3.dtype)).sum(0, dtype=np.float64)


def _channel_dot(a3, b3):
    """Σ over axes (0, 2) of a3·b3 for two (N, C, L) arrays -> (C,), as BLAS dot products
    (no full-size product array is formed)."""
    if a3.shape[2] == 1:
        return np.einsum("nc,nc->c", a3[:, :, 0], b3[:, :, 0], dtype=np.float64)
    return np.matmul(a3[..., None, :], b3[..., :, None])[..., 0, 0].sum(0, dtype=np.float64)


class BatchNorm(Function):
    """Batch normalization, y = weight·(x − mean)/sqrt(var + eps) + bias per channel.

    x: (N, C, *); weight, bias: (C,) or None (no affine map). Without running statistics
    (training mode) mean and var are the batch's mean and biased variance over every
    axis but 1; with running_mean, running_var ((C,) arrays, constants) those are used
    (eval mode). Returns (y, mean, var): y shaped like x and the statistics used, each
    (C,) — in training mode for the caller's running averages; gradients through them
    are exact (in eval mode they are constants).
    """

    @staticmethod
    def forward(ctx, x, weight=None, bias=None, *, eps=1e-5, running_mean=None,
                running_var=None):
        N, C = x.shape[0], x.shape[1]
        x3 = x.reshape(N, C, -1)
        ctx.shape, ctx.training = x.shape, running_mean is None
        if not ctx.training:
            mean, var = running_mean.astype(x.dtype), running_var.astype(x.dtype)
            invstd = 1 / np.sqrt(var + eps)
            scale = invstd if weight is None else weight * invstd
            # x·scale + (bias − mean·scale), the same arithmetic as PyTorch's CPU kernel
            y = np.multiply(x3, scale[:, None])
            y += ((0 if bias is None else bias) - mean * scale)[:, None]
            ctx.save_for_backward(x3, invstd, weight, mean)
            return y.reshape(x.shape), mean, var
        count = N * x3.shape[2]
        mean = (sum(_over_samples(lambda a, b: _channel_sum(x3[a:b]), x3)) / count).astype(
            x.dtype)
        # two passes (centre, then sum squares) rather than E[x²] − E[x]², which loses
        # all precision in float32 when |mean| ≫ std
        centered = np.empty_like(x3)

        def center(a, b):
            np.subtract(x3[a:b], mean[:, None], out=centered[a:b])
            return _channel_dot(centered[a:b], centered[a:b])

        var = (sum(_over_samples(center, x3)) / count).astype(x.dtype)
        invstd = 1 / np.sqrt(var + eps)
        scale = invstd if weight is None else weight * invstd
        y = np.empty_like(x3)

        def affine(a, b):
            np.multiply(centered[a:b], scale[:, None], out=y[a:b])
            if bias is not None:
                y[a:b] += bias[:, None]

        _over_samples(affine, x3)
        ctx.save_for_backward(centered, invstd, weight, None)
        return y.reshape(x.shape), mean, var

    @staticmethod
    def backward(ctx, grad_y, grad_mean, grad_var):
        x3, invstd, weight, running_mean = ctx.saved_tensors
        N, C, L = x3.shape
        needs_x, needs_weight, needs_bias = (tuple(ctx.needs_input_grad) + (False,) * 3)[:3]
        scale = invstd if weight is None else weight * invstd
        g3 = grad_y.reshape(N, C, L)
        grad_x = grad_weight = grad_bias = None
        if not ctx.training:
            if needs_x:
                grad_x = np.multiply(g3, scale[:, None]).reshape(ctx.shape)
            if needs_weight:
                centered = x3 - running_mean[:, None]
                grad_weight = _channel_dot(g3, centered).astype(g3.dtype) * invstd
            if needs_bias:
                grad_bias = _channel_sum(g3).astype(g3.dtype)
            return grad_x, grad_weight, grad_bias
        centered, count = x3, N * L
        partials = _over_samples(
            lambda a, b: (_channel_sum(g3[a:b]), _channel_dot(g3[a:b], centered[a:b])), g3)
        sum_g = sum(p[0] for p in partials).astype(g3.dtype)
        # Σ(g·x̂) = invstd·Σ(g·(x − mean)); x̂ itself is never materialized
        sum_g_xhat = sum(p[1] for p in partials).astype(g3.dtype) * invstd
        if needs_x:
            # the simplified form dx = (γ/(Nσ))·(N·g − Σg − x̂·Σ(g·x̂)), written as
            # scale·(g − [(x − mean)·invstd·Σ(g·x̂)/N + Σg/N]): four passes, one new array
            grad_x = np.empty_like(g3)
            slope, offset = (invstd * sum_g_xhat / count)[:, None], (sum_g / count)[:, None]

            def input_gradient(a, b):
                out = grad_x[a:b]
                np.multiply(centered[a:b], slope, out=out)
                out += offset
                np.subtract(g3[a:b], out, out=out)
                out *= scale[:, None]

            _over_samples(input_gradient, g3)
            # the statistics outputs are normally unused and get all-zero gradients
            if grad_mean.any() or grad_var.any():
                grad_x += (grad_mean / count)[:, None] + centered * (2 * grad_var / count)[:, None]
            grad_x = grad_x.reshape(ctx.shape)
        if needs_weight:
            grad_weight = sum_g_xhat
        if needs_bias:
            grad_bias = sum_g
        return grad_x, grad_weight, grad_bias


class LayerNorm(Function):
    """Layer normalization over the trailing dims, y = weight·(x − mean)/sqrt(var + eps)
    + bias, fused in one primitive (the composite needs several more memory passes).

    x: (R, D) — rows are normalized independently; weight, bias: (D,) or None.
    """

    @staticmethod
    def forward(ctx, x, weight=None, bias=None, *, eps=1e-5):
        mean = x.mean(axis=1, keepdims=True)
        centered = x - mean
        var = np.einsum("rd,rd->r", centered, centered) / x.shape[1]
        invstd = (1 / np.sqrt(var + eps)).astype(x.dtype)[:, None]
        x_hat = np.multiply(centered, invstd, out=centered)
        ctx.save_for_backward(x_hat, invstd, weight)
        if weight is None and bias is None:
            return x_hat.copy()
        y = x_hat * weight if weight is not None else x_hat.copy()
        if bias is not None:
            y += bias
        return y

    @staticmethod
    def backward(ctx, grad):
        x_hat, invstd, weight = ctx.saved_tensors
        needs = tuple(ctx.needs_input_grad) + (False,) * 3
        grad_weight = np.einsum("rd,rd->d", grad, x_hat) if needs[1] else None
        grad_bias = grad.sum(axis=0) if needs[2] else None
        grad_x = None
        if needs[0]:
            g = grad * weight if weight is not None else grad
            D = x_hat.shape[1]
            # dx = invstd/D · (D·g − Σg − x̂·Σ(g·x̂)), sums over each row
            sum_g = g.sum(axis=1, keepdims=True)
            sum_g_xhat = np.einsum("rd,rd->r", g, x_hat)[:, None]
            grad_x = g * D
            grad_x -= sum_g
            grad_x -= x_hat * sum_g_xhat
            grad_x *= invstd / D
        return grad_x, grad_weight, grad_bias
