"""Every registered name of the LeNet, AlexNet, ZFNet, VGG, GoogLeNet, DenseNet, MobileNet
and ShuffleNet families builds for 10 classes and 1-channel input and runs a forward pass
on the smallest input it accepts."""
import numpy as np
import pytest

import visiongrad as vg
from visiongrad.vision import models
from visiongrad.vision.models.classification import alexnet, densenet, shufflenet, vgg

# name -> smallest height and width the network accepts (its pooling stages' minimum)
TINY_INPUT = {
    "lenet": 32,
    "alexnet": 63,
    "alexnet_lrn": 67,
    "zfnet": 47,
    "googlenet": 15,
    "densenet121": 29,
    "densenet161": 29,
    "densenet169": 29,
    "densenet201": 29,
    "mobilenet_v1": 1,
    "mobilenet_v2": 1,
    "shufflenet_v2_x0_5": 1,
    "shufflenet_v2_x1_0": 1,
    "shufflenet_v2_x1_5": 1,
    "shufflenet_v2_x2_0": 1,
}


def test_every_family_name_is_registered_and_covered():
    # the VGG variants hold about 130 M parameters each, seconds apiece to initialise:
    # test_models_classic builds vgg16 and vgg11_bn and runs every variant's features
    names = (set(alexnet.cfgs) | set(densenet.VARIANTS) | set(shufflenet.VARIANTS)
             | {"lenet", "zfnet", "googlenet", "mobilenet_v1", "mobilenet_v2"})
    assert names == set(TINY_INPUT)
    assert names | set(vgg.VARIANTS) <= set(models.list_models())


@pytest.mark.parametrize("name, size", TINY_INPUT.items())
def test_builds_for_ten_classes_and_one_channel(name, size):
    model = models.get(name, num_classes=10, in_channels=1).eval()
    with vg.no_grad():
        out = model(vg.tensor(np.ones((1, 1, size, size), np.float32)))
    assert out.shape == (1, 10)
    assert np.isfinite(out.numpy()).all()
    if size > 1:
        with pytest.raises(ValueError):
            with vg.no_grad():
                model(vg.zeros(1, 1, size - 1, size - 1))
