"""Fully-connected networks of any depth (chapter 2): [Linear-ReLU] × (L−1) – Linear.

The default two-layer net is f = W2·max(0, W1·x). Inputs of any shape (N, ...) are
flattened first, so the same model takes (N, 784) vectors or (N, 1, 28, 28) images.
"""
from ... import _models_registry as registry
from ....nn import Dropout, Flatten, Linear, ReLU, Sequential


class MLP(Sequential):
    """Args:
        in_features: size of a flattened input (784 for MNIST).
        hidden: widths of the hidden layers; () gives a linear classifier.
        num_classes: number of output scores.
        dropout: drop probability after each hidden ReLU (0 disables).
    """

    def __init__(self, in_features=784, hidden=(512, 256), num_classes=10, dropout=0.0):
        layers = [Flatten()]
        width = in_features
        for h in hidden:
            layers += [Linear(width, h), ReLU()]
            if dropout:
                layers.append(Dropout(dropout))
            width = h
        layers.append(Linear(width, num_classes))
        super().__init__(*layers)


@registry.register("mlp")
def mlp(num_classes=10, in_features=784, hidden=(512, 256), dropout=0.0, **kwargs):
    """The 784-512-256-10 network (ReLU) of the main job."""
    return MLP(in_features, tuple(hidden), num_classes, dropout, **kwargs)


@registry.register("two_layer_net")
def two_layer_net(num_classes=10, in_features=784, hidden_size=100, **kwargs):
    """The course's two-layer net W2·max(0, W1·x)."""
    return MLP(in_features, (hidden_size,), num_classes, **kwargs)


@registry.register("linear_classifier")
def linear_classifier(num_classes=10, in_features=784, **kwargs):
    """A single affine layer: scores = W·x + b."""
    return MLP(in_features, (), num_classes, **kwargs)
