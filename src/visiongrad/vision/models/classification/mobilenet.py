"""MobileNets: v1 (Howard et al., 2017), built from depthwise-separable convolutions, and v2
(Sandler et al., 2018), torchvision's ``MobileNetV2`` with inverted residual blocks.

A depthwise-separable convolution factors a k×k convolution C_in → C_out into a depthwise
k×k convolution (``groups=C_in``: one filter per channel) and a pointwise 1×1 convolution
that mixes channels. Per output position it costs C_in·k² + C_in·C_out multiply-adds
instead of C_in·C_out·k², a ratio of 1/C_out + 1/k² (about 1/8 to 1/9 for 3×3).
"""
from collections import OrderedDict

from ... import _models_registry as registry
from ....nn import (BatchNorm2d, Conv2d, Dropout, Linear, Module, ReLU, ReLU6, Sequential,
                    init)
from ....nn import functional as F


def _make_divisible(v, divisor, min_value=None):
    """v rounded to the nearest multiple of ``divisor`` (at least ``min_value``), never
    more than 10% below v; torchvision's rule for scaled channel counts."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


class Conv2dNormActivation(Sequential):
    """conv (no bias, "same" padding) -> BatchNorm2d -> activation, as children 0, 1, 2
    (torchvision's ``Conv2dNormActivation``, formerly ``ConvBNReLU``)."""

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, groups=1,
                 activation_layer=ReLU6):
        padding = (kernel_size - 1) // 2
        super().__init__(
            Conv2d(in_channels, out_channels, kernel_size, stride, padding, groups=groups,
                   bias=False),
            BatchNorm2d(out_channels),
            activation_layer(inplace=True),
        )
        self.out_channels = out_channels


class DepthwiseSeparableConv(Sequential):
    """x (N, in_channels, H, W) -> (N, out_channels, H/stride, W/stride) through a 3×3
    depthwise conv-BN-ReLU and a 1×1 pointwise conv-BN-ReLU."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__(OrderedDict([
            ("depthwise", Conv2dNormActivation(in_channels, in_channels, stride=stride,
                                               groups=in_channels, activation_layer=ReLU)),
            ("pointwise", Conv2dNormActivation(in_channels, out_channels, kernel_size=1,
                                               activation_layer=ReLU)),
        ]))


def _init_weights(model):
    """He-normal (fan_out) convs, BN γ=1 β=0, N(0, 0.01) linear weights, zero biases
    (torchvision's MobileNet initialisation)."""
    for m in model.modules():
        if isinstance(m, Conv2d):
            init.kaiming_normal_(m.weight, mode="fan_out")
            if m.bias is not None:
                init.zeros_(m.bias)
        elif isinstance(m, BatchNorm2d):
            init.ones_(m.weight)
            init.zeros_(m.bias)
        elif isinstance(m, Linear):
            init.normal_(m.weight, 0, 0.01)
            init.zeros_(m.bias)


# MobileNet v1 (Table 1 of the paper): (out_channels, stride) of the 13 depthwise-separable
# blocks after the 32-channel stride-2 stem
v1_blocks = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
             (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]

# MobileNet v2 (Table 2 of the paper): expansion factor t, output channels c, repeats n,
# stride s of the first repeat
v2_setting = [
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 2],
    [6, 320, 1, 1],
]


class MobileNetV1(Module):
    """x (N, in_channels, H, W) -> (N, num_classes); 224×224 in the paper, H, W ≥ 1 work
    (global average pool). 4,231,976 parameters at width 1 with 1000 classes, the paper's
    4.2 M.

    Args:
        num_classes: number of output scores.
        width_mult: the paper's α, scaling every layer's channels (rounded to multiples of
            ``round_nearest``).
        blocks: (out_channels, stride) of each depthwise-separable block; the paper's 13 by
            default.
        round_nearest: channel counts are multiples of this.
        in_channels: channels of the input image.
    """

    def __init__(self, num_classes=1000, width_mult=1.0, blocks=None, round_nearest=8,
                 in_channels=3):
        super().__init__()
        channels = _make_divisible(32 * width_mult, round_nearest)
        features = [Conv2dNormActivation(in_channels, channels, stride=2, activation_layer=ReLU)]
        for out_channels, stride in v1_blocks if blocks is None else blocks:
            out_channels = _make_divisible(out_channels * width_mult, round_nearest)
            features.append(DepthwiseSeparableConv(channels, out_channels, stride))
            channels = out_channels
        self.features = Sequential(*features)
        self.classifier = Linear(channels, num_classes)
        _init_weights(self)

    def forward(self, x):
        x = self.features(x)
        x = F.adaptive_avg_pool2d(x, (1, 1)).flatten(1)  # (N, channels)
        return self.classifier(x)


