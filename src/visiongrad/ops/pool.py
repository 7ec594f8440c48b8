"""Pooling primitives: max (with PyTorch's indices), max unpooling, average, and the
adaptive forms. Arguments arrive normalised by ``nn.functional``: ``kernel_size``,
``stride``, ``padding``, ``dilation`` and sizes are (height, width) pairs."""
from .._kernels import pool as kernels
from ..autograd.function import Function


class MaxPool2d(Function):
    """x (N, C, H, W) -> out (N, C, OH, OW), and with ``return_indices`` also the int64
    flat position h·W + w of each maximum in its input plane. The backward pass keeps
    only the window offset of each maximum (one byte for kernels up to 16×16)."""

    @staticmethod
    def forward(ctx, x, *, kernel_size, stride, padding=(0, 0), dilation=(1, 1),
                ceil_mode=False, return_indices=False):
        out, offsets = kernels.max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode)
        ctx.save_for_backward(offsets)
        ctx.geometry = dict(kernel_size=kernel_size, stride=stride, padding=padding,
                            dilation=dilation)
        ctx.input_size = x.shape[2:]
        if return_indices:
            return out, kernels.window_indices(offsets, ctx.input_size, **ctx.geometry)
        return out

    @staticmethod
    def backward(ctx, grad_output, *unused_index_grad):
        offsets, = ctx.saved_tensors
        return kernels.max_pool2d_backward(grad_output, offsets, ctx.input_size, **ctx.geometry)


class MaxUnpool2d(Function):
    """x (N, C, H, W) placed at ``indices`` (from MaxPool2d) in zero planes of
    ``output_size`` (OH, OW) -> (N, C, OH, OW). The gradient is read back at the same
    indices."""

    @staticmethod
    def forward(ctx, x, indices, *, output_size):
        ctx.save_for_backward(indices)
        N, C = x.shape[:2]
        out = kernels.scatter_planes(x, indices, output_size[0] * output_size[1])
        return out.reshape((N, C) + tuple(output_size))

    @staticmethod
    def backward(ctx, grad_output):
        indices, = ctx.saved_tensors
        N, C = grad_output.shape[:2]
        return kernels.gather_planes(grad_output.reshape(N, C, -1), indices), None


class AvgPool2d(Function):
    """x (N, C, H, W) -> (N, C, OH, OW), each window's sum over its divisor."""

    @staticmethod
    def forward(ctx, x, *, kernel_size, stride, padding=(0, 0), ceil_mode=False,
                count_include_pad=True, divisor_override=None):
        ctx.geometry = dict(kernel_size=kernel_size, stride=stride, padding=padding,
                            count_include_pad=count_include_pad,
                            divisor_override=divisor_override)
        ctx.input_size = x.shape[2:]
        return kernels.avg_pool2d(x, ceil_mode=ceil_mode, **ctx.geometry)

    @staticmethod
    def backward(ctx, grad_output):
        return kernels.avg_pool2d_backward(grad_output, ctx.input_size, **ctx.geometry)


class AdaptiveAvgPool2d(Function):
    """x (N, C, H, W) -> (N, C, OH, OW), the mean of each adaptive bin."""

    @staticmethod
    def forward(ctx, x, *, output_size):
        ctx.input_size = x.shape[2:]
        return kernels.adaptive_avg_pool2d(x, output_size)

    @staticmethod
    def backward(ctx, grad_output):
        return kernels.adaptive_avg_pool2d_backward(grad_output, ctx.input_size)


class AdaptiveMaxPool2d(Function):
    """x (N, C, H, W) -> out (N, C, OH, OW), and with ``return_indices`` the int64 flat
    position of each maximum in its input plane."""

    @staticmethod
    def forward(ctx, x, *, output_size, return_indices=False):
        out, indices = kernels.adaptive_max_pool2d(x, output_size)
        ctx.save_for_backward(indices)
        ctx.input_size = x.shape[2:]
        return (out, indices) if return_indices else out

    @staticmethod
    def backward(ctx, grad_output, *unused_index_grad):
        indices, = ctx.saved_tensors
        return kernels.adaptive_max_pool2d_backward(grad_output, indices, ctx.input_size)
