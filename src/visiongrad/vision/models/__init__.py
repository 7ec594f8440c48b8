"""Model constructors by name: ``get("resnet18", num_classes=10)``, ``list_models()``;
per-layer statistics: ``summary(model, input_size)``, ``conv_layer_table(layers, shape)``.
Names, attribute names and state_dict keys are torchvision's where torchvision has the
model; ``load_torchvision_weights(model, path)`` loads torchvision checkpoints."""
from .._models_registry import get, list_models
from .classification import MLP
from .summary import conv_layer_table, summary
from .weights import convert_torch_checkpoint, load_torchvision_weights

__all__ = ["MLP", "get", "list_models", "conv_layer_table", "summary",
           "convert_torch_checkpoint", "load_torchvision_weights"]
from . import segmentation  # noqa: E402,F401  (registers fcn_small)
from . import sequence  # noqa: E402,F401  (registers char_rnn, captioning_rnn)
