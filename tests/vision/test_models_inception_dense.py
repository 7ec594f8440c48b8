"""GoogLeNet and DenseNet: torchvision's parameter counts, state_dict layout and outputs
(against the torch.nn copies in torch_reference.py), auxiliary heads, dense-block
channel arithmetic."""
import numpy as np
import pytest

import visiongrad as vg
from visiongrad.vision import models
from visiongrad.vision.models.classification import densenet as vg_densenet
from visiongrad.vision.models.classification.googlenet import GoogLeNetOutputs, Inception

torch = pytest.importorskip("torch")
import torch_reference as ref  # noqa: E402 - needs torch
from torch_reference import assert_close, count  # noqa: E402


@pytest.mark.parametrize("kwargs, expected", [
    ({}, 6_624_904),  # torchvision's googlenet without auxiliary heads (pretrained layout)
    ({"aux_logits": True}, 13_004_888),  # torchvision's GoogLeNet class default
])
def test_googlenet_parameter_counts(kwargs, expected):
    assert count(models.get("googlenet", **kwargs)) == expected


def test_densenet121_parameter_count_is_torchvisions():
    assert count(models.get("densenet121")) == 7_978_856


@pytest.mark.parametrize("transform_input", [False, True])
def test_googlenet_eval_matches_torchvision(transform_input, rng):
    torch.manual_seed(0)
    torch_model = ref.GoogLeNet(aux_logits=False, transform_input=transform_input)
    model = models.get("googlenet", transform_input=transform_input)
    assert ref.state_dict_shapes(model.state_dict()) == ref.state_dict_shapes(
        torch_model.state_dict())
    ref.randomize_batchnorm(torch_model)
    ref.copy_weights(model, torch_model)
    x = rng.standard_normal((1, 3, 64, 64)).astype(np.float32)
    with vg.no_grad():
        out = model.eval()(vg.tensor(x)).numpy()
    assert_close(out, torch_model.eval()(torch.from_numpy(x)).detach().numpy())


def test_googlenet_aux_heads_in_training_match_torchvision(rng):
    torch.manual_seed(0)
    # no dropout, so that train-mode outputs are deterministic in both frameworks
    options = dict(aux_logits=True, dropout=0.0, dropout_aux=0.0)
    torch_model = ref.GoogLeNet(**options)
    model = models.get("googlenet", **options)
    assert ref.state_dict_shapes(model.state_dict()) == ref.state_dict_shapes(
        torch_model.state_dict())
    ref.copy_weights(model, torch_model)
    x = rng.standard_normal((2, 3, 64, 64)).astype(np.float32)
    out = model.train()(vg.tensor(x))
    expected = torch_model.train()(torch.from_numpy(x))
    assert isinstance(out, GoogLeNetOutputs)
    assert_close(out.logits.numpy(), expected.logits.detach().numpy())
    # torchvision's eager forward stores aux1's output in aux_logits2 and aux2's in
    # aux_logits1; here each field holds the head it names
    assert_close(out.aux_logits1.numpy(), expected.aux_logits2.detach().numpy())
    assert_close(out.aux_logits2.numpy(), expected.aux_logits1.detach().numpy())
    with vg.no_grad():
        assert model.eval()(vg.tensor(x)).shape == (2, 1000)


def test_inception_module_concatenates_its_branches():
    # inception3a: 64 + 128 + 32 + 32 = 256 channels at the input's resolution
    module = Inception(192, 64, 96, 128, 16, 32, 32).eval()
    with vg.no_grad():
        assert module(vg.zeros(1, 192, 7, 7)).shape == (1, 256, 7, 7)


def test_densenet121_matches_torchvision(rng):
    torch.manual_seed(0)
    torch_model = ref.densenet121()
    model = models.get("densenet121")
    assert ref.state_dict_shapes(model.state_dict()) == ref.state_dict_shapes(
        torch_model.state_dict())
    ref.randomize_batchnorm(torch_model)
    ref.copy_weights(model, torch_model)
    x = rng.standard_normal((1, 3, 32, 32)).astype(np.float32)
    with vg.no_grad():
        out = model.eval()(vg.tensor(x)).numpy()
    assert_close(out, torch_model.eval()(torch.from_numpy(x)).detach().numpy())


def test_dense_block_ends_with_c0_plus_l_times_k_channels():
    block = vg_densenet._DenseBlock(num_layers=3, num_input_features=8, bn_size=2,
                                    growth_rate=5, drop_rate=0.0).eval()
    x = vg.randn(1, 8, 4, 4)
    with vg.no_grad():
        out = block(x)
    assert out.shape == (1, 8 + 3 * 5, 4, 4)
    # the block input passes through unchanged as the first C0 channels
    np.testing.assert_array_equal(out.numpy()[:, :8], x.numpy())
    assert [layer.conv1.in_channels for layer in block.values()] == [8, 13, 18]


def test_densenet_transitions_halve_channels():
    model = models.get("densenet121")
    # 64 + 6·32 = 256 -> 128; 128 + 12·32 = 512 -> 256; 256 + 24·32 = 1024 -> 512;
    # 512 + 16·32 = 1024 into the classifier
    assert [model.features.get_submodule(f"transition{i}").conv.out_channels
            for i in (1, 2, 3)] == [128, 256, 512]
    assert model.classifier.in_features == 1024


def test_unknown_densenet_variant_is_reported():
    with pytest.raises(ValueError, match="unknown DenseNet variant 'densenet100'"):
        vg_densenet.densenet("densenet100")
