"""``save`` / ``load``: nested state dicts in the safetensors format (never pickle).

Arrays go into the safetensors body under generated names; the nesting (dicts with
str or int keys, lists, tuples, numbers, strings, None) goes into the file's metadata
as JSON. Files are written to a temporary name and renamed, so a crash never leaves
a half-written checkpoint.
"""
import json
import os
import tempfile

import numpy as np

from .tensor import Tensor

_FORMAT_KEY = "visiongrad.structure"


def _store(array, arrays):
    name = f"t{len(arrays)}"
    # np.ascontiguousarray would turn a 0-d array into shape (1,)
    arrays[name] = array if array.flags.c_contiguous else np.array(array, order="C")
    return name


def _encode(obj, arrays):
    if isinstance(obj, Tensor):
        return {"__tensor__": _store(obj.data, arrays)}
    if isinstance(obj, np.ndarray):
        return {"__array__": _store(obj, arrays)}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        for k in obj:
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise TypeError(f"save: dict keys must be str or int, got {type(k).__name__}")
        return {"__dict__": [[k, _encode(v, arrays)] for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        kind = "__list__" if isinstance(obj, list) else "__tuple__"
        return {kind: [_encode(v, arrays) for v in obj]}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"save: cannot store an object of type {type(obj).__name__}; "
                    "expected tensors, arrays, numbers, strings, lists or dicts")


def _decode(obj, arrays):
    if isinstance(obj, dict):
        if "__tensor__" in obj:
            return Tensor._wrap(arrays[obj["__tensor__"]])
        if "__array__" in obj:
            return arrays[obj["__array__"]]
        if "__dict__" in obj:
            return {k: _decode(v, arrays) for k, v in obj["__dict__"]}
        if "__list__" in obj:
            return [_decode(v, arrays) for v in obj["__list__"]]
        if "__tuple__" in obj:
            return tuple(_decode(v, arrays) for v in obj["__tuple__"])
    return obj


def atomic_write_bytes(path, payload):
    """Write ``payload`` to ``path`` through a temporary file and a rename."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=os.path.basename(path))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save(obj, path):
    """Save a (nested) state dict of tensors, arrays and plain values to ``path``."""
    from safetensors.numpy import save as st_save

    arrays = {}
    structure = _encode(obj, arrays)
    payload = st_save(arrays, metadata={_FORMAT_KEY: json.dumps(structure)})
    atomic_write_bytes(path, payload)


def load(path):
    """Load what ``save`` wrote. A file that is not a visiongrad checkpoint raises
    ValueError naming the path."""
    from safetensors import safe_open

    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no such checkpoint file: {path}")
    try:
        arrays = {}
        with safe_open(path, framework="np") as f:
            metadata = f.metadata() or {}
            for key in f.keys():
                arrays[key] = f.get_tensor(key)
    except Exception as error:  # safetensors raises several types for a corrupt header
        raise ValueError(f"load: {path} is not a valid safetensors checkpoint "
                         f"({type(error).__name__}: {error})") from error
    if _FORMAT_KEY not in metadata:
        # a plain safetensors file (e.g. converted torchvision weights): a flat dict
        return {k: Tensor._wrap(v) for k, v in arrays.items()}
    return _decode(json.loads(metadata[_FORMAT_KEY]), arrays)
