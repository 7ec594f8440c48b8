import json
import os

import pytest

from visiongrad.cli.main import main


def test_train_writes_run_folder_and_prints_accuracy(tmp_path, capsys):
    code = main(["train", "--model", "two_layer_net", "--epochs", "2", "--out", str(tmp_path),
                 "--no-progress", "--warmup", "1"])
    out = capsys.readouterr().out
    assert code == 0
    folder = out.split("run folder: ")[1].splitlines()[0]
    for name in ("config.json", "metrics.jsonl", "best.safetensors", "last.safetensors",
                 "curves.png", "confusion_matrix.png", "report.md", "results.json"):
        assert os.path.exists(os.path.join(folder, name)), name
    accuracy = float(out.split("test accuracy: ")[1].split()[0])
    assert accuracy > 0.8
    records = [json.loads(line) for line in open(os.path.join(folder, "metrics.jsonl"))]
    assert [r["epoch"] for r in records] == [1, 2]
    assert records[0]["lr"] == pytest.approx(1e-3)  # warm-up over, cosine decay starts
    assert records[1]["lr"] == pytest.approx(0.0, abs=1e-12)
    assert "test accuracy" in open(os.path.join(folder, "report.md")).read()
    assert not [f for f in os.listdir(folder) if f.startswith(".tmp")]


def test_warmup_then_cosine_schedule():
    import argparse

    import visiongrad as vg
    from visiongrad import optim
    from visiongrad.cli.train import build_scheduler

    args = argparse.Namespace(warmup=1, epochs=3, schedule="cosine", lr=0.1)
    opt = optim.SGD([vg.zeros(1, requires_grad=True)], lr=0.1)
    scheduler = build_scheduler(args, opt, steps_per_epoch=10)
    lrs = []
    for _ in range(30):
        lrs.append(scheduler.get_last_lr()[0])
        opt.step()
        scheduler.step()
    assert lrs[0] == pytest.approx(0.01)
    assert all(a < b for a, b in zip(lrs[:10], lrs[1:11]))  # linear ramp up to 0.1
    assert lrs[10] == pytest.approx(0.1)
    assert all(a >= b for a, b in zip(lrs[10:], lrs[11:]))  # then cosine decay


def test_train_resume_continues(tmp_path, capsys):
    assert main(["train", "--model", "linear_classifier", "--epochs", "1", "--out",
                 str(tmp_path / "a"), "--no-progress"]) == 0
    folder = capsys.readouterr().out.split("run folder: ")[1].splitlines()[0]
    assert main(["train", "--model", "linear_classifier", "--epochs", "2", "--out",
                 str(tmp_path / "b"), "--no-progress", "--resume",
                 os.path.join(folder, "last.safetensors")]) == 0
    folder_b = capsys.readouterr().out.split("run folder: ")[1].splitlines()[0]
    records = [json.loads(line) for line in open(os.path.join(folder_b, "metrics.jsonl"))]
    assert [r["epoch"] for r in records] == [1, 2]


def test_train_divergence_is_reported(tmp_path, capsys):
    code = main(["train", "--model", "two_layer_net", "--optimizer", "sgd", "--lr", "1e6",
                 "--schedule", "none", "--epochs", "1", "--out", str(tmp_path), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1
    assert "the loss became" in err and "step" in err


def test_unknown_model_names_known_ones(tmp_path):
    with pytest.raises(SystemExit, match="unknown model 'nope'.*mlp"):
        main(["train", "--model", "nope", "--out", str(tmp_path), "--no-progress"])


def test_help_lists_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("train", "gradcheck", "experiment"):
        assert command in out


def test_ctrl_c_leaves_a_resumable_checkpoint(tmp_path, capsys, monkeypatch):
    import visiongrad as vg
    from visiongrad.train import Trainer

    original = Trainer.train_step

    def interrupt_in_second_epoch(self, x, y):
        if self.epoch == 1 and self.step > 60:
            raise KeyboardInterrupt
        return original(self, x, y)

    monkeypatch.setattr(Trainer, "train_step", interrupt_in_second_epoch)
    code = main(["train", "--model", "linear_classifier", "--epochs", "3", "--out",
                 str(tmp_path), "--no-progress"])
    captured = capsys.readouterr()
    assert code == 1 and "interrupted; resume with --resume" in captured.err
    folder = captured.out.split("run folder: ")[1].splitlines()[0]
    assert not [f for f in os.listdir(folder) if f.startswith(".tmp")]
    state = vg.load(os.path.join(folder, "last.safetensors"))
    assert state["epoch"] == 1  # the last completed epoch
    monkeypatch.setattr(Trainer, "train_step", original)
    assert main(["train", "--model", "linear_classifier", "--epochs", "2", "--out",
                 str(tmp_path / "resumed"), "--no-progress", "--resume",
                 os.path.join(folder, "last.safetensors")]) == 0


def test_small_inputs_are_resized_for_imagenet_architectures():
    import numpy as np

    from visiongrad.cli.train import fit_input_size, resize_images
    from visiongrad.vision import models

    sample = np.zeros((1, 1, 28, 28), np.float32)
    small_cnn = models.get("small_cnn", num_classes=10, in_channels=1)
    assert fit_input_size(small_cnn, sample) == 28
    assert fit_input_size(models.get("lenet", num_classes=10, in_channels=1), sample) == 32
    alexnet = models.get("alexnet", num_classes=10, in_channels=1)
    assert fit_input_size(alexnet, sample) == 64  # 28×28 and 32×32 pool down to nothing
    assert alexnet.training  # the probe leaves the model in training mode
    images = np.random.default_rng(0).random((3, 1, 28, 28)).astype(np.float32)
    resized = resize_images(images, 64)
    assert resized.shape == (3, 1, 64, 64) and resized.dtype == np.float32
    assert abs(resized.mean() - images.mean()) < 0.02
