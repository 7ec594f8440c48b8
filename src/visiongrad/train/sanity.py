"""Sanity checks before and after a hyperparameter search, the course's recipe
(chapter 4): check the initial loss (step 1), overfit a small sample (step 2), find a
learning rate that makes the loss drop within ~100 iterations (step 3), and read the
learning curves (step 6: a train/val gap means overfitting, no gap and low accuracy
means underfitting).

Each check returns a ``CheckResult`` whose ``str`` is a one-line verdict with the
numbers behind it.
"""
import math
from dataclasses import dataclass, field

import numpy as np


@dataclass
class CheckResult:
    """The outcome of one sanity check."""
    name: str                 # which check: "initial loss", "overfit small sample", ...
    passed: bool
    value: float              # what was measured: a loss, an accuracy, the chosen LR
    message: str              # the verdict in words, with the numbers behind it
    details: dict = field(default_factory=dict)  # curves behind the verdict, for plots

    def __str__(self):
        return f"{'PASS' if self.passed else 'FAIL'}  {self.name}: {self.message}"


@dataclass
class CurveDiagnosis:
    """What learning curves say (step 6 of the recipe)."""
    verdict: str              # 'overfitting', 'underfitting' or 'good fit'
    reason: str               # the numbers that decided it
    advice: str               # what to try next

    def __str__(self):
        return f"{self.verdict}: {self.reason}; {self.advice}"


def _tensor(array):
    import visiongrad as vg
    from ..tensor import Tensor

    if isinstance(array, Tensor):
        return array
    return vg.from_numpy(np.ascontiguousarray(array))


def _loss_fn(loss_fn):
    from ..nn import functional as F

    return loss_fn or F.cross_entropy


def check_initial_loss(model, x, y, loss_fn=None, expected=None, tolerance=0.1):
    """Step 1: at initialization the scores are near zero, so softmax is near uniform
    over the C classes and cross-entropy is near ln C. Passes when the loss of
    ``model`` on ``(x, y)`` is within ``tolerance`` (relative) of ``expected`` (ln C by
    default; pass another value for another loss, e.g. C - 1 for the multiclass SVM
    loss with margin 1).

    ``x``: (N, ...) inputs, ``y``: (N,) labels, arrays or Tensors; no gradient is
    recorded and the model's train/eval mode is left as it was.
    """
    from ..autograd.grad_mode import no_grad

    was_training = model.training
    model.eval()
    try:
        with no_grad():
            scores = model(_tensor(x))
            loss = float(_loss_fn(loss_fn)(scores, _tensor(y)).item())
    finally:
        model.train(was_training)
    num_classes = scores.shape[1]
    if expected is None:
        expected, label = math.log(num_classes), f"ln({num_classes})"
    else:
        label = "expected"
    off = abs(loss - expected) / expected
    passed = off <= tolerance
    message = (f"{loss:.4f} vs {label} = {expected:.4f} ({off:.1%} off, tolerance "
               f"{tolerance:.0%})")
    if not passed and loss > expected:
        message += ("; the initial scores are too large: scale the initial weights down "
                    "or check the loss")
    elif not passed:
        message += ("; below chance before any training: check the labels and the loss "
                    "(a bug, or labels leaking into the inputs)")
    return CheckResult("initial loss", passed, loss, message,
                       {"expected": expected, "num_classes": num_classes})


def overfit_small_sample(model_fn, x, y, n=50, epochs=200, lr=1e-3, optimizer="adam",
                         seed=0, loss_fn=None):
    """Step 2: a working model and learning rate fit ``n`` training samples perfectly.

    Trains ``model_fn()`` (a fresh model) without regularization on ``n`` samples drawn
    from ``(x, y)`` with ``seed``, one full-batch step per epoch, and stops as soon as
    every sample is classified correctly (in eval mode). Passes at 100 % train
    accuracy within ``epochs`` steps. ``details``: the loss per step.
    """
    from .. import _random
    from ..autograd.grad_mode import no_grad
    from .search import make_optimizer

    x, y = np.asarray(x), np.asarray(y)
    if not 1 <= n <= len(x):
        raise ValueError(f"overfit_small_sample: n should be in [1, {len(x)}] (the number "
                         f"of samples), got n={n}")
    picked = np.random.Generator(np.random.PCG64(seed)).permutation(len(x))[:n]
    inputs, targets = _tensor(x[picked]), _tensor(y[picked])
    _random.manual_seed(seed)
    model = model_fn()
    optimizer = make_optimizer(optimizer, model.parameters(), lr)
    loss_fn = _loss_fn(loss_fn)
    losses, accuracy = [], 0.0
    for _ in range(epochs):
        model.train()
        loss = loss_fn(model(inputs), targets)
        losses.append(float(loss.item()))
        if not math.isfinite(losses[-1]):
            return CheckResult("overfit small sample", False, accuracy,
                               f"the loss became {losses[-1]} at step {len(losses)} (lr={lr:g}): "
                               "lower the learning rate", {"losses": losses})
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        model.eval()
        with no_grad():
            accuracy = float(np.mean(model(inputs).data.argmax(axis=1) == targets.data))
        if accuracy == 1.0:
            break
    passed = accuracy == 1.0
    message = (f"{accuracy:.0%} train accuracy on {n} samples after {len(losses)} "
               f"full-batch steps (loss {losses[0]:.3f} -> {losses[-1]:.3f}, lr={lr:g})")
    if not passed:
        message += ("; the model cannot memorize a few samples: check the model, the "
                    "learning rate and the initialization before searching")
    return CheckResult("overfit small sample", passed, accuracy, message,
                       {"losses": losses, "n": n})


