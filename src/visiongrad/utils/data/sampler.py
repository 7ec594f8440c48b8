"""Samplers yield dataset indices (or, for ``BatchSampler``, lists of them). Random ones
draw from ``generator`` when given, otherwise from the global generator at the moment
iteration starts, so ``visiongrad.manual_seed`` before an epoch fixes its order."""
import numbers

import numpy as np

from ... import _random


def check_positive_int(name, value, owner):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{owner}: {name} should be a positive integer value, "
                         f"but got {name}={value!r}")


class Sampler:
    """Base class: subclasses define ``__iter__`` (and ``__len__`` when known)."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")


class SequentialSampler(Sampler):
    """Indices ``0, 1, ..., len(data_source) - 1``."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random permutation of the indices, or ``num_samples`` draws with replacement.

    Without replacement and ``num_samples > len(data_source)``, whole permutations are
    concatenated and the last one is cut short, as in PyTorch.
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement should be a boolean value, "
                            f"but got replacement={replacement!r}")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        check_positive_int("num_samples", self.num_samples, "RandomSampler")

    @property
    def num_samples(self):
        # the dataset may change size after construction, so ask it every time
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        generator = self.generator if self.generator is not None else _random.default_generator()
        n = len(self.data_source)
        if self.replacement:
            return iter(generator.integers(0, n, size=self.num_samples).tolist())
        full, rest = divmod(self.num_samples, n)
        indices = [generator.permutation(n) for _ in range(full)]
        if rest:
            indices.append(generator.permutation(n)[:rest])
        return iter(np.concatenate(indices).tolist())

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a random order."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        generator = self.generator if self.generator is not None else _random.default_generator()
        return (self.indices[i] for i in generator.permutation(len(self.indices)).tolist())

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices in ``[0, len(weights))`` drawn with probabilities
    proportional to ``weights`` (which need not sum to one)."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        check_positive_int("num_samples", num_samples, "WeightedRandomSampler")
        if not isinstance(replacement, bool):
            raise ValueError(f"WeightedRandomSampler: replacement should be a boolean "
                             f"value, but got replacement={replacement!r}")
        weights = np.asarray(weights, dtype=np.float64)
        if weights.ndim != 1:
            raise ValueError(f"WeightedRandomSampler: weights should be a 1d sequence but "
                             f"given weights have shape {weights.shape}")
        if (weights < 0).any() or not np.isfinite(weights).all() or weights.sum() <= 0:
            raise ValueError("WeightedRandomSampler: weights should be finite, "
                             "non-negative and not all zero")
        if not replacement and num_samples > np.count_nonzero(weights):
            raise ValueError(f"WeightedRandomSampler: cannot draw num_samples={num_samples} "
                             f"without replacement from {np.count_nonzero(weights)} "
                             f"non-zero weights")
        self.weights = weights
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        generator = self.generator if self.generator is not None else _random.default_generator()
        draws = generator.choice(len(self.weights), size=self.num_samples,
                                 replace=self.replacement, p=self.weights / self.weights.sum())
        return iter(draws.tolist())

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size``; the last, shorter
    list is dropped when ``drop_last``."""

    def __init__(self, sampler, batch_size, drop_last):
        check_positive_int("batch_size", batch_size, "BatchSampler")
        if not isinstance(drop_last, bool):
            raise ValueError(f"BatchSampler: drop_last should be a boolean value, "
                             f"but got drop_last={drop_last!r}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return -(-len(self.sampler) // self.batch_size)
