"""DenseNet (Huang et al., 2017): torchvision's ``DenseNet``.

Inside a dense block every layer reads the concatenation of the block input and all
earlier layers' outputs and adds ``growth_rate`` (k) new maps, so a block of L layers on
C0 channels ends with C0 + L·k. Each layer is BN-ReLU-1×1 conv to ``bn_size``·k maps
(the bottleneck) then BN-ReLU-3×3 conv to k. Between blocks a transition
(BN-ReLU-1×1 conv, 2×2 average pool) halves both the channels and the resolution.

The concatenation is memory-naive: each layer's input is a fresh concatenated array
(torchvision's ``memory_efficient`` checkpointing is not offered).
"""
from collections import OrderedDict
from functools import partial

from ... import _models_registry as registry
from ....nn import (AvgPool2d, BatchNorm2d, Conv2d, Linear, MaxPool2d, Module, ModuleDict, ReLU,
                    Sequential, init)
from ....nn import functional as F
from ....tensor import cat


class _DenseLayer(Module):
    """features: list of (N, C_i, H, W) -> new maps (N, growth_rate, H, W)."""

    def __init__(self, num_input_features, growth_rate, bn_size, drop_rate):
        super().__init__()
        self.norm1 = BatchNorm2d(num_input_features)
        self.relu1 = ReLU(inplace=True)
        self.conv1 = Conv2d(num_input_features, bn_size * growth_rate, kernel_size=1, stride=1,
                            bias=False)
        self.norm2 = BatchNorm2d(bn_size * growth_rate)
        self.relu2 = ReLU(inplace=True)
        self.conv2 = Conv2d(bn_size * growth_rate, growth_rate, kernel_size=3, stride=1,
                            padding=1, bias=False)
        self.drop_rate = float(drop_rate)

    def forward(self, features):
        x = cat(features, 1)  # (N, sum C_i, H, W)
        bottleneck = self.conv1(self.relu1(self.norm1(x)))
        new_features = self.conv2(self.relu2(self.norm2(bottleneck)))
        if self.drop_rate > 0:
            new_features = F.dropout(new_features, p=self.drop_rate, training=self.training)
        return new_features


class _DenseBlock(ModuleDict):
    """x (N, C0, H, W) -> (N, C0 + num_layers·growth_rate, H, W)."""

    def __init__(self, num_layers, num_input_features, bn_size, growth_rate, drop_rate):
        super().__init__()
        for i in range(num_layers):
            layer = _DenseLayer(num_input_features + i * growth_rate, growth_rate, bn_size,
                                drop_rate)
            self.add_module(f"denselayer{i + 1}", layer)

    def forward(self, init_features):
        features = [init_features]
        for layer in self.values():
            features.append(layer(features))
        return cat(features, 1)


class _Transition(Sequential):
    """x (N, C, H, W) -> (N, num_output_features, H/2, W/2)."""

    def __init__(self, num_input_features, num_output_features):
        super().__init__()
        self.norm = BatchNorm2d(num_input_features)
        self.relu = ReLU(inplace=True)
        self.conv = Conv2d(num_input_features, num_output_features, kernel_size=1, stride=1,
                           bias=False)
        self.pool = AvgPool2d(kernel_size=2, stride=2)


class DenseNet(Module):
    """x (N, in_channels, H, W) -> (N, num_classes); H, W ≥ 29 for the three transitions'
    pools (224 in the paper).

    Args:
        growth_rate: maps each layer adds (k).
        block_config: layers in each of the dense blocks.
        num_init_features: maps of the 7×7 stem convolution.
        bn_size: bottleneck width as a multiple of k.
        drop_rate: dropout probability after each dense layer.
        num_classes: number of output scores.
        in_channels: channels of the input image.
    """

    def __init__(self, growth_rate=32, block_config=(6, 12, 24, 16), num_init_features=64,
                 bn_size=4, drop_rate=0.0, num_classes=1000, in_channels=3):
        super().__init__()
        self.features = Sequential(OrderedDict([
            ("conv0", Conv2d(in_channels, num_init_features, kernel_size=7, stride=2, padding=3,
                             bias=False)),
            ("norm0", BatchNorm2d(num_init_features)),
            ("relu0", ReLU(inplace=True)),
            ("pool0", MaxPool2d(kernel_size=3, stride=2, padding=1)),
        ]))
        num_features = num_init_features
        for i, num_layers in enumerate(block_config):
            block = _DenseBlock(num_layers, num_features, bn_size, growth_rate, drop_rate)
            self.features.add_module(f"denseblock{i + 1}", block)
            num_features = num_features + num_layers * growth_rate
            if i != len(block_config) - 1:
                trans = _Transition(num_features, num_features // 2)
                self.features.add_module(f"transition{i + 1}", trans)
                num_features = num_features // 2
        self.features.add_module("norm5", BatchNorm2d(num_features))
        self.classifier = Linear(num_features, num_classes)

        for m in self.modules():
            if isinstance(m, Conv2d):
                init.kaiming_normal_(m.weight)
            elif isinstance(m, BatchNorm2d):
                init.constant_(m.weight, 1)
                init.constant_(m.bias, 0)
            elif isinstance(m, Linear):
                init.constant_(m.bias, 0)

    def forward(self, x):
        features = self.features(x)
        out = F.relu(features)
        out = F.adaptive_avg_pool2d(out, (1, 1)).flatten(1)  # (N, num_features)
        return self.classifier(out)


# name -> (growth_rate, block_config, num_init_features)
VARIANTS = {
    "densenet121": (32, (6, 12, 24, 16), 64),
    "densenet161": (48, (6, 12, 36, 24), 96),
    "densenet169": (32, (6, 12, 32, 32), 64),
    "densenet201": (32, (6, 12, 48, 32), 64),
}


def densenet(name, num_classes=1000, **kwargs):
    """The DenseNet variant ``name`` (a key of ``VARIANTS``; densenet121 has 7,978,856
    parameters with 1000 classes); keyword arguments go to ``DenseNet`` (bn_size,
    drop_rate, in_channels)."""
    if name not in VARIANTS:
        raise ValueError(f"unknown DenseNet variant {name!r}; known: {', '.join(VARIANTS)}")
    growth_rate, block_config, num_init_features = VARIANTS[name]
    return DenseNet(growth_rate, block_config, num_init_features, num_classes=num_classes,
                    **kwargs)


for _name in VARIANTS:
    registry.register(_name)(partial(densenet, _name))
