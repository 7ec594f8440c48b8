"""ResNet (He et al., 2015), Wide ResNet (Zagoruyko & Komodakis, 2016) and ResNeXt
(Xie et al., 2016) for ImageNet-sized inputs, with torchvision's structure (v1.5: the
stride of a bottleneck sits on its 3×3 conv), attribute names, state_dict keys,
initialization and parameter counts, so torchvision checkpoints load unchanged.

A residual block computes relu(F(x) + shortcut(x)): the layers only learn the residual
F, and a block whose F is zero is the identity (followed by the ReLU). The shortcut is
the identity, or a 1×1 projection with stride (``downsample``) where the shape changes.
Every variant is one row of ``VARIANTS``: a block type and the number of blocks in each
of the four stages.
"""
from functools import partial

from ... import _models_registry as registry
from ....nn import (AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Linear, MaxPool2d, Module, ReLU,
                    Sequential, StochasticDepth, init)


def conv3x3(in_planes, out_planes, stride=1, groups=1):
    """3×3 convolution with padding 1 and no bias (a batch norm follows)."""
    return Conv2d(in_planes, out_planes, 3, stride=stride, padding=1, groups=groups, bias=False)


def conv1x1(in_planes, out_planes, stride=1):
    """1×1 convolution without bias."""
    return Conv2d(in_planes, out_planes, 1, stride=stride, bias=False)


class _ResidualBlock(Module):
    """What BasicBlock and Bottleneck share: out = relu(drop(F(x)) + shortcut(x)), or
    relu(F(x)) for a plain block. Subclasses define ``branch`` (F) and
    ``zero_init_last``."""

    def __init__(self, downsample, stochastic_depth_prob, residual):
        super().__init__()
        if not residual and (downsample is not None or stochastic_depth_prob):
            raise ValueError("a plain block (residual=False) has no shortcut to project and "
                             "no branch to drop; pass downsample=None and "
                             "stochastic_depth_prob=0")
        self.residual = residual

    def forward(self, x):
        out = self.branch(x)
        if self.residual:
            identity = x if self.downsample is None else self.downsample(x)
            out = self.stochastic_depth(out) + identity
        return self.relu(out)


class BasicBlock(_ResidualBlock):
    """3×3 conv-BN-ReLU – 3×3 conv-BN, plus the shortcut, then ReLU (ResNet-18/34).
    About 18·H·W·C² multiply-adds at C channels and H×W positions.

    x: (N, inplanes, H, W) -> (N, planes, H / stride, W / stride).

    Args:
        downsample: the shortcut when the shape changes (a 1×1 projection with stride and
            a batch norm in torchvision; any module mapping x to the output's shape);
            None for the identity.
        stochastic_depth_prob: probability of dropping the residual branch of a training
            sample (the block is then its shortcut followed by ReLU).
        residual: False gives the "plain" block of He et al.'s degradation experiment,
            relu(F(x)) with no shortcut at all.
    """

    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64,
                 stochastic_depth_prob=0.0, residual=True):
        super().__init__(downsample, stochastic_depth_prob, residual)
        if groups != 1 or base_width != 64:
            raise ValueError(f"BasicBlock only supports groups=1 and base_width=64, got "
                             f"groups={groups}, base_width={base_width}")
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = BatchNorm2d(planes)
        self.relu = ReLU()
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")

    def branch(self, x):
        """The residual F(x), before the addition."""
        out = self.relu(self.bn1(self.conv1(x)))
        return self.bn2(self.conv2(out))

    def zero_init_last(self):
        """γ = 0 in the last batch norm: F(x) = 0, so the block starts as relu(shortcut(x))."""
        init.zeros_(self.bn2.weight)


