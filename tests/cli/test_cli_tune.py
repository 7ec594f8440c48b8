import json
import os

import pytest
from threadpoolctl import threadpool_limits

from visiongrad.cli.main import main

SMALL = ["tune", "--trials", "2", "--epochs", "1", "--fine-trials", "2", "--fine-epochs", "2",
         "--lr-range", "1e-3", "1e-2", "--backend", "serial", "--no-progress"]


@pytest.fixture(autouse=True)
def _one_blas_thread():
    # The dev machine's 2 cores are shared: with other jobs running, the tiny GEMMs of
    # these runs measured 4x faster with one OpenBLAS thread than with two.
    with threadpool_limits(limits=1):
        yield


def _folder(out):
    return out.split("run folder: ")[1].splitlines()[0]


def test_tune_runs_the_recipe_and_writes_its_run_folder(tmp_path, capsys):
    code = main(SMALL + ["--model", "two_layer_net", "--folds", "2", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    for check in ("initial loss", "overfit small sample", "learning rate"):
        assert f"PASS  {check}" in out
    folder = _folder(out)
    for name in ("config.json", "trials.jsonl", "results.md", "search.png", "lr_finder.png",
                 "best_curves.png"):
        assert os.path.exists(os.path.join(folder, name)), name
    assert not [f for f in os.listdir(folder) if f.startswith(".tmp")]
    trials = [json.loads(line) for line in open(os.path.join(folder, "trials.jsonl"))]
    assert [t["stage"] for t in trials] == ["coarse"] * 2 + ["fine"] * 2
    assert [t["config"]["epochs"] for t in trials] == [1, 1, 2, 2]
    assert all(1e-3 <= t["config"]["lr"] <= 1e-2 and len(t["history"]) == t["config"]["epochs"]
               for t in trials)
    accuracy = float(out.split("validation accuracy: ")[1].split()[0])
    assert accuracy == pytest.approx(
        max(t["metrics"]["val_accuracy"] for t in trials if t["stage"] == "fine"), abs=5e-5)
    assert accuracy > 0.8
    assert "best config: model=two_layer_net" in out and "2-fold cross-validation" in out
    assert "visiongrad train --dataset digits --model two_layer_net" in out
    verdict = out.split("curves: ")[1].split(":")[0]
    assert verdict in ("overfitting", "underfitting", "good fit")
    report = open(os.path.join(folder, "results.md")).read()
    assert "## Sanity checks" in report and f"**{verdict}**" in report
    assert report.count("| coarse |") == 2 and report.count("| fine |") == 2
    config = json.load(open(os.path.join(folder, "config.json")))
    assert config["trials"] == 2 and len(config["sanity_checks"]) == 3


def test_tune_nas_searches_the_architecture(tmp_path, capsys):
    assert main(SMALL + ["--nas", "--fine-trials", "0", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    trials = [json.loads(line) for line in open(os.path.join(_folder(out), "trials.jsonl"))]
    assert len(trials) == 2
    for trial in trials:
        model = trial["config"]["model"]
        assert model["name"] == "mlp" and 1 <= len(model["hidden"]) <= 3
        assert set(model["hidden"]) <= {32, 64, 128, 256}
    assert "best config: model=mlp(hidden=[" in out


@pytest.mark.parametrize("arguments, message", [
    (["--lr-range", "1e-1", "1e-4"], "--lr-range must be LOW HIGH with 0 < LOW < HIGH"),
    (["--folds", "1"], "--folds must be 0 .off. or >= 2, got 1"),
    (["--trials", "0"], "--trials must be >= 1, got 0"),
    (["--model", "nope"], "unknown model 'nope'"),
])
def test_tune_rejects_bad_arguments(tmp_path, arguments, message):
    with pytest.raises(SystemExit, match=message):
        main(SMALL + arguments + ["--out", str(tmp_path)])


def test_help_lists_tune(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "tune" in capsys.readouterr().out
