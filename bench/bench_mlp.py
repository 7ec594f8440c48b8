"""A training epoch of the 784-512-256-10 MLP on the embedded MNIST subset (batch 64,
Adam), visiongrad vs PyTorch CPU; the 10,000-node chain backward; memory across 100
training steps (saved arrays must be freed)."""
import time
import tracemalloc

import numpy as np

from common import best_time, report, setup_threads


def load_data():
    from visiongrad.vision.datasets import MNIST

    ds = MNIST(train=True)
    x = (np.asarray(ds.data, np.float32).reshape(len(ds.targets), -1) / 255.0 - 0.13) / 0.31
    return x, np.asarray(ds.targets, np.int64)


def visiongrad_epoch(x, y, batch=64):
    import visiongrad as vg
    from visiongrad import nn, optim
    from visiongrad.nn import functional as F

    vg.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(),
                          nn.Linear(256, 10))
    opt = optim.Adam(model.parameters(), lr=1e-3)
    order = np.random.default_rng(0).permutation(len(y))
    xt, yt = vg.from_numpy(x), vg.from_numpy(y)

    def epoch():
        for start in range(0, len(y), batch):
            idx = order[start:start + batch]
            loss = F.cross_entropy(model(vg.from_numpy(x[idx])), vg.from_numpy(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
    return epoch, model, opt, (xt, yt)


def torch_epoch(x, y, batch=64):
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(),
                                torch.nn.Linear(512, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    order = np.random.default_rng(0).permutation(len(y))
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def epoch():
        for start in range(0, len(y), batch):
            idx = torch.from_numpy(order[start:start + batch])
            loss = torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return epoch


def chain_backward(n=10_000):
    import visiongrad as vg

    x = vg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(n):
        y = y * 1.0
    start = time.perf_counter()
    y.backward()
    return time.perf_counter() - start


def memory_growth(x, y, steps=100):
    epoch, model, opt, _ = visiongrad_epoch(x[:6400], y[:6400])
    epoch()  # optimizer state and buffers exist after the first pass
    tracemalloc.start()
    epoch()
    first, _ = tracemalloc.get_traced_memory()
    for _ in range(steps // 100 + 1):
        epoch()
    last, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return first, last, peak


def main():
    with setup_threads(2):
        x, y = load_data()
        ours, *_ = visiongrad_epoch(x, y)
        theirs = torch_epoch(x, y)
        report("MLP 784-512-256-10 epoch (4000 imgs, b64, Adam)",
               best_time(ours, repeat=5), best_time(theirs, repeat=5), goal=1.3)
        seconds = chain_backward()
        print(f"{'10,000-node chain backward':<48} {seconds * 1e3:9.2f} ms  "
              f"{'ok' if seconds < 1 else '(goal < 1 s)'}")
        first, last, peak = memory_growth(x, y)
        print(f"{'traced memory after 1 vs 2+ more epochs':<48} {first / 1e6:7.2f} MB -> "
              f"{last / 1e6:7.2f} MB (peak {peak / 1e6:.1f} MB)  "
              f"{'ok' if last <= first * 1.05 + 1e5 else 'GROWS'}")


if __name__ == "__main__":
    main()
