"""GoogLeNet / Inception v1 (Szegedy et al., 2015): torchvision's ``GoogLeNet``.

An Inception module runs four branches on the same input and concatenates them along
channels: 1×1; 1×1 reduce then 3×3; 1×1 reduce then "5×5"; 3×3 max-pool then 1×1 projection.
The 1×1 reductions ("bottlenecks") are what make the module affordable: on a 28×28×256
input the naive module costs 854 M multiply-adds, the bottlenecked one 271 M (see
``conv_layer_table`` in ``vision.models.summary``). A global average pool replaces the
fully connected layers of AlexNet and VGG: the head has 1,025,000 parameters instead of
the 50 M a 1024·7·7 → 1000 layer would need.
"""
from collections import namedtuple

from ... import _models_registry as registry
from ....nn import (AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dropout, Linear, MaxPool2d, Module,
                    Sequential, init)
from ....nn import functional as F
from ....tensor import cat

GoogLeNetOutputs = namedtuple("GoogLeNetOutputs", ["logits", "aux_logits2", "aux_logits1"])


class BasicConv2d(Module):
    """conv (no bias: the BN's shift replaces it) -> BN (eps 0.001, TensorFlow's value the
    ported weights were trained with) -> ReLU."""

    def __init__(self, in_channels, out_channels, **kwargs):
        super().__init__()
        self.conv = Conv2d(in_channels, out_channels, bias=False, **kwargs)
        self.bn = BatchNorm2d(out_channels, eps=0.001)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class Inception(Module):
    """x (N, in_channels, H, W) -> (N, ch1x1 + ch3x3 + ch5x5 + pool_proj, H, W)."""

    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = BasicConv2d(in_channels, ch1x1, kernel_size=1)
        self.branch2 = Sequential(
            BasicConv2d(in_channels, ch3x3red, kernel_size=1),
            BasicConv2d(ch3x3red, ch3x3, kernel_size=3, padding=1),
        )
        self.branch3 = Sequential(
            BasicConv2d(in_channels, ch5x5red, kernel_size=1),
            # 3×3, not the paper's 5×5: torchvision's known deviation (pytorch/vision#906),
            # kept so that parameter counts and pretrained weights match
            BasicConv2d(ch5x5red, ch5x5, kernel_size=3, padding=1),
        )
        self.branch4 = Sequential(
            MaxPool2d(kernel_size=3, stride=1, padding=1, ceil_mode=True),
            BasicConv2d(in_channels, pool_proj, kernel_size=1),
        )

    def forward(self, x):
        return cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class InceptionAux(Module):
    """Auxiliary classifier on an intermediate map: x (N, in_channels, H, W) ->
    avg-pool to 4×4 -> 1×1 conv to 128 -> 1024 -> (N, num_classes)."""

    def __init__(self, in_channels, num_classes, dropout=0.7):
        super().__init__()
        self.conv = BasicConv2d(in_channels, 128, kernel_size=1)
        self.fc1 = Linear(2048, 1024)
        self.fc2 = Linear(1024, num_classes)
        self.dropout = Dropout(p=dropout)

    def forward(self, x):
        x = F.adaptive_avg_pool2d(x, (4, 4))
        x = self.conv(x)
        x = x.flatten(1)  # (N, 128·4·4)
        x = F.relu(self.fc1(x))
        x = self.dropout(x)
        return self.fc2(x)


# (name, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj) of each module:
# two at 1/8 of the input resolution, five at 1/16, two at 1/32
inception_cfg = [
    ("inception3a", 192, 64, 96, 128, 16, 32, 32),
    ("inception3b", 256, 128, 128, 192, 32, 96, 64),
    ("inception4a", 480, 192, 96, 208, 16, 48, 64),
    ("inception4b", 512, 160, 112, 224, 24, 64, 64),
    ("inception4c", 512, 128, 128, 256, 24, 64, 64),
    ("inception4d", 512, 112, 144, 288, 32, 64, 64),
    ("inception4e", 528, 256, 160, 320, 32, 128, 128),
    ("inception5a", 832, 256, 160, 320, 32, 128, 128),
    ("inception5b", 832, 384, 192, 384, 48, 128, 128),
]


