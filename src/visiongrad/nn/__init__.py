"""Neural-network layers with PyTorch's API: ``Module``, ``Parameter``, the layer
classes, ``functional`` (import as F), ``init`` and ``utils``."""
from . import functional, init, regularization, utils
from .module import Module
from .modules import Flatten, ModuleDict, ModuleList, Sequential, Unflatten
from .modules import (ELU, GELU, SELU, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU, LogSoftmax,
                      PReLU, ReLU, ReLU6, Sigmoid, SiLU, Softmax, Softmin, Softplus, Tanh)
from .modules import Dropout, Dropout2d, Embedding
from .modules import Bilinear, Identity, Linear, Maxout
from .modules import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss,
                      L1Loss, MSELoss, MultiMarginLoss, NLLLoss, SmoothL1Loss)
from .modules import (BatchNorm1d, BatchNorm2d, ConditionalInstanceNorm2d, GroupNorm,
                      InstanceNorm1d, InstanceNorm2d, LayerNorm, LocalResponseNorm)
from .modules import DropConnectLinear, FractionalMaxPool2d, StochasticDepth
from .modules import (CircularPad2d, ConstantPad2d, ReflectionPad2d, ReplicationPad2d, Upsample,
                      ZeroPad2d)
from .modules import Conv2d, ConvTranspose2d
from .modules import AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, MaxPool2d, MaxUnpool2d
from .modules import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from .modules import (MultiheadAttention, TransformerDecoder, TransformerDecoderLayer,
                      TransformerEncoder, TransformerEncoderLayer)
from .parameter import Parameter
