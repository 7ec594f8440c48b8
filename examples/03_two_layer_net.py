"""Chapter 2: the two-layer net f = W2·max(0, W1·x) trained with Adam on the embedded
MNIST subset, in plain PyTorch-style code.

Run: python examples/03_two_layer_net.py
"""
import numpy as np

import visiongrad as vg
from visiongrad import nn, optim
from visiongrad.nn import functional as F
from visiongrad.utils.data import DataLoader, TensorDataset
from visiongrad.vision.datasets import MNIST

vg.manual_seed(0)
train, test = MNIST(train=True), MNIST(train=False)


def arrays(ds):
    x = np.asarray(ds.data, np.float32).reshape(len(ds.targets), -1) / 255.0
    return vg.from_numpy((x - 0.13) / 0.31), vg.from_numpy(np.asarray(ds.targets, np.int64))


x_train, y_train = arrays(train)
x_test, y_test = arrays(test)
model = nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10))
print(f"initial loss {F.cross_entropy(model(x_train), y_train).item():.3f} (ln 10 = 2.303)")
opt = optim.Adam(model.parameters(), lr=1e-3)
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True)
for epoch in range(10):
    for x, y in loader:
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with vg.no_grad():
        acc = (model(x_test).argmax(1) == y_test).float().mean().item()
    print(f"epoch {epoch + 1}: last batch loss {loss.item():.3f}, test accuracy {acc:.4f}")
