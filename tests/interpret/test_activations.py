import numpy as np
import pytest

import visiongrad as vg
from visiongrad.interpret import activation_maps

from conftest import small_cnn


def test_activation_maps_equal_slicing_the_forward_pass(rng):
    model = small_cnn().eval()
    images = rng.standard_normal((3, 1, 8, 8)).astype(np.float32)
    maps = activation_maps(model, ["1", "3"], images)
    with vg.no_grad():
        x = vg.tensor(images)
        after_relu = model[1](model[0](x))
        after_conv2 = model[3](model[2](after_relu))
    assert maps["1"].shape == (3, 8, 8, 8) and maps["3"].shape == (3, 8, 4, 4)
    np.testing.assert_array_equal(maps["1"].numpy(), after_relu.numpy())
    np.testing.assert_array_equal(maps["3"].numpy(), after_conv2.numpy())
    assert not maps["1"].requires_grad


def test_single_name_unbatched_and_hooks_removed(rng):
    model = small_cnn().eval()
    image = rng.standard_normal((1, 8, 8)).astype(np.float32)
    single = activation_maps(model, "0", image)
    assert single.shape == (8, 8, 8)
    assert not model[0]._forward_hooks


def test_reused_module_keeps_last_output(relu_net, rng):
    images = rng.standard_normal((1, 1, 8, 8))
    with vg.no_grad():
        x = vg.tensor(images)
        second = relu_net.act(relu_net.conv2(relu_net.act(relu_net.conv1(x))))
    np.testing.assert_array_equal(activation_maps(relu_net, "act", images).numpy(),
                                  second.numpy())


def test_unknown_layer_lists_the_available_ones():
    with pytest.raises(KeyError, match="'0', '1'"):
        activation_maps(small_cnn(), "conv9", np.zeros((1, 1, 8, 8), np.float32))
