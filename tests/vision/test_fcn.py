import numpy as np
import pytest
import torch

import visiongrad as vg
import visiongrad.nn.functional as F
from visiongrad.optim import Adam
from visiongrad.utils.data import DataLoader
from visiongrad.vision.datasets import SyntheticShapes
from visiongrad.vision.models import get, list_models
from visiongrad.vision.models.segmentation import FCN, FCNConfig


@pytest.mark.parametrize("kwargs", [
    {},
    dict(upsampling="max_unpool"),
    dict(downsampling="strided_conv", skip_connections=False),
    dict(widths=(8, 16, 32, 64)),
])
def test_output_keeps_the_input_size(kwargs):
    vg.manual_seed(0)
    model = get("fcn_small", num_classes=5, **kwargs)
    assert model(vg.randn(2, 3, 32, 48)).shape == (2, 5, 32, 48)


def test_registered():
    assert "fcn_small" in list_models()
    assert isinstance(get("fcn_small"), FCN)


def test_per_pixel_cross_entropy_equals_reference():
    vg.manual_seed(1)
    model = FCN(FCNConfig(num_classes=4))
    scores = model(vg.randn(2, 3, 16, 16))
    targets = np.random.default_rng(0).integers(0, 4, size=(2, 16, 16))
    loss = F.cross_entropy(scores, vg.tensor(targets))
    # mean over pixels of −log softmax at the target class
    logits = scores.data.astype(np.float64)
    log_probs = logits - logits.max(1, keepdims=True)
    log_probs -= np.log(np.exp(log_probs).sum(1, keepdims=True))
    picked = np.take_along_axis(log_probs, targets[:, None], axis=1)
    assert float(loss.data) == pytest.approx(-picked.mean(), rel=1e-5)
    expected = torch.nn.functional.cross_entropy(torch.tensor(scores.data), torch.tensor(targets))
    assert float(loss.data) == pytest.approx(expected.item(), rel=1e-5)


def test_invalid_configurations_and_inputs():
    with pytest.raises(ValueError, match="max_unpool"):
        FCN(FCNConfig(downsampling="strided_conv", upsampling="max_unpool"))
    with pytest.raises(ValueError, match="upsampling"):
        FCN(FCNConfig(upsampling="bilinear"))
    with pytest.raises(ValueError, match="multiples of 4"):
        FCN()(vg.randn(1, 3, 30, 32))


def test_trains_on_synthetic_shapes():
    vg.manual_seed(0)
    dataset = SyntheticShapes(16, image_size=32, max_objects=3, seed=0)
    images, targets = next(iter(DataLoader(dataset, batch_size=16)))
    model = get("fcn_small", widths=(8, 16, 32))
    optimizer = Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(15):
        loss = F.cross_entropy(model(images), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.data))
    assert losses[-1] < 0.6 * losses[0], losses
