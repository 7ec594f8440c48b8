"""Matrix products: ``matmul`` (NumPy/PyTorch broadcasting rules, 1-D operands
included) and ``linear`` (x · Wᵀ + b as one GEMM, the fully-connected layer)."""
import numpy as np

from ..autograd.function import Function


class MatMul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None,
                              b if ctx.needs_input_grad[0] else None)
        ctx.ndims = (a.ndim, b.ndim)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        a_ndim, b_ndim = ctx.ndims
        if a_ndim == 1 and b_ndim == 1:  # dot product
            return (grad * b if ctx.needs_input_grad[0] else None,
                    grad * a if ctx.needs_input_grad[1] else None)
        # promote 1-D operands the way matmul does: (k,) @ B -> (1,k) @ B, A @ (k,) -> A @ (k,1)
        if a_ndim == 1:
            grad = np.expand_dims(grad, -2)
        if b_ndim == 1:
            grad = np.expand_dims(grad, -1)
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            b2 = b[:, None] if b_ndim == 1 else b
            grad_a = np.matmul(grad, np.swapaxes(b2, -1, -2))
            if a_ndim == 1:
                grad_a = grad_a[..., 0, :]
        if ctx.needs_input_grad[1]:
            a2 = a[None, :] if a_ndim == 1 else a
            grad_b = np.matmul(np.swapaxes(a2, -1, -2), grad)
            if b_ndim == 1:
                grad_b = grad_b[..., 0]
        return grad_a, grad_b


class Linear(Function):
    """y = x · Wᵀ + b with x: (*, in_features), W: (out_features, in_features)."""

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None,
                              weight if ctx.needs_input_grad[0] else None)
        ctx.x_shape = x.shape
        x2 = x.reshape(-1, x.shape[-1])
        out = x2 @ weight.T
        if bias is not None:
            out += bias
        return out.reshape(x.shape[:-1] + (weight.shape[0],))

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        grad2 = grad.reshape(-1, grad.shape[-1])
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_x = (grad2 @ weight).reshape(ctx.x_shape)
        if ctx.needs_input_grad[1]:
            grad_w = grad2.T @ x.reshape(-1, x.shape[-1])
        if len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2]:
            grad_b = grad2.sum(axis=0)
        return grad_x, grad_w, grad_b


def _parse_einsum(equation, n_operands):
    equation = equation.replace(" ", "")
    if "." in equation:
        raise ValueError("einsum: ellipsis ('...') is not supported; name every dimension")
    if "->" in equation:
        inputs, output = equation.split("->")
    else:
        inputs = equation
        letters = inputs.replace(",", "")
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    inputs = inputs.split(",")
    if len(inputs) != n_operands:
        raise ValueError(f"einsum: equation names {len(inputs)} operands, got {n_operands}")
    return inputs, output


class Einsum(Function):
    """np.einsum with a gradient: each operand's gradient is itself an einsum of the
    output gradient with the other operands. Subscripts may not repeat within one
    operand (no diagonals)."""

    @staticmethod
    def forward(ctx, *operands, equation):
        inputs, output = _parse_einsum(equation, len(operands))
        for subscripts in inputs:
            if len(set(subscripts)) != len(subscripts):
                raise ValueError(
                    f"einsum: repeated subscript in operand '{subscripts}' is not supported")
        ctx.save_for_backward(*operands)
        ctx.inputs, ctx.output = inputs, output
        return np.einsum(f"{','.join(inputs)}->{output}", *operands, optimize=True)

    @staticmethod
    def backward(ctx, grad):
        operands = ctx.saved_tensors
        grads = []
        for k, subscripts in enumerate(ctx.inputs):
            if not ctx.needs_input_grad[k]:
                grads.append(None)
                continue
            others = [(s, op) for j, (s, op) in enumerate(zip(ctx.inputs, operands)) if j != k]
            available = set(ctx.output).union(*[set(s) for s, _ in others])
            present = "".join(c for c in subscripts if c in available)
            terms = [ctx.output] + [s for s, _ in others]
            g = np.einsum(f"{','.join(terms)}->{present}", grad, *[op for _, op in others],
                          optimize=True)
            # letters summed inside this operand alone: the gradient is constant along them
            shape = [operands[k].shape[i] if c in available else 1
                     for i, c in enumerate(subscripts)]
            g = np.broadcast_to(g.reshape([operands[k].shape[i] for i, c in
                                           enumerate(subscripts) if c in available]
                                          ).reshape(shape), operands[k].shape)
            grads.append(g)
        return tuple(grads)
