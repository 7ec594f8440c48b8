"""Flatten and Unflatten: reshape a range of dimensions (no parameters)."""
import numpy as np

from ..module import Module


class Flatten(Module):
    """(*, S_start, ..., S_end, *) → (*, S_start·...·S_end, *); by default keeps the
    batch dimension: (N, C, H, W) → (N, C·H·W)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Expand dimension ``dim`` into ``unflattened_size`` (which may hold one −1)."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input):
        dim = self.dim % input.ndim
        size = self.unflattened_size
        known = int(np.prod([s for s in size if s != -1]))
        if (-1 not in size and known != input.shape[dim]) or (
                -1 in size and (known == 0 or input.shape[dim] % known)):
            raise ValueError(f"Unflatten: cannot unflatten dimension {self.dim} of size "
                             f"{input.shape[dim]} into {size}")
        return input.reshape(input.shape[:dim] + size + input.shape[dim + 1:])

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
