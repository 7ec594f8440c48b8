"""``Trainer``: the training loop of the course, once, with the practice around it.

Each epoch runs forward, loss, backward, (optional) gradient clipping and an optimizer
step per batch, then evaluates on validation data and hands the epoch's logs to the
callbacks (early stopping, checkpoints). A non-finite loss stops training at once with
a message naming the epoch and step; the last checkpoint written stays the last good
one. ``state_dict`` holds everything needed to resume bit-identically from an epoch
boundary: model, optimizer, scheduler, callbacks, the global random generator (which
also decides the data order) and the history.
"""
import math
import time

import numpy as np

from .. import _random
from ..autograd.grad_mode import no_grad
from ..nn import functional as F
from ..nn.utils import clip_grad_norm_, clip_grad_value_
from ..serialization import load
from .metrics import accuracy


class TrainingDivergedError(RuntimeError):
    """The loss became NaN or infinite."""


class Trainer:
    """Fit a classifier.

    Args:
        model: a ``visiongrad.nn.Module`` mapping a batch of inputs to (N, C) scores.
        optimizer: a ``visiongrad.optim`` optimizer over the model's parameters.
        loss_fn: ``loss_fn(scores, targets) -> scalar Tensor`` (cross-entropy by default).
        scheduler: an LR scheduler stepped once per epoch (``scheduler_interval='epoch'``)
            or per batch (``'step'``); ``ReduceLROnPlateau`` is stepped with the
            validation loss.
        callbacks: ``Callback`` objects (``EarlyStopping``, ``ModelCheckpoint``, ...).
        clip_grad_norm / clip_grad_value: gradient clipping before each step.
        progress: show a progress bar per epoch.
    """

    def __init__(self, model, optimizer, loss_fn=None, scheduler=None,
                 scheduler_interval="epoch", callbacks=(), clip_grad_norm=None,
                 clip_grad_value=None, progress=True, batch_transform=None):
        if scheduler_interval not in ("epoch", "step"):
            raise ValueError(f"scheduler_interval must be 'epoch' or 'step', "
                             f"got {scheduler_interval!r}")
        self.model, self.optimizer = model, optimizer
        self.loss_fn = loss_fn or F.cross_entropy
        self.scheduler, self.scheduler_interval = scheduler, scheduler_interval
        self.callbacks = list(callbacks)
        self.clip_grad_norm, self.clip_grad_value = clip_grad_norm, clip_grad_value
        self.progress = progress
        # batch_transform(x, y) -> (x, y): batch-level augmentation such as MixUp
        self.batch_transform = batch_transform
        self.epoch, self.step = 0, 0
        self.history = []
        self.stop_training, self.stop_reason = False, None

    # ---- one batch ----------------------------------------------------------------------
    def train_step(self, x, y):
        if self.batch_transform is not None:
            x, y = self.batch_transform(x, y)
        scores = self.model(x)
        loss = self.loss_fn(scores, y)
        value = float(loss.item())
        if not math.isfinite(value):
            raise TrainingDivergedError(
                f"the loss became {value} at epoch {self.epoch + 1}, step {self.step + 1} "
                f"(lr={self.optimizer.param_groups[0]['lr']:.3g}); training stopped. Lower "
                "the learning rate or add gradient clipping")
        self.optimizer.zero_grad()
        loss.backward()
        if self.clip_grad_norm is not None:
            clip_grad_norm_(self.model.parameters(), self.clip_grad_norm)
        if self.clip_grad_value is not None:
            clip_grad_value_(self.model.parameters(), self.clip_grad_value)
        self.optimizer.step()
        self.step += 1
        hard = y.data if y.ndim == 1 else y.data.argmax(axis=1)
        return value, int(np.sum(scores.data.argmax(axis=1) == hard)), len(hard)

    # ---- loops --------------------------------------------------------------------------
    def fit(self, train_loader, val_loader=None, epochs=10):
        """Train for ``epochs`` epochs in total (a resumed trainer continues from
        ``self.epoch``). Returns the history: one dict of metrics per epoch."""
        for callback in self.callbacks:
            callback.on_fit_start(self)
        self.stop_training = False
        while self.epoch < epochs and not self.stop_training:
            self._run_epoch(train_loader, val_loader, epochs)
        for callback in self.callbacks:
            callback.on_fit_end(self)
        return self.history

    def _run_epoch(self, train_loader, val_loader, epochs):
        for callback in self.callbacks:
            callback.on_epoch_start(self, self.epoch + 1)
        self.model.train()
        start = time.perf_counter()
        total_loss, correct, count = 0.0, 0, 0
        bar = self._progress(train_loader, f"epoch {self.epoch + 1}/{epochs}")
        for x, y in bar:
            loss, batch_correct, batch_count = self.train_step(x, y)
            total_loss += loss * batch_count
            correct, count = correct + batch_correct, count + batch_count
            if self.scheduler is not None and self.scheduler_interval == "step":
                self.scheduler.step()
            if hasattr(bar, "set_postfix"):
                bar.set_postfix(loss=f"{total_loss / count:.4f}", acc=f"{correct / count:.4f}")
            for callback in self.callbacks:
                callback.on_batch_end(self, self.step, {"loss": loss})
        self.epoch += 1
        logs = {"epoch": self.epoch, "train_loss": total_loss / max(count, 1),
                "train_accuracy": correct / max(count, 1),
                "lr": self.optimizer.param_groups[0]["lr"]}
        if val_loader is not None:
            val = self.evaluate(val_loader)
            logs.update(val_loss=val["loss"], val_accuracy=val["accuracy"])
        logs["seconds"] = time.perf_counter() - start
        if self.scheduler is not None and self.scheduler_interval == "epoch":
            if type(self.scheduler).__name__ == "ReduceLROnPlateau":
                self.scheduler.step(logs.get("val_loss", logs["train_loss"]))
            else:
                self.scheduler.step()
        self.history.append(logs)
        for callback in self.callbacks:
            callback.on_epoch_end(self, self.epoch, logs)

    def _progress(self, loader, description):
        if not self.progress:
            return loader
        from tqdm.auto import tqdm

        return tqdm(loader, desc=description, leave=False, dynamic_ncols=True)

    def predict_scores(self, loader):
        """(scores, targets) over a loader, in eval mode without recording a graph."""
        self.model.eval()
        scores, targets = [], []
        with no_grad():
            for x, y in loader:
                scores.append(self.model(x).data)
                targets.append(y.data)
        return np.concatenate(scores), np.concatenate(targets)

    def evaluate(self, loader):
        """{'loss', 'accuracy'} of the model on ``loader``."""
        from ..tensor import Tensor

        scores, targets = self.predict_scores(loader)
        with no_grad():
            loss = float(self.loss_fn(Tensor._wrap(scores), Tensor._wrap(targets)).item())
        return {"loss": loss, "accuracy": accuracy(scores, targets)}

    # ---- state for exact resume ---------------------------------------------------------
    def state_dict(self):
        state = {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "epoch": self.epoch,
            "step": self.step,
            "history": self.history,
            "rng": _random.get_rng_state(),
            "callbacks": [c.state_dict() for c in self.callbacks],
        }
        if self.scheduler is not None:
            state["scheduler"] = self.scheduler.state_dict()
        return state

    def load_state_dict(self, state):
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        if self.scheduler is not None and "scheduler" in state:
            self.scheduler.load_state_dict(state["scheduler"])
        self.epoch, self.step = int(state["epoch"]), int(state["step"])
        self.history = list(state["history"])
        _random.set_rng_state(state["rng"])
        for callback, callback_state in zip(self.callbacks, state["callbacks"]):
            callback.load_state_dict(callback_state)

    def resume(self, path):
        """Load a ``last.safetensors`` written by ``ModelCheckpoint``."""
        self.load_state_dict(load(path))
        return self
