"""Chapters 3-4: a small CNN (Conv-BN-ReLU-MaxPool stages) trained with the Trainer:
random-crop augmentation, cosine learning-rate decay, early stopping and checkpoints.

Run: python examples/05_cnn_with_trainer.py   (about a minute on 2 cores)
"""
import numpy as np

import visiongrad as vg
from visiongrad import optim
from visiongrad.train import EarlyStopping, ModelCheckpoint, Trainer
from visiongrad.utils.data import DataLoader, TensorDataset
from visiongrad.utils.data.splits import stratified_split
from visiongrad.vision import models, transforms as T
from visiongrad.vision.datasets import MNIST

vg.manual_seed(0)
train, test = MNIST(train=True), MNIST(train=False)


def arrays(ds):
    x = (np.asarray(ds.data, np.float32)[:, None] / 255.0 - 0.13) / 0.31
    return x, np.asarray(ds.targets)


x, y = arrays(train)
fit_idx, val_idx = stratified_split(y, test_fraction=0.1, seed=0)


def loader(x, y, shuffle):
    return DataLoader(TensorDataset(vg.from_numpy(x), vg.from_numpy(y)), batch_size=64,
                      shuffle=shuffle)


model = models.get("small_cnn", num_classes=10, in_channels=1)
models.summary(model, (1, 28, 28))
epochs = 8
opt = optim.Adam(model.parameters(), lr=1e-3)
scheduler = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
trainer = Trainer(model, opt, scheduler=scheduler, batch_transform=T.BatchRandomCrop(padding=2),
                  callbacks=[EarlyStopping(patience=3), ModelCheckpoint("runs/example-cnn")])
trainer.fit(loader(x[fit_idx], y[fit_idx], True), loader(x[val_idx], y[val_idx], False),
            epochs=epochs)
print(f"test accuracy: {trainer.evaluate(loader(*arrays(test), False))['accuracy']:.4f}")
