"""Batch-parallel execution and reusable work buffers for the heavy kernels.

NumPy releases the GIL inside BLAS calls, copies and ufunc loops, so a few Python
threads, each working through its own part of the batch with BLAS pinned to one
thread, keep every core busy on GEMMs that fit in its cache. On the 2-core dev machine
this measured faster than whole-batch GEMMs on a multi-threaded BLAS (DESIGN.md,
"Performance rules").

Fresh large allocations are slow on the target VMs (first touch of new pages), so the
per-chunk scratch arrays (padded inputs, patch matrices) come from ``buffer``: one
growing byte array per name and per thread, reused across calls.
"""
import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait

import numpy as np

from .._backend import xp

# Work is cut into pieces (batch chunks, then output row blocks) whose scratch arrays
# are about this size: whole-batch GEMMs reach under half of BLAS's peak (DESIGN.md),
# while below ~1 MB of patches the GEMMs get too narrow; 2-8 MB measured alike.
CHUNK_BYTES = 1 << 22

# Below this much data in all, one thread does the work: handing a part to another
# thread costs tens of microseconds.
PARALLEL_BYTES = 1 << 18

_local = threading.local()
_lock = threading.Lock()  # one parallel region at a time: each pins BLAS, then restores it
_start_lock = threading.Lock()
_state = {"pid": None, "pool": None, "blas": None}


def buffer(name, shape, dtype):
    """A scratch array of ``shape`` and ``dtype`` owned by the calling thread.

    Its contents are whatever the last user left; the same name returns the same
    memory until a larger request replaces it."""
    buffers = _local.__dict__.setdefault("buffers", {})
    nbytes = int(np.prod(shape)) * np.dtype(dtype).itemsize
    raw = buffers.get(name)
    if raw is None or raw.nbytes < nbytes:
        raw = xp.empty(max(nbytes, 1), dtype=xp.uint8)
        buffers[name] = raw
    return raw[:nbytes].view(dtype).reshape(shape)


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _runtime():
    # Created on first use and again after a fork: a forked child inherits the pool
    # object but not its threads, and would wait forever on submitted work.
    with _start_lock:
        if _state["pid"] != os.getpid():
            from threadpoolctl import ThreadpoolController

            workers = _cores() - 1
            _state["pool"] = ThreadPoolExecutor(workers) if workers > 0 else None
            _state["blas"] = ThreadpoolController().select(user_api="blas")
            _state["pid"] = os.getpid()
        return _state["pool"], _state["blas"]


def _blas_threads(blas):
    counts = [lib.num_threads for lib in blas.lib_controllers]
    return min(counts) if counts else 1


def chunk_size(N, item_bytes, target_bytes=CHUNK_BYTES):
    """Items per chunk: about ``target_bytes`` of data each, but small enough that every
    core gets a chunk once the batch is worth splitting."""
    if N * item_bytes < PARALLEL_BYTES:
        return max(N, 1)
    return max(1, min(target_bytes // max(item_bytes, 1), -(-N // _cores())))


class _Chunks:
    """Thread-safe iterator over (start, stop) ranges of ``range(N)``, ``chunk`` long,
    handed out in order to whichever thread asks next, so a thread slowed down by
    another process simply takes fewer chunks."""

    def __init__(self, N, chunk):
        self._next, self._N, self._chunk = 0, N, chunk
        self._lock = threading.Lock()

    def __iter__(self):
        return self

    def __next__(self):
        with self._lock:
            start = self._next
            if start >= self._N:
                raise StopIteration
            self._next = min(start + self._chunk, self._N)
        return start, self._next


def parallel_chunks(work, N, chunk):
    """Run ``work(chunks)`` on up to one thread per core and return each call's result.

    ``chunks`` is shared by all the calls and yields (start, stop) ranges covering
    ``range(N)`` once. With more than one chunk and core, and a BLAS allowed more than
    one thread (``threadpoolctl.threadpool_limits(1)`` around a call makes it serial),
    the threads run with BLAS pinned to one thread each."""
    chunk = max(int(chunk), 1)
    pool, blas = _runtime()
    threads = min(_cores(), _blas_threads(blas), -(-N // chunk)) if pool is not None else 1
    chunks = _Chunks(N, chunk)
    if threads <= 1:
        return [work(chunks)]
    with _lock, blas.limit(limits=1):
        futures = [pool.submit(work, chunks) for _ in range(threads - 1)]
        try:
            first = work(chunks)
        finally:
            wait(futures)  # never leave workers running on the caller's arrays
        return [first] + [f.result() for f in futures]
