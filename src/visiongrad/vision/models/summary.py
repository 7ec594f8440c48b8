"""Layer-by-layer architecture statistics. ``summary`` measures a built model with one
forward pass; ``conv_layer_table`` computes the same columns from a list of layer specs
without building anything (the CS231n / EECS 498 architecture tables).

Columns, all for one input (the batch dimension is left out):

* output shape: the layer's output, e.g. (64, 56, 56);
* params: parameters the layer owns, weights and biases;
* MACs: multiply-accumulates with the weights, Cout·Hout·Wout·(Cin/groups)·k·k for a
  convolution (each output element is a dot product of (Cin/groups)·k·k pairs) and in·out
  for a fully connected layer. Bias additions are not counted, and normalisation,
  activation and pooling layers count 0: the convention of the EECS 498 "flop" column,
  which calls one multiply-add one operation (AlexNet conv1 on 227×227:
  64·56·56·3·11·11 = 72,855,552, printed as 73 M). Double it for FLOPs that count
  multiplies and adds separately.
* memory: bytes of the layer's output activation, elements × bytes per element (4 for
  float32). Totals add up the rows; the input itself is not counted.
"""
import math
from dataclasses import dataclass

import numpy as np

from ..._kernels.conv import conv_output_size
from ..._kernels.pool import pool_output_size
from ...autograd.grad_mode import no_grad
from ...creation import zeros
from ...nn import Conv2d, ConvTranspose2d, Linear
from ...tensor import Tensor


@dataclass
class LayerRow:
    """One row of a summary table (see the module docstring for the columns)."""

    name: str
    type: str
    output_shape: tuple
    params: int
    macs: int
    memory: int  # bytes


@dataclass
class ModelSummary:
    """The rows of a summary or layer table and their totals; ``str()`` renders the
    table."""

    rows: list
    input_shape: tuple
    # every parameter of the model once, including those of modules the forward pass did
    # not call (googlenet's auxiliary heads in eval mode), so it may exceed the rows' sum
    total_params: int

    @property
    def total_macs(self):
        return sum(row.macs for row in self.rows)

    @property
    def total_memory(self):
        return sum(row.memory for row in self.rows)

    def __getitem__(self, name):
        """The first row called ``name``."""
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(f"no layer named {name!r} in the summary")

    def __str__(self):
        header = ("Layer", "Type", "Output shape", "Params", "MACs", "Memory (KB)")
        lines = [(row.name, row.type, " × ".join(map(str, row.output_shape)) or "scalar",
                  f"{row.params:,}", f"{row.macs:,}", f"{row.memory / 1024:,.1f}")
                 for row in self.rows]
        total = ("Total", "", "", f"{self.total_params:,}", f"{self.total_macs:,}",
                 f"{self.total_memory / 1024:,.1f}")
        widths = [max(len(line[i]) for line in [header, total, *lines]) for i in range(6)]

        def render(line):
            # text columns left-aligned, numbers right-aligned
            return "  ".join(cell.ljust(w) if i < 3 else cell.rjust(w)
                             for i, (cell, w) in enumerate(zip(line, widths)))

        rule = "-" * len(render(header))
        input_text = " × ".join(map(str, self.input_shape))
        return "\n".join([f"Input: {input_text}", render(header), rule,
                          *map(render, lines), rule, render(total)])


