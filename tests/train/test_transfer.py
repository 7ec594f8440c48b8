"""Transfer learning helpers: freeze, replace_head, finetune."""
import numpy as np
import pytest

import visiongrad as vg
from visiongrad import nn
from visiongrad.train.transfer import (RECIPES, evaluate_accuracy, finetune, freeze,
                                       replace_head, train_unfrozen)
from visiongrad.utils.data import DataLoader, TensorDataset
from visiongrad.vision import models


def small_resnet():
    return models.get("resnet20", num_classes=4, in_channels=1, widths=(4, 8, 8))


def loader(rng, n=16, classes=3):
    x = rng.standard_normal((n, 1, 12, 12)).astype(np.float32)
    y = rng.integers(0, classes, n)
    return DataLoader(TensorDataset(vg.tensor(x), vg.tensor(y)), batch_size=8, shuffle=True)


def snapshot(model):
    return {key: value.numpy().copy() for key, value in model.state_dict().items()}


def test_frozen_parameters_and_statistics_stay_bit_identical(rng):
    model = small_resnet()
    freeze(model)
    head = replace_head(model, 3)
    before = snapshot(model)
    losses = finetune(model, loader(rng), epochs=3, lr=0.1)
    assert len(losses) == 3 and not model.training
    after = model.state_dict()
    changed = [key for key in before if not np.array_equal(before[key], after[key].numpy())]
    assert sorted(changed) == ["fc.bias", "fc.weight"]
    assert model.fc is head and tuple(head.weight.shape) == (3, 8)


def test_only_the_head_gets_gradients(rng):
    model = small_resnet()
    freeze(model)
    replace_head(model, 3)
    train_unfrozen(model)
    x, y = next(iter(loader(rng)))
    nn.functional.cross_entropy(model(x), y).backward()
    with_grad = [name for name, p in model.named_parameters() if p.grad is not None]
    assert with_grad == ["fc.weight", "fc.bias"]
    # frozen batch norms normalize with their running statistics, the head trains
    assert not model.bn1.training and not model.layer3[2].bn2.training and model.fc.training


def test_freeze_keeps_named_submodules_trainable():
    model = freeze(small_resnet(), trainable=("layer3", "fc"))
    trainable = {name.split(".")[0] for name, p in model.named_parameters() if p.requires_grad}
    assert trainable == {"layer3", "fc"}
    freeze(model)
    assert not any(p.requires_grad for p in model.parameters())
    with pytest.raises(AttributeError, match="layer7"):
        freeze(model, trainable=("layer7",))


def test_finetune_more_layers_changes_them(rng):
    model = freeze(small_resnet(), trainable=("layer3",))
    replace_head(model, 3)
    before = snapshot(model)
    finetune(model, loader(rng), epochs=1, lr=0.1)
    changed = {key.split(".")[0] for key, value in model.state_dict().items()
               if not np.array_equal(before[key], value.numpy())}
    assert changed == {"layer3", "fc"}


class WithClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Linear(6, 5)
        self.classifier = nn.Sequential(nn.Dropout(0.5), nn.Linear(5, 4))

    def forward(self, x):
        return self.classifier(self.features(x))


class Unusual(nn.Module):
    def __init__(self):
        super().__init__()
        self.classifier = nn.Conv2d(3, 4, 1)


@pytest.mark.parametrize("build, path", [
    (WithClassifier, "classifier.1"),
    (lambda: models.get("small_cnn", hidden=0), "1.2"),
    (lambda: models.get("mlp"), "5"),
])
def test_replace_head_finds_the_last_layer(build, path):
    model = build()
    head = replace_head(model, 2)
    assert model.get_submodule(path) is head
    assert head.out_features == 2 and head.weight.requires_grad


def test_replace_head_errors():
    with pytest.raises(TypeError, match="should be a Linear layer, got Conv2d"):
        replace_head(Unusual(), 2)
    with pytest.raises(ValueError, match="no Linear layer"):
        replace_head(nn.Sequential(nn.ReLU()), 2)


def test_finetune_with_everything_frozen_says_so(rng):
    with pytest.raises(ValueError, match="every parameter of the model is frozen"):
        finetune(freeze(small_resnet()), loader(rng), epochs=1)


def test_evaluate_accuracy(rng):
    model = nn.Linear(2, 2)
    model.weight.data[...] = np.eye(2)
    model.bias.data[...] = 0
    x = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0]], dtype=np.float32)
    assert evaluate_accuracy(model, x, np.array([0, 1, 1]), batch_size=2) == pytest.approx(2 / 3)


def test_recipe_table_covers_similarity_by_amount():
    assert set(RECIPES) == {(s, a) for s in ("very similar", "very different")
                            for a in ("very little data", "quite a lot of data")}
