import numpy as np
import pytest
import torch

import visiongrad as vg
from visiongrad import nn
from visiongrad.nn import functional as F


class FunctionalReluNet(nn.Module):
    """Conv-ReLU twice through one reused ReLU module, then F.relu and Tensor.relu
    calls: every way a ReLU reaches the graph."""

    def __init__(self, channels=4, num_classes=5):
        super().__init__()
        self.conv1 = nn.Conv2d(1, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)
        self.act = nn.ReLU()
        self.fc1 = nn.Linear(channels * 64, 16)
        self.fc2 = nn.Linear(16, num_classes)

    def forward(self, x):
        x = self.act(self.conv2(self.act(self.conv1(x))))
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc2(x.relu())


def torch_functional_relu_net(net, relu=torch.relu):
    """The same network in torch, with ``relu`` in place of every ReLU call."""
    p = {name: torch.tensor(value.data.astype(np.float64))
         for name, value in net.named_parameters()}

    def forward(x):
        x = relu(torch.nn.functional.conv2d(x, p["conv1.weight"], p["conv1.bias"], padding=1))
        x = relu(torch.nn.functional.conv2d(x, p["conv2.weight"], p["conv2.bias"], padding=1))
        x = relu(x.flatten(1) @ p["fc1.weight"].T + p["fc1.bias"])
        return relu(x) @ p["fc2.weight"].T + p["fc2.bias"]
    return forward


def small_cnn(channels=8, num_classes=10):
    return nn.Sequential(nn.Conv2d(1, channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU(),
                         nn.Flatten(), nn.Linear(channels * 16, num_classes))


@pytest.fixture
def relu_net():
    return FunctionalReluNet().double()


@pytest.fixture(scope="session")
def digits():
    """Digits scaled to [0, 1]: (images (N, 1, 8, 8) float32, labels (N,))."""
    dataset = vg.vision.datasets.Digits(train=True)
    return (dataset.data[:, None].astype(np.float32) / 255), dataset.targets


@pytest.fixture(scope="session")
def trained_cnn(digits):
    """small_cnn after 8 epochs of Adam on 8×8 digits (≈ 95 % training accuracy)."""
    vg.manual_seed(0)
    images, labels = digits
    model = small_cnn()
    optimizer = vg.optim.Adam(model.parameters(), lr=3e-3)
    order = np.random.default_rng(0)
    for _ in range(8):
        permutation = order.permutation(len(images))
        for start in range(0, len(images), 64):
            batch = permutation[start:start + 64]
            loss = F.cross_entropy(model(vg.tensor(images[batch])), vg.tensor(labels[batch]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model.eval()
