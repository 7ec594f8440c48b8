"""Normalization and resampling layers, visiongrad vs PyTorch CPU (2 threads each):
training-mode batch norm forward+backward on (64, 64, 32, 32), the goal being within 2×,
and for context its forward alone, eval mode, layer/group norm and 2× bilinear upsampling."""
import numpy as np

from common import best_time, report, setup_threads

SHAPE = (64, 64, 32, 32)


def _inputs():
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(SHAPE) * 2 + 1).astype(np.float32)
    grad = rng.standard_normal(SHAPE).astype(np.float32)
    return x, grad


def visiongrad_cases(x_data, grad_data):
    import visiongrad as vg
    from visiongrad import nn
    from visiongrad.nn import functional as F

    x = vg.tensor(x_data, requires_grad=True)
    grad = vg.tensor(grad_data)
    bn, ln, gn = nn.BatchNorm2d(64), nn.LayerNorm((64, 32, 32)), nn.GroupNorm(8, 64)

    def train_step(layer):
        def step():
            x.grad = None
            layer(x).backward(grad)
        return step

    def forward(layer, eval_mode=False):
        def run():
            layer.train(not eval_mode)
            with vg.no_grad():
                layer(x)
        return run

    def upsample():
        x.grad = None
        out = F.interpolate(x, scale_factor=2, mode="bilinear")
        out.backward(vg.ones(*out.shape))

    return {"bn_train": train_step(bn), "bn_forward": forward(bn),
            "bn_eval": forward(bn, eval_mode=True), "ln_train": train_step(ln),
            "gn_train": train_step(gn), "upsample": upsample}


def composed_batch_norm(x_data, grad_data):
    """Batch norm built from Tensor ops, its backward from the graph: the fused
    primitive's simplified backward should beat it (C3.16)."""
    import visiongrad as vg

    x = vg.tensor(x_data, requires_grad=True)
    grad = vg.tensor(grad_data)
    weight = vg.ones(1, 64, 1, 1, requires_grad=True)
    bias = vg.zeros(1, 64, 1, 1, requires_grad=True)

    def step():
        x.grad = None
        mean = x.mean((0, 2, 3), keepdim=True)
        var = ((x - mean) ** 2).mean((0, 2, 3), keepdim=True)
        (((x - mean) / (var + 1e-5).sqrt()) * weight + bias).backward(grad)
    return step


def torch_cases(x_data, grad_data):
    import torch

    x = torch.tensor(x_data, requires_grad=True)
    grad = torch.tensor(grad_data)
    bn = torch.nn.BatchNorm2d(64)
    ln, gn = torch.nn.LayerNorm((64, 32, 32)), torch.nn.GroupNorm(8, 64)

    def train_step(layer):
        def step():
            x.grad = None
            layer(x).backward(grad)
        return step

    def forward(layer, eval_mode=False):
        def run():
            layer.train(not eval_mode)
            with torch.no_grad():
                layer(x)
        return run

    def upsample():
        x.grad = None
        out = torch.nn.functional.interpolate(x, scale_factor=2, mode="bilinear")
        out.backward(torch.ones_like(out))

    return {"bn_train": train_step(bn), "bn_forward": forward(bn),
            "bn_eval": forward(bn, eval_mode=True), "ln_train": train_step(ln),
            "gn_train": train_step(gn), "upsample": upsample}


NAMES = {
    "bn_train": ("BatchNorm2d train fwd+bwd (64,64,32,32)", 2.0),
    "bn_forward": ("BatchNorm2d train forward", None),
    "bn_eval": ("BatchNorm2d eval forward", None),
    "ln_train": ("LayerNorm((64,32,32)) fwd+bwd", None),
    "gn_train": ("GroupNorm(8, 64) fwd+bwd", None),
    "upsample": ("bilinear 2× upsample fwd+bwd", None),
}


def main():
    x, grad = _inputs()
    with setup_threads(2):
        ours, theirs = visiongrad_cases(x, grad), torch_cases(x, grad)
        for key, (name, goal) in NAMES.items():
            # alternate the two so that machine noise hits both alike
            times_ours, times_theirs = [], []
            for _ in range(3):
                times_ours.append(best_time(ours[key], repeat=5))
                times_theirs.append(best_time(theirs[key], repeat=5))
            report(name, min(times_ours), min(times_theirs), goal)
        composed = best_time(composed_batch_norm(x, grad), repeat=5)
        fused = best_time(ours["bn_train"], repeat=5)
        print(f"{'BatchNorm2d fwd+bwd, composed graph / fused':<48} composed "
              f"{composed * 1e3:9.2f} ms   fused {fused * 1e3:9.2f} ms   "
              f"ratio {composed / fused:5.2f}×")


if __name__ == "__main__":
    main()
