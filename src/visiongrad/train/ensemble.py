"""Model ensembles: average the members' predicted class probabilities, then argmax."""
import numpy as np

from ..autograd.grad_mode import no_grad
from ..nn import Module
from ..tensor import Tensor


class Ensemble(Module):
    """Wraps trained classifiers; ``forward`` returns the mean of their softmax
    probabilities (N, C), so ``argmax(1)`` is the ensemble's prediction. Members are
    evaluated in eval mode without recording a graph."""

    def __init__(self, members, weights=None):
        super().__init__()
        from ..nn import ModuleList

        members = list(members)
        if not members:
            raise ValueError("Ensemble: expected at least one member model")
        if weights is not None and len(weights) != len(members):
            raise ValueError(f"Ensemble: got {len(weights)} weights for {len(members)} members")
        self.members = ModuleList(members)
        w = np.ones(len(members)) if weights is None else np.asarray(weights, dtype=float)
        self._weights = w / w.sum()

    def forward(self, x):
        probabilities = None
        with no_grad():
            for weight, member in zip(self._weights, self.members):
                member.eval()
                p = member(x).softmax(1).data * weight
                probabilities = p if probabilities is None else probabilities + p
        return Tensor._wrap(probabilities.astype(np.float32, copy=False))

    def predict(self, x):
        return self.forward(x).argmax(1)
