"""The primitive set: every operation with a hand-written backward.

Everything else in visiongrad (mean, var, softmax cross-entropy, dropout, attention...)
is composed from these and gets its gradient for free. A new primitive needs a reason:
speed or numerical stability.
"""
from .elementwise import (Abs, Add, Cast, Clamp, Div, Exp, Log, Maximum, Minimum, Mul, Neg,
                          Pow, PowScalar, Relu, Sigmoid, Sqrt, Sub, Tanh, Where)
from .linalg import Einsum, Linear, MatMul
from .loss import NLLLoss
from .reduce import MaxReduce, Sum
from .shape import Cat, Expand, GetItem, Permute, Reshape
from .softmax import LogSoftmax, Softmax
from .activation import Elu, Gelu, LeakyRelu, Softplus
from .binary_loss import BinaryCrossEntropy, BinaryCrossEntropyWithLogits
from .embedding import Embedding
from .normalization import BatchNorm, LayerNorm
from .resample import ConstantPad, GridSample, IndexSelect, Lerp
from .conv import Conv2d, ConvTranspose2d
from .pool import AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, MaxPool2d, MaxUnpool2d

__all__ = [
    "Abs", "Add", "Cast", "Cat", "Clamp", "Einsum", "Div", "Exp", "Expand", "GetItem", "Linear", "Log",
    "LogSoftmax", "MatMul", "MaxReduce", "Maximum", "Minimum", "Mul", "NLLLoss", "Neg",
    "Permute", "Pow", "PowScalar", "Relu", "Reshape", "Sigmoid", "Softmax", "Sqrt",
    "Sub", "Sum", "Tanh", "Where",
    "Elu", "Gelu", "LeakyRelu", "Softplus", "BinaryCrossEntropy",
    "BinaryCrossEntropyWithLogits", "Embedding",
    "BatchNorm", "LayerNorm", "ConstantPad", "GridSample", "IndexSelect", "Lerp",
    "Conv2d", "ConvTranspose2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "AvgPool2d",
    "MaxPool2d", "MaxUnpool2d",
]
