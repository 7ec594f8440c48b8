import matplotlib.pyplot as plt
import pytest

from visiongrad.experiments import receptive_fields
from visiongrad.experiments.receptive_field import receptive_field_size


@pytest.mark.parametrize("kernel_size", [3, 5])
def test_stacked_convolutions_grow_by_k_minus_1_per_layer(kernel_size):
    results, figure = receptive_fields(kernel_size=kernel_size, depths=(1, 2, 3, 4))
    assert figure is not None
    plt.close(figure)
    for depth in (1, 2, 3, 4):
        stack = results["stacks"][f"{depth} × {kernel_size}×{kernel_size} conv"]
        assert stack["measured"] == [1 + depth * (kernel_size - 1)] * 2
        assert stack["filled"]
    # one layer sees k pixels, not the notes' k − 1 (erratum E10)
    one_layer = results["stacks"][f"1 × {kernel_size}×{kernel_size} conv"]
    assert one_layer["measured"][0] == kernel_size


def test_strided_and_pooled_architectures_match_the_formula():
    results, _ = receptive_fields()
    plt.close("all")
    architectures = results["architectures"]
    for name, architecture in architectures.items():
        assert architecture["measured"] == [architecture["formula per layer"][-1]] * 2, name
        assert architecture["filled"], name
    # three 3×3 layers see what one 7×7 layer sees
    assert architectures["3×3 conv ×3"]["measured"] == architectures["7×7 conv"]["measured"]


def test_receptive_field_formula():
    assert receptive_field_size([("conv", 3, 1)] * 3) == [3, 5, 7]
    assert receptive_field_size([("conv", 3, 1), ("pool", 2, 2), ("conv", 3, 1)]) == [3, 4, 8]
    stem = [("conv", 7, 2), ("pool", 3, 2), ("conv", 3, 1), ("conv", 3, 1)]
    assert receptive_field_size(stem) == [7, 11, 19, 27]