def _weight_macs(module, args, output):
    """Multiply-accumulates of one call with batch size 1."""
    if isinstance(module, Conv2d):
        # weight (Cout, Cin/groups, k, k), once per output position
        return module.weight.numel() * (output.numel() // module.out_channels)
    if isinstance(module, ConvTranspose2d):
        # weight (Cin, Cout/groups, k, k): each input element scatters into Cout/groups·k·k
        return module.weight.numel() * (args[0].numel() // module.in_channels)
    if isinstance(module, Linear):
        return module.weight.numel() * (output.numel() // module.out_features)
    return 0


def summary(model, input_size, dtype=np.float32, print_fn=print):
    """Run one forward pass of a (1, *input_size) zero tensor through ``model`` in eval
    mode, without gradients, and tabulate every call of a leaf module (one without
    children): name, type, output shape, parameters, MACs and output memory.

    Operations done by functions inside ``forward`` (``F.relu``, ``cat``, a global mean)
    have no row. The model's training flags are restored afterwards.

    Args:
        model: the Module to measure.
        input_size: shape of one input without the batch dimension, e.g. (3, 224, 224).
        dtype: dtype of the input (its itemsize sets the memory column).
        print_fn: called with the rendered table; None prints nothing.

    Returns:
        a ``ModelSummary``.
    """
    input_size = tuple(input_size)
    if not input_size or not all(isinstance(n, (int, np.integer)) and n > 0
                                 for n in input_size):
        raise ValueError(f"summary: input_size must be a non-empty tuple of positive ints "
                         f"(one input, no batch dimension), got {input_size}")
    rows = []

    def record(name):
        def hook(module, args, output):
            if isinstance(output, (tuple, list)):
                output = next((o for o in output if isinstance(o, Tensor)), None)
            shape = tuple(output.shape[1:]) if isinstance(output, Tensor) else ()
            memory = output.numel() * output.dtype.itemsize if isinstance(output, Tensor) else 0
            rows.append(LayerRow(name or type(module).__name__, type(module).__name__, shape,
                                 sum(p.numel() for p in module.parameters()),
                                 _weight_macs(module, args, output), memory))
        return hook

    handles = [module.register_forward_hook(record(name))
               for name, module in model.named_modules() if next(module.children(), None) is None]
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        with no_grad():
            model(zeros((1,) + input_size, dtype=dtype))
    finally:
        for handle in handles:
            handle.remove()
        for module, training in modes:
            module.training = training

    result = ModelSummary(rows, input_size, sum(p.numel() for p in model.parameters()))
    if print_fn is not None:
        print_fn(str(result))
    return result


@dataclass(frozen=True)
class Conv:
    """A k×k convolution (square kernel, stride and padding) to ``out_channels`` maps:
    (Cin, H, W) -> (out_channels, H', W'); (Cin/groups)·k²·Cout weights plus Cout biases."""

    out_channels: int
    kernel_size: int
    stride: int = 1
    padding: int = 0
    groups: int = 1
    bias: bool = True


@dataclass(frozen=True)
class Pool:
    """Max or average pooling: (C, H, W) -> (C, H', W'); no parameters, 0 MACs."""

    kernel_size: int
    stride: int = None  # None: kernel_size, as nn.MaxPool2d
    padding: int = 0
    ceil_mode: bool = False


@dataclass(frozen=True)
class GlobalAvgPool:
    """(C, H, W) -> (C, 1, 1)."""


@dataclass(frozen=True)
class Flatten:
    """(C, H, W) -> (C·H·W,)."""


@dataclass(frozen=True)
class FC:
    """A fully connected layer on the flattened input: (D,) or (C, H, W) -> (out_features,);
    D·out_features weights plus out_features biases."""

    out_features: int
    bias: bool = True


@dataclass(frozen=True)
class Concat:
    """Parallel paths over the same input, outputs concatenated along channels (an
    Inception module). Each path is a list of (name, spec); an empty path passes the
    input through. Rows: each path's layers as "<concat name>.<layer name>", then the
    concatenation (0 params, 0 MACs, its own output memory)."""

    paths: tuple


def _layer(name, spec, shape):
    """(output shape, params, MACs) of one non-Concat spec on an input of ``shape``."""
    if isinstance(spec, (Conv, Pool, GlobalAvgPool)) and len(shape) != 3:
        raise ValueError(f"layer {name!r}: {type(spec).__name__} needs a (C, H, W) input, "
                         f"got {shape}")
    if isinstance(spec, Conv):
        C, H, W = shape
        if C % spec.groups or spec.out_channels % spec.groups:
            raise ValueError(f"layer {name!r}: channels {C} -> {spec.out_channels} are not "
                             f"divisible by groups {spec.groups}")
        out = (spec.out_channels,) + tuple(
            conv_output_size(n, spec.kernel_size, spec.padding, spec.stride) for n in (H, W))
        weights = spec.out_channels * (C // spec.groups) * spec.kernel_size ** 2
        params = weights + (spec.out_channels if spec.bias else 0)
        return out, params, weights * out[1] * out[2]
    if isinstance(spec, Pool):
        C, H, W = shape
        stride = spec.kernel_size if spec.stride is None else spec.stride
        return (C,) + tuple(pool_output_size(n, spec.kernel_size, stride, spec.padding,
                                             ceil_mode=spec.ceil_mode) for n in (H, W)), 0, 0
    if isinstance(spec, GlobalAvgPool):
        return (shape[0], 1, 1), 0, 0
    if isinstance(spec, Flatten):
        return (math.prod(shape),), 0, 0
    if isinstance(spec, FC):
        weights = math.prod(shape) * spec.out_features
        return (spec.out_features,), weights + (spec.out_features if spec.bias else 0), weights
    raise TypeError(f"layer {name!r}: unknown spec {spec!r}; use Conv, Pool, GlobalAvgPool, "
                    "Flatten, FC or Concat")


def _table_rows(layers, shape, bytes_per_element, prefix=""):
    rows = []
    for name, spec in layers:
        full_name = prefix + name
        if isinstance(spec, Concat):
            outputs = []
            for path in spec.paths:
                path_rows, path_shape = _table_rows(path, shape, bytes_per_element,
                                                    full_name + ".")
                rows += path_rows
                outputs.append(path_shape)
            if any(len(out) != 3 or out[1:] != outputs[0][1:] for out in outputs):
                raise ValueError(f"layer {full_name!r}: paths end in shapes {outputs}; "
                                 "concatenation needs equal (H, W)")
            shape = (sum(out[0] for out in outputs),) + outputs[0][1:]
            params = macs = 0
        else:
            shape, params, macs = _layer(full_name, spec, shape)
        if min(shape) <= 0:
            raise ValueError(f"layer {full_name!r}: output shape {shape} is empty; the input "
                             "is too small for this layer")
        rows.append(LayerRow(full_name, "Concat" if isinstance(spec, Concat)
                             else type(spec).__name__, shape, params, macs,
                             math.prod(shape) * bytes_per_element))
    return rows, shape


def conv_layer_table(layers, input_shape, bytes_per_element=4):
    """The summary columns computed from layer specs alone, without a model.

    Args:
        layers: list of (name, spec) with specs ``Conv``, ``Pool``, ``GlobalAvgPool``,
            ``Flatten``, ``FC`` and ``Concat``.
        input_shape: (C, H, W) of one input.
        bytes_per_element: 4 for float32 activations.

    Returns:
        a ``ModelSummary`` whose total_params is the sum of the rows.

    Example, AlexNet's conv1 on a 227×227 image::

        conv_layer_table([("conv1", Conv(64, 11, stride=4, padding=2))], (3, 227, 227))
        # conv1: output (64, 56, 56), params 23,296, MACs 72,855,552, memory 784 KB
    """
    input_shape = tuple(input_shape)
    rows, _ = _table_rows(layers, input_shape, bytes_per_element)
    return ModelSummary(rows, input_shape, sum(row.params for row in rows))
