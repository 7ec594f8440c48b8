"""The small CNN of the main job: stages of Conv-BN-ReLU(-Conv-BN-ReLU)-MaxPool, then a
fully-connected head with dropout.

    x: (N, in_channels, H, W) -> scores (N, num_classes)

Each stage halves the resolution; the head sees (channels[-1], H / 2^S, W / 2^S)
through global average pooling when ``global_pool`` is set (fewer parameters,
any input size), or flattened otherwise.
"""
from dataclasses import dataclass

from ... import _models_registry as registry
from ....nn import (AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, Linear, MaxPool2d,
                    ReLU, Sequential)


@dataclass
class ConvNetConfig:
    in_channels: int = 1          # 1 for MNIST/digits, 3 for CIFAR-10
    num_classes: int = 10
    channels: tuple = (32, 64)    # output channels of each stage
    convs_per_stage: int = 1      # 3×3 convolutions before each 2×2 max-pool
    hidden: int = 128             # width of the hidden fully-connected layer (0: none)
    dropout: float = 0.25         # drop probability before the last layer
    input_size: int = 28          # input height = width (used when not global_pool)
    global_pool: bool = False     # average-pool the last feature map instead of flattening


def _stage(in_channels, out_channels, convs):
    layers = []
    for i in range(convs):
        layers += [Conv2d(in_channels if i == 0 else out_channels, out_channels, 3, padding=1,
                          bias=False),
                   BatchNorm2d(out_channels), ReLU()]
    layers.append(MaxPool2d(2))
    return Sequential(*layers)


class ConvNet(Sequential):
    def __init__(self, config=ConvNetConfig()):
        c = config
        stages, width = [], c.in_channels
        for channels in c.channels:
            stages.append(_stage(width, channels, c.convs_per_stage))
            width = channels
        size = c.input_size // 2 ** len(c.channels)
        if c.global_pool:
            head = [AdaptiveAvgPool2d(1), Flatten()]
            features = width
        else:
            head = [Flatten()]
            features = width * size * size
        if c.hidden:
            head += [Linear(features, c.hidden), ReLU()]
            features = c.hidden
        head += [Dropout(c.dropout), Linear(features, c.num_classes)]
        super().__init__(Sequential(*stages), Sequential(*head))
        self.config = config


@registry.register("small_cnn")
def small_cnn(num_classes=10, in_channels=1, **kwargs):
    """Two Conv-BN-ReLU-MaxPool stages (32, 64 channels) and a 128-unit head: the
    default model of ``visiongrad train`` (≈ 0.42 M parameters for 28×28 inputs)."""
    return ConvNet(ConvNetConfig(in_channels=in_channels, num_classes=num_classes, **kwargs))
