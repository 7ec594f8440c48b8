import json
import os

import pytest

from visiongrad.cli.main import main


def _run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr().out
    assert code == 0
    folder = out.split("run folder: ")[1].splitlines()[0]
    accuracy = float(out.split("test accuracy: ")[1].split()[0])
    return out, folder, accuracy


def test_knn_digits_both_distances(tmp_path, capsys):
    out, folder, accuracy = _run(["knn", "--dataset", "digits", "--k", "5,1,3", "--folds", "3",
                                  "--distance", "both", "--out", str(tmp_path),
                                  "--no-progress"], capsys)
    for name in ("config.json", "cv_results.json", "results.json", "accuracy_vs_k.png",
                 "report.md"):
        assert os.path.getsize(os.path.join(folder, name)) > 0, name
    assert os.path.dirname(folder) == str(tmp_path)
    cv = json.load(open(os.path.join(folder, "cv_results.json")))
    assert set(cv) == {"l2", "l1"} and set(cv["l2"]) == {"1", "3", "5"}
    assert len(cv["l1"]["3"]["fold_accuracies"]) == 3
    results = json.load(open(os.path.join(folder, "results.json")))
    chosen = cv[results["distance"]][str(results["k"])]["mean"]
    assert chosen == max(entry["mean"] for d in cv.values() for entry in d.values())
    assert results["test_accuracy"] == pytest.approx(accuracy, abs=5e-5)
    assert accuracy >= 0.97
    assert "<- chosen" in out
    assert f"test accuracy: **{accuracy:.4f}**" in open(os.path.join(folder, "report.md")).read()
    assert not [f for f in os.listdir(folder) if f.startswith(".tmp")]


def test_knn_mnist(tmp_path, capsys):
    _, folder, accuracy = _run(["knn", "--dataset", "mnist", "--k", "1,3", "--folds", "3",
                                "--out", str(tmp_path), "--no-progress"], capsys)
    assert accuracy >= 0.92
    assert json.load(open(os.path.join(folder, "config.json")))["train_size"] == 4000


@pytest.mark.parametrize("loss", ["svm", "softmax"])
def test_linear_digits(tmp_path, capsys, loss):
    out, folder, accuracy = _run(["linear", "--loss", loss, "--dataset", "digits", "--reg",
                                  "1e-3,1e-2", "--epochs", "10", "--out", str(tmp_path),
                                  "--no-progress"], capsys)
    for name in ("config.json", "val_results.json", "results.json", "loss_curve.png",
                 "templates.png", "report.md"):
        assert os.path.getsize(os.path.join(folder, name)) > 0, name
    candidates = json.load(open(os.path.join(folder, "val_results.json")))
    assert [c["reg"] for c in candidates] == [1e-3, 1e-2]
    results = json.load(open(os.path.join(folder, "results.json")))
    assert results["val_accuracy"] == max(c["val_accuracy"] for c in candidates)
    assert len(results["loss_history"]) == 10 * 6  # 1149 training images, batches of 200
    assert json.load(open(os.path.join(folder, "config.json")))["lr"] == 1.0
    assert accuracy >= 0.9
    assert out.count("val accuracy") == 2


def test_bad_arguments(tmp_path, capsys):
    with pytest.raises(SystemExit) as error:
        main(["knn", "--k", "0,1", "--out", str(tmp_path)])
    assert error.value.code == 2
    assert "--k: expected positive integers" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="--k values must be at most 958"):
        main(["knn", "--k", "959", "--folds", "3", "--out", str(tmp_path), "--no-progress"])
    with pytest.raises(SystemExit) as error:
        main(["linear", "--reg", "1e-3,x", "--out", str(tmp_path)])
    assert "--reg: expected comma-separated non-negative numbers" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="--val-fraction must be in"):
        main(["linear", "--val-fraction", "1.5", "--out", str(tmp_path), "--no-progress"])
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("command,words", [("knn", "cross-validation"),
                                           ("linear", "validation split")])
def test_help(capsys, command, words):
    with pytest.raises(SystemExit) as error:
        main([command, "--help"])
    assert error.value.code == 0
    assert words in capsys.readouterr().out
