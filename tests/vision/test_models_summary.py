"""summary and conv_layer_table: FEATURES §4.4 architecture arithmetic (AlexNet conv1,
Inception modules, 3×3 stacks, ResNet blocks), the EECS 498 / CS231n AlexNet and VGG16
tables, and summary's agreement with the analytic table on a built model."""
import numpy as np
import pytest

from visiongrad import nn
from visiongrad.vision import models
from visiongrad.vision.models.classification import vgg as vg_vgg
from visiongrad.vision.models.summary import (FC, Concat, Conv, Flatten, GlobalAvgPool, Pool,
                                              conv_layer_table)

# EECS 498 Lecture 8's AlexNet (torchvision's filter counts) on a 227×227 image; per row:
# spec, output shape, params, MACs, memory in bytes (float32)
ALEXNET_TABLE = [
    ("conv1", Conv(64, 11, stride=4, padding=2), (64, 56, 56), 23_296, 72_855_552, 802_816),
    ("pool1", Pool(3, stride=2), (64, 27, 27), 0, 0, 186_624),
    ("conv2", Conv(192, 5, padding=2), (192, 27, 27), 307_392, 223_948_800, 559_872),
    ("pool2", Pool(3, stride=2), (192, 13, 13), 0, 0, 129_792),
    ("conv3", Conv(384, 3, padding=1), (384, 13, 13), 663_936, 112_140_288, 259_584),
    ("conv4", Conv(256, 3, padding=1), (256, 13, 13), 884_992, 149_520_384, 173_056),
    ("conv5", Conv(256, 3, padding=1), (256, 13, 13), 590_080, 99_680_256, 173_056),
    ("pool5", Pool(3, stride=2), (256, 6, 6), 0, 0, 36_864),
    ("flatten", Flatten(), (9216,), 0, 0, 36_864),
    ("fc6", FC(4096), (4096,), 37_752_832, 37_748_736, 16_384),
    ("fc7", FC(4096), (4096,), 16_781_312, 16_777_216, 16_384),
    ("fc8", FC(1000), (1000,), 4_097_000, 4_096_000, 4_000),
]


def rows_as_tuples(table):
    return [(row.output_shape, row.params, row.macs, row.memory) for row in table.rows]


def vgg_layers(cfg):
    """VGG's layer list from a torchvision configuration, as specs."""
    layers = []
    for i, v in enumerate(cfg):
        layers.append((f"pool{i}", Pool(2)) if v == "M" else
                      (f"conv{i}", Conv(v, 3, padding=1)))
    return layers + [("fc6", FC(4096)), ("fc7", FC(4096)), ("fc8", FC(1000))]


def test_alexnet_conv1_golden():
    row = conv_layer_table([("conv1", Conv(64, 11, stride=4, padding=2))], (3, 227, 227)).rows[0]
    assert (row.output_shape, row.params, row.macs) == ((64, 56, 56), 23_296, 72_855_552)
    assert row.memory == 784 * 1024  # the slide's 784 KB


def test_alexnet_table():
    table = conv_layer_table([(name, spec) for name, spec, *_ in ALEXNET_TABLE], (3, 227, 227))
    assert [row.name for row in table.rows] == [name for name, *_ in ALEXNET_TABLE]
    assert rows_as_tuples(table) == [tuple(expected) for _, _, *expected in ALEXNET_TABLE]
    assert table.total_params == 61_100_840  # torchvision's alexnet
    assert table.total_macs == 716_767_232


@pytest.fixture(scope="module")
def alexnet_summary():
    return models.summary(models.get("alexnet"), (3, 227, 227), print_fn=None)


def test_summary_of_built_alexnet_agrees_with_the_table(alexnet_summary):
    measured = [row for row in alexnet_summary.rows
                if row.type in ("Conv2d", "MaxPool2d", "Linear")]
    expected = [entry for entry in ALEXNET_TABLE if entry[0] != "flatten"]
    assert [(row.output_shape, row.params, row.macs, row.memory) for row in measured] == \
        [tuple(values) for _, _, *values in expected]
    conv1 = alexnet_summary["features.0"]
    assert (conv1.type, conv1.output_shape, conv1.params, conv1.macs) == \
        ("Conv2d", (64, 56, 56), 23_296, 72_855_552)
    assert alexnet_summary.total_params == 61_100_840
    assert alexnet_summary.total_macs == 716_767_232


