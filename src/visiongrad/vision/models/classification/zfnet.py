"""ZFNet (Zeiler & Fergus, 2014): AlexNet with a 7×7 stride-2 conv1 (11×11 stride 4 threw
away fine detail in their visualisations) and a stride-2 conv2, as one row of AlexNet's
layer table.

The paper's sizes for a 224×224 input are 96×110×110 after conv1, 55 after pool1, 26 after
conv2, 13 after pool2 and 6 after pool5; floor-mode pools would give 54 and 12, so the pools
use ``ceil_mode``. Layers 1 and 2 are conv, ReLU, max-pool, then contrast normalisation
across feature maps (local response normalisation here).
"""
from ... import _models_registry as registry
from .alexnet import AlexNet

cfg = [(96, 7, 2, 1), "C", "N", (256, 5, 2, 0), "C", "N", (384, 3, 1, 1), (384, 3, 1, 1),
       (256, 3, 1, 1), "C"]


@registry.register("zfnet")
def zfnet(num_classes=1000, **kwargs):
    """ZFNet: x (N, in_channels, 224, 224) -> (N, num_classes); 62,357,608 parameters with
    1000 classes. Keyword arguments go to ``AlexNet`` (dropout, in_channels)."""
    return AlexNet(num_classes, cfg=cfg, **kwargs)
