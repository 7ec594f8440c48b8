"""Classification architectures, one module per family."""
from . import convnet, mlp
from .convnet import ConvNet, ConvNetConfig
from .mlp import MLP
from . import resnet, resnet_cifar
from .resnet import BasicBlock, Bottleneck, ResNet
from .resnet_cifar import (CifarResNet, PreActBlock, SEBasicBlock, SqueezeExcitation,
                           ZeroPadShortcut)
from . import alexnet, densenet, googlenet, lenet, mobilenet, shufflenet, vgg, zfnet
from .alexnet import AlexNet
from .densenet import DenseNet
from .googlenet import GoogLeNet, GoogLeNetOutputs
from .lenet import LeNet
from .mobilenet import MobileNetV1, MobileNetV2
from .shufflenet import ShuffleNetV2
from .vgg import VGG

__all__ = ["ConvNet", "ConvNetConfig", "MLP", "convnet", "mlp",
           "BasicBlock", "Bottleneck", "ResNet", "resnet", "CifarResNet", "PreActBlock",
           "SEBasicBlock", "SqueezeExcitation", "ZeroPadShortcut", "resnet_cifar",
           "AlexNet", "DenseNet", "GoogLeNet", "GoogLeNetOutputs", "LeNet", "MobileNetV1",
           "MobileNetV2", "ShuffleNetV2", "VGG", "alexnet", "densenet", "googlenet", "lenet",
           "mobilenet", "shufflenet", "vgg", "zfnet"]
