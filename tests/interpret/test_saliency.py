import numpy as np
import pytest
import torch

from visiongrad import nn
from visiongrad.interpret import guided_backprop, input_gradient, saliency_map

from conftest import torch_functional_relu_net


def test_saliency_of_linear_model_is_abs_weight_row_max_over_channels(rng):
    model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 4 * 5, 7)).double()
    images = rng.standard_normal((2, 3, 4, 5))
    result = saliency_map(model, images, [6, 2])
    weight = model[1].weight.data.reshape(7, 3, 4, 5)
    expected = np.abs(weight[[6, 2]]).max(axis=1)
    np.testing.assert_allclose(result.numpy(), expected, rtol=1e-12)


def test_saliency_matches_torch_abs_gradient_max_over_channels(relu_net, rng):
    images = rng.standard_normal((3, 1, 8, 8))
    targets = [0, 4, 2]
    reference_x = torch.tensor(images, requires_grad=True)
    scores = torch_functional_relu_net(relu_net)(reference_x)
    scores[torch.arange(3), torch.tensor(targets)].sum().backward()
    expected = reference_x.grad.abs().amax(dim=1).numpy()
    np.testing.assert_allclose(saliency_map(relu_net, images, targets).numpy(), expected,
                               rtol=1e-10, atol=1e-12)


def test_unbatched_image_and_untouched_parameter_grads(relu_net, rng):
    image = rng.standard_normal((1, 8, 8))
    batched = saliency_map(relu_net, image[None], 1).numpy()
    assert saliency_map(relu_net, image, 1).shape == (8, 8)
    np.testing.assert_allclose(saliency_map(relu_net, image, 1).numpy(), batched[0])
    assert all(p.grad is None and p.requires_grad for p in relu_net.parameters())


@pytest.mark.parametrize("target, message", [(5, r"\[0, 5\)"), ([1, 2, 3], "one per image"),
                                             (1.5, "int")])
def test_bad_targets_raise(relu_net, rng, target, message):
    with pytest.raises(ValueError, match=message):
        input_gradient(relu_net, rng.standard_normal((2, 1, 8, 8)), target)


def test_bad_image_shape_raises(relu_net):
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        saliency_map(relu_net, np.zeros((8, 8)), 0)


def _torch_guided_relu(x):
    # the guided rule on torch's graph: keep the upstream gradient's positive part,
    # then relu's backward applies the input > 0 mask
    out = torch.relu(x)
    out.register_hook(lambda grad: grad.clamp(min=0))
    return out


def test_guided_backprop_matches_torch_with_module_reused_and_functional_relus(relu_net, rng):
    images = rng.standard_normal((2, 1, 8, 8))
    reference_x = torch.tensor(images, requires_grad=True)
    scores = torch_functional_relu_net(relu_net, relu=_torch_guided_relu)(reference_x)
    scores[torch.arange(2), torch.tensor([3, 1])].sum().backward()
    result = guided_backprop(relu_net, images, [3, 1]).numpy()
    np.testing.assert_allclose(result, reference_x.grad.numpy(), rtol=1e-10, atol=1e-12)
    plain = input_gradient(relu_net, images, [3, 1])
    assert not np.allclose(result, plain)  # the guided rule changed something


def test_guided_backprop_leaves_later_backward_passes_plain(relu_net, rng):
    images = rng.standard_normal((2, 1, 8, 8))
    before = input_gradient(relu_net, images, 0)
    guided_backprop(relu_net, images, 0)
    np.testing.assert_array_equal(input_gradient(relu_net, images, 0), before)


def test_guided_backprop_without_relus_is_the_plain_gradient(rng):
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 3), nn.Tanh(), nn.Linear(3, 2)).double()
    images = rng.standard_normal((2, 1, 4, 4))
    np.testing.assert_allclose(guided_backprop(model, images, 1).numpy(),
                               input_gradient(model, images, 1))
