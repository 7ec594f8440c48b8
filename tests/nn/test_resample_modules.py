"""Padding and resizing layers and functions against PyTorch, beyond the op table's
rows: more sizes and scale factors, the padding modules, and the errors (C5.04)."""
import numpy as np
import pytest

import visiongrad as vg
import visiongrad.nn as nn
import visiongrad.nn.functional as F

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("name, args", [("ZeroPad2d", (2,)), ("ConstantPad2d", ((1, 0, 2, 3), 1.5)),
                                        ("ReflectionPad2d", ((3, 1, 0, 2),)),
                                        ("ReplicationPad2d", (2,)),
                                        ("CircularPad2d", ((1, 4, 2, 0),))])
@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (3, 4, 5)])
def test_padding_layers_match_torch(rng, name, args, shape):
    x = rng.standard_normal(shape).astype(np.float32)
    out = getattr(nn, name)(*args)(vg.tensor(x))
    expected = getattr(torch.nn, name)(*args)(torch.tensor(x))
    np.testing.assert_array_equal(out.data, expected.numpy())
    assert repr(getattr(nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))


def test_pad_errors_name_the_limit():
    with pytest.raises(ValueError, match=r"reflect padding amounts must be ≥ 0 and < the size"):
        F.pad(vg.zeros(1, 2, 3), (3, 0), mode="reflect")
    with pytest.raises(ValueError, match="needs an input with 3 or 4 dims"):
        F.pad(vg.zeros(2, 3), (1, 1, 1, 1), mode="replicate")
    with pytest.raises(ValueError, match="even number"):
        F.pad(vg.zeros(2, 3), (1, 1, 1))
    with pytest.raises(ValueError, match="mode must be"):
        F.pad(vg.zeros(2, 3), (1, 1), mode="wrap")


SIZES = [((5, 7), dict(size=(9, 4))), ((5, 7), dict(size=(2, 13))),
         ((6, 6), dict(scale_factor=3)), ((7, 5), dict(scale_factor=0.5)),
         ((7, 5), dict(scale_factor=(1.5, 2.3))), ((9, 9), dict(scale_factor=1 / 3)),
         ((5, 7), dict(scale_factor=(0.7, 1.4), recompute_scale_factor=True)),
         ((3, 10), dict(scale_factor=(1.0001, 2.0001))), ((4, 3), dict(size=(1, 1)))]


@pytest.mark.parametrize("in_size, kwargs", SIZES)
@pytest.mark.parametrize("mode, align_corners", [("nearest", None), ("bilinear", False),
                                                 ("bilinear", True)])
def test_interpolate_matches_torch(rng, in_size, kwargs, mode, align_corners):
    x = rng.standard_normal((2, 3) + in_size).astype(np.float32)
    out = F.interpolate(vg.tensor(x), mode=mode, align_corners=align_corners, **kwargs)
    expected = torch.nn.functional.interpolate(torch.tensor(x), mode=mode,
                                               align_corners=align_corners, **kwargs)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kwargs", [dict(size=7), dict(scale_factor=2.0001),
                                    dict(scale_factor=0.4)])
def test_nearest_1d_and_3d_match_torch(rng, kwargs):
    for shape in ((2, 3, 6), (1, 2, 4, 3, 5)):
        x = rng.standard_normal(shape).astype(np.float32)
        spatial = len(shape) - 2
        kw = {k: (v,) * spatial for k, v in kwargs.items()}
        out = F.interpolate(vg.tensor(x), **kw)
        expected = torch.nn.functional.interpolate(torch.tensor(x), **kw)
        np.testing.assert_array_equal(out.data, expected.numpy())


def test_upsample_nearest_is_nearest_neighbour_unpooling(rng):
    """C5.04: every input pixel becomes a 2×2 block of copies."""
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    up = nn.Upsample(scale_factor=2, mode="nearest")
    out = up(vg.tensor(x)).data
    np.testing.assert_array_equal(out, x.repeat(2, axis=2).repeat(2, axis=3))
    expected = torch.nn.Upsample(scale_factor=2)(torch.tensor(x)).numpy()
    np.testing.assert_array_equal(out, expected)
    assert repr(up) == repr(torch.nn.Upsample(scale_factor=2, mode="nearest"))


def test_bed_of_nails_unpooling_pattern(rng):
    """C5.04: each value at the top-left of its block, zeros elsewhere."""
    x = rng.standard_normal((2, 3, 4, 5))
    xv = vg.tensor(x, requires_grad=True)
    out = F.bed_of_nails_unpool(xv, 3)
    expected = np.zeros((2, 3, 12, 15))
    expected[:, :, ::3, ::3] = x
    np.testing.assert_array_equal(out.data, expected)
    grad = rng.standard_normal(out.shape)
    out.backward(vg.tensor(grad))
    np.testing.assert_array_equal(xv.grad.data, grad[:, :, ::3, ::3])


def test_upsample_bilinear_module_gradient_matches_torch(rng):
    x = rng.standard_normal((1, 2, 3, 4))
    g = rng.standard_normal((1, 2, 7, 5))
    xv, xt = vg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    kwargs = dict(size=(7, 5), mode="bilinear", align_corners=True)
    nn.Upsample(**kwargs)(xv).backward(vg.tensor(g))
    torch.nn.Upsample(**kwargs)(xt).backward(torch.tensor(g))
    np.testing.assert_allclose(xv.grad.data, xt.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_interpolate_errors():
    x = vg.zeros(1, 1, 4, 4)
    with pytest.raises(ValueError, match="exactly one of size and scale_factor"):
        F.interpolate(x, size=3, scale_factor=2)
    with pytest.raises(ValueError, match="align_corners can only be set"):
        F.interpolate(x, scale_factor=2, align_corners=True)
    with pytest.raises(ValueError, match="'bilinear' needs a 4-D input"):
        F.interpolate(vg.zeros(1, 1, 4), scale_factor=2, mode="bilinear")
    with pytest.raises(ValueError, match="mode must be"):
        F.interpolate(x, scale_factor=2, mode="bicubic")
