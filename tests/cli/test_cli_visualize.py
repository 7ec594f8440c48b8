import os

import pytest

from visiongrad.cli.main import main


def test_visualize_a_trained_run(tmp_path, capsys):
    assert main(["train", "--epochs", "1", "--out", str(tmp_path), "--no-progress"]) == 0
    folder = capsys.readouterr().out.split("run folder: ")[1].splitlines()[0]
    assert main(["visualize", folder, "--images", "3", "--steps", "5"]) == 0
    out = capsys.readouterr().out
    pictures = os.path.join(folder, "visualize")
    for name in ("filters.png", "saliency.png", "guided_backprop.png", "occlusion.png",
                 "class_visualization.png", "fooling_image.png"):
        assert os.path.getsize(os.path.join(pictures, name)) > 1000, name
    assert f"run folder: {pictures}" in out


def test_visualize_rejects_a_folder_that_is_not_a_run(tmp_path):
    with pytest.raises(SystemExit, match="not a finished train run"):
        main(["visualize", str(tmp_path)])
