"""The sampling kernels against slow loop twins written after torch's CPU loops
(GridSampler.cpp, UpSampleKernel.cpp), and against torch itself."""
import math

import numpy as np
import pytest
import torch

from visiongrad._kernels import sampling


def grid_sample_loops(x, ys, xs, mode):
    N, C, H, W = x.shape
    OH, OW = ys.shape
    out = np.zeros((N, C, OH, OW))

    def pixel(n, c, y, x_):
        return x[n, c, y, x_] if 0 <= y < H and 0 <= x_ < W else 0.0

    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    y, x_ = ys[i, j], xs[i, j]
                    if mode == "nearest":
                        out[n, c, i, j] = pixel(n, c, int(round(y)), int(round(x_)))
                        continue
                    y0, x0 = math.floor(y), math.floor(x_)
                    fy, fx = y - y0, x_ - x0
                    out[n, c, i, j] = ((1 - fy) * (1 - fx) * pixel(n, c, y0, x0)
                                       + (1 - fy) * fx * pixel(n, c, y0, x0 + 1)
                                       + fy * (1 - fx) * pixel(n, c, y0 + 1, x0)
                                       + fy * fx * pixel(n, c, y0 + 1, x0 + 1))
    return out


def linear_axis_loops(in_size, out_size, antialias):
    """One row of weights per output index, built the way torch's loops build them."""
    scale = in_size / out_size
    weights = np.zeros((out_size, in_size))
    for i in range(out_size):
        if antialias:
            support = scale if scale >= 1.0 else 1.0
            center = scale * (i + 0.5)
            xmin = max(int(center - support + 0.5), 0)
            xmax = min(int(center + support + 0.5), in_size)
            for j in range(xmin, xmax):
                weights[i, j] = max(0.0, 1.0 - abs((j - center + 0.5) / support))
            weights[i] /= weights[i].sum()
        else:
            source = max(scale * (i + 0.5) - 0.5, 0.0)
            i0 = int(source)
            i1 = i0 + 1 if i0 < in_size - 1 else i0
            weights[i, i0] += 1.0 - (source - i0)
            weights[i, i1] += source - i0
    return weights


def resize_loops(x, size, mode, antialias):
    H, W = x.shape[-2:]
    OH, OW = size
    out = np.zeros(x.shape[:-2] + (OH, OW))
    if mode == "nearest":
        for i in range(OH):
            for j in range(OW):
                y = min(int(math.floor(i * np.float32(H) / np.float32(OH))), H - 1)
                x_ = min(int(math.floor(j * np.float32(W) / np.float32(OW))), W - 1)
                out[..., i, j] = x[..., y, x_]
        return out
    weights_h = linear_axis_loops(H, OH, antialias)
    weights_w = linear_axis_loops(W, OW, antialias)
    for i in range(OH):
        for j in range(OW):
            for y in range(H):
                for x_ in range(W):
                    out[..., i, j] += weights_h[i, y] * weights_w[j, x_] * x[..., y, x_]
    return out


def random_grid(rng, H, W, OH, OW):
    # points from well outside to well inside, plus exact pixel centres and half-pixels
    ys = rng.uniform(-2, H + 1, (OH, OW))
    xs = rng.uniform(-2, W + 1, (OH, OW))
    ys[0, :] = np.arange(OW) % H
    xs[0, :] = np.arange(OW) % W
    ys[1, :] = np.arange(OW) * 0.5 - 0.5
    return ys, xs


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_grid_sample_matches_loops_and_torch(rng, mode):
    x = rng.standard_normal((2, 3, 5, 6))
    ys, xs = random_grid(rng, 5, 6, 4, 7)
    got = sampling.grid_sample(x, ys, xs, mode)
    assert got.shape == (2, 3, 4, 7) and got.dtype == x.dtype
    assert np.allclose(got, grid_sample_loops(x, ys, xs, mode), atol=1e-12)
    # torch's normalised grid: u = (2x + 1) / W - 1 for align_corners=False
    grid = np.stack([(2 * xs + 1) / 6 - 1, (2 * ys + 1) / 5 - 1], axis=-1)[None].repeat(2, 0)
    expected = torch.nn.functional.grid_sample(torch.from_numpy(x), torch.from_numpy(grid),
                                               mode=mode, padding_mode="zeros",
                                               align_corners=False)
    assert np.allclose(got, expected.numpy(), atol=1e-12)


def test_grid_sample_keeps_float32_and_rejects_unknown_modes(rng):
    x = rng.random((1, 1, 3, 3)).astype(np.float32)
    ys, xs = np.meshgrid(np.arange(3.0), np.arange(3.0), indexing="ij")
    got = sampling.grid_sample(x, ys, xs)
    assert got.dtype == np.float32 and np.array_equal(got, x)
    with pytest.raises(ValueError, match="'nearest' or 'bilinear'"):
        sampling.grid_sample(x, ys, xs, "bicubic")


@pytest.mark.parametrize("in_size, out_size", [(7, 3), (3, 7), (5, 5), (10, 4), (4, 9), (1, 3)])
@pytest.mark.parametrize("antialias", [False, True])
def test_linear_weights_match_loops(in_size, out_size, antialias):
    got = sampling.linear_weights(in_size, out_size, antialias)
    assert got.shape == (out_size, in_size)
    assert np.allclose(got, linear_axis_loops(in_size, out_size, antialias), atol=1e-12)
    assert np.allclose(got.sum(axis=1), 1.0)


@pytest.mark.parametrize("size", [(3, 4), (9, 11), (5, 6), (2, 13)])
@pytest.mark.parametrize("mode, antialias", [("nearest", False), ("bilinear", False),
                                             ("bilinear", True)])
def test_resize_matches_loops_and_torch(rng, size, mode, antialias):
    x = rng.standard_normal((2, 2, 5, 6))
    got = sampling.resize(x, size, mode, antialias)
    assert got.shape == (2, 2) + size
    assert np.allclose(got, resize_loops(x, size, mode, antialias), atol=1e-12)
    expected = torch.nn.functional.interpolate(
        torch.from_numpy(x), size=size, mode=mode, antialias=antialias,
        align_corners=False if mode == "bilinear" else None)
    assert np.allclose(got, expected.numpy(), atol=1e-12)


def test_resize_float32_matches_torch(rng):
    x = rng.random((1, 3, 17, 23)).astype(np.float32)
    for size in [(8, 8), (40, 31)]:
        got = sampling.resize(x, size)
        expected = torch.nn.functional.interpolate(torch.from_numpy(x), size=size, mode="bilinear",
                                                   align_corners=False).numpy()
        assert got.dtype == np.float32 and np.allclose(got, expected, atol=1e-6)


def test_nearest_indices_use_torch_float32_rule():
    # 3 → 9: float32(1/3) is just above 1/3, so output 3 reads input 1 as in torch
    x = torch.arange(3.0).view(1, 1, 1, 3)
    expected = torch.nn.functional.interpolate(x, size=(1, 9), mode="nearest").view(-1).long()
    assert np.array_equal(sampling.nearest_indices(3, 9), expected.numpy())
