import json
import os

import pytest

from visiongrad.cli.main import main


def test_segment_trains_and_writes_a_run_folder(tmp_path, capsys):
    assert main(["segment", "--images", "128", "--test-images", "32", "--epochs", "4",
                 "--lr", "1e-2", "--out", str(tmp_path), "--no-progress"]) == 0
    out = capsys.readouterr().out
    folder = out.split("run folder: ")[1].splitlines()[0]
    miou = float(out.split("test mIoU: ")[1].split()[0])
    for name in ("config.json", "metrics.jsonl", "results.json", "report.md"):
        assert os.path.getsize(os.path.join(folder, name)) > 0, name
    assert os.path.getsize(os.path.join(folder, "predictions.png")) > 5000

    with open(os.path.join(folder, "metrics.jsonl")) as f:
        records = [json.loads(line) for line in f]
    assert [r["epoch"] for r in records] == [1, 2, 3, 4]
    assert {"train_loss", "test_pixel_accuracy", "test_miou"} <= set(records[0])
    assert records[-1]["train_loss"] < records[0]["train_loss"]

    with open(os.path.join(folder, "results.json")) as f:
        results = json.load(f)
    assert results["test_miou"] == pytest.approx(miou, abs=1e-4)
    assert set(results["per_class_iou"]) == {"background", "circle", "square", "triangle"}
    # all-background labelling scores about 0.23 on these images; training must beat it
    assert miou > results["background_only_miou"] + 0.05
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    assert config["test_seed"] != config["seed"]
    assert "test mIoU" in open(os.path.join(folder, "report.md")).read()


@pytest.mark.parametrize("argv, message", [
    (["--image-size", "30"], "--image-size must be a multiple of 4 .*got 30"),
    (["--image-size", "8"], "--image-size must be >= 16, got 8"),
    (["--epochs", "0"], "--epochs must be >= 1, got 0"),
    (["--images", "-3"], "--images must be >= 1, got -3"),
    (["--lr", "0"], "--lr must be > 0, got 0.0"),
])
def test_segment_rejects_bad_arguments(tmp_path, argv, message):
    with pytest.raises(SystemExit, match=message):
        main(["segment", "--out", str(tmp_path), "--no-progress", *argv])
    assert not os.listdir(tmp_path)
