import collections

import numpy as np
import pytest
import torch
from torch.utils.data import default_collate as torch_collate

import visiongrad as vg
from visiongrad.utils.data import default_collate, default_convert

Point = collections.namedtuple("Point", ["x", "y"])


def describe(value):
    """A comparable picture of a collated batch from either library: containers keep
    their type name, tensors become (dtype, shape, values)."""
    if isinstance(value, vg.Tensor):
        return ("tensor", str(value.dtype), value.shape, value.numpy().tolist())
    if isinstance(value, torch.Tensor):
        return ("tensor", str(value.dtype).replace("torch.", ""), tuple(value.shape),
                value.tolist())
    if isinstance(value, dict):
        return ("dict", {k: describe(v) for k, v in value.items()})
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return (type(value).__name__, [describe(v) for v in value])
    if isinstance(value, list):
        return ("list", [describe(v) for v in value])
    return (type(value).__name__, value)


def samples(tensor):
    """Three nested samples covering every rule; ``tensor`` builds the library's tensor."""
    out = []
    for i in range(3):
        out.append({
            "image": np.full((2, 2, 3), i, np.uint8),
            "features": np.arange(3, dtype=np.float64) + i,
            "tensor": tensor(np.full((2,), i + 0.5, np.float32)),
            "int": i,
            "float": i / 4,
            "bool": i % 2 == 0,
            "np_float32": np.float32(i / 2),
            "np_int32": np.int32(i),
            "np_bool": np.bool_(i > 0),
            "name": f"s{i}",
            "raw": bytes([i]),
            "pair": (i, float(i)),
            "list": [i, [i * 2, i * 3]],
            "point": Point(i, np.int16(i)),
            "mixed_numbers": [i, 1.5][i % 2],
        })
    return out


def test_default_collate_matches_torch_on_nested_samples():
    ours = default_collate(samples(vg.tensor))
    theirs = torch_collate(samples(torch.from_numpy))
    assert describe(ours) == describe(theirs)
    assert ours["float"].dtype == np.float64
    assert ours["int"].dtype == np.int64
    assert ours["bool"].dtype == np.bool_
    assert ours["image"].shape == (3, 2, 2, 3) and ours["image"].dtype == np.uint8
    assert isinstance(ours["pair"], list)
    assert isinstance(ours["point"], Point)


def test_image_label_pairs_become_a_list_of_two_batches():
    batch = default_collate([(np.zeros((4, 4), np.uint8), 3), (np.ones((4, 4), np.uint8), 7)])
    assert isinstance(batch, list) and len(batch) == 2
    assert batch[0].shape == (2, 4, 4) and batch[1].tolist() == [3, 7]


@pytest.mark.parametrize("batch", [
    [np.array(["a"]), np.array(["b"])],
    [np.array([object()]), np.array([object()])],
    [object(), object()],
])
def test_unsupported_elements_raise_type_error_like_torch(batch):
    with pytest.raises(TypeError, match="default_collate"):
        default_collate(batch)
    with pytest.raises(TypeError):
        torch_collate(batch)


def test_unequal_lengths_raise_like_torch():
    batch = [[1, 2], [3]]
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate(batch)
    with pytest.raises(RuntimeError):
        torch_collate(batch)


def test_unequal_shapes_raise():
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([vg.zeros(2), vg.zeros(3)])


def test_default_convert_matches_torch():
    from torch.utils.data import default_convert as torch_convert

    sample = {"a": np.arange(3), "b": (np.float32(1.5), "text"), "c": [np.zeros(2, np.uint8)]}
    assert describe(default_convert(sample)) == describe(torch_convert(sample))