def test_summary_renders_a_table(alexnet_summary):
    text = str(alexnet_summary)
    lines = text.splitlines()
    assert lines[0] == "Input: 3 × 227 × 227"
    assert lines[1].split() == ["Layer", "Type", "Output", "shape", "Params", "MACs", "Memory",
                                "(KB)"]
    conv1 = next(line for line in lines if line.startswith("features.0 "))
    assert conv1.split() == ["features.0", "Conv2d", "64", "×", "56", "×", "56", "23,296",
                             "72,855,552", "784.0"]
    assert lines[-1].split()[:3] == ["Total", "61,100,840", "716,767,232"]


def test_naive_inception_module():
    # CS231n Lecture 9: 28×28×256 input, 128 1×1, 192 3×3, 96 5×5 and a 3×3 pool
    naive = Concat((
        [("1x1", Conv(128, 1))],
        [("3x3", Conv(192, 3, padding=1))],
        [("5x5", Conv(96, 5, padding=2))],
        [("pool", Pool(3, stride=1, padding=1))],
    ))
    table = conv_layer_table([("inception", naive)], (256, 28, 28))
    assert table["inception"].output_shape == (672, 28, 28)
    assert [table[f"inception.{n}"].macs for n in ("1x1", "3x3", "5x5")] == \
        [25_690_112, 346_816_512, 481_689_600]
    assert table.total_macs == 854_196_224


def test_bottleneck_inception_module():
    # 1×1 reductions before the 3×3 and 5×5 and after the pool; the slide prints "358M",
    # which is not the sum of its own rows: the computed total is 271,351,808
    module = Concat((
        [("1x1", Conv(128, 1))],
        [("3x3_reduce", Conv(64, 1)), ("3x3", Conv(192, 3, padding=1))],
        [("5x5_reduce", Conv(64, 1)), ("5x5", Conv(96, 5, padding=2))],
        [("pool", Pool(3, stride=1, padding=1)), ("pool_proj", Conv(64, 1))],
    ))
    table = conv_layer_table([("inception", module)], (256, 28, 28))
    assert table["inception"].output_shape == (480, 28, 28)
    assert table.total_macs == 271_351_808


def test_concat_with_an_identity_path_is_a_dense_layer():
    # DenseNet: [input, new k maps] -> C0 + k channels
    layer = Concat(([], [("conv", Conv(32, 3, padding=1))]))
    assert conv_layer_table([("dense", layer)], (64, 8, 8))["dense"].output_shape == (96, 8, 8)


def test_three_stacked_3x3_convs_versus_one_7x7():
    C, H = 64, 16
    stack = conv_layer_table([(f"conv{i}", Conv(C, 3, padding=1, bias=False))
                              for i in range(3)], (C, H, H))
    single = conv_layer_table([("conv", Conv(C, 7, padding=3, bias=False))], (C, H, H))
    assert stack.rows[-1].output_shape == single.rows[-1].output_shape == (C, H, H)
    assert (stack.total_params, single.total_params) == (27 * C * C, 49 * C * C)
    assert (stack.total_macs, single.total_macs) == (27 * H * H * C * C, 49 * H * H * C * C)


def test_resnet_basic_and_bottleneck_block_costs():
    # EECS Lecture 8: 18·H·W·C² for a basic block on C channels, 17·H·W·C² for a
    # bottleneck on 4C channels (1×1 4C->C, 3×3 C->C, 1×1 C->4C)
    C, H, W = 64, 56, 56
    basic = conv_layer_table([("conv1", Conv(C, 3, padding=1, bias=False)),
                              ("conv2", Conv(C, 3, padding=1, bias=False))], (C, H, W))
    bottleneck = conv_layer_table([("conv1", Conv(C, 1, bias=False)),
                                   ("conv2", Conv(C, 3, padding=1, bias=False)),
                                   ("conv3", Conv(4 * C, 1, bias=False))], (4 * C, H, W))
    assert basic.total_macs == 18 * H * W * C * C
    assert bottleneck.total_macs == 17 * H * W * C * C
    assert bottleneck.rows[-1].output_shape == (4 * C, H, W)


