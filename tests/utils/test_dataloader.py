import math
import os
import time
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import visiongrad as vg
from visiongrad.utils.data import (BatchSampler, ConcatDataset, DataLoader, Dataset,
                                   IterableDataset, RandomSampler, SequentialSampler, Subset,
                                   SubsetRandomSampler, TensorDataset, WeightedRandomSampler,
                                   get_worker_info, random_split)


class Squares(Dataset):
    """Sample i is (an (2, 3) float32 array filled with i, the int i²)."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return np.full((2, 3), i, np.float32), i * i


class WorkerId(Dataset):
    def __len__(self):
        return 12

    def __getitem__(self, i):
        return get_worker_info().id


class RandomDraw(Dataset):
    """Each sample draws from the global generator, as a random augmentation would."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        return vg.rand(1).item()


class Failing(Dataset):
    def __len__(self):
        return 10

    def __getitem__(self, i):
        if i == 5:
            raise KeyError("no sample five")
        return i


class Sharded(IterableDataset):
    """range(n), split between workers by stride."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))

    def __len__(self):
        return self.n


class TorchSharded(tud.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = tud.get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))


def as_lists(loader):
    return [[part.numpy().tolist() for part in batch] for batch in loader]


def test_batches_in_order_with_short_last_batch():
    batches = list(DataLoader(Squares(10), batch_size=4))
    assert len(batches) == 3
    images, labels = batches[0]
    assert images.shape == (4, 2, 3) and images.dtype == np.float32
    assert labels.dtype == np.int64
    assert labels.numpy().tolist() == [0, 1, 4, 9]
    assert images.numpy()[:, 0, 0].tolist() == [0, 1, 2, 3]
    assert batches[-1][1].numpy().tolist() == [64, 81]


@pytest.mark.parametrize("n, batch_size, drop_last", [(10, 4, False), (10, 4, True),
                                                      (12, 4, True), (3, 5, False),
                                                      (3, 5, True), (1, 1, False)])
def test_len_and_drop_last(n, batch_size, drop_last):
    loader = DataLoader(Squares(n), batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    expected = n // batch_size if drop_last else math.ceil(n / batch_size)
    assert len(loader) == len(batches) == expected
    assert all(len(b[1]) == batch_size for b in batches[:-1])
    if drop_last and batches:
        assert len(batches[-1][1]) == batch_size


def test_shuffle_is_a_permutation_and_reproducible():
    vg.manual_seed(3)
    loader = DataLoader(Squares(50), batch_size=8, shuffle=True)
    first = np.concatenate([b[0].numpy()[:, 0, 0] for b in loader]).astype(int)
    second = np.concatenate([b[0].numpy()[:, 0, 0] for b in loader]).astype(int)
    assert sorted(first) == list(range(50))
    assert not np.array_equal(first, np.arange(50))
    assert not np.array_equal(first, second), "each epoch should draw a new order"
    vg.manual_seed(3)
    again = np.concatenate([b[0].numpy()[:, 0, 0] for b in loader]).astype(int)
    assert np.array_equal(first, again)


def test_shuffle_uses_the_given_generator():
    orders = [as_lists(DataLoader(Squares(20), batch_size=5, shuffle=True,
                                  generator=np.random.default_rng(7))) for _ in range(2)]
    assert orders[0] == orders[1]


@pytest.mark.parametrize("shuffle, drop_last", [(False, False), (True, False), (True, True)])
def test_two_workers_give_the_same_batches_as_none(shuffle, drop_last):
    vg.manual_seed(11)
    serial = as_lists(DataLoader(Squares(23), batch_size=4, shuffle=shuffle, drop_last=drop_last))
    vg.manual_seed(11)
    parallel = as_lists(DataLoader(Squares(23), batch_size=4, shuffle=shuffle,
                                   drop_last=drop_last, num_workers=2))
    assert parallel == serial


def test_workers_take_tasks_round_robin():
    batches = [b.numpy().tolist() for b in DataLoader(WorkerId(), batch_size=2, num_workers=2)]
    assert batches == [[0, 0], [1, 1]] * 3


def test_worker_randomness_is_seeded_per_worker_and_reproducible():
    def run():
        vg.manual_seed(5)
        return [b.numpy().tolist() for b in DataLoader(RandomDraw(), batch_size=2, num_workers=2)]

    first, second = run(), run()
    assert first == second
    assert first[0] != first[1], "two workers should not draw the same numbers"


def test_worker_init_fn_runs_in_each_worker():
    def init(worker_id):
        get_worker_info().dataset.offset = 100 * (worker_id + 1)

    class Offset(Dataset):
        offset = 0

        def __len__(self):
            return 4

        def __getitem__(self, i):
            return self.offset + i

    batches = [b.numpy().tolist() for b in
               DataLoader(Offset(), batch_size=1, num_workers=2, worker_init_fn=init)]
    assert batches == [[100], [201], [102], [203]]


def test_worker_exception_reaches_the_main_process():
    with pytest.raises(KeyError, match="no sample five") as info:
        list(DataLoader(Failing(), batch_size=2, num_workers=2))
    assert "DataLoader worker process" in str(info.value)


class Crashing(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if get_worker_info().id == 0:
            os._exit(3)
        return i


class SlowFirst(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 0:
            time.sleep(1.0)
        return i


def test_a_dead_worker_is_reported_not_waited_for():
    with pytest.raises(RuntimeError, match="exited unexpectedly.*exit code 3"):
        list(DataLoader(Crashing(), num_workers=2))


def test_timeout():
    with pytest.raises(RuntimeError, match="timed out after 0.2 seconds"):
        list(DataLoader(SlowFirst(), num_workers=1, timeout=0.2))


@pytest.mark.filterwarnings("ignore:This DataLoader will create")
def test_iterable_dataset_interleaves_workers_like_torch():
    for workers in (0, 2, 3):
        ours = [b.numpy().tolist() for b in DataLoader(Sharded(23), batch_size=4,
                                                       num_workers=workers)]
        theirs = [b.tolist() for b in tud.DataLoader(TorchSharded(23), batch_size=4,
                                                     num_workers=workers)]
        assert ours == theirs, workers
    loader = DataLoader(Sharded(23), batch_size=4, drop_last=True)
    assert len(loader) == 5 == len(list(loader))


def test_batch_size_none_converts_single_samples():
    samples = list(DataLoader(Squares(3), batch_size=None))
    image, label = samples[2]
    assert isinstance(image, vg.Tensor) and image.shape == (2, 3)
    assert label == 4


def test_custom_sampler_and_batch_sampler():
    sampler = SubsetRandomSampler([1, 3, 5, 7])
    seen = sorted(int(b[1].item()) for b in DataLoader(Squares(10), sampler=sampler))
    assert seen == [1, 9, 25, 49]
    batch_sampler = [[0, 9], [4]]
    batches = [b[1].numpy().tolist() for b in DataLoader(Squares(10), batch_sampler=batch_sampler)]
    assert batches == [[0, 81], [16]]


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(batch_size=0), ValueError, "batch_size"),
    (dict(batch_size=2.5), ValueError, "batch_size"),
    (dict(num_workers=-1), ValueError, "num_workers"),
    (dict(timeout=-1), ValueError, "timeout"),
    (dict(shuffle=1), TypeError, "shuffle"),
    (dict(sampler=SequentialSampler(range(4)), shuffle=True), ValueError, "mutually exclusive"),
    (dict(batch_sampler=[[0]], batch_size=2), ValueError, "mutually exclusive"),
    (dict(batch_size=None, drop_last=True), ValueError, "drop_last"),
    (dict(prefetch_factor=2), ValueError, "prefetch_factor"),
    (dict(num_workers=1, prefetch_factor=0), ValueError, "prefetch_factor"),
    (dict(collate_fn=3), TypeError, "collate_fn"),
    (dict(multiprocessing_context="fork"), ValueError, "num_workers > 0"),
    (dict(num_workers=1, multiprocessing_context="teleport"), ValueError, "teleport"),
    (dict(generator=42), TypeError, "generator"),
])
def test_bad_arguments_raise_clear_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        DataLoader(Squares(4), **kwargs)


def test_iterable_dataset_refuses_shuffle_and_samplers():
    with pytest.raises(ValueError, match="shuffle"):
        DataLoader(Sharded(4), shuffle=True)
    with pytest.raises(ValueError, match="sampler"):
        DataLoader(Sharded(4), sampler=[0, 1])


def test_samplers():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    vg.manual_seed(0)
    draws = list(RandomSampler(range(5), num_samples=12))
    assert len(draws) == 12
    assert sorted(draws[:5]) == sorted(draws[5:10]) == list(range(5))
    with_replacement = list(RandomSampler(range(3), replacement=True, num_samples=50))
    assert set(with_replacement) <= {0, 1, 2} and len(with_replacement) == 50
    weighted = list(WeightedRandomSampler([0.0, 1.0, 3.0], 200))
    assert 0 not in weighted and weighted.count(2) > weighted.count(1)
    assert sorted(WeightedRandomSampler([1, 1, 1, 0], 3, replacement=False)) == [0, 1, 2]
    assert list(BatchSampler(range(5), 2, drop_last=False)) == [[0, 1], [2, 3], [4]]
    assert len(BatchSampler(range(5), 2, drop_last=True)) == 2
    with pytest.raises(ValueError, match="num_samples"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match="without replacement"):
        WeightedRandomSampler([1, 0], 2, replacement=False)


def test_tensor_concat_and_subset_datasets():
    x = vg.arange(12).reshape(6, 2)
    y = vg.arange(6)
    dataset = TensorDataset(x, y)
    assert len(dataset) == 6 and dataset[4][1].item() == 4
    assert isinstance(dataset[4][1].data, np.ndarray) and dataset[4][1].shape == ()
    weights = vg.ones(6, 2, requires_grad=True)
    (TensorDataset(weights)[1][0] * 3).sum().backward()
    assert weights.grad.numpy()[1].tolist() == [3, 3] and weights.grad.numpy()[0].tolist() == [0, 0]
    assert dataset[4][0].tolist() == [8, 9]
    with pytest.raises(ValueError, match="size mismatch"):
        TensorDataset(x, vg.arange(5))
    both = ConcatDataset([Squares(3), Squares(2)])
    assert len(both) == 5
    assert [both[i][1] for i in range(5)] == [0, 1, 4, 0, 1]
    assert both[-1][1] == 1
    with pytest.raises(IndexError):
        both[5]
    assert len(Squares(2) + Squares(3)) == 5
    subset = Subset(Squares(10), [7, 2])
    assert len(subset) == 2 and subset[0][1] == 49
    images, labels = next(iter(DataLoader(dataset, batch_size=4)))
    assert images.shape == (4, 2) and labels.tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("n, fractions", [(10, [0.3, 0.7]), (11, [0.5, 0.5]),
                                          (7, [0.1, 0.2, 0.7]), (100, [1 / 3] * 3),
                                          (5, [0.25, 0.25, 0.25, 0.25]), (3, [0.9, 0.1])])
def test_random_split_fraction_sizes_equal_torch(n, fractions):
    with warnings.catch_warnings():
        # both warn alike when a split comes out empty
        warnings.simplefilter("ignore", UserWarning)
        ours = random_split(Squares(n), fractions)
        theirs = tud.random_split(range(n), fractions, generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    indices = sorted(i for s in ours for i in s.indices)
    assert indices == list(range(n))


def test_random_split_integer_lengths_and_errors():
    vg.manual_seed(0)
    first = [s.indices for s in random_split(Squares(10), [3, 7])]
    vg.manual_seed(0)
    second = [s.indices for s in random_split(Squares(10), [3, 7])]
    assert first == second and [len(s) for s in first] == [3, 7]
    assert set(first[0]).isdisjoint(first[1])
    with pytest.raises(ValueError, match="does not equal"):
        random_split(Squares(10), [3, 6])
    with pytest.raises(ValueError, match="fractions summing to 1"):
        random_split(Squares(10), [0.5, 0.4])
