import math

import numpy as np
import pytest

import visiongrad as vg
from visiongrad import nn, optim
from visiongrad.train import (EarlyStopping, ModelCheckpoint, Trainer, TrainingDivergedError,
                              accuracy, confusion_matrix, per_class_accuracy, top_k_accuracy)
from visiongrad.utils.data import DataLoader, TensorDataset


def _data(n=200, d=8, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((classes, d)) * 3
    y = rng.integers(0, classes, n)
    x = (centers[y] + rng.standard_normal((n, d))).astype(np.float32)
    return x, y.astype(np.int64)


def _loaders(batch_size=16):
    x, y = _data()
    train = DataLoader(TensorDataset(vg.from_numpy(x[:160]), vg.from_numpy(y[:160])),
                       batch_size=batch_size, shuffle=True)
    val = DataLoader(TensorDataset(vg.from_numpy(x[160:]), vg.from_numpy(y[160:])),
                     batch_size=64)
    return train, val


def _trainer(callbacks=(), lr=0.05):
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    return Trainer(model, opt, scheduler=sched, callbacks=list(callbacks), progress=False)


def test_fit_learns_and_records_history():
    vg.manual_seed(0)
    train, val = _loaders()
    trainer = _trainer()
    history = trainer.fit(train, val, epochs=5)
    assert [h["epoch"] for h in history] == [1, 2, 3, 4, 5]
    assert history[-1]["val_accuracy"] > 0.9
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert history[2]["lr"] == pytest.approx(0.05 * 0.5)


def test_resume_is_bit_identical(tmp_path):
    vg.manual_seed(0)
    train, val = _loaders()
    full = _trainer([ModelCheckpoint(tmp_path / "full")])
    full.fit(train, val, epochs=6)

    vg.manual_seed(0)
    train, val = _loaders()
    first = _trainer([ModelCheckpoint(tmp_path / "part")])
    first.fit(train, val, epochs=3)
    vg.manual_seed(123)  # anything drawn after the interruption must not matter
    second = _trainer([ModelCheckpoint(tmp_path / "part")])
    second.resume(tmp_path / "part" / "last.safetensors")
    second.fit(train, val, epochs=6)
    for (name, a), (_, b) in zip(full.model.state_dict().items(),
                                 second.model.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)
    assert [h["val_loss"] for h in full.history] == [h["val_loss"] for h in second.history]


def test_early_stopping_restores_best_epoch():
    vg.manual_seed(0)
    train, val = _loaders()
    stopper = EarlyStopping(monitor="val_loss", mode="min", patience=1)
    trainer = _trainer([stopper], lr=3.0)  # too large: the validation loss soon gets worse
    trainer.fit(train, val, epochs=30)
    assert trainer.stop_training and len(trainer.history) < 30
    assert "early stopping" in trainer.stop_reason
    best = min(h["val_loss"] for h in trainer.history)
    assert stopper.best == best
    assert trainer.evaluate(val)["loss"] == pytest.approx(best, rel=1e-5)


def test_nan_loss_stops_with_step_and_keeps_last_good_checkpoint(tmp_path):
    vg.manual_seed(0)
    train, val = _loaders()
    checkpoint = ModelCheckpoint(tmp_path)
    trainer = _trainer([checkpoint])
    trainer.fit(train, val, epochs=1)
    good = vg.load(checkpoint.last_path)["model"]
    with vg.no_grad():
        trainer.model[0].weight.fill_(float("nan"))
    with pytest.raises(TrainingDivergedError, match=r"nan at epoch 2, step 11"):
        trainer.fit(train, val, epochs=2)
    kept = vg.load(checkpoint.last_path)["model"]
    for key in good:
        np.testing.assert_array_equal(good[key].numpy(), kept[key].numpy())
        assert np.all(np.isfinite(kept[key].numpy()))


def test_metrics():
    scores = np.array([[0.1, 0.9, 0.0], [0.8, 0.1, 0.1], [0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])
    targets = np.array([1, 0, 1, 2])
    assert accuracy(scores, targets) == 0.5
    assert top_k_accuracy(scores, targets, k=2) == 0.75
    matrix = confusion_matrix(scores, targets, 3)
    from sklearn.metrics import confusion_matrix as sk_confusion

    np.testing.assert_array_equal(matrix, sk_confusion(targets, scores.argmax(1), labels=[0, 1, 2]))
    np.testing.assert_array_equal(per_class_accuracy(scores, targets, 3), [1.0, 0.5, 0.0])
    assert math.isnan(per_class_accuracy(scores, targets, 4)[3])


def test_ensemble_averages_probabilities_and_beats_mean_member():
    from visiongrad.train import Ensemble

    x, y = _data()
    x_test, y_test = vg.from_numpy(x[160:]), y[160:]  # the loaders' validation part
    members, accuracies = [], []
    for seed in range(5):
        vg.manual_seed(seed)
        train, val = _loaders()
        trainer = _trainer(lr=0.02)
        trainer.fit(train, None, epochs=1)
        members.append(trainer.model)
        with vg.no_grad():
            accuracies.append(accuracy(trainer.model(x_test).numpy(), y_test))
    ensemble = Ensemble(members)
    probabilities = ensemble(x_test).numpy()
    with vg.no_grad():
        expected = np.mean([m(x_test).softmax(1).numpy() for m in members], axis=0)
    np.testing.assert_allclose(probabilities, expected, rtol=1e-6)
    np.testing.assert_allclose(probabilities.sum(1), 1, rtol=1e-6)
    assert accuracy(probabilities, y_test) >= np.mean(accuracies)
    np.testing.assert_array_equal(ensemble(x_test).numpy(), probabilities)  # deterministic
