"""Callbacks the ``Trainer`` calls at the start and end of fitting, of each epoch and of
each batch: early stopping and best-snapshot checkpointing."""
import math
import os

from ..serialization import save


class Callback:
    def on_fit_start(self, trainer):
        pass

    def on_epoch_start(self, trainer, epoch):
        pass

    def on_batch_end(self, trainer, step, logs):
        pass

    def on_epoch_end(self, trainer, epoch, logs):
        pass

    def on_fit_end(self, trainer):
        pass

    def state_dict(self):
        return {}

    def load_state_dict(self, state):
        pass


def _improved(value, best, mode, min_delta):
    if best is None:
        return True
    return value > best + min_delta if mode == "max" else value < best - min_delta


def _check_mode(mode):
    if mode not in ("max", "min"):
        raise ValueError(f"mode must be 'max' or 'min', got {mode!r}")


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved for ``patience`` epochs; with
    ``restore_best`` the model ends with the weights of its best epoch."""

    def __init__(self, monitor="val_accuracy", mode="max", patience=5, min_delta=0.0,
                 restore_best=True):
        _check_mode(mode)
        if patience < 0:
            raise ValueError(f"EarlyStopping: patience must be >= 0, got {patience}")
        self.monitor, self.mode, self.patience = monitor, mode, patience
        self.min_delta, self.restore_best = min_delta, restore_best
        self.best, self.best_epoch, self.bad_epochs = None, None, 0
        self._best_weights = None

    def on_epoch_end(self, trainer, epoch, logs):
        if self.monitor not in logs:
            raise KeyError(f"EarlyStopping: metric {self.monitor!r} not in the epoch's logs "
                           f"{sorted(logs)}; pass validation data or monitor another metric")
        value = logs[self.monitor]
        if _improved(value, self.best, self.mode, self.min_delta):
            self.best, self.best_epoch, self.bad_epochs = value, epoch, 0
            if self.restore_best:
                self._best_weights = {k: v.data.copy()
                                      for k, v in trainer.model.state_dict().items()}
        else:
            self.bad_epochs += 1
            if self.bad_epochs > self.patience:
                trainer.stop_training = True
                trainer.stop_reason = (f"early stopping: {self.monitor} has not improved for "
                                       f"{self.bad_epochs} epochs (best {self.best:.4f} at "
                                       f"epoch {self.best_epoch})")

    def on_fit_end(self, trainer):
        if self.restore_best and self._best_weights is not None:
            trainer.model.load_state_dict(self._best_weights)

    def state_dict(self):
        return {"best": self.best, "best_epoch": self.best_epoch,
                "bad_epochs": self.bad_epochs, "best_weights": self._best_weights}

    def load_state_dict(self, state):
        self.best, self.best_epoch = state["best"], state["best_epoch"]
        self.bad_epochs, self._best_weights = state["bad_epochs"], state["best_weights"]


class ModelCheckpoint(Callback):
    """After every epoch write ``last.safetensors`` (the whole training state, for exact
    resume) and, when ``monitor`` improves, ``best.safetensors`` (the model's weights).
    Both are written atomically."""

    def __init__(self, directory, monitor="val_accuracy", mode="max"):
        _check_mode(mode)
        self.directory, self.monitor, self.mode = directory, monitor, mode
        self.best, self.best_epoch = None, None
        os.makedirs(directory, exist_ok=True)

    @property
    def best_path(self):
        return os.path.join(self.directory, "best.safetensors")

    @property
    def last_path(self):
        return os.path.join(self.directory, "last.safetensors")

    def on_epoch_end(self, trainer, epoch, logs):
        value = logs.get(self.monitor)
        if value is not None and not (isinstance(value, float) and math.isnan(value)) \
                and _improved(value, self.best, self.mode, 0.0):
            self.best, self.best_epoch = value, epoch
            save(trainer.model.state_dict(), self.best_path)
        save(trainer.state_dict(), self.last_path)

    def state_dict(self):
        return {"best": self.best, "best_epoch": self.best_epoch}

    def load_state_dict(self, state):
        self.best, self.best_epoch = state["best"], state["best_epoch"]
