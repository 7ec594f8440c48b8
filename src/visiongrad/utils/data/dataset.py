"""Datasets with ``torch.utils.data``'s contracts: a map-style ``Dataset`` answers
``dataset[i]`` and ``len(dataset)``; an ``IterableDataset`` answers ``iter(dataset)``."""
import bisect
import itertools
import math
import numbers
import warnings

import numpy as np

from ... import _random
from ...tensor import Tensor


class Dataset:
    """A map-style dataset: subclasses define ``__getitem__(index)`` and ``__len__()``."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A stream of samples: subclasses define ``__iter__()``.

    With ``DataLoader(num_workers>0)`` every worker iterates its own copy; use
    ``visiongrad.utils.data.get_worker_info()`` inside ``__iter__`` to give each worker a
    different shard, otherwise every sample arrives once per worker (as in PyTorch).
    """

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def __add__(self, other):
        return ChainDataset([self, other])


class TensorDataset(Dataset):
    """Samples are slices along the first dimension of equally long tensors.

    ``tensors``: Tensors (or NumPy arrays) of shapes (N, ...); ``dataset[i]`` is the
    tuple ``(tensors[0][i], tensors[1][i], ...)``.
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset: expected at least one tensor, got none")
        sizes = [len(t) for t in tensors]
        if any(size != sizes[0] for size in sizes):
            raise ValueError(f"TensorDataset: size mismatch between tensors: first "
                             f"dimensions are {sizes}, expected all equal")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(_row(t, index) for t in self.tensors)

    def __len__(self):
        return len(self.tensors[0])


def _row(tensor, index):
    # Slicing the array directly skips autograd bookkeeping, a large share of an epoch's
    # loading time; tensors that require grad still go through Tensor indexing.
    if isinstance(tensor, Tensor) and not tensor.requires_grad:
        return Tensor._wrap(np.asarray(tensor.data[index]))
    return tensor[index]


class ConcatDataset(Dataset):
    """The concatenation of map-style datasets; index ``i`` walks them in order."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for i, dataset in enumerate(self.datasets):
            if isinstance(dataset, IterableDataset):
                raise TypeError(f"ConcatDataset: dataset {i} is an IterableDataset, which "
                                f"has no indices; use ChainDataset to chain streams")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        if index < 0:
            if -index > len(self):
                raise IndexError(f"ConcatDataset: index {index} is out of range for "
                                 f"length {len(self)}")
            index = len(self) + index
        dataset_index = bisect.bisect_right(self.cumulative_sizes, index)
        if dataset_index == len(self.datasets):
            raise IndexError(f"ConcatDataset: index {index} is out of range for "
                             f"length {len(self)}")
        offset = self.cumulative_sizes[dataset_index - 1] if dataset_index > 0 else 0
        return self.datasets[dataset_index][index - offset]


class ChainDataset(IterableDataset):
    """Iterable datasets chained one after another."""

    def __init__(self, datasets):
        self.datasets = list(datasets)

    def __iter__(self):
        for dataset in self.datasets:
            yield from dataset

    def __len__(self):
        return sum(len(d) for d in self.datasets)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index):
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self):
        return len(self.indices)


def _lengths_from_fractions(fractions, total):
    # PyTorch's rule: floor each share, then hand the remainder out one item at a
    # time, round-robin from the first split.
    lengths = []
    for i, fraction in enumerate(fractions):
        if fraction < 0 or fraction > 1:
            raise ValueError(f"random_split: fraction at index {i} is {fraction}, "
                             f"expected a value between 0 and 1")
        lengths.append(math.floor(total * fraction))
    for i in range(total - sum(lengths)):
        lengths[i % len(lengths)] += 1
    for i, length in enumerate(lengths):
        if length == 0:
            warnings.warn(f"random_split: length of split at index {i} is 0; this might "
                          f"result in an empty dataset", stacklevel=3)
    return lengths


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` into non-overlapping ``Subset``s of the given lengths.

    ``lengths``: integer lengths summing to ``len(dataset)``, or fractions summing to 1
    (converted to lengths exactly as PyTorch does). The permutation is drawn from
    ``generator`` (a ``numpy.random.Generator``), by default the global one seeded by
    ``visiongrad.manual_seed``.
    """
    lengths = list(lengths)
    if not lengths:
        raise ValueError("random_split: lengths should not be empty")
    for i, length in enumerate(lengths):
        if isinstance(length, bool) or not isinstance(length, numbers.Real):
            raise TypeError(f"random_split: lengths[{i}] should be an int or a float, "
                            f"got {type(length).__name__}")
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        lengths = _lengths_from_fractions(lengths, len(dataset))
    elif any(not isinstance(length, numbers.Integral) or length < 0 for length in lengths):
        raise ValueError(f"random_split: lengths should be non-negative integers or "
                         f"fractions summing to 1, got {lengths}")
    if sum(lengths) != len(dataset):
        raise ValueError(f"random_split: sum of input lengths ({sum(lengths)}) does not "
                         f"equal the length of the input dataset ({len(dataset)})")
    generator = generator if generator is not None else _random.default_generator()
    indices = generator.permutation(len(dataset)).tolist()
    return [Subset(dataset, indices[end - length:end])
            for end, length in zip(itertools.accumulate(lengths), lengths)]
