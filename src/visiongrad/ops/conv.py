"""Convolution primitives: ``Conv2d`` and its adjoint ``ConvTranspose2d``.

A convolution and its transposed convolution are the same pair of kernels used the other
way round: the transposed forward is the convolution's input gradient and vice versa,
and both weight gradients are ``conv2d_weight_grad`` with the roles of input and output
gradient exchanged. Arguments are normalised by ``nn.functional``: ``stride`` and
``dilation`` are (height, width) pairs, ``padding`` of Conv2d is (top, bottom, left,
right) (asymmetric for padding='same' with an even kernel), of ConvTranspose2d a pair.
"""
from .._kernels.conv import conv2d, conv2d_input_grad, conv2d_weight_grad
from ..autograd.function import Function


def _bias_grad(grad_output):
    return grad_output.sum(axis=(0, 2, 3))


class Conv2d(Function):
    """x (N, C, H, W), weight (F, C/groups, KH, KW), bias (F,) or absent
    -> (N, F, OH, OW)."""

    @staticmethod
    def forward(ctx, x, weight, bias=None, *, stride=(1, 1), padding=(0, 0, 0, 0),
                dilation=(1, 1), groups=1):
        # x is only needed for the weight's gradient, the weight only for x's
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None,
                              weight if ctx.needs_input_grad[0] else None)
        ctx.input_size, ctx.kernel_size = x.shape[2:], weight.shape[2:]
        ctx.geometry = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        return conv2d(x, weight, bias, **ctx.geometry)

    @staticmethod
    def backward(ctx, grad_output):
        x, weight = ctx.saved_tensors
        needs = ctx.needs_input_grad
        needs_bias = len(needs) > 2 and needs[2]
        grad_x = grad_w = grad_b = None
        if needs[0]:
            grad_x = conv2d_input_grad(grad_output, weight, ctx.input_size, **ctx.geometry)
        if needs[1]:
            grad_w = conv2d_weight_grad(x, grad_output, ctx.kernel_size, **ctx.geometry,
                                        with_bias=needs_bias)
            if needs_bias:
                grad_w, grad_b = grad_w
        elif needs_bias:
            grad_b = _bias_grad(grad_output)
        return grad_x, grad_w, grad_b


class ConvTranspose2d(Function):
    """x (N, C, H, W), weight (C, F/groups, KH, KW), bias (F,) or absent
    -> (N, F, OH, OW) with OH = (H − 1)·stride − 2·padding + dilation·(KH − 1)
    + output_padding + 1: the gradient of a convolution by ``weight`` whose input has
    that size, taken with respect to its input."""

    @staticmethod
    def forward(ctx, x, weight, bias=None, *, stride=(1, 1), padding=(0, 0),
                output_padding=(0, 0), dilation=(1, 1), groups=1):
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None,
                              weight if ctx.needs_input_grad[0] else None)
        ctx.input_size, ctx.kernel_size = x.shape[2:], weight.shape[2:]
        ctx.geometry = dict(stride=stride, padding=(padding[0], padding[0], padding[1],
                                                    padding[1]),
                            dilation=dilation, groups=groups)
        out_size = tuple((n - 1) * s - 2 * p + d * (k - 1) + op + 1 for n, s, p, d, k, op in
                         zip(x.shape[2:], stride, padding, dilation, weight.shape[2:],
                             output_padding))
        out = conv2d_input_grad(x, weight, out_size, **ctx.geometry)
        if bias is not None:
            out += bias.reshape(-1, 1, 1)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        x, weight = ctx.saved_tensors
        needs = ctx.needs_input_grad
        grad_x = grad_w = grad_b = None
        if needs[0]:
            # with output_padding >= stride (allowed when below the dilation) the
            # convolution reads rows past the ones x produced: they get no gradient
            H, W = ctx.input_size
            grad_x = conv2d(grad_output, weight, None, **ctx.geometry)[:, :, :H, :W]
        if needs[1]:
            # the convolution this transposes maps grad_output's space to x's space
            grad_w = conv2d_weight_grad(grad_output, x, ctx.kernel_size, **ctx.geometry)
        if len(needs) > 2 and needs[2]:
            grad_b = _bias_grad(grad_output)
        return grad_x, grad_w, grad_b
