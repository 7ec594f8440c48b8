"""Convolution and pooling, visiongrad vs PyTorch CPU (2 threads each): a 3×3 conv2d on
(64, 64, 32, 32) -> 64 channels, forward (goal within 1.2×) and forward+backward (goal
1.6×), 2×2 max pooling forward+backward (goal 2×), and for context a strided conv, a
1×1 conv, 3×3 average pooling and a transposed conv. Last, the patch-matrix conv
against a naive loop convolution on 50×3×32×32 (CS231n's fast-vs-naive check).

OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE change OpenBLAS's kernel choice and blocking:
the values in effect are printed so runs can be compared.
"""
import os
import time

import numpy as np

from common import best_time, report, setup_threads

SHAPE = (64, 64, 32, 32)


def _data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(SHAPE).astype(np.float32)
    arrays = {
        "x": x,
        "w3": (rng.standard_normal((64, 64, 3, 3)) * 0.05).astype(np.float32),
        "w1": (rng.standard_normal((128, 64, 1, 1)) * 0.1).astype(np.float32),
        "wt": (rng.standard_normal((64, 32, 4, 4)) * 0.05).astype(np.float32),
        "b": rng.standard_normal(64).astype(np.float32),
    }
    return arrays


def _cases(lib, F, tensor, data):
    """The same closures for either library: ``tensor(array, grad)`` makes a leaf."""
    x = tensor(data["x"], True)
    w3, w1, wt, b = (tensor(data[k], True) for k in ("w3", "w1", "wt", "b"))
    leaves = (x, w3, w1, wt, b)

    def train(fn):
        grad = []  # a fixed random output gradient, made on the first call

        def step():
            for t in leaves:
                t.grad = None
            out = fn()
            if not grad:
                grad.append(tensor(np.random.default_rng(1).standard_normal(
                    tuple(out.shape)).astype(np.float32), False))
            out.backward(grad[0])
        return step

    def forward(fn):
        def run():
            with lib.no_grad():
                fn()
        return run

    def conv():
        return F.conv2d(x, w3, b, padding=1)

    def pool():
        return F.max_pool2d(x, 2)

    return {
        "conv_forward": forward(conv),
        "conv_train": train(conv),
        "pool_train": train(pool),
        "pool_forward": forward(pool),
        "conv_stride2_train": train(lambda: F.conv2d(x, w3, b, stride=2, padding=1)),
        "conv_1x1_train": train(lambda: F.conv2d(x, w1)),
        "avg_pool_train": train(lambda: F.avg_pool2d(x, 3, 2, 1)),
        "conv_transpose_train": train(lambda: F.conv_transpose2d(x, wt, stride=2, padding=1)),
    }


def visiongrad_cases(data):
    import visiongrad as vg
    from visiongrad.nn import functional as F

    return _cases(vg, F, lambda a, grad: vg.tensor(a, requires_grad=grad), data)


def torch_cases(data):
    import torch

    return _cases(torch, torch.nn.functional,
                  lambda a, grad: torch.tensor(a, requires_grad=grad), data)


NAMES = {
    "conv_forward": ("conv2d 3x3 (64,64,32,32)->64 forward", 1.2),
    "conv_train": ("conv2d 3x3 (64,64,32,32)->64 fwd+bwd", 1.6),
    "pool_train": ("max_pool2d 2x2 (64,64,32,32) fwd+bwd", 2.0),
    "pool_forward": ("max_pool2d 2x2 forward", None),
    "conv_stride2_train": ("conv2d 3x3 stride 2 fwd+bwd", None),
    "conv_1x1_train": ("conv2d 1x1 64->128 fwd+bwd", None),
    "avg_pool_train": ("avg_pool2d 3x3 s2 p1 fwd+bwd", None),
    "conv_transpose_train": ("conv_transpose2d 4x4 s2 64->32 fwd+bwd", None),
}


def naive_conv(x, w, b, pad):
    """CS231n's conv_forward_naive: loops over images, filters and output pixels."""
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    OH, OW = H + 2 * pad - KH + 1, W + 2 * pad - KW + 1
    out = np.empty((N, F, OH, OW), dtype=x.dtype)
    for n in range(N):
        for f in range(F):
            for i in range(OH):
                for j in range(OW):
                    out[n, f, i, j] = np.sum(x_pad[n, :, i:i + KH, j:j + KW] * w[f]) + b[f]
    return out


def fast_vs_naive():
    import visiongrad as vg
    from visiongrad.nn import functional as F

    rng = np.random.default_rng(0)
    x, w, b = (rng.standard_normal((50, 3, 32, 32)), rng.standard_normal((25, 3, 3, 3)),
               rng.standard_normal(25))
    # the loops cost the same per image: time 5 of the 50 and scale
    start = time.perf_counter()
    slow = naive_conv(x[:5], w, b, 1)
    naive = (time.perf_counter() - start) * 10
    fast = best_time(lambda: F.conv2d(vg.tensor(x), vg.tensor(w), vg.tensor(b), padding=1))
    error = np.abs(F.conv2d(vg.tensor(x[:5]), vg.tensor(w), vg.tensor(b), padding=1).data
                   - slow).max()
    print(f"{'conv2d 50x3x32x32, 25 3x3 filters: naive loops':<48} {naive * 1e3:9.1f} ms   "
          f"fast {fast * 1e3:7.2f} ms   speed-up {naive / fast:6.0f}×   max diff {error:.1e}")


def main():
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        print(f"{key}={os.environ.get(key, '(unset)')}")
    data = _data()
    with setup_threads(2):
        ours, theirs = visiongrad_cases(data), torch_cases(data)
        for key, (name, goal) in NAMES.items():
            # alternate the two so that machine noise hits both alike
            times_ours, times_theirs = [], []
            for _ in range(3):
                times_ours.append(best_time(ours[key], repeat=5))
                times_theirs.append(best_time(theirs[key], repeat=5))
            report(name, min(times_ours), min(times_theirs), goal)
        fast_vs_naive()


if __name__ == "__main__":
    main()
