"""VGG (Simonyan & Zisserman, 2015): stages of 3×3 stride-1 pad-1 convolutions, each stage
ended by a 2×2 stride-2 max-pool, then three fully connected layers. torchvision's
``VGG``, ``make_layers`` and ``cfgs``.

Three stacked 3×3 convolutions see a 7×7 window, as one 7×7 would, with 27C² weights
instead of 49C² and two more ReLUs in between. Most parameters sit in the first fully
connected layer (102,764,544 of vgg16's 138,357,544); most activation memory sits in the
first, full-resolution stages.
"""
from functools import partial

from ... import _models_registry as registry
from ....nn import (AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dropout, Linear, MaxPool2d, Module,
                    ReLU, Sequential, init)

# The paper's configurations: an int is a 3×3 conv with that many filters, "M" a max-pool.
cfgs = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512,
          "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512,
          512, 512, 512, "M"],
}


def make_layers(cfg, batch_norm=False, in_channels=3):
    """The ``features`` Sequential for one configuration: conv[-BN]-ReLU per int, a 2×2
    max-pool per "M"."""
    layers = []
    for v in cfg:
        if v == "M":
            layers.append(MaxPool2d(kernel_size=2, stride=2))
        elif isinstance(v, int):
            conv2d = Conv2d(in_channels, v, kernel_size=3, padding=1)
            if batch_norm:
                layers += [conv2d, BatchNorm2d(v), ReLU(inplace=True)]
            else:
                layers += [conv2d, ReLU(inplace=True)]
            in_channels = v
        else:
            raise ValueError(f"unknown VGG layer {v!r}: expected an int or 'M'")
    return Sequential(*layers)


class VGG(Module):
    """features -> avgpool to 7×7 -> classifier: x (N, C, H, W) -> (N, num_classes),
    H, W ≥ 32 (five 2×2 pools).

    Args:
        features: the convolutional stages, from ``make_layers``; they must end in 512 maps.
        num_classes: number of output scores.
        init_weights: He-normal (fan_out) convs, N(0, 0.01) linear weights, zero biases,
            as torchvision; False keeps the layers' default initialisation.
        dropout: drop probability of the two dropout layers.
    """

    def __init__(self, features, num_classes=1000, init_weights=True, dropout=0.5):
        super().__init__()
        self.features = features
        # adaptive, so inputs smaller than 224×224 still reach the classifier's 512·7·7
        self.avgpool = AdaptiveAvgPool2d((7, 7))
        self.classifier = Sequential(
            Linear(512 * 7 * 7, 4096),
            ReLU(True),
            Dropout(p=dropout),
            Linear(4096, 4096),
            ReLU(True),
            Dropout(p=dropout),
            Linear(4096, num_classes),
        )
        if init_weights:
            for m in self.modules():
                if isinstance(m, Conv2d):
                    init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        init.constant_(m.bias, 0)
                elif isinstance(m, BatchNorm2d):
                    init.constant_(m.weight, 1)
                    init.constant_(m.bias, 0)
                elif isinstance(m, Linear):
                    init.normal_(m.weight, 0, 0.01)
                    init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = x.flatten(1)  # (N, 512·7·7)
        return self.classifier(x)


# name -> (configuration, batch norm)
VARIANTS = {
    "vgg11": ("A", False),
    "vgg11_bn": ("A", True),
    "vgg13": ("B", False),
    "vgg13_bn": ("B", True),
    "vgg16": ("D", False),
    "vgg16_bn": ("D", True),
    "vgg19": ("E", False),
    "vgg19_bn": ("E", True),
}


def vgg(name, num_classes=1000, in_channels=3, **kwargs):
    """The VGG variant ``name`` (a key of ``VARIANTS``; vgg16 has 138,357,544 parameters with
    1000 classes); keyword arguments go to ``VGG`` (init_weights, dropout)."""
    if name not in VARIANTS:
        raise ValueError(f"unknown VGG variant {name!r}; known: {', '.join(VARIANTS)}")
    cfg, batch_norm = VARIANTS[name]
    return VGG(make_layers(cfgs[cfg], batch_norm, in_channels), num_classes, **kwargs)


for _name in VARIANTS:
    registry.register(_name)(partial(vgg, _name))