class InvertedResidual(Module):
    """x (N, inp, H, W) -> (N, oup, H/stride, W/stride): 1×1 expansion to inp·expand_ratio
    (ReLU6), 3×3 depthwise (ReLU6), then a linear 1×1 projection (no activation: ReLU on
    the narrow output would destroy information); x is added back when the shapes match."""

    def __init__(self, inp, oup, stride, expand_ratio):
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"InvertedResidual: stride should be 1 or 2, got {stride}")
        self.stride = stride
        hidden_dim = int(round(inp * expand_ratio))
        self.use_res_connect = self.stride == 1 and inp == oup

        layers = []
        if expand_ratio != 1:
            layers.append(Conv2dNormActivation(inp, hidden_dim, kernel_size=1))
        layers += [
            Conv2dNormActivation(hidden_dim, hidden_dim, stride=stride, groups=hidden_dim),
            Conv2d(hidden_dim, oup, 1, 1, 0, bias=False),
            BatchNorm2d(oup),
        ]
        self.conv = Sequential(*layers)
        self.out_channels = oup

    def forward(self, x):
        if self.use_res_connect:
            return x + self.conv(x)
        return self.conv(x)


class MobileNetV2(Module):
    """x (N, in_channels, H, W) -> (N, num_classes); any H, W ≥ 1 (global average pool).

    Args:
        num_classes: number of output scores.
        width_mult: scales every layer's channels (the last layer's only upward).
        inverted_residual_setting: rows (t, c, n, s): expansion factor, output channels,
            repeats, stride of the first repeat; the paper's table by default.
        round_nearest: channel counts are multiples of this (1 turns rounding off).
        dropout: drop probability before the classifier.
        in_channels: channels of the input image.
    """

    def __init__(self, num_classes=1000, width_mult=1.0, inverted_residual_setting=None,
                 round_nearest=8, dropout=0.2, in_channels=3):
        super().__init__()
        if inverted_residual_setting is None:
            inverted_residual_setting = v2_setting
        if len(inverted_residual_setting) == 0 or any(len(row) != 4
                                                      for row in inverted_residual_setting):
            raise ValueError("inverted_residual_setting should be a non-empty list of "
                             f"[t, c, n, s] rows, got {inverted_residual_setting}")

        input_channel = _make_divisible(32 * width_mult, round_nearest)
        self.last_channel = _make_divisible(1280 * max(1.0, width_mult), round_nearest)
        features = [Conv2dNormActivation(in_channels, input_channel, stride=2)]
        for t, c, n, s in inverted_residual_setting:
            output_channel = _make_divisible(c * width_mult, round_nearest)
            for i in range(n):
                stride = s if i == 0 else 1
                features.append(InvertedResidual(input_channel, output_channel, stride,
                                                 expand_ratio=t))
                input_channel = output_channel
        features.append(Conv2dNormActivation(input_channel, self.last_channel, kernel_size=1))
        self.features = Sequential(*features)
        self.classifier = Sequential(Dropout(p=dropout), Linear(self.last_channel, num_classes))
        _init_weights(self)

    def forward(self, x):
        x = self.features(x)
        x = F.adaptive_avg_pool2d(x, (1, 1)).flatten(1)  # (N, last_channel)
        return self.classifier(x)


@registry.register("mobilenet_v1")
def mobilenet_v1(num_classes=1000, **kwargs):
    """MobileNet v1; keyword arguments go to ``MobileNetV1`` (width_mult, in_channels)."""
    return MobileNetV1(num_classes, **kwargs)


@registry.register("mobilenet_v2")
def mobilenet_v2(num_classes=1000, **kwargs):
    """torchvision's MobileNet v2: 3,504,872 parameters with 1000 classes; keyword arguments
    go to ``MobileNetV2`` (width_mult, dropout, in_channels)."""
    return MobileNetV2(num_classes, **kwargs)
