"""``DataLoader``: batches from a dataset, in the main process or in worker processes.

Every epoch first draws a base seed and then the sampler's order from the same
generator (the global one unless ``generator`` is given), whatever ``num_workers`` is,
so a seed fixes the order and ``num_workers=k`` yields exactly the batches of
``num_workers=0``. Workers receive tasks (lists of indices) round-robin and the main
process re-orders their replies.
"""
import functools
import itertools
import multiprocessing
import numbers
import os
import pickle
import queue

import numpy as np

from ... import _random
from ._worker import (ExceptionWrapper, IterableFetcher, MapFetcher, WorkerStopped,
                      worker_loop)
from .collate import default_collate, default_convert
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler, check_positive_int

# How often the main process, waiting for a batch, checks that its workers are alive.
_WORKER_CHECK_INTERVAL = 1.0
# Seconds given to workers to exit on their own before they are terminated.
_SHUTDOWN_GRACE = 5.0
# Marks the end of the task stream.
_END = object()


def _default_context():
    # fork shares the dataset with the workers without pickling it
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


class DataLoader:
    """Iterate over ``dataset`` in batches.

    Arguments are PyTorch's: ``batch_size`` (None turns batching off: each sample goes
    through ``default_convert``), ``shuffle`` (a fresh permutation every epoch),
    ``sampler`` / ``batch_sampler`` (custom index orders), ``num_workers`` (worker
    processes; 0 loads in the main process), ``collate_fn`` (default
    ``default_collate``), ``drop_last`` (drop the short last batch), ``timeout``
    (seconds to wait for a worker's batch; 0 waits for ever), ``worker_init_fn(worker_id)``,
    ``multiprocessing_context`` (a start method name or context; fork where available),
    ``generator`` (a ``numpy.random.Generator``; the global one by default) and
    ``prefetch_factor`` (tasks in flight per worker, default 2).

    ``pin_memory`` is accepted for PyTorch compatibility and has no effect: arrays
    already live in host memory. Workers are started for every epoch
    (``persistent_workers`` is not offered). Random transforms in workers draw from each
    worker's own generator, seeded with ``base_seed + worker_id``.

    A batch of a dataset returning ``(image, label)`` is ``[images (B, ...), labels (B,)]``.
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None):
        is_iterable = isinstance(dataset, IterableDataset)
        if not is_iterable and not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader: dataset should be a map-style dataset (with "
                            f"__getitem__ and __len__) or an IterableDataset, got "
                            f"{type(dataset).__name__}")
        if not isinstance(shuffle, bool):
            raise TypeError(f"DataLoader: shuffle should be a boolean value, "
                            f"but got shuffle={shuffle!r}")
        if not isinstance(drop_last, bool):
            raise TypeError(f"DataLoader: drop_last should be a boolean value, "
                            f"but got drop_last={drop_last!r}")
        if isinstance(num_workers, bool) or not isinstance(num_workers, numbers.Integral) \
                or num_workers < 0:
            raise ValueError(f"DataLoader: num_workers should be a non-negative integer "
                             f"(0 disables multiprocessing), but got num_workers={num_workers!r}")
        if not isinstance(timeout, numbers.Real) or timeout < 0:
            raise ValueError(f"DataLoader: timeout should be a non-negative number of "
                             f"seconds, but got timeout={timeout!r}")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(f"DataLoader: prefetch_factor applies only to multiprocessing; "
                             f"use num_workers > 0 or prefetch_factor=None, but got "
                             f"prefetch_factor={prefetch_factor!r} with num_workers=0")
        if num_workers > 0:
            prefetch_factor = 2 if prefetch_factor is None else prefetch_factor
            check_positive_int("prefetch_factor", prefetch_factor, "DataLoader")
        for name, fn in (("collate_fn", collate_fn), ("worker_init_fn", worker_init_fn)):
            if fn is not None and not callable(fn):
                raise TypeError(f"DataLoader: {name} should be callable or None, "
                                f"but got {type(fn).__name__}")
        if generator is not None and not isinstance(generator, np.random.Generator):
            raise TypeError(f"DataLoader: generator should be a numpy.random.Generator or "
                            f"None, but got {type(generator).__name__}")
        self.multiprocessing_context = self._check_context(multiprocessing_context, num_workers)

        if batch_size is not None:
            check_positive_int("batch_size", batch_size, "DataLoader")
        if is_iterable:
            for name, value in (("shuffle", shuffle or None), ("sampler", sampler),
                                ("batch_sampler", batch_sampler)):
                if value is not None:
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                     f"{name} option, but got {name}={value!r}")
        elif sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")

        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("DataLoader: batch_sampler option is mutually exclusive with "
                                 "batch_size, shuffle, sampler, and drop_last")
            batch_size = None
        elif batch_size is None and drop_last:
            raise ValueError("DataLoader: batch_size=None disables batching and is mutually "
                             "exclusive with drop_last")

        if not is_iterable:
            if sampler is None:
                sampler = (RandomSampler(dataset, generator=generator) if shuffle
                           else SequentialSampler(dataset))
            if batch_size is not None and batch_sampler is None:
                batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.generator = generator
        self.prefetch_factor = prefetch_factor
        self._is_iterable = is_iterable
        self._auto_collation = batch_sampler is not None or (is_iterable and batch_size is not None)
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    @staticmethod
    def _check_context(context, num_workers):
        if context is None:
            return None
        if num_workers == 0:
            raise ValueError(f"DataLoader: multiprocessing_context can only be used with "
                             f"multi-process loading (num_workers > 0), but got "
                             f"num_workers={num_workers}")
        if isinstance(context, str):
            methods = multiprocessing.get_all_start_methods()
            if context not in methods:
                raise ValueError(f"DataLoader: multiprocessing_context should be one of "
                                 f"{methods}, but got {context!r}")
            return multiprocessing.get_context(context)
        if not isinstance(context, multiprocessing.context.BaseContext):
            raise TypeError(f"DataLoader: multiprocessing_context should be a start method "
                            f"name or a multiprocessing context, but got {context!r}")
        return context

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self):
        if not self._is_iterable:
            return len(self._index_sampler)
        length = len(self.dataset)
        if self.batch_size is None:
            return length
        if self.drop_last:
            return length // self.batch_size
        return -(-length // self.batch_size)

    def _fetcher_factory(self):
        if self._is_iterable:
            return functools.partial(IterableFetcher, self.dataset, self.batch_size,
                                     self.drop_last, self.collate_fn)
        return functools.partial(MapFetcher, self.dataset, self._auto_collation, self.collate_fn)

    def __iter__(self):
        generator = self.generator if self.generator is not None else _random.default_generator()
        # drawn even without workers so that the sampler sees the same generator state
        # whatever num_workers is
        base_seed = int(generator.integers(0, 2 ** 63 - 1))
        # an IterableDataset has no indices: every task is "the next batch"
        tasks = itertools.repeat(None) if self._is_iterable else iter(self._index_sampler)
        if self.num_workers == 0:
            return self._single_process(tasks)
        return self._multi_process(tasks, base_seed)

    def _single_process(self, tasks):
        fetcher = self._fetcher_factory()()
        for task in tasks:
            try:
                batch = fetcher.fetch(task)
            except StopIteration:
                return
            yield batch

    def _multi_process(self, tasks, base_seed):
        context = self.multiprocessing_context or _default_context()
        result_queue = context.Queue()
        index_queues, workers = [], []
        make_fetcher = self._fetcher_factory()
        for worker_id in range(self.num_workers):
            index_queue = context.Queue()
            worker = context.Process(
                target=worker_loop, daemon=True,
                args=(make_fetcher, index_queue, result_queue,
                      (base_seed + worker_id) % 2 ** 63, self.worker_init_fn, worker_id,
                      self.num_workers, self.dataset, os.getpid()))
            worker.start()
            index_queues.append(index_queue)
            workers.append(worker)
        try:
            yield from _OrderedDispatch(tasks, index_queues, workers, result_queue,
                                        self.prefetch_factor, self.timeout)
        finally:
            _shutdown(workers, index_queues, result_queue)

    def __repr__(self):
        return (f"DataLoader(dataset={type(self.dataset).__name__}, batch_size={self.batch_size}, "
                f"num_workers={self.num_workers}, drop_last={self.drop_last})")


class _OrderedDispatch:
    """Sends tasks to workers round-robin, keeping ``prefetch_factor`` per worker in
    flight, and yields the replies in task order. A worker whose IterableDataset is
    exhausted gets no further tasks."""

    def __init__(self, tasks, index_queues, workers, result_queue, prefetch_factor, timeout):
        self.tasks = tasks
        self.index_queues = index_queues
        self.workers = workers
        self.result_queue = result_queue
        self.timeout = timeout
        self.active = [True] * len(workers)
        self.next_worker = 0
        self.sent = 0
        self.owner = {}      # task id → worker id, for tasks not yet yielded
        self.arrived = {}    # task id → reply that came before its turn
        self.tasks_left = True
        for _ in range(prefetch_factor * len(workers)):
            self._send()

    def _send(self):
        if not self.tasks_left or not any(self.active):
            return
        task = next(self.tasks, _END)
        if task is _END:
            self.tasks_left = False
            return
        while not self.active[self.next_worker]:
            self.next_worker = (self.next_worker + 1) % len(self.workers)
        worker_id = self.next_worker
        self.index_queues[worker_id].put((self.sent, task))
        self.owner[self.sent] = worker_id
        self.sent += 1
        self.next_worker = (worker_id + 1) % len(self.workers)

    def _receive(self):
        wait = self.timeout if self.timeout > 0 else _WORKER_CHECK_INTERVAL
        while True:
            try:
                return pickle.loads(self.result_queue.get(timeout=wait))
            except queue.Empty:
                if self.timeout > 0:
                    raise RuntimeError(f"DataLoader timed out after {self.timeout} seconds "
                                       f"waiting for a batch") from None
                dead = [w for w in self.workers if not w.is_alive()]
                if dead:
                    details = ", ".join(f"pid {w.pid} exit code {w.exitcode}" for w in dead)
                    raise RuntimeError(f"DataLoader worker(s) exited unexpectedly ({details})") \
                        from None

    def __iter__(self):
        received = 0
        while received < self.sent:
            while received not in self.arrived:
                task_id, data = self._receive()
                self.arrived[task_id] = data
            data = self.arrived.pop(received)
            worker_id = self.owner.pop(received)
            received += 1
            if isinstance(data, WorkerStopped):
                self.active[worker_id] = False
            self._send()
            if isinstance(data, WorkerStopped):
                continue
            if isinstance(data, ExceptionWrapper):
                data.reraise()
            yield data


def _shutdown(workers, index_queues, result_queue):
    for index_queue in index_queues:
        index_queue.put(None)
    for worker in workers:
        worker.join(timeout=_SHUTDOWN_GRACE)
        if worker.is_alive():
            worker.terminate()
            worker.join()
    for q in [*index_queues, result_queue]:
        q.cancel_join_thread()
        q.close()
