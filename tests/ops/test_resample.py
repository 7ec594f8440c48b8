"""Resampling primitives against slow twins and SciPy (C5.18)."""
import numpy as np
import pytest
from scipy import ndimage

import visiongrad as vg
import visiongrad.nn.functional as F
from visiongrad.ops.resample import IndexSelect, _index_add


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_index_add_equals_loop_twin(rng, axis):
    # unsorted, repeated, and missing source indices
    index = np.array([4, 0, 0, 2, 4, 4, 1])
    shape = [3, 4, 5]
    shape[axis] = len(index)
    grad = rng.standard_normal(shape)
    expected = np.zeros(shape[:axis] + [6] + shape[axis + 1:])
    for j, i in enumerate(index):
        np.moveaxis(expected, axis, 0)[i] += np.moveaxis(grad, axis, 0)[j]
    np.testing.assert_allclose(_index_add(grad, index, 6, axis), expected, rtol=1e-13)


def test_index_select_gradcheck_with_repeats(rng):
    x = vg.tensor(rng.standard_normal((3, 5)), requires_grad=True)
    index = np.array([3, 3, 0, 4, 1, 3])
    assert vg.autograd.gradcheck(lambda x: IndexSelect.apply(x, axis=1, index=index), [x])


def test_bilinear_grid_sample_equals_map_coordinates_inside(rng):
    image = rng.standard_normal((6, 7))
    ys, xs = rng.uniform(0, 5, 40), rng.uniform(0, 6, 40)
    # align_corners=False: pixel centre i sits at grid coordinate (2i + 1)/size − 1
    grid = np.stack([(2 * xs + 1) / 7 - 1, (2 * ys + 1) / 6 - 1], -1).reshape(1, 1, 40, 2)
    out = F.grid_sample(vg.tensor(image[None, None]), vg.tensor(grid), align_corners=False)
    expected = ndimage.map_coordinates(image, [ys, xs], order=1)
    np.testing.assert_allclose(out.data.ravel(), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("align_corners", [False, True])
def test_identity_grid_reproduces_the_input(rng, align_corners):
    x = rng.standard_normal((2, 3, 4, 5))
    H, W = 4, 5
    if align_corners:
        ys, xs = np.linspace(-1, 1, H), np.linspace(-1, 1, W)
    else:
        ys, xs = (2 * np.arange(H) + 1) / H - 1, (2 * np.arange(W) + 1) / W - 1
    grid = np.stack(np.meshgrid(xs, ys), -1)[None].repeat(2, 0)
    for mode in ("bilinear", "nearest"):
        out = F.grid_sample(vg.tensor(x), vg.tensor(grid), mode, align_corners=align_corners)
        np.testing.assert_allclose(out.data, x, atol=1e-12)


def test_grid_gradient_on_pixel_centres_matches_torch(rng):
    # y exactly on pixel-centre rows: the lower rows' bilinear weights are 0, but their
    # values still set the slope in y
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((1, 2, 4, 5))
    grid = np.array([[[[-0.6, -0.25], [0.2, 0.25], [0.6, -0.75]]]])  # y = (2i + 1)/4 − 1
    gv = vg.tensor(grid, requires_grad=True)
    gt = torch.tensor(grid, requires_grad=True)
    F.grid_sample(vg.tensor(x), gv, align_corners=False).sum().backward()
    torch.nn.functional.grid_sample(torch.tensor(x), gt, align_corners=False).sum().backward()
    np.testing.assert_allclose(gv.grad.data, gt.grad.numpy(), atol=1e-12)
