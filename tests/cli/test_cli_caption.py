import json
import os

import pytest

from visiongrad.cli.main import main


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_caption_trains_and_writes_a_run_folder(tmp_path, capsys, cell):
    assert main(["caption", "--cell", cell, "--epochs", "2", "--out", str(tmp_path),
                 "--no-progress"]) == 0
    out = capsys.readouterr().out
    folder = out.split("run folder: ")[1].splitlines()[0]
    accuracy = float(out.split("test caption accuracy: ")[1].split()[0])
    for name in ("config.json", "metrics.jsonl", "results.json", "report.md"):
        assert os.path.getsize(os.path.join(folder, name)) > 0, name
    assert os.path.getsize(os.path.join(folder, "captions.png")) > 5000

    with open(os.path.join(folder, "metrics.jsonl")) as f:
        records = [json.loads(line) for line in f]
    assert [r["epoch"] for r in records] == [1, 2]
    assert records[-1]["train_loss"] < records[0]["train_loss"]
    with open(os.path.join(folder, "results.json")) as f:
        results = json.load(f)
    assert results["test_caption_accuracy"] == pytest.approx(accuracy, abs=1e-4)
    # guessing one of the ten digit words gets about 0.1
    assert accuracy > 0.5
    words = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}
    assert sum(e["caption"] in words for e in results["examples"]) >= 6
    with open(os.path.join(folder, "config.json")) as f:
        assert json.load(f)["cell"] == cell


@pytest.mark.parametrize("argv, message", [
    (["--epochs", "0"], "--epochs must be >= 1, got 0"),
    (["--batch-size", "-1"], "--batch-size must be >= 1, got -1"),
    (["--hidden-dim", "0"], "--hidden-dim must be >= 1, got 0"),
    (["--lr", "-0.1"], "--lr must be > 0, got -0.1"),
])
def test_caption_rejects_bad_arguments(tmp_path, argv, message):
    with pytest.raises(SystemExit, match=message):
        main(["caption", "--out", str(tmp_path), "--no-progress", *argv])
    assert not os.listdir(tmp_path)


def test_caption_rejects_an_unknown_cell(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["caption", "--cell", "gru", "--out", str(tmp_path)])
    assert "invalid choice: 'gru'" in capsys.readouterr().err