def find_lr(model_fn, data, candidates=(1e-1, 1e-2, 1e-3, 1e-4), iters=100, batch_size=64,
            optimizer="adam", weight_decay=1e-4, min_drop=0.25, divergence_factor=3.0, seed=0,
            loss_fn=None):
    """Step 3: the learning rate that makes the loss drop the most within ``iters``
    iterations on all the training data (with a small weight decay, as the notes say).

    For each candidate a fresh ``model_fn()`` (same seed, so the same initialization
    and batch order) trains ``iters`` steps. The drop is ``1 - final / initial`` where
    final is the mean loss of the last tenth of the steps (batch noise averaged out); a
    candidate whose loss becomes non-finite or exceeds ``divergence_factor`` times its
    first value diverged, and stops there.
    The check passes when the best candidate's drop is at least ``min_drop``.
    ``value`` is the chosen LR (NaN if all diverged); ``details``: per-LR loss curves,
    drops and the diverged LRs.
    """
    from .. import _random
    from ..utils.data import DataLoader, TensorDataset
    from .search import make_optimizer

    if not candidates:
        raise ValueError("find_lr: candidates should hold at least one learning rate, "
                         "got none")
    x, y = data
    dataset = TensorDataset(_tensor(np.asarray(x)), _tensor(np.asarray(y)))
    loss_fn = _loss_fn(loss_fn)
    curves, drops, diverged = {}, {}, []
    for lr in candidates:
        _random.manual_seed(seed)
        model = model_fn()
        model.train()
        optim = make_optimizer(optimizer, model.parameters(), lr, weight_decay)
        loader = DataLoader(dataset, batch_size=batch_size, shuffle=True)
        losses = []
        exploded = False
        while len(losses) < iters and not exploded:
            for inputs, targets in loader:
                loss = loss_fn(model(inputs), targets)
                losses.append(float(loss.item()))
                exploded = not losses[-1] <= divergence_factor * losses[0]  # NaN too
                if exploded or len(losses) == iters:
                    break
                optim.zero_grad()
                loss.backward()
                optim.step()
        curves[lr] = losses
        if exploded:
            diverged.append(lr)
        else:
            drops[lr] = 1.0 - float(np.mean(losses[-max(1, len(losses) // 10):])) / losses[0]
    details = {"curves": curves, "drops": drops, "diverged": diverged}
    if not drops:
        return CheckResult("learning rate", False, math.nan,
                           f"every candidate {list(candidates)} diverged: try smaller "
                           "learning rates", details)
    best = max(drops, key=drops.get)
    passed = drops[best] >= min_drop
    tried = ", ".join(f"{lr:g}: {'diverged' if lr in diverged else f'-{drops[lr]:.0%}'}"
                      for lr in candidates)
    message = (f"lr={best:g} drops the loss {curves[best][0]:.3f} -> "
               f"{curves[best][0] * (1 - drops[best]):.3f} (-{drops[best]:.0%}) in {iters} "
               f"iterations [{tried}]")
    if not passed:
        message += (f"; no candidate drops the loss by {min_drop:.0%}: try larger learning "
                    "rates or check the model")
    return CheckResult("learning rate", passed, best, message, details)


def diagnose_curves(history, gap=0.05, low_accuracy=0.9, val_loss_rise=0.25):
    """Step 6: read the learning curves of a training run.

    ``history``: per-epoch dicts with ``train_accuracy`` and ``val_accuracy`` (and
    optionally ``train_loss`` / ``val_loss``), as ``Trainer.fit`` returns.

    - 'overfitting' when the final train accuracy exceeds validation accuracy by more
      than ``gap``, or when the validation loss has risen more than ``val_loss_rise``
      (relative) above its minimum while the training loss kept falling: regularize
      more or get more data.
    - 'underfitting' when there is no such gap but the train accuracy is below
      ``low_accuracy``: train longer or use a bigger model.
    - 'good fit' otherwise.
    The advice also says when validation accuracy was still rising at the end.
    """
    if not history:
        raise ValueError("diagnose_curves: history should hold at least one epoch, got none")
    for key in ("train_accuracy", "val_accuracy"):
        if any(key not in record for record in history):
            raise ValueError(f"diagnose_curves: every epoch of history needs {key!r}; the "
                             f"first epoch has {sorted(history[0])}")
    last = history[-1]
    train, val = last["train_accuracy"], last["val_accuracy"]
    difference = train - val
    rising = len(history) > 1 and val > max(h["val_accuracy"] for h in history[:-1])
    longer = "; validation accuracy was still rising: training longer may help"
    numbers = f"train accuracy {train:.3f}, validation {val:.3f} (gap {difference:+.3f})"
    if difference > gap:
        return CurveDiagnosis("overfitting", f"{numbers} > {gap}",
                              "regularize more (weight decay, dropout, augmentation) or get "
                              "more data")
    val_losses = [h.get("val_loss") for h in history]
    train_losses = [h.get("train_loss") for h in history]
    if len(history) > 2 and None not in val_losses and None not in train_losses:
        lowest = int(np.argmin(val_losses))
        if (val_losses[-1] > val_losses[lowest] * (1 + val_loss_rise)
                and train_losses[-1] < train_losses[lowest]):
            return CurveDiagnosis(
                "overfitting",
                f"validation loss rose from {val_losses[lowest]:.4f} (epoch {lowest + 1}) to "
                f"{val_losses[-1]:.4f} while the training loss kept falling; {numbers}",
                "stop earlier (early stopping), regularize more or get more data")
    if train < low_accuracy:
        return CurveDiagnosis("underfitting",
                              f"{numbers}: no gap, but train accuracy below {low_accuracy}",
                              "train longer or use a bigger model (less regularization)"
                              + (longer if rising else ""))
    return CurveDiagnosis("good fit", f"{numbers} <= {gap}",
                          "keep these settings" + (longer if rising else ""))
