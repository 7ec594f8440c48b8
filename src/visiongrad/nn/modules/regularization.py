"""Stochastic regularization layers beyond Dropout: StochasticDepth (torchvision.ops),
DropConnectLinear and FractionalMaxPool2d."""
from .. import functional as F
from ..module import Module
from .linear import Linear


class StochasticDepth(Module):
    """Drop the whole input (a residual branch) with probability ``p`` in training,
    per sample (mode 'row') or for the whole batch ('batch'); see
    ``F.stochastic_depth``."""

    def __init__(self, p, mode):
        super().__init__()
        self.p, self.mode = p, mode

    def forward(self, input):
        return F.stochastic_depth(input, self.p, self.mode, self.training)

    def extra_repr(self):
        return f"p={self.p}, mode={self.mode}"


class DropConnectLinear(Linear):
    """A Linear layer whose weights are dropped with probability ``p`` during training
    (DropConnect) and used in full in eval mode; see ``F.drop_connect``."""

    def __init__(self, in_features, out_features, bias=True, p=0.5, dtype=None):
        super().__init__(in_features, out_features, bias, dtype)
        self.p = p

    def forward(self, input):
        return F.drop_connect(input, self.weight, self.bias, self.p, self.training)

    def extra_repr(self):
        return super().extra_repr() + f", p={self.p}"


class FractionalMaxPool2d(Module):
    """Fractional max pooling with fresh pseudo-random pooling regions on every call.

    Graham (2014) averages predictions over several samplings at test time; here eval
    mode averages this layer's output over ``test_samples`` samplings (1, the default,
    behaves as PyTorch's layer). Seeded through the global generator.
    """

    def __init__(self, kernel_size, output_size=None, output_ratio=None, test_samples=1):
        super().__init__()
        if (output_size is None) == (output_ratio is None):
            raise ValueError("FractionalMaxPool2d: give exactly one of output_size and "
                             f"output_ratio, got {output_size} and {output_ratio}")
        if test_samples < 1:
            raise ValueError(f"FractionalMaxPool2d: test_samples must be ≥ 1, got {test_samples}")
        self.kernel_size, self.output_size = kernel_size, output_size
        self.output_ratio, self.test_samples = output_ratio, test_samples

    def _sample(self, input):
        return F.fractional_max_pool2d(input, self.kernel_size, self.output_size,
                                       self.output_ratio)

    def forward(self, input):
        if self.training or self.test_samples == 1:
            return self._sample(input)
        total = self._sample(input)
        for _ in range(self.test_samples - 1):
            total = total + self._sample(input)
        return total / self.test_samples

    def extra_repr(self):
        size = (f"output_size={self.output_size}" if self.output_size is not None
                else f"output_ratio={self.output_ratio}")
        return f"kernel_size={self.kernel_size}, {size}, test_samples={self.test_samples}"
