"""``visiongrad.optim``: optimizers and learning-rate schedules with ``torch.optim``'s
names, update equations and state-dict layout."""
from . import lr_scheduler
from .adam import Adam, AdamW
from .lr_scheduler import InverseSqrtLR, scale_lr
from .optimizer import Optimizer
from .rmsprop import Adagrad, RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler",
           "InverseSqrtLR", "scale_lr"]
