"""Training practice: the Trainer loop, callbacks (early stopping, checkpoints) and
classification metrics."""
from .callbacks import Callback, EarlyStopping, ModelCheckpoint
from .ensemble import Ensemble
from .metrics import accuracy, confusion_matrix, per_class_accuracy, top_k_accuracy
from .trainer import Trainer, TrainingDivergedError

__all__ = ["Callback", "EarlyStopping", "Ensemble", "ModelCheckpoint", "Trainer", "TrainingDivergedError",
           "accuracy", "confusion_matrix", "per_class_accuracy", "top_k_accuracy"]
