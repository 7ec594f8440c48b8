"""Affine layers: Identity, Linear, Bilinear, and Maxout (the maximum of k linear maps,
Goodfellow et al., 2013), with PyTorch's parameter names and default initialisation."""
import math

from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter
from ...creation import empty


class Identity(Module):
    """Returns its input; constructor arguments are accepted and ignored (PyTorch)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """y = x·Wᵀ + b. x: (*, in_features) → (*, out_features).

    weight: (out_features, in_features) from kaiming_uniform_(a=sqrt(5)), i.e.
    U(−1/sqrt(in_features), 1/sqrt(in_features)); bias: (out_features,) from the same
    range — PyTorch's default initialisation.
    """

    def __init__(self, in_features, out_features, bias=True, dtype=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(empty(out_features, in_features, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.default_layer_init_(self.weight, self.bias)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    """y_k = x1ᵀ·W_k·x2 + b_k. x1: (*, in1_features), x2: (*, in2_features) →
    (*, out_features); weight: (out_features, in1_features, in2_features), weight and
    bias from U(−1/sqrt(in1_features), 1/sqrt(in1_features)) as PyTorch."""

    def __init__(self, in1_features, in2_features, out_features, bias=True, dtype=None):
        super().__init__()
        self.in1_features, self.in2_features = in1_features, in2_features
        self.out_features = out_features
        self.weight = Parameter(empty(out_features, in1_features, in2_features, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class Maxout(Module):
    """y_o = max_k (W_{o,k}·x + b_{o,k}): each output unit is the maximum of
    ``pool_size`` linear maps (the notes' max(w1ᵀx + b1, w2ᵀx + b2) for pool_size=2).

    x: (*, in_features) → (*, out_features). weight: (out_features·pool_size,
    in_features), rows o·pool_size .. o·pool_size + pool_size − 1 belonging to unit o;
    initialised like Linear. (Not in PyTorch.)
    """

    def __init__(self, in_features, out_features, pool_size=2, bias=True, dtype=None):
        super().__init__()
        self.in_features, self.out_features, self.pool_size = (in_features, out_features,
                                                               pool_size)
        self.weight = Parameter(empty(out_features * pool_size, in_features, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features * pool_size, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        Linear.reset_parameters(self)

    def forward(self, input):
        pieces = F.linear(input, self.weight, self.bias)
        pieces = pieces.reshape(pieces.shape[:-1] + (self.out_features, self.pool_size))
        return pieces.amax(-1)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"pool_size={self.pool_size}, bias={self.bias is not None}")
