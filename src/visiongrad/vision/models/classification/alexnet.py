"""AlexNet (Krizhevsky, Sutskever & Hinton, 2012) and its relatives, built from a layer table.

A feature extractor is a list of rows: ``(out_channels, kernel_size, stride, padding)`` is a
convolution followed by ReLU, "M" a 3×3 stride-2 max-pool, "C" the same pool with
``ceil_mode`` (ZFNet's sizes), "N" local response normalisation with the paper's size 5,
α 1e-4, β 0.75, k 2. The classifier is always dropout-4096-dropout-4096-classes on the
features average-pooled to 6×6.
"""
from functools import partial

from ... import _models_registry as registry
from ....nn import (AdaptiveAvgPool2d, Conv2d, Dropout, Linear, LocalResponseNorm, MaxPool2d,
                    Module, ReLU, Sequential)

cfgs = {
    # torchvision's single-tower network (after Krizhevsky's "one weird trick", 2014):
    # 64-192-384-256-256 filters, no LRN; 61,100,840 parameters.
    "alexnet": [(64, 11, 4, 2), "M", (192, 5, 1, 2), "M", (384, 3, 1, 1), (256, 3, 1, 1),
                (256, 3, 1, 1), "M"],
    # The 2012 paper's 96-256-384-384-256 filters with LRN after conv1 and conv2, as one tower
    # (the paper split conv2, conv4 and conv5 across two GPUs); a 227×227 input gives the
    # CS231n sizes 96×55×55 after conv1 and 256×6×6 after the last pool; 62,378,344 parameters.
    "alexnet_lrn": [(96, 11, 4, 0), "N", "M", (256, 5, 1, 2), "N", "M", (384, 3, 1, 1),
                    (384, 3, 1, 1), (256, 3, 1, 1), "M"],
}


def make_layers(cfg, in_channels=3):
    """The ``features`` Sequential for one table row (indices as torchvision's: conv and its
    ReLU are separate children)."""
    layers = []
    for row in cfg:
        if row == "M":
            layers.append(MaxPool2d(kernel_size=3, stride=2))
        elif row == "C":
            layers.append(MaxPool2d(kernel_size=3, stride=2, ceil_mode=True))
        elif row == "N":
            layers.append(LocalResponseNorm(size=5, alpha=1e-4, beta=0.75, k=2.0))
        elif isinstance(row, tuple) and len(row) == 4:
            out_channels, kernel_size, stride, padding = row
            layers += [Conv2d(in_channels, out_channels, kernel_size, stride, padding),
                       ReLU(inplace=True)]
            in_channels = out_channels
        else:
            raise ValueError(f"unknown AlexNet layer row {row!r}: expected 'M', 'C', 'N' or "
                             "(out_channels, kernel_size, stride, padding)")
    return Sequential(*layers), in_channels


class AlexNet(Module):
    """features -> avgpool to 6×6 -> classifier: x (N, in_channels, H, W) -> (N, num_classes).

    With the default table this is torchvision's ``AlexNet`` (same attribute names,
    state_dict keys and shapes); H, W ≥ 63 for it (227 in the course tables).

    Args:
        num_classes: number of output scores.
        dropout: drop probability of the two dropout layers.
        cfg: feature-extractor table (see the module docstring).
        in_channels: channels of the input image.
    """

    def __init__(self, num_classes=1000, dropout=0.5, cfg=None, in_channels=3):
        super().__init__()
        self.features, channels = make_layers(cfgs["alexnet"] if cfg is None else cfg,
                                              in_channels)
        # adaptive, so any input large enough for the features reaches the 6×6 the paper's
        # 227×227 input gives
        self.avgpool = AdaptiveAvgPool2d((6, 6))
        self.classifier = Sequential(
            Dropout(p=dropout),
            Linear(channels * 6 * 6, 4096),
            ReLU(inplace=True),
            Dropout(p=dropout),
            Linear(4096, 4096),
            ReLU(inplace=True),
            Linear(4096, num_classes),
        )

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = x.flatten(1)  # (N, C·6·6)
        return self.classifier(x)


def alexnet(name="alexnet", num_classes=1000, **kwargs):
    """The AlexNet variant ``name`` (a key of ``cfgs``); keyword arguments go to ``AlexNet``
    (dropout, in_channels)."""
    if name not in cfgs:
        raise ValueError(f"unknown AlexNet variant {name!r}; known: {', '.join(cfgs)}")
    return AlexNet(num_classes, cfg=cfgs[name], **kwargs)


for _name in cfgs:
    registry.register(_name)(partial(alexnet, _name))
