"""Turning a list of samples into a batch, with ``torch.utils.data.default_collate``'s
structure and dtype rules."""
import collections.abc
import copy
import re

import numpy as np

from ...tensor import Tensor, as_array

# NumPy dtype codes for bytes, str and object arrays, which cannot become tensors
_STRING_OR_OBJECT = re.compile(r"[SaUO]")

_ERROR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
          "lists; found {}")


def _rebuild(elem, values_by_key):
    """A mapping of ``elem``'s type holding ``values_by_key`` (a plain dict if that type
    cannot be rebuilt), as PyTorch does."""
    try:
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(values_by_key)
            return clone
        return type(elem)(values_by_key)
    except TypeError:
        return values_by_key


def _rebuild_sequence(elem, values):
    try:
        if isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            for i, value in enumerate(values):
                clone[i] = value
            return clone
        return type(elem)(values)
    except TypeError:
        return values


def default_collate(batch):
    """Stack a list of samples into a batch, recursing through containers.

    - ``Tensor`` (each of shape S) → a Tensor of shape (B, *S) with their dtype;
    - NumPy array → a Tensor stacked the same way, keeping the array's dtype
      (str/bytes/object arrays raise TypeError);
    - NumPy scalar → a Tensor of shape (B,) with its dtype;
    - Python ``float`` → float64, ``int`` → int64, ``bool`` → bool, shape (B,);
    - ``str``/``bytes`` → the list unchanged;
    - mapping → the same mapping type with each key collated;
    - namedtuple → the same namedtuple with each field collated;
    - other sequences → each position collated; tuples come back as lists (PyTorch's
      backwards-compatible choice), other sequence types keep their type.

    The stacked batch does not record autograd history: batches are data.
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        shapes = {t.shape for t in batch}
        if len(shapes) > 1:
            raise RuntimeError(f"default_collate: stack expects each tensor to be equal "
                               f"size, but got shapes {sorted(shapes)}")
        return Tensor._wrap(np.stack([t.data for t in batch]))
    if isinstance(elem, np.ndarray):
        if _STRING_OR_OBJECT.search(elem.dtype.str) is not None:
            raise TypeError(_ERROR.format(elem.dtype))
        return default_collate([Tensor._wrap(np.asarray(b)) for b in batch])
    if isinstance(elem, (np.bool_, np.number)):
        return Tensor._wrap(np.asarray(batch))
    if isinstance(elem, float):
        return Tensor._wrap(np.asarray(batch, dtype=np.float64))
    if isinstance(elem, int):
        # torch.tensor's inference: all bools → bool, ints → int64, any float → float32
        return Tensor._wrap(as_array(batch))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild(elem, {key: default_collate([d[key] for d in batch]) for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(list(samples)) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(sample) != size for sample in batch):
            raise RuntimeError(f"default_collate: each element in list of batch should be "
                               f"of equal size, got sizes {[len(s) for s in batch]}")
        collated = [default_collate(list(samples)) for samples in zip(*batch)]
        if isinstance(elem, tuple):
            return collated
        return _rebuild_sequence(elem, collated)
    raise TypeError(_ERROR.format(type(elem)))


def default_convert(data):
    """What ``DataLoader(batch_size=None)`` applies to each sample: NumPy arrays and
    scalars become Tensors (str/bytes/object arrays stay), containers are converted
    recursively, anything else is returned unchanged."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        if _STRING_OR_OBJECT.search(data.dtype.str) is not None:
            return data
        return Tensor._wrap(data)
    if isinstance(data, (np.bool_, np.number)):
        return Tensor._wrap(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return _rebuild(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data
