"""Affine maps: ``linear`` (y = x·Wᵀ + b, one GEMM) and ``bilinear``
(y_k = x1ᵀ·W_k·x2 + b_k)."""
from ... import ops
from ...tensor import einsum


def _check_dtypes(name, *tensors):
    dtypes = {t.dtype for t in tensors if t is not None}
    if len(dtypes) > 1:
        raise TypeError(f"{name}: input, weight and bias must have the same dtype, got "
                        + ", ".join(str(t.dtype) for t in tensors if t is not None))


def linear(input, weight, bias=None):
    """input: (*, in_features), weight: (out_features, in_features),
    bias: (out_features,) → (*, out_features)."""
    if weight.ndim != 2 or input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear: input of shape {tuple(input.shape)} cannot be multiplied "
                         f"by weight of shape {tuple(weight.shape)}: the input's last dim "
                         f"must equal the weight's in_features (dim 1)")
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise ValueError(f"linear: bias must have shape ({weight.shape[0]},) for weight of "
                         f"shape {tuple(weight.shape)}, got {tuple(bias.shape)}")
    _check_dtypes("linear", input, weight, bias)
    if bias is None:
        return ops.Linear.apply(input, weight)
    return ops.Linear.apply(input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    """input1: (*, in1), input2: (*, in2), weight: (out, in1, in2), bias: (out,)
    → (*, out)."""
    if (weight.ndim != 3 or input1.shape[-1] != weight.shape[1]
            or input2.shape[-1] != weight.shape[2] or input1.shape[:-1] != input2.shape[:-1]):
        raise ValueError(f"bilinear: inputs of shapes {tuple(input1.shape)} and "
                         f"{tuple(input2.shape)} do not fit weight of shape "
                         f"{tuple(weight.shape)} (expected (*, in1), (*, in2), (out, in1, in2))")
    _check_dtypes("bilinear", input1, input2, weight, bias)
    lead = input1.shape[:-1]
    x1, x2 = input1.reshape(-1, input1.shape[-1]), input2.reshape(-1, input2.shape[-1])
    out = einsum("ni,oij,nj->no", x1, weight, x2)
    if bias is not None:
        out = out + bias
    return out.reshape(lead + (weight.shape[0],))


__all__ = ["bilinear", "linear"]
