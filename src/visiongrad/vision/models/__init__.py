"""Model constructors by name: ``get("resnet18", num_classes=10)``, ``list_models()``.
Names, attribute names and state_dict keys are torchvision's where torchvision has the
model."""
from .._models_registry import get, list_models
from .classification import MLP

__all__ = ["MLP", "get", "list_models"]
