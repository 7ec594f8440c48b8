"""A small fully convolutional encoder–decoder for semantic segmentation (Long et al.,
2015; Noh et al., 2015): Conv-BN-ReLU blocks, downsampling by 2 between them, then the
mirror image upsampling by 2, and a 1×1 classifier.

    x: (N, in_channels, H, W) -> scores (N, num_classes, H, W)

H and W must be multiples of 2^(len(widths) - 1), so that upsampling returns exactly to
the input size. Train with ``F.cross_entropy(scores, target)``, target (N, H, W).
"""
from dataclasses import dataclass

from ... import _models_registry as registry
from ....nn import (BatchNorm2d, Conv2d, ConvTranspose2d, MaxPool2d, MaxUnpool2d, Module,
                    ModuleList, ReLU, Sequential)

_DOWNSAMPLING = ("max_pool", "strided_conv")
_UPSAMPLING = ("transposed_conv", "max_unpool")


@dataclass
class FCNConfig:
    in_channels: int = 3                 # RGB input
    num_classes: int = 4                 # background + SyntheticShapes' three shapes
    widths: tuple = (16, 32, 64)         # channels at each resolution, full resolution first
    downsampling: str = "max_pool"       # 'max_pool' (2×2) or 'strided_conv' (3×3, stride 2)
    upsampling: str = "transposed_conv"  # learned 2×2 stride-2 ConvTranspose2d, or
                                         # 'max_unpool' (needs max_pool's switches)
    skip_connections: bool = True        # add the encoder map of the same resolution


def _block(in_channels, out_channels):
    # no conv bias: BatchNorm's shift replaces it
    return Sequential(Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
                      BatchNorm2d(out_channels), ReLU())


class FCN(Module):
    """Encoder–decoder FCN built from ``FCNConfig``; see the module docstring for shapes."""

    def __init__(self, config=FCNConfig()):
        super().__init__()
        c = config
        if c.downsampling not in _DOWNSAMPLING:
            raise ValueError(f"FCN: downsampling should be one of {_DOWNSAMPLING}, "
                             f"but got {c.downsampling!r}")
        if c.upsampling not in _UPSAMPLING:
            raise ValueError(f"FCN: upsampling should be one of {_UPSAMPLING}, "
                             f"but got {c.upsampling!r}")
        if c.upsampling == "max_unpool" and c.downsampling != "max_pool":
            raise ValueError("FCN: upsampling 'max_unpool' needs downsampling 'max_pool', "
                             "whose argmax positions it puts the values back to")
        if len(c.widths) < 2:
            raise ValueError(f"FCN: widths should name at least two resolutions, got {c.widths}")
        self.config = config
        widths = c.widths
        self.encoder = ModuleList([_block(c.in_channels if i == 0 else widths[i - 1], width)
                                   for i, width in enumerate(widths)])
        if c.downsampling == "max_pool":
            self.downsample = ModuleList([MaxPool2d(2, return_indices=c.upsampling == "max_unpool")
                                          for _ in widths[:-1]])
        else:
            self.downsample = ModuleList([Conv2d(width, width, 3, stride=2, padding=1)
                                          for width in widths[:-1]])
        # decoder index i brings resolution i + 1 back to resolution i
        if c.upsampling == "transposed_conv":
            self.upsample = ModuleList([ConvTranspose2d(widths[i + 1], widths[i], 2, stride=2)
                                        for i in range(len(widths) - 1)])
        else:
            # 1×1 conv to the pooled map's channels, then the switches restore positions
            self.reduce = ModuleList([Conv2d(widths[i + 1], widths[i], 1)
                                      for i in range(len(widths) - 1)])
            self.upsample = ModuleList([MaxUnpool2d(2) for _ in widths[:-1]])
        self.decoder = ModuleList([_block(width, width) for width in widths[:-1]])
        self.classifier = Conv2d(widths[0], c.num_classes, 1)

    def forward(self, x):
        factor = 2 ** (len(self.config.widths) - 1)
        if x.ndim != 4 or x.shape[2] % factor or x.shape[3] % factor:
            raise ValueError(f"FCN: input should be (N, C, H, W) with H and W multiples of "
                             f"{factor}, but got {tuple(x.shape)}")
        skips, switches = [], []
        for i, block in enumerate(self.encoder):
            x = block(x)  # (N, widths[i], H / 2^i, W / 2^i)
            if i < len(self.downsample):
                skips.append(x)
                x = self.downsample[i](x)
                if self.config.upsampling == "max_unpool":
                    x, indices = x
                    switches.append(indices)
        for i in reversed(range(len(self.decoder))):
            if self.config.upsampling == "max_unpool":
                x = self.upsample[i](self.reduce[i](x), switches[i], output_size=skips[i].shape)
            else:
                x = self.upsample[i](x)
            if self.config.skip_connections:
                x = x + skips[i]
            x = self.decoder[i](x)
        return self.classifier(x)


@registry.register("fcn_small")
def fcn_small(num_classes=4, **kwargs):
    """The default ``FCN``: 16-32-64 channels, max-pool down, transposed conv up, skips;
    other keyword arguments are ``FCNConfig`` fields."""
    return FCN(FCNConfig(num_classes=num_classes, **kwargs))
