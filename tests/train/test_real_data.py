"""Accuracy targets on real data (stratified 80/20 splits, seed 0)."""
import numpy as np

import visiongrad as vg
from visiongrad import nn, optim
from visiongrad.cli.main import main
from visiongrad.nn import functional as F
from visiongrad.vision.datasets import Digits
from visiongrad.vision.preprocessing import Standardize


def test_two_layer_net_on_digits():
    train, test = Digits(train=True), Digits(train=False)

    def flat(ds):
        return np.asarray(ds.data, np.float32).reshape(len(ds.targets), -1) / 255.0

    scaler = Standardize().fit(flat(train))
    x_train, x_test = scaler.transform(flat(train)), scaler.transform(flat(test))
    y_train, y_test = np.asarray(train.targets), np.asarray(test.targets)
    vg.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 100), nn.ReLU(), nn.Linear(100, 10))
    opt = optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-3)
    for _ in range(40):
        order = vg.randperm(len(y_train)).numpy()
        for start in range(0, len(order), 32):
            idx = order[start:start + 32]
            loss = F.cross_entropy(model(vg.from_numpy(x_train[idx])), vg.from_numpy(y_train[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
    with vg.no_grad():
        accuracy = (model(vg.from_numpy(x_test)).argmax(1).numpy() == y_test).mean()
    assert accuracy >= 0.96


def test_default_cnn_on_embedded_mnist(tmp_path, capsys):
    # the main job's model and augmentation, shortened to 3 epochs (the default 15 reach 0.98)
    assert main(["train", "--epochs", "3", "--out", str(tmp_path), "--no-progress"]) == 0
    accuracy = float(capsys.readouterr().out.split("test accuracy: ")[1].split()[0])
    assert accuracy >= 0.95


def test_cifar_resnet20_trains_on_mnist_without_nans():
    from visiongrad.train import Trainer
    from visiongrad.utils.data import DataLoader, TensorDataset
    from visiongrad.vision import models
    from visiongrad.vision.datasets import MNIST

    data = MNIST(train=True)
    x = (np.asarray(data.data[:512], np.float32)[:, None] / 255.0 - 0.13) / 0.31
    y = np.asarray(data.targets[:512])
    vg.manual_seed(0)
    model = models.get("resnet20", num_classes=10, in_channels=1)
    loader = DataLoader(TensorDataset(vg.from_numpy(x), vg.from_numpy(y)), batch_size=64,
                        shuffle=True)
    trainer = Trainer(model, optim.Adam(model.parameters(), lr=2e-3), progress=False)
    history = trainer.fit(loader, epochs=3)
    losses = [h["train_loss"] for h in history]
    assert all(np.isfinite(losses)) and losses[-1] < 0.6 * losses[0]
