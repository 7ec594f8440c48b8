"""What runs inside a DataLoader worker process: fetching a batch (the same code the
main process runs when ``num_workers=0``), seeding, and carrying exceptions back."""
import os
import pickle
import queue
import sys
import traceback
from dataclasses import dataclass

from ... import _random

# How often a blocked worker checks that the main process is still alive, in seconds.
_PARENT_CHECK_INTERVAL = 5.0

_worker_info = None


@dataclass(frozen=True)
class WorkerInfo:
    """Describes the current DataLoader worker process."""
    id: int            # 0 .. num_workers - 1
    num_workers: int
    seed: int          # this worker's global generator was seeded with it
    dataset: object    # this worker's copy of the dataset


def get_worker_info():
    """The ``WorkerInfo`` of the current worker process, or None in the main process.

    Use it in ``IterableDataset.__iter__`` to give each worker its own shard, or in
    ``worker_init_fn`` to configure the worker's copy of the dataset.
    """
    return _worker_info


class ExceptionWrapper:
    """An exception raised in a worker, carried to the main process with its traceback
    (tracebacks themselves cannot be pickled)."""

    def __init__(self, where):
        exc_type, exc, tb = sys.exc_info()
        try:
            pickle.dumps(exc_type)
            self.exc_type = exc_type
        except Exception:
            # a class defined in a function cannot cross processes; its name stays in
            # the message below
            self.exc_type = RuntimeError
        self.where = where
        self.message = "".join(traceback.format_exception(exc_type, exc, tb))

    def reraise(self):
        message = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.message}"
        try:
            exception = self.exc_type(message)
        except Exception:
            exception = RuntimeError(message)
        raise exception


class WorkerStopped:
    """The reply of a worker whose IterableDataset iterator is exhausted."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


class MapFetcher:
    """Fetches one task of a map-style dataset: a list of indices (collated into one
    batch) when batching, else a single index."""

    def __init__(self, dataset, auto_collation, collate_fn):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn

    def fetch(self, task):
        if self.auto_collation:
            return self.collate_fn([self.dataset[i] for i in task])
        return self.collate_fn(self.dataset[task])


class IterableFetcher:
    """Pulls the next ``batch_size`` samples (or one sample when ``batch_size`` is None)
    from an IterableDataset; raises StopIteration when nothing (or, with ``drop_last``,
    only a short batch) is left."""

    def __init__(self, dataset, batch_size, drop_last, collate_fn):
        self.iterator = iter(dataset)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.collate_fn = collate_fn

    def fetch(self, task):
        if self.batch_size is None:
            return self.collate_fn(next(self.iterator))
        samples = []
        for sample in self.iterator:
            samples.append(sample)
            if len(samples) == self.batch_size:
                break
        if not samples or (self.drop_last and len(samples) < self.batch_size):
            raise StopIteration
        return self.collate_fn(samples)


def _send(result_queue, task_id, data, worker_id):
    # Pickle here rather than in the queue's background thread, where a failure would
    # only be printed and the main process would wait for the batch forever.
    try:
        payload = pickle.dumps((task_id, data), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        error = ExceptionWrapper(f"in DataLoader worker process {worker_id} while sending "
                                 f"a batch to the main process")
        payload = pickle.dumps((task_id, error), protocol=pickle.HIGHEST_PROTOCOL)
    result_queue.put(payload)


def worker_loop(make_fetcher, index_queue, result_queue, seed, worker_init_fn, worker_id,
                num_workers, dataset, parent_pid):
    """Answer ``(task_id, task)`` messages from ``index_queue`` with pickled
    ``(task_id, batch)`` on ``result_queue`` until a None message arrives."""
    global _worker_info
    # A fresh seed per worker: forked workers would otherwise share the parent's
    # generator state and draw identical augmentations.
    _random.manual_seed(seed)
    _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
    init_error = None
    fetcher = None
    try:
        if worker_init_fn is not None:
            worker_init_fn(worker_id)
        fetcher = make_fetcher()
    except Exception:
        init_error = ExceptionWrapper(f"in DataLoader worker process {worker_id}")
    ended = False
    while True:
        try:
            message = index_queue.get(timeout=_PARENT_CHECK_INTERVAL)
        except queue.Empty:
            if os.getppid() != parent_pid:
                break
            continue
        except KeyboardInterrupt:
            # the main process receives the interrupt too and shuts the workers down
            continue
        if message is None:
            break
        task_id, task = message
        if init_error is not None:
            data = init_error
        elif ended:
            data = WorkerStopped(worker_id)
        else:
            try:
                data = fetcher.fetch(task)
            except StopIteration:
                ended = True
                data = WorkerStopped(worker_id)
            except Exception:
                data = ExceptionWrapper(f"in DataLoader worker process {worker_id}")
        _send(result_queue, task_id, data, worker_id)
    # The main process has stopped listening; do not wait for unread batches to drain.
    result_queue.cancel_join_thread()