class Bottleneck(_ResidualBlock):
    """1×1 conv (reduce to width) – 3×3 conv (stride, groups) – 1×1 conv (expand to
    4·planes), each followed by BN (and ReLU but for the last), plus the shortcut, then
    ReLU (ResNet-50 and deeper). width = planes · base_width / 64 · groups, so
    ``groups`` gives ResNeXt's parallel paths as one grouped conv and a larger
    ``base_width`` gives Wide ResNet. About 17·H·W·C² multiply-adds for C = planes at the
    block's 4C-channel input.

    x: (N, inplanes, H, W) -> (N, 4·planes, H / stride, W / stride). Arguments as
    ``BasicBlock``'s.
    """

    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64,
                 stochastic_depth_prob=0.0, residual=True):
        super().__init__(downsample, stochastic_depth_prob, residual)
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = BatchNorm2d(width)
        self.conv2 = conv3x3(width, width, stride, groups)
        self.bn2 = BatchNorm2d(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = BatchNorm2d(planes * self.expansion)
        self.relu = ReLU()
        self.downsample = downsample
        self.stride = stride
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")

    def branch(self, x):
        """The residual F(x), before the addition."""
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.bn3(self.conv3(out))

    def zero_init_last(self):
        """γ = 0 in the last batch norm: F(x) = 0, so the block starts as relu(shortcut(x))."""
        init.zeros_(self.bn3.weight)


def drop_probabilities(num_blocks, stochastic_depth_prob):
    """Huang et al. (2016)'s linear decay rule: block l of L (1-based) drops its residual
    branch with probability p·l/L, so the last block drops with p and the early blocks,
    whose features every later block uses, almost never."""
    return [stochastic_depth_prob * (index + 1) / num_blocks for index in range(num_blocks)]


def initialize(model, zero_init_residual):
    """torchvision's ResNet initialization: He-normal convs (fan_out, ReLU gain), batch
    norms at γ = 1, β = 0, Linear layers at their defaults; with ``zero_init_residual``
    every block's last γ is 0 (Goyal et al., 2017), so each block starts as the identity
    followed by ReLU."""
    for module in model.modules():
        if isinstance(module, Conv2d):
            init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(module, BatchNorm2d):
            init.ones_(module.weight)
            init.zeros_(module.bias)
    if zero_init_residual:
        for module in model.modules():
            if hasattr(module, "zero_init_last"):
                module.zero_init_last()


class ResNet(Module):
    """7×7/2 conv-BN-ReLU, 3×3/2 max pool, four stages of residual blocks at 64, 128,
    256 and 512 base channels (stride 2 at the start of stages 2–4), global average
    pooling and one Linear layer.

    x: (N, in_channels, H, W) -> (N, num_classes) scores; H, W ≥ 32 (224 for ImageNet).

    Args:
        block: ``BasicBlock`` or ``Bottleneck``.
        layers: number of blocks in each of the four stages, e.g. [2, 2, 2, 2].
        zero_init_residual: start every block as relu(shortcut(x)) (see ``initialize``).
        groups, width_per_group: ResNeXt's cardinality and per-path width (Bottleneck).
        in_channels: channels of the input images (1 for MNIST).
        stochastic_depth_prob: drop probability of the last block's residual branch,
            decaying linearly to the first (see ``drop_probabilities``); 0 disables.
    """

    def __init__(self, block, layers, num_classes=1000, zero_init_residual=False, groups=1,
                 width_per_group=64, in_channels=3, stochastic_depth_prob=0.0):
        super().__init__()
        if len(layers) != 4:
            raise ValueError(f"ResNet: layers should list the blocks of 4 stages, got {layers}")
        self.inplanes = 64
        self.groups, self.base_width = groups, width_per_group
        self.conv1 = Conv2d(in_channels, self.inplanes, 7, stride=2, padding=3, bias=False)
        self.bn1 = BatchNorm2d(self.inplanes)
        self.relu = ReLU()
        self.maxpool = MaxPool2d(kernel_size=3, stride=2, padding=1)
        drop = iter(drop_probabilities(sum(layers), stochastic_depth_prob))
        self.layer1 = self._make_layer(block, 64, layers[0], 1, drop)
        self.layer2 = self._make_layer(block, 128, layers[1], 2, drop)
        self.layer3 = self._make_layer(block, 256, layers[2], 2, drop)
        self.layer4 = self._make_layer(block, 512, layers[3], 2, drop)
        self.avgpool = AdaptiveAvgPool2d((1, 1))
        self.fc = Linear(512 * block.expansion, num_classes)
        initialize(self, zero_init_residual)

    def _make_layer(self, block, planes, blocks, stride, drop):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = Sequential(conv1x1(self.inplanes, planes * block.expansion, stride),
                                    BatchNorm2d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample, self.groups, self.base_width,
                        next(drop))]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, groups=self.groups,
                                base_width=self.base_width, stochastic_depth_prob=next(drop)))
        return Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.avgpool(x).flatten(1))


# name -> (block, blocks per stage, extra ResNet arguments); the Wide ResNets double the
# bottleneck's inner width (64 -> 128 per group), the ResNeXts split it into groups
VARIANTS = {
    "resnet18": (BasicBlock, [2, 2, 2, 2], {}),
    "resnet34": (BasicBlock, [3, 4, 6, 3], {}),
    "resnet50": (Bottleneck, [3, 4, 6, 3], {}),
    "resnet101": (Bottleneck, [3, 4, 23, 3], {}),
    "resnet152": (Bottleneck, [3, 8, 36, 3], {}),
    "resnext50_32x4d": (Bottleneck, [3, 4, 6, 3], {"groups": 32, "width_per_group": 4}),
    "resnext101_32x8d": (Bottleneck, [3, 4, 23, 3], {"groups": 32, "width_per_group": 8}),
    "wide_resnet50_2": (Bottleneck, [3, 4, 6, 3], {"width_per_group": 128}),
    "wide_resnet101_2": (Bottleneck, [3, 4, 23, 3], {"width_per_group": 128}),
}


def resnet(name, num_classes=1000, **kwargs):
    """The ResNet variant ``name`` (a key of ``VARIANTS``); keyword arguments go to
    ``ResNet`` (e.g. in_channels=1, zero_init_residual=True, stochastic_depth_prob=0.2)."""
    if name not in VARIANTS:
        raise ValueError(f"unknown ResNet variant {name!r}; known: {', '.join(VARIANTS)}")
    block, layers, options = VARIANTS[name]
    return ResNet(block, layers, num_classes=num_classes, **{**options, **kwargs})


for _name in VARIANTS:
    registry.register(_name)(partial(resnet, _name))
