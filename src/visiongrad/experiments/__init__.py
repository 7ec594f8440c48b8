"""Reproductions of the course notes' claims, each a function returning its numbers and
(where a picture says it better) a matplotlib figure. ``visiongrad experiment NAME``
runs them; ``examples/`` calls them in course order."""
from .activations import activation_zoo
from .chapter1 import initial_loss
from .chapter2 import gates, optimizers, schedules
from .chapter3 import degradation
from .initialization import dead_relu, init_statistics, selu_self_normalizing
from .preprocessing import data_preprocessing
from .receptive_field import receptive_fields

EXPERIMENTS = {
    "initial-loss": initial_loss,
    "gates": gates,
    "optimizers": optimizers,
    "schedules": schedules,
    "activations": activation_zoo,
    "init-statistics": init_statistics,
    "selu": selu_self_normalizing,
    "dead-relu": dead_relu,
    "preprocessing": data_preprocessing,
    "receptive-field": receptive_fields,
    "degradation": degradation,
}

__all__ = ["EXPERIMENTS", "activation_zoo", "data_preprocessing", "dead_relu", "degradation",
           "gates", "init_statistics", "initial_loss", "optimizers", "receptive_fields",
           "schedules", "selu_self_normalizing"]
