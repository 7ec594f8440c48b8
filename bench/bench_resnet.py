"""A full training step (forward, cross-entropy, backward, SGD with momentum) of the
CIFAR ResNet-20 on a batch of 128 3×32×32 images, visiongrad vs PyTorch CPU on 2
threads; and the peak memory of each step, each framework measured in a fresh process
(the growth of the peak resident set size over the model's steady state)."""
import os
import resource
import subprocess
import sys

import numpy as np

from common import best_time, report, setup_threads

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "vision"))

BATCH = 128


def visiongrad_step():
    import visiongrad as vg
    from visiongrad import optim
    from visiongrad.nn import functional as F
    from visiongrad.vision import models

    vg.manual_seed(0)
    model = models.get("resnet20", num_classes=10)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    rng = np.random.default_rng(0)
    x = vg.from_numpy(rng.standard_normal((BATCH, 3, 32, 32)).astype(np.float32))
    y = vg.from_numpy(rng.integers(0, 10, BATCH))

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def torch_step():
    import torch
    from torch_reference import resnet20

    torch.manual_seed(0)
    model = resnet20(num_classes=10)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.standard_normal((BATCH, 3, 32, 32)).astype(np.float32))
    y = torch.from_numpy(rng.integers(0, 10, BATCH))

    def step():
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def _peak_mb():
    # VmHWM belongs to this process's address space; ru_maxrss would carry over the
    # parent's peak across fork + exec
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_memory(framework):
    """Run in a fresh process: peak RSS growth (MB) of 3 steps after a warm-up step."""
    import torch  # noqa: F401  (both processes pay for importing torch)

    with setup_threads(2):
        step = visiongrad_step() if framework == "visiongrad" else torch_step()
        before = _peak_mb()
        for _ in range(3):
            step()
        print(f"{_peak_mb() - before:.1f}")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--memory":
        measure_memory(sys.argv[2])
        return
    with setup_threads(2):
        ours, theirs = visiongrad_step(), torch_step()
        report("ResNet-20 training step, batch 128 (3×32×32)", best_time(ours, repeat=3),
               best_time(theirs, repeat=3), goal=3.0)
    peaks = {}
    for framework in ("visiongrad", "torch"):
        out = subprocess.run([sys.executable, __file__, "--memory", framework],
                             capture_output=True, text=True, check=True)
        peaks[framework] = float(out.stdout.strip().splitlines()[-1])
    print(f"{'peak memory of the steps (fresh process)':<48} visiongrad "
          f"{peaks['visiongrad']:7.1f} MB   torch {peaks['torch']:7.1f} MB   "
          f"ratio {peaks['visiongrad'] / max(peaks['torch'], 1e-9):5.2f}×")


if __name__ == "__main__":
    main()
