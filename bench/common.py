"""Timing helpers shared by the benchmarks: both frameworks run in this process on the
same number of threads, best-of-N wall time, ratios printed as visiongrad / PyTorch."""
import time


def setup_threads(threads=2):
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(threads)
    return threadpool_limits(limits=threads)


def best_time(fn, repeat=5, warmup=1):
    for _ in range(warmup):
        fn()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def report(name, ours, theirs, goal=None):
    ratio = ours / theirs
    verdict = "" if goal is None else ("  ok" if ratio <= goal else f"  (goal ≤ {goal}×)")
    print(f"{name:<48} visiongrad {ours * 1e3:9.2f} ms   torch {theirs * 1e3:9.2f} ms   "
          f"ratio {ratio:5.2f}×{verdict}")
    return ratio
