"""ShuffleNet V2 (Ma et al., 2018): torchvision's ``ShuffleNetV2``.

Each unit splits its channels in two (or, when downsampling, feeds the whole input to two
strided branches), transforms one half with 1×1 conv - 3×3 depthwise conv - 1×1 conv,
concatenates, and shuffles channels so that the next unit's split mixes both halves.
"""
from functools import partial

from ... import _models_registry as registry
from ....nn import BatchNorm2d, Conv2d, Linear, MaxPool2d, Module, ReLU, Sequential
from ....tensor import cat


def channel_shuffle(x, groups):
    """x (N, C, H, W) -> (N, C, H, W) with channel g·(C/groups) + i moved to
    i·groups + g: view as (groups, C/groups), transpose, flatten. A permutation;
    ``channel_shuffle(channel_shuffle(x, g), C // g)`` restores x."""
    N, C, H, W = x.shape
    if C % groups:
        raise ValueError(f"channel_shuffle: {C} channels do not split into {groups} groups")
    x = x.reshape(N, groups, C // groups, H, W)
    x = x.transpose(1, 2)  # (N, C/groups, groups, H, W)
    return x.reshape(N, C, H, W)


def _depthwise_conv(channels, stride):
    return Conv2d(channels, channels, 3, stride, 1, bias=False, groups=channels)


class InvertedResidual(Module):
    """x (N, inp, H, W) -> (N, oup, H/stride, W/stride). With stride 1 (inp == oup) the
    first half of the channels passes through unchanged; with stride 2 ``branch1``
    (depthwise-pointwise) downsamples the whole input beside ``branch2``."""

    def __init__(self, inp, oup, stride):
        super().__init__()
        if not 1 <= stride <= 3:
            raise ValueError(f"InvertedResidual: illegal stride value {stride}")
        self.stride = stride
        branch_features = oup // 2
        if self.stride == 1 and inp != branch_features << 1:
            raise ValueError(f"Invalid combination of stride {stride}, inp {inp} and oup {oup} "
                             "values. If stride == 1 then inp should be equal to oup // 2 << 1.")

        if self.stride > 1:
            self.branch1 = Sequential(
                _depthwise_conv(inp, self.stride),
                BatchNorm2d(inp),
                Conv2d(inp, branch_features, kernel_size=1, stride=1, padding=0, bias=False),
                BatchNorm2d(branch_features),
                ReLU(inplace=True),
            )
        else:
            self.branch1 = Sequential()

        self.branch2 = Sequential(
            Conv2d(inp if self.stride > 1 else branch_features, branch_features, kernel_size=1,
                   stride=1, padding=0, bias=False),
            BatchNorm2d(branch_features),
            ReLU(inplace=True),
            _depthwise_conv(branch_features, self.stride),
            BatchNorm2d(branch_features),
            Conv2d(branch_features, branch_features, kernel_size=1, stride=1, padding=0,
                   bias=False),
            BatchNorm2d(branch_features),
            ReLU(inplace=True),
        )

    def forward(self, x):
        if self.stride == 1:
            x1, x2 = x.chunk(2, dim=1)
            out = cat([x1, self.branch2(x2)], 1)
        else:
            out = cat([self.branch1(x), self.branch2(x)], 1)
        return channel_shuffle(out, 2)


class ShuffleNetV2(Module):
    """x (N, in_channels, H, W) -> (N, num_classes); any H, W ≥ 1 (global mean).

    Args:
        stages_repeats: units in stages 2, 3, 4 (the first of each downsamples).
        stages_out_channels: channels of conv1, stages 2-4 and conv5.
        num_classes: number of output scores.
        in_channels: channels of the input image.
    """

    def __init__(self, stages_repeats, stages_out_channels, num_classes=1000, in_channels=3):
        super().__init__()
        if len(stages_repeats) != 3:
            raise ValueError("expected stages_repeats as list of 3 positive ints")
        if len(stages_out_channels) != 5:
            raise ValueError("expected stages_out_channels as list of 5 positive ints")
        self._stage_out_channels = stages_out_channels

        output_channels = self._stage_out_channels[0]
        self.conv1 = Sequential(
            Conv2d(in_channels, output_channels, 3, 2, 1, bias=False),
            BatchNorm2d(output_channels),
            ReLU(inplace=True),
        )
        input_channels = output_channels
        self.maxpool = MaxPool2d(kernel_size=3, stride=2, padding=1)

        for name, repeats, output_channels in zip(("stage2", "stage3", "stage4"), stages_repeats,
                                                  self._stage_out_channels[1:]):
            units = [InvertedResidual(input_channels, output_channels, 2)]
            units += [InvertedResidual(output_channels, output_channels, 1)
                      for _ in range(repeats - 1)]
            setattr(self, name, Sequential(*units))
            input_channels = output_channels

        output_channels = self._stage_out_channels[-1]
        self.conv5 = Sequential(
            Conv2d(input_channels, output_channels, 1, 1, 0, bias=False),
            BatchNorm2d(output_channels),
            ReLU(inplace=True),
        )
        self.fc = Linear(output_channels, num_classes)

    def forward(self, x):
        x = self.maxpool(self.conv1(x))  # (N, C1, H/4, W/4)
        x = self.stage4(self.stage3(self.stage2(x)))  # (N, C4, H/32, W/32)
        x = self.conv5(x)
        x = x.mean((2, 3))  # global average pool: (N, C5)
        return self.fc(x)


# name -> (stages_repeats, stages_out_channels); x1_0 has 2,278,604 parameters with 1000
# classes, x0_5 1,366,792, x1_5 3,503,624, x2_0 7,393,996
VARIANTS = {
    "shufflenet_v2_x0_5": ([4, 8, 4], [24, 48, 96, 192, 1024]),
    "shufflenet_v2_x1_0": ([4, 8, 4], [24, 116, 232, 464, 1024]),
    "shufflenet_v2_x1_5": ([4, 8, 4], [24, 176, 352, 704, 1024]),
    "shufflenet_v2_x2_0": ([4, 8, 4], [24, 244, 488, 976, 2048]),
}


def shufflenet_v2(name, num_classes=1000, **kwargs):
    """The ShuffleNet V2 width ``name`` (a key of ``VARIANTS``); keyword arguments go to
    ``ShuffleNetV2`` (in_channels)."""
    if name not in VARIANTS:
        raise ValueError(f"unknown ShuffleNet V2 variant {name!r}; known: {', '.join(VARIANTS)}")
    stages_repeats, stages_out_channels = VARIANTS[name]
    return ShuffleNetV2(stages_repeats, stages_out_channels, num_classes, **kwargs)


for _name in VARIANTS:
    registry.register(_name)(partial(shufflenet_v2, _name))
