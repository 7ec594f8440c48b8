"""Residual networks for small (32×32 CIFAR, 28×28 MNIST) images: a 3×3 stem without
max pooling, stages of residual blocks (stride 2 at the start of every stage but the
first), global average pooling and one Linear layer.

- resnet20/32/56/110: He et al. (2015) §4.2, 3 stages of 16/32/64 channels with n =
  3/5/9/18 basic blocks each (6n + 2 layers). Their shortcuts are option A by default:
  the identity, subsampled and zero-padded with extra channels where the shape changes,
  so they add no parameters (resnet20: 0.27M parameters). ``shortcut="B"`` uses 1×1
  projections there instead. ``plain=True`` removes every shortcut: the plain nets of
  the paper's degradation experiment (Fig. 6).
- preact_resnet18: pre-activation blocks (He et al., 2016, "Identity mappings"),
  BN-ReLU-conv-BN-ReLU-conv plus the shortcut with nothing after the addition, at
  64/128/256/512 channels.
- se_resnet18: basic blocks with squeeze-excitation (Hu et al., 2018, r = 16) at
  64/128/256/512 channels.

Every variant is one row of ``VARIANTS``. None of these is in torchvision, so only the
blocks' names follow it (conv1, bn1, layer1..., downsample, fc).
"""
from functools import partial

from ... import _models_registry as registry
from ....nn import (AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Linear, Module, ReLU, Sequential,
                    Sigmoid, StochasticDepth, functional as F, init)
from .resnet import BasicBlock, conv1x1, conv3x3, drop_probabilities, initialize


class ZeroPadShortcut(Module):
    """He et al.'s option A shortcut: the identity where the shape changes, taking every
    ``stride``-th pixel and appending zero channels; no parameters.

    x: (N, in_planes, H, W) -> (N, out_planes, ceil(H / stride), ceil(W / stride)).
    """

    def __init__(self, in_planes, out_planes, stride):
        super().__init__()
        if out_planes < in_planes:
            raise ValueError(f"ZeroPadShortcut: cannot pad {in_planes} channels down to "
                             f"{out_planes}")
        self.in_planes, self.out_planes, self.stride = in_planes, out_planes, stride

    def forward(self, x):
        x = x[:, :, ::self.stride, ::self.stride]
        return F.pad(x, (0, 0, 0, 0, 0, self.out_planes - self.in_planes))

    def extra_repr(self):
        return f"{self.in_planes}, {self.out_planes}, stride={self.stride}"


class SqueezeExcitation(Module):
    """Squeeze-and-excitation (Hu et al., 2018), torchvision.ops.SqueezeExcitation:
    scale = sigmoid(fc2(relu(fc1(avgpool(x))))), output x · scale, one weight per channel.
    fc1/fc2 are 1×1 convs with bias: 2·C·C' + C + C' parameters for C input and C'
    squeeze channels.

    x: (N, input_channels, H, W) -> the same shape.
    """

    def __init__(self, input_channels, squeeze_channels):
        super().__init__()
        self.avgpool = AdaptiveAvgPool2d(1)
        self.fc1 = Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = Conv2d(squeeze_channels, input_channels, 1)
        self.activation = ReLU()
        self.scale_activation = Sigmoid()

    def forward(self, x):
        scale = self.fc2(self.activation(self.fc1(self.avgpool(x))))  # (N, C, 1, 1)
        return x * self.scale_activation(scale)


class SEBasicBlock(BasicBlock):
    """A basic block whose residual branch is rescaled channel-wise by squeeze-excitation
    before the addition (Hu et al., 2018, Fig. 3, r = ``reduction``)."""

    reduction = 16

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64,
                 stochastic_depth_prob=0.0, residual=True):
        super().__init__(inplanes, planes, stride, downsample, groups, base_width,
                         stochastic_depth_prob, residual)
        self.se = SqueezeExcitation(planes, max(planes // self.reduction, 1))

    def branch(self, x):
        return self.se(super().branch(x))


class PreActBlock(Module):
    """Pre-activation basic block (He et al., 2016): out = conv2(relu(bn2(conv1(relu(
    bn1(x)))))) + shortcut(x), with no BN or ReLU after the addition, so the shortcut path
    from the input of the network to its output is purely linear (the identity, or a
    zero-padding or 1×1 projection where the shape changes).

    x: (N, inplanes, H, W) -> (N, planes, H / stride, W / stride). Arguments as
    ``BasicBlock``'s (no groups, no plain variant).
    """

    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, stochastic_depth_prob=0.0):
        super().__init__()
        self.bn1 = BatchNorm2d(inplanes)
        self.relu = ReLU()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn2 = BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes)
        self.downsample = downsample
        self.stride = stride
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")

    def branch(self, x):
        """The residual F(x), before the addition."""
        out = self.conv1(self.relu(self.bn1(x)))
        return self.conv2(self.relu(self.bn2(out)))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        return self.stochastic_depth(self.branch(x)) + identity

    def zero_init_last(self):
        """No batch norm ends the branch, so the last conv starts at zero: F(x) = 0."""
        init.zeros_(self.conv2.weight)


