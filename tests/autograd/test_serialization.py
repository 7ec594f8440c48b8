import numpy as np
import pytest

import visiongrad as vg


def test_round_trip_nested_state(tmp_path):
    state = {
        "model": {"fc.weight": vg.randn(3, 2), "fc.bias": vg.zeros(3, dtype=vg.float64)},
        "optimizer": {"state": {0: {"step": vg.tensor(3.0), "exp_avg": np.ones(2)}},
                      "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0, 1],
                                        "nesterov": False, "name": None}]},
        "epoch": 7,
        "mask": vg.tensor([True, False]),
    }
    path = tmp_path / "ckpt.safetensors"
    vg.save(state, path)
    loaded = vg.load(path)
    np.testing.assert_array_equal(loaded["model"]["fc.weight"].numpy(),
                                  state["model"]["fc.weight"].numpy())
    assert loaded["model"]["fc.bias"].dtype == vg.float64
    assert loaded["optimizer"]["state"][0]["step"].item() == 3.0
    assert isinstance(loaded["optimizer"]["state"][0]["exp_avg"], np.ndarray)
    assert loaded["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)
    assert loaded["optimizer"]["param_groups"][0]["name"] is None
    assert loaded["epoch"] == 7 and loaded["mask"].dtype == vg.bool
    assert loaded["optimizer"]["state"][0]["step"].shape == ()  # 0-d stays 0-d
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_corrupt_file_gives_clear_error(tmp_path):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00not json at all")
    with pytest.raises(ValueError, match="not a valid safetensors checkpoint"):
        vg.load(path)
    with pytest.raises(FileNotFoundError, match="missing.safetensors"):
        vg.load(tmp_path / "missing.safetensors")


def test_unsupported_object_rejected(tmp_path):
    with pytest.raises(TypeError, match="cannot store"):
        vg.save({"f": object()}, tmp_path / "x.safetensors")
