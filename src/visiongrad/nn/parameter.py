"""``Parameter``: a Tensor that a Module registers as learnable when it is assigned
as an attribute."""
import numpy as np

from ..tensor import Tensor, get_default_dtype


class Parameter(Tensor):
    """A leaf Tensor that requires grad by default and shares ``data``'s array.

    ``Parameter(tensor)`` wraps the tensor's array (no copy), as PyTorch does;
    ``Parameter()`` is an empty float tensor.
    """

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = np.empty((0,), dtype=get_default_dtype())
        super().__init__(data.data if isinstance(data, Tensor) else data,
                         requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()