class CifarResNet(Module):
    """A 3×3 stem conv, ``len(layers)`` stages, global average pooling, Linear.

    x: (N, in_channels, H, W) -> (N, num_classes) scores (H = W = 32 for CIFAR-10).

    Args:
        block: ``BasicBlock``, ``SEBasicBlock`` or ``PreActBlock``.
        layers: number of blocks in each stage, e.g. [3, 3, 3] for resnet20.
        widths: channels of each stage, e.g. (16, 32, 64).
        shortcut: "A" (zero-padding identity, parameter-free) or "B" (1×1 projection, with
            a batch norm after it in post-activation nets) where the shape changes.
        plain: no shortcuts at all (basic blocks only).
        zero_init_residual: start every block with a zero residual branch.
        stochastic_depth_prob: drop probability of the last block's branch, decaying
            linearly to the first (Huang et al. trained resnet110 with 0.5).
    """

    def __init__(self, block, layers, widths, num_classes=10, in_channels=3, shortcut="A",
                 plain=False, zero_init_residual=False, stochastic_depth_prob=0.0):
        super().__init__()
        if len(layers) != len(widths):
            raise ValueError(f"CifarResNet: {len(layers)} stages in layers={layers} but "
                             f"{len(widths)} in widths={widths}")
        if shortcut not in ("A", "B"):
            raise ValueError(f"CifarResNet: shortcut must be 'A' (zero-padding) or 'B' "
                             f"(projection), got {shortcut!r}")
        self.preactivation = issubclass(block, PreActBlock)
        if plain and (self.preactivation or stochastic_depth_prob):
            raise ValueError("CifarResNet: plain=True needs post-activation blocks and "
                             "stochastic_depth_prob=0 (there is no shortcut to keep)")
        self.num_stages = len(layers)
        self.shortcut, self.plain = shortcut, plain
        self.inplanes = widths[0]
        self.conv1 = conv3x3(in_channels, widths[0])
        # pre-activation blocks normalize their own input, and the last block's sum is
        # left unnormalized, so their BN-ReLU comes after the last stage instead of after
        # the stem (He et al., 2016)
        if not self.preactivation:
            self.bn1 = BatchNorm2d(widths[0])
        self.relu = ReLU()
        drop = iter(drop_probabilities(sum(layers), stochastic_depth_prob))
        for index, (blocks, width) in enumerate(zip(layers, widths)):
            stage = self._make_layer(block, width, blocks, 1 if index == 0 else 2, drop)
            setattr(self, f"layer{index + 1}", stage)
        if self.preactivation:
            self.bn_final = BatchNorm2d(widths[-1] * block.expansion)
        self.avgpool = AdaptiveAvgPool2d((1, 1))
        self.fc = Linear(widths[-1] * block.expansion, num_classes)
        initialize(self, zero_init_residual)

    def _make_downsample(self, block, planes, stride):
        out_planes = planes * block.expansion
        if self.plain or (stride == 1 and self.inplanes == out_planes):
            return None
        if self.shortcut == "A":
            return ZeroPadShortcut(self.inplanes, out_planes, stride)
        if self.preactivation:
            # the sum feeds the next block's batch norm, so the projection needs none
            return Sequential(conv1x1(self.inplanes, out_planes, stride))
        return Sequential(conv1x1(self.inplanes, out_planes, stride), BatchNorm2d(out_planes))

    def _make_layer(self, block, planes, blocks, stride, drop):
        layers = []
        for index in range(blocks):
            stride_here = stride if index == 0 else 1
            downsample = self._make_downsample(block, planes, stride_here)
            options = {} if self.preactivation else {"residual": not self.plain}
            layers.append(block(self.inplanes, planes, stride_here, downsample,
                                stochastic_depth_prob=next(drop), **options))
            self.inplanes = planes * block.expansion
        return Sequential(*layers)

    def forward(self, x):
        x = self.conv1(x)
        if not self.preactivation:
            x = self.relu(self.bn1(x))
        for index in range(self.num_stages):
            x = getattr(self, f"layer{index + 1}")(x)
        if self.preactivation:
            x = self.relu(self.bn_final(x))
        return self.fc(self.avgpool(x).flatten(1))


# name -> (block, blocks per stage, channels per stage, default shortcut option)
VARIANTS = {
    "resnet20": (BasicBlock, [3, 3, 3], (16, 32, 64), "A"),
    "resnet32": (BasicBlock, [5, 5, 5], (16, 32, 64), "A"),
    "resnet56": (BasicBlock, [9, 9, 9], (16, 32, 64), "A"),
    "resnet110": (BasicBlock, [18, 18, 18], (16, 32, 64), "A"),
    "preact_resnet18": (PreActBlock, [2, 2, 2, 2], (64, 128, 256, 512), "B"),
    "se_resnet18": (SEBasicBlock, [2, 2, 2, 2], (64, 128, 256, 512), "B"),
}


def cifar_resnet(name, num_classes=10, **kwargs):
    """The small-image ResNet variant ``name`` (a key of ``VARIANTS``); keyword arguments
    go to ``CifarResNet`` (e.g. in_channels=1, plain=True, shortcut="B", widths=(8, 16,
    32))."""
    if name not in VARIANTS:
        raise ValueError(f"unknown CIFAR ResNet variant {name!r}; known: {', '.join(VARIANTS)}")
    block, layers, widths, shortcut = VARIANTS[name]
    return CifarResNet(block, layers, **{"widths": widths, "shortcut": shortcut, **kwargs},
                       num_classes=num_classes)


for _name in VARIANTS:
    registry.register(_name)(partial(cifar_resnet, _name))