def test_vgg16_table():
    table = conv_layer_table(vgg_layers(vg_vgg.cfgs["D"]), (3, 224, 224))
    assert table.total_params == 138_357_544  # torchvision's vgg16
    assert table.total_macs == 15_470_264_320  # torchvision's 15.47 GFLOPS (multiply-adds)
    assert table.total_memory == 4 * 15_087_080  # activations, input excluded
    fc = [row for row in table.rows if row.type == "FC"]
    conv = [row for row in table.rows if row.type == "Conv"]
    # E12: parameters are mostly in the fully connected layers ...
    assert sum(row.params for row in fc) == 123_642_856
    assert sum(row.params for row in fc) / table.total_params > 0.89
    assert conv[0].params == 1_792 and fc[0].params == 102_764_544
    # ... and activation memory mostly in the early convolutions: the first stage
    # (two 64×224×224 maps and a pool) holds more than stages 3-5 and the FC layers together
    stage1 = sum(row.memory for row in table.rows[:3])
    assert stage1 / table.total_memory > 0.47
    assert stage1 > sum(row.memory for row in table.rows[6:])
    assert sum(row.memory for row in fc) / table.total_memory < 0.001


def test_global_average_pool_head_drops_the_fc_parameters():
    # GoogLeNet's head on its 1024×7×7 map: GAP + FC(1000) versus flatten + FC(1000)
    gap = conv_layer_table([("avgpool", GlobalAvgPool()), ("fc", FC(1000))], (1024, 7, 7))
    flat = conv_layer_table([("fc", FC(1000))], (1024, 7, 7))
    assert (gap.total_params, flat.total_params) == (1_025_000, 50_177_000)
    # the built model's summary reports the same head
    report = models.summary(models.get("googlenet"), (3, 64, 64), print_fn=None)
    assert report["avgpool"].output_shape == (1024, 1, 1) and report["avgpool"].params == 0
    assert report["fc"].params == gap.total_params
    assert report.total_params == 6_624_904


def test_summary_total_params_includes_modules_the_forward_skipped():
    model = models.get("googlenet", aux_logits=True)
    report = models.summary(model, (3, 32, 32), print_fn=None)
    assert report.total_params == 13_004_888
    assert sum(row.params for row in report.rows) == 6_624_904  # eval mode: no aux heads
    assert model.training  # training flags restored


def test_summary_prints_and_restores_modes():
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Flatten(),
                          nn.Linear(4 * 6 * 6, 10))
    model[1].eval()
    printed = []
    report = models.summary(model, (1, 8, 8), print_fn=printed.append)
    assert printed == [str(report)]
    assert [m.training for m in model] == [True, False, True, True]
    assert [(row.name, row.output_shape, row.params, row.macs) for row in report.rows] == [
        ("0", (4, 6, 6), 40, 4 * 6 * 6 * 9), ("1", (4, 6, 6), 8, 0), ("2", (144,), 0, 0),
        ("3", (10,), 1450, 1440)]


def test_summary_counts_grouped_and_transposed_convolutions():
    grouped = models.summary(nn.Conv2d(8, 16, 3, padding=1, groups=4), (8, 5, 5),
                             print_fn=None).rows[0]
    assert (grouped.name, grouped.params, grouped.macs) == ("Conv2d", 16 * 2 * 9 + 16,
                                                             16 * 25 * 2 * 9)
    transposed = models.summary(nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1),
                                (4, 2, 2), print_fn=None).rows[0]
    # each of the 4·2·2 input elements is multiplied by 2·3·3 weights
    assert (transposed.output_shape, transposed.macs) == ((2, 3, 3), 16 * 18)


def test_summary_memory_follows_the_input_dtype():
    report = models.summary(nn.Identity(), (3, 4, 4), dtype=np.float64, print_fn=None)
    assert report.total_memory == 3 * 4 * 4 * 8


@pytest.mark.parametrize("input_size", [(), (3, 0, 4), (3.0, 4, 4)])
def test_summary_rejects_bad_input_sizes(input_size):
    with pytest.raises(ValueError, match="input_size must be"):
        models.summary(nn.Identity(), input_size, print_fn=None)


def test_table_errors_name_the_layer():
    with pytest.raises(ValueError, match="layer 'pool3'.* too small"):
        conv_layer_table([("conv1", Conv(8, 3)), ("pool3", Pool(4))], (1, 5, 5))
    with pytest.raises(ValueError, match="layer 'mix': paths end in shapes"):
        conv_layer_table([("mix", Concat(([("a", Conv(4, 1))], [("b", Conv(4, 3))])))],
                         (2, 8, 8))
    with pytest.raises(ValueError, match="layer 'conv2': Conv needs a"):
        conv_layer_table([("fc", FC(10)), ("conv2", Conv(4, 3))], (1, 8, 8))
    with pytest.raises(TypeError, match="layer 'relu': unknown spec"):
        conv_layer_table([("relu", "relu")], (1, 8, 8))
    with pytest.raises(KeyError, match="no layer named 'conv9'"):
        conv_layer_table([("conv1", Conv(8, 3))], (1, 5, 5))["conv9"]
