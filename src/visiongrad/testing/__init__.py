"""The table of differentiable operations: every primitive and composite declares
inputs to check it on and, where PyTorch has it, the PyTorch reference.

One table drives the float64 gradient checks (tests and ``visiongrad gradcheck``) and
the PyTorch parity tests, like PyTorch's OpInfo. Each family lives in its own module.
"""
from .opinfo import OpInfo, make_inputs


def all_ops():
    """Every registered ``OpInfo``, in a stable order."""
    from . import ops_conv, ops_core, ops_detection, ops_nn, ops_sequence

    return [*ops_core.OPS, *ops_nn.OPS, *ops_conv.OPS, *ops_sequence.OPS, *ops_detection.OPS]


__all__ = ["OpInfo", "all_ops", "make_inputs"]
