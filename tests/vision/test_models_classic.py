"""LeNet, AlexNet, ZFNet and VGG: parameter counts, torchvision's state_dict layout and
outputs (against the torch.nn copies in torch_reference.py), layer-table sizes."""
import numpy as np
import pytest

import visiongrad as vg
from visiongrad.vision import models
from visiongrad.vision.models.classification import alexnet as vg_alexnet
from visiongrad.vision.models.classification import vgg as vg_vgg

torch = pytest.importorskip("torch")
import torch_reference as ref  # noqa: E402 - needs torch
from torch_reference import count  # noqa: E402

# torchvision's three fully connected layers, 512·7·7 -> 4096 -> 4096 -> 1000
VGG_CLASSIFIER_PARAMS = 102_764_544 + 16_781_312 + 4_097_000

# name -> torchvision's parameter count (torchvision's weight metadata, num_params)
VGG_PARAMETER_COUNTS = {
    "vgg11": 132_863_336,
    "vgg11_bn": 132_868_840,
    "vgg13": 133_047_848,
    "vgg13_bn": 133_053_736,
    "vgg16": 138_357_544,
    "vgg16_bn": 138_365_992,
    "vgg19": 143_667_240,
    "vgg19_bn": 143_678_248,
}


def eval_forward(model, x):
    model.eval()
    with vg.no_grad():
        return model(vg.tensor(x)).numpy()


def assert_matches_reference(model, torch_model, x):
    """Same state_dict keys and shapes, then the same eval-mode output for x once the
    torch weights (with random BN statistics) are copied in."""
    assert ref.state_dict_shapes(model.state_dict()) == ref.state_dict_shapes(
        torch_model.state_dict())
    ref.randomize_batchnorm(torch_model)
    ref.copy_weights(model, torch_model)
    expected = torch_model.eval()(torch.from_numpy(x)).detach().numpy()
    out = eval_forward(model, x)
    scale = np.abs(expected).max()
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4 * scale)


@pytest.mark.parametrize("name, expected", [
    ("lenet", 61_706),  # 156 + 2,416 + 48,120 + 10,164 + 850
    ("alexnet", 61_100_840),
    ("alexnet_lrn", 62_378_344),
    ("zfnet", 62_357_608),
])
def test_parameter_counts(name, expected):
    assert count(models.get(name)) == expected


def test_vgg16_parameter_count_is_torchvisions():
    # default initialisation only: torchvision's re-initialisation of 138 M weights adds
    # seconds and cannot change the count
    assert count(models.get("vgg16", init_weights=False)) == VGG_PARAMETER_COUNTS["vgg16"]


@pytest.mark.parametrize("name", VGG_PARAMETER_COUNTS)
def test_vgg_features_of_every_variant(name):
    # every configuration's feature stack, built for 1-channel input: its parameters plus
    # the fixed classifier give torchvision's count, and 32×32 reaches 512×1×1
    cfg, batch_norm = vg_vgg.VARIANTS[name]
    features = vg_vgg.make_layers(vg_vgg.cfgs[cfg], batch_norm, in_channels=1)
    first_conv_extra = 2 * 64 * 3 * 3  # the 3-channel conv1_1 has two more input planes
    assert count(features) + first_conv_extra + VGG_CLASSIFIER_PARAMS == \
        VGG_PARAMETER_COUNTS[name]
    assert eval_forward(features, np.ones((1, 1, 32, 32), np.float32)).shape == (1, 512, 1, 1)


def test_alexnet_matches_torchvision(rng):
    torch.manual_seed(0)
    torch_model = ref.AlexNet()
    x = rng.standard_normal((1, 3, 64, 64)).astype(np.float32)
    assert_matches_reference(models.get("alexnet"), torch_model, x)


def test_vgg11_bn_matches_torchvision(rng):
    torch.manual_seed(0)
    torch_model = ref.vgg11_bn(num_classes=10, init_weights=False)
    model = models.get("vgg11_bn", num_classes=10, init_weights=False)
    x = rng.standard_normal((1, 3, 32, 32)).astype(np.float32)
    assert_matches_reference(model, torch_model, x)


def test_alexnet_lrn_follows_the_paper():
    model = models.get("alexnet_lrn")
    kinds = [type(m).__name__ for m in model.features]
    assert kinds[:4] == ["Conv2d", "ReLU", "LocalResponseNorm", "MaxPool2d"]
    lrn = model.features[2]
    assert (lrn.size, lrn.alpha, lrn.beta, lrn.k) == (5, 1e-4, 0.75, 2.0)
    conv1 = model.features[0]
    assert (conv1.out_channels, conv1.kernel_size, conv1.stride) == (96, (11, 11), (4, 4))


def test_zfnet_reproduces_the_papers_sizes():
    # Zeiler & Fergus (2014), Fig. 3, on a 224×224 input
    table = models.summary(models.get("zfnet"), (3, 224, 224), print_fn=None)
    sizes = [(row.type, row.output_shape[0], row.output_shape[1]) for row in table.rows
             if row.type in ("Conv2d", "MaxPool2d")]
    assert sizes == [("Conv2d", 96, 110), ("MaxPool2d", 96, 55), ("Conv2d", 256, 26),
                     ("MaxPool2d", 256, 13), ("Conv2d", 384, 13), ("Conv2d", 384, 13),
                     ("Conv2d", 256, 13), ("MaxPool2d", 256, 6)]
    assert table["features.0"].params == 96 * 3 * 7 * 7 + 96


@pytest.mark.parametrize("input_size", [28, 32])
def test_lenet_takes_28_and_32_pixel_digits(input_size):
    model = models.get("lenet", input_size=input_size)
    x = np.zeros((2, 1, input_size, input_size), np.float32)
    assert eval_forward(model, x).shape == (2, 10)


def test_lenet_rejects_other_sizes():
    with pytest.raises(ValueError, match="input_size must be one of"):
        models.get("lenet", input_size=64)


@pytest.mark.parametrize("build, name", [(vg_alexnet.alexnet, "alexnet_v2"),
                                         (vg_vgg.vgg, "vgg12")])
def test_unknown_variant_names_are_reported(build, name):
    with pytest.raises(ValueError, match=f"unknown .* variant '{name}'"):
        build(name)


@pytest.mark.parametrize("row", ["P", (64, 3, 1)])
def test_bad_alexnet_table_row_is_reported(row):
    with pytest.raises(ValueError, match="unknown AlexNet layer row"):
        vg_alexnet.AlexNet(cfg=[row])
