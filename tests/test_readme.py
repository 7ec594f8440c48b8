"""The README's Python example runs as written."""
import pathlib
import re


def test_readme_python_example_runs():
    readme = (pathlib.Path(__file__).parents[1] / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks
    for block in blocks:
        namespace = {}
        exec(compile(block, "README.md", "exec"), namespace)
    loss = namespace["loss"].item()
    assert 1.5 < loss < 3.5  # ≈ ln 10 at initialisation


def test_examples_backprop_and_optimizers_run(tmp_path, monkeypatch):
    import runpy

    root = pathlib.Path(__file__).parents[1] / "examples"
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(root / "01_backprop_by_hand.py"), run_name="__main__")
    runpy.run_path(str(root / "02_optimizers.py"), run_name="__main__")
    assert (tmp_path / "optimizers.png").exists()