class GoogLeNet(Module):
    """x (N, in_channels, H, W) -> logits (N, num_classes); 224×224 in the paper, any
    H, W ≥ 15 works (ceil-mode pools, global average pool).

    In training mode with ``aux_logits`` the output is ``GoogLeNetOutputs(logits,
    aux_logits2, aux_logits1)``, the auxiliary heads reading inception4d and inception4a;
    otherwise the logits alone.

    Args:
        num_classes: number of output scores.
        aux_logits: build the two auxiliary classifiers (13,004,888 parameters instead of
            6,624,904). Default False — deliberately unlike torchvision's class default
            (True): the default model is the one its pretrained weights load into.
        transform_input: map inputs normalised with the ImageNet mean/std to the [-1, 1]
            scaling the TensorFlow-trained weights expect.
        init_weights: truncated N(0, 0.01²) conv and linear weights, BN γ=1 β=0, as
            torchvision; False keeps the layers' default initialisation.
        dropout: drop probability before the final fully connected layer.
        dropout_aux: drop probability inside the auxiliary heads.
        in_channels: channels of the input image.
    """

    def __init__(self, num_classes=1000, aux_logits=False, transform_input=False,
                 init_weights=True, dropout=0.2, dropout_aux=0.7, in_channels=3):
        super().__init__()
        self.aux_logits = aux_logits
        self.transform_input = transform_input

        self.conv1 = BasicConv2d(in_channels, 64, kernel_size=7, stride=2, padding=3)
        self.maxpool1 = MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = BasicConv2d(64, 64, kernel_size=1)
        self.conv3 = BasicConv2d(64, 192, kernel_size=3, padding=1)
        self.maxpool2 = MaxPool2d(3, stride=2, ceil_mode=True)
        for name, *channels in inception_cfg[:2]:
            setattr(self, name, Inception(*channels))
        self.maxpool3 = MaxPool2d(3, stride=2, ceil_mode=True)
        for name, *channels in inception_cfg[2:7]:
            setattr(self, name, Inception(*channels))
        self.maxpool4 = MaxPool2d(2, stride=2, ceil_mode=True)
        for name, *channels in inception_cfg[7:]:
            setattr(self, name, Inception(*channels))

        if aux_logits:
            self.aux1 = InceptionAux(512, num_classes, dropout=dropout_aux)
            self.aux2 = InceptionAux(528, num_classes, dropout=dropout_aux)
        else:
            self.aux1 = None
            self.aux2 = None

        self.avgpool = AdaptiveAvgPool2d((1, 1))
        self.dropout = Dropout(p=dropout)
        self.fc = Linear(1024, num_classes)

        if init_weights:
            for m in self.modules():
                if isinstance(m, (Conv2d, Linear)):
                    init.trunc_normal_(m.weight, mean=0.0, std=0.01, a=-2, b=2)
                elif isinstance(m, BatchNorm2d):
                    init.constant_(m.weight, 1)
                    init.constant_(m.bias, 0)

    def _transform_input(self, x):
        if not self.transform_input:
            return x
        # undo (x − mean)/std with ImageNet's mean and std, then apply (x − 0.5)/0.5
        x_ch0 = x[:, 0:1] * (0.229 / 0.5) + (0.485 - 0.5) / 0.5
        x_ch1 = x[:, 1:2] * (0.224 / 0.5) + (0.456 - 0.5) / 0.5
        x_ch2 = x[:, 2:3] * (0.225 / 0.5) + (0.406 - 0.5) / 0.5
        return cat([x_ch0, x_ch1, x_ch2], 1)

    def forward(self, x):
        x = self._transform_input(x)
        x = self.maxpool1(self.conv1(x))  # (N, 64, H/4, W/4)
        x = self.maxpool2(self.conv3(self.conv2(x)))  # (N, 192, H/8, W/8)
        x = self.inception3b(self.inception3a(x))  # (N, 480, H/8, W/8)
        x = self.maxpool3(x)
        x = self.inception4a(x)  # (N, 512, H/16, W/16)
        aux1 = self.aux1(x) if self.aux1 is not None and self.training else None
        x = self.inception4d(self.inception4c(self.inception4b(x)))  # (N, 528, H/16, W/16)
        aux2 = self.aux2(x) if self.aux2 is not None and self.training else None
        x = self.inception4e(x)  # (N, 832, H/16, W/16)
        x = self.maxpool4(x)
        x = self.inception5b(self.inception5a(x))  # (N, 1024, H/32, W/32)
        x = self.avgpool(x).flatten(1)  # (N, 1024)
        x = self.fc(self.dropout(x))
        if self.training and self.aux_logits:
            # each field holds the head it names; torchvision's eager forward swaps the two
            # (its aux_logits2 holds aux1's output)
            return GoogLeNetOutputs(x, aux2, aux1)
        return x


@registry.register("googlenet")
def googlenet(num_classes=1000, **kwargs):
    """GoogLeNet (Inception v1); keyword arguments go to ``GoogLeNet`` (aux_logits=True adds
    the two auxiliary heads; transform_input, init_weights, dropout, in_channels)."""
    return GoogLeNet(num_classes, **kwargs)
