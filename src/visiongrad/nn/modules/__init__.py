"""Layer classes, one file per family; each owns its parameters and calls the
functional form in ``visiongrad.nn.functional``."""
from .container import ModuleDict, ModuleList, Sequential
from .flatten import Flatten, Unflatten
from .activation import (ELU, GELU, SELU, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU,
                         LogSoftmax, PReLU, ReLU, ReLU6, Sigmoid, SiLU, Softmax, Softmin,
                         Softplus, Tanh)
from .dropout import Dropout, Dropout2d
from .linear import Bilinear, Identity, Linear, Maxout
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss,
                   MSELoss, MultiMarginLoss, NLLLoss, SmoothL1Loss)
from .sparse import Embedding
from .normalization import (BatchNorm1d, BatchNorm2d, ConditionalInstanceNorm2d, GroupNorm,
                            InstanceNorm1d, InstanceNorm2d, LayerNorm, LocalResponseNorm)
from .regularization import DropConnectLinear, FractionalMaxPool2d, StochasticDepth
from .resample import (CircularPad2d, ConstantPad2d, ReflectionPad2d, ReplicationPad2d, Upsample,
                       ZeroPad2d)
from .conv import Conv2d, ConvTranspose2d
from .pooling import AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, MaxPool2d, MaxUnpool2d
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from .transformer import (MultiheadAttention, TransformerDecoder, TransformerDecoderLayer,
                          TransformerEncoder, TransformerEncoderLayer)
