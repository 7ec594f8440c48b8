"""Reproductions of the course notes' claims, each a function returning its numbers and
(where a picture says it better) a matplotlib figure. ``visiongrad experiment NAME``
runs them; ``examples/`` calls them in course order."""
from .chapter1 import initial_loss
from .chapter2 import gates, optimizers, schedules

EXPERIMENTS = {
    "initial-loss": initial_loss,
    "gates": gates,
    "optimizers": optimizers,
    "schedules": schedules,
}

__all__ = ["EXPERIMENTS", "gates", "initial_loss", "optimizers", "schedules"]
