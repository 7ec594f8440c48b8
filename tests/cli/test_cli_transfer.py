import json
import os

import pytest

from visiongrad.cli.main import main


def test_transfer_beats_scratch_and_writes_run_folder(tmp_path, capsys):
    code = main(["transfer", "--pretrain-epochs", "2", "--pretrain-size", "1000", "--trials",
                 "2", "--epochs", "15", "--out", str(tmp_path), "--no-progress"])
    out = capsys.readouterr().out
    assert code == 0
    folder = out.split("run folder: ")[1].splitlines()[0]
    for name in ("config.json", "metrics.jsonl", "results.json", "finetune_loss.png",
                 "report.md"):
        assert os.path.exists(os.path.join(folder, name)), name
    results = json.load(open(os.path.join(folder, "results.json")))
    transfer, scratch = results["transfer_test_accuracy"], results["scratch_test_accuracy"]
    assert f"transfer (frozen, new head) {transfer:.4f}, from scratch {scratch:.4f}" in out
    assert results["pretrain_test_accuracy_digits_0_4"] > 0.9
    assert transfer > scratch + 0.03
    assert len(results["trials"]) == 2 and len(results["trials"][0]["transfer_losses"]) == 15
    records = [json.loads(line) for line in open(os.path.join(folder, "metrics.jsonl"))]
    assert [r["epoch"] for r in records] == [1, 2]
    report = open(os.path.join(folder, "report.md")).read()
    assert "from scratch" in report and "fine-tune a few layers" in report


def test_transfer_rejects_empty_budgets(tmp_path):
    with pytest.raises(SystemExit, match="must be >= 1"):
        main(["transfer", "--shots", "0", "--out", str(tmp_path)])
