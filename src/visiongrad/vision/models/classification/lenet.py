"""LeNet-5 (LeCun et al., 1998) for 28×28 or 32×32 images: two stages of 5×5 conv and
2×2 pooling to a 16×5×5 map, then fully connected layers 120-84-classes.

Modern choices replace the paper's scaled tanh and trainable subsampling with ReLU and
max-pooling. The paper padded 28×28 MNIST digits to 32×32; here conv1 pads a 28×28 input
by 2 instead, so both sizes reach the 16×5×5 map the classifier expects.
"""
from ... import _models_registry as registry
from ....nn import Conv2d, Linear, MaxPool2d, Module, ReLU, Sequential

# conv1 padding that brings each supported input size to 28×28 after conv1
_conv1_padding = {28: 2, 32: 0}


class LeNet(Module):
    """x (N, in_channels, input_size, input_size) -> (N, num_classes); 61,706 parameters
    for one channel and 10 classes.

    Args:
        in_channels: channels of the input image (1 for digits, 3 for CIFAR).
        num_classes: number of output scores.
        input_size: 28 or 32, the height and width of the input.
    """

    def __init__(self, in_channels=1, num_classes=10, input_size=32):
        super().__init__()
        if input_size not in _conv1_padding:
            raise ValueError(f"LeNet: input_size must be one of {sorted(_conv1_padding)}, "
                             f"got {input_size}")
        self.features = Sequential(
            Conv2d(in_channels, 6, kernel_size=5, padding=_conv1_padding[input_size]),
            ReLU(inplace=True),
            MaxPool2d(kernel_size=2, stride=2),  # (N, 6, 14, 14)
            Conv2d(6, 16, kernel_size=5),
            ReLU(inplace=True),
            MaxPool2d(kernel_size=2, stride=2),  # (N, 16, 5, 5)
        )
        self.classifier = Sequential(
            Linear(16 * 5 * 5, 120),
            ReLU(inplace=True),
            Linear(120, 84),
            ReLU(inplace=True),
            Linear(84, num_classes),
        )

    def forward(self, x):
        x = self.features(x)
        x = x.flatten(1)  # (N, 400)
        return self.classifier(x)


@registry.register("lenet")
def lenet(num_classes=10, **kwargs):
    """LeNet-5 for 1-channel 32×32 inputs by default; keyword arguments go to ``LeNet``
    (``input_size=28`` for MNIST as is, in_channels)."""
    return LeNet(num_classes=num_classes, **kwargs)
