"""Flatten parameters into one vector and back (torch.nn.utils.convert_parameters)."""
from ...tensor import cat


def parameters_to_vector(parameters):
    """All parameters flattened and concatenated into one 1-D tensor (differentiable)."""
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the 1-D ``vec`` into ``parameters`` (in place; unlike
    PyTorch, the parameters keep their own arrays instead of becoming views of vec)."""
    if vec.ndim != 1:
        raise TypeError(f"expected a 1-D vector, got shape {tuple(vec.shape)}")
    parameters = list(parameters)
    total = sum(p.numel() for p in parameters)
    if vec.shape[0] != total:
        raise ValueError(f"vector_to_parameters: vector has {vec.shape[0]} elements, the "
                         f"parameters have {total}")
    offset = 0
    for p in parameters:
        n = p.numel()
        p.data[...] = vec.data[offset:offset + n].reshape(p.shape)
        offset += n
