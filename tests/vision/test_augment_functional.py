"""The deterministic core of the augmentations (transforms.functional).

torchvision cannot be installed beside this torch, so the references are written
here: torchvision's tensor backend re-typed with torch (its affine grid, grid_sample and
fill mask), torch's own interpolate / pad / conv2d, PIL (flips, crops, rotation sizes,
ImageEnhance on uint8 images, with a tolerance for its 8-bit rounding) and colorsys.
"""
import colorsys
import math

import numpy as np
import pytest
import torch
from PIL import Image, ImageEnhance

import visiongrad as vg
from visiongrad.vision.transforms import InterpolationMode
from visiongrad.vision.transforms import functional as F


def uint8_image(rng, H=9, W=11):
    return rng.integers(0, 256, (H, W, 3), dtype=np.uint8)


def chw(array_hwc):
    """HWC uint8 → CHW float64 in [0, 1]."""
    return array_hwc.transpose(2, 0, 1).astype(np.float64) / 255


def affine_matrix_reference(center, angle, translate, scale, shear):
    """torchvision's forward map T · C · R(a) · S(s) · SHy(sy) · SHx(sx) · C⁻¹ as 3×3
    matrices (angles in degrees, R clockwise on a y-down image)."""
    a, sx, sy = (math.radians(v) for v in (angle, *shear))
    T = np.array([[1, 0, translate[0]], [0, 1, translate[1]], [0, 0, 1.0]])
    C = np.array([[1, 0, center[0]], [0, 1, center[1]], [0, 0, 1.0]])
    R = np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])
    S = np.diag([scale, scale, 1.0])
    SHx = np.array([[1, -math.tan(sx), 0], [0, 1, 0], [0, 0, 1.0]])
    SHy = np.array([[1, 0, 0], [-math.tan(sy), 1, 0], [0, 0, 1.0]])
    return T @ C @ R @ S @ SHy @ SHx @ np.linalg.inv(C)


def torchvision_warp(x, inverse, out_size, mode, fill):
    """torchvision's _gen_affine_grid and _apply_grid_transform, with torch."""
    N, C, H, W = x.shape
    OH, OW = out_size
    theta = torch.tensor(inverse[:2], dtype=torch.float64).reshape(1, 2, 3)
    base = torch.empty(1, OH, OW, 3, dtype=torch.float64)
    base[..., 0].copy_(torch.linspace(-OW * 0.5 + 0.5, OW * 0.5 - 0.5, OW, dtype=torch.float64))
    base[..., 1].copy_(torch.linspace(-OH * 0.5 + 0.5, OH * 0.5 - 0.5, OH,
                                      dtype=torch.float64).unsqueeze(-1))
    base[..., 2].fill_(1)
    rescaled = theta.transpose(1, 2) / torch.tensor([0.5 * W, 0.5 * H], dtype=torch.float64)
    grid = base.view(1, OH * OW, 3).bmm(rescaled).view(1, OH, OW, 2).expand(N, OH, OW, 2)
    img = torch.from_numpy(x)
    if fill is not None:
        img = torch.cat([img, torch.ones(N, 1, H, W, dtype=img.dtype)], dim=1)
    out = torch.nn.functional.grid_sample(img, grid, mode=mode, padding_mode="zeros",
                                          align_corners=False)
    if fill is not None:
        mask, out = out[:, -1:], out[:, :-1]
        fill_img = torch.tensor(fill, dtype=out.dtype).view(1, -1, 1, 1).expand_as(out)
        mask = mask.expand_as(out)
        if mode == "nearest":
            out = torch.where(mask < 0.5, fill_img, out)
        else:
            out = out * mask + (1.0 - mask) * fill_img
    return out.numpy()


AFFINE_CASES = [
    dict(angle=23.0, translate=(1.5, -2.0), scale=1.2, shear=(10.0, -5.0)),
    dict(angle=-61.0, translate=(0.0, 3.0), scale=0.7, shear=(0.0, 0.0)),
    dict(angle=0.0, translate=(2.0, 1.0), scale=1.0, shear=(25.0, 0.0), center=(2.0, 7.0)),
]


@pytest.mark.parametrize("case", AFFINE_CASES)
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("fill", [None, [0.25, 0.5, 1.0]])
def test_affine_matches_torchvision_tensor_backend(rng, case, mode, fill):
    x = rng.random((2, 3, 9, 12))
    got = F.affine(x, interpolation=mode, fill=fill, **case)
    H, W = x.shape[-2:]
    center = case.get("center", (W * 0.5, H * 0.5))
    # torchvision's tensor path measures everything from the image centre
    center_f = (center[0] - W * 0.5, center[1] - H * 0.5)
    forward = affine_matrix_reference(center_f, case["angle"], case["translate"], case["scale"],
                                      case["shear"])
    expected = torchvision_warp(x, np.linalg.inv(forward), (H, W), mode, fill)
    assert got.shape == x.shape and np.allclose(got, expected, atol=1e-10)


@pytest.mark.parametrize("angle", [17.0, -120.0, 45.0])
@pytest.mark.parametrize("expand", [False, True])
def test_rotate_matches_torchvision_and_pil_sizes(rng, angle, expand):
    x = rng.random((3, 10, 13))
    got = F.rotate(x, angle, InterpolationMode.BILINEAR, expand=expand, fill=0.0)
    # rotate is counter-clockwise, i.e. affine by -angle
    forward = affine_matrix_reference((0.0, 0.0), -angle, (0, 0), 1.0, (0, 0))
    if expand:
        expected_w, expected_h = Image.new("L", (13, 10)).rotate(angle, expand=True).size
        assert got.shape == (3, expected_h, expected_w)
    expected = torchvision_warp(x[None], np.linalg.inv(forward), got.shape[-2:], "bilinear",
                                [0.0])[0]
    assert np.allclose(got, expected, atol=1e-10)


@pytest.mark.parametrize("size", [6, 7])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_rotate_by_right_angles_is_rot90(rng, size, k):
    x = rng.random((2, size, size))
    got = F.rotate(x, 90.0 * k, interpolation="nearest")
    assert np.array_equal(got, np.rot90(x, k, axes=(-2, -1)))


def test_identity_warps_are_exact(rng):
    x = rng.random((3, 7, 9)).astype(np.float32)
    for mode in ["nearest", "bilinear"]:
        assert np.array_equal(F.affine(x, 0.0, (0, 0), 1.0, 0.0, interpolation=mode), x)
        assert np.array_equal(F.affine(x, 0.0, [0, 0], 1.0, [0.0, 0.0], mode, fill=0.3), x)
        assert np.array_equal(F.rotate(x, 0.0, mode), x)
        assert np.array_equal(F.lens_distortion(x, 0.0, 0.0, mode), x)


def test_affine_integer_translation_shifts_pixels(rng):
    x = rng.random((1, 6, 8))
    got = F.affine(x, 0.0, (2, -1), 1.0, 0.0)
    expected = np.zeros_like(x)
    expected[:, :5, 2:] = x[:, 1:, :6]
    assert np.array_equal(got, expected)


def test_lens_distortion_matches_its_formula(rng):
    x = rng.random((2, 3, 8, 10))
    k1, k2 = 0.3, -0.1
    got = F.lens_distortion(x, k1, k2, "bilinear")
    H, W = 8, 10
    i, j = np.meshgrid(np.arange(H), np.arange(W), indexing="ij")
    dy, dx = i - (H - 1) / 2, j - (W - 1) / 2
    r2 = (dx ** 2 + dy ** 2) / ((H ** 2 + W ** 2) / 4)
    factor = 1 + k1 * r2 + k2 * r2 ** 2
    grid = np.stack([(2 * (dx * factor + (W - 1) / 2) + 1) / W - 1,
                     (2 * (dy * factor + (H - 1) / 2) + 1) / H - 1], axis=-1)
    expected = torch.nn.functional.grid_sample(
        torch.from_numpy(x), torch.from_numpy(grid[None]).expand(2, H, W, 2),
        mode="bilinear", align_corners=False).numpy()
    assert np.allclose(got, expected, atol=1e-12)
    # the centre pixel of an odd image does not move; barrel pulls the border inwards
    odd = rng.random((1, 9, 9))
    assert F.lens_distortion(odd, 0.5)[0, 4, 4] == odd[0, 4, 4]
    assert F.lens_distortion(np.ones((1, 9, 9)), 0.5)[0, 0, 0] == 0.0


@pytest.mark.parametrize("shape, size, expected_shape", [
    ((3, 10, 20), 5, (3, 5, 10)),
    ((3, 20, 10), 5, (3, 10, 5)),
    ((3, 7, 11), [4], (3, 4, 6)),
    ((3, 7, 11), (5, 9), (3, 5, 9)),
    ((2, 3, 12, 8), (6, 6), (2, 3, 6, 6)),
])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_resize_sizes_and_values_match_torch(rng, shape, size, expected_shape, mode):
    x = rng.random(shape)
    got = F.resize(x, size, interpolation=mode)
    assert got.shape == expected_shape
    expected = torch.nn.functional.interpolate(
        torch.from_numpy(x if x.ndim == 4 else x[None]), size=expected_shape[-2:], mode=mode,
        align_corners=False if mode == "bilinear" else None).numpy().reshape(expected_shape)
    assert np.allclose(got, expected, atol=1e-12)


def test_resize_antialias_and_max_size(rng):
    x = rng.random((3, 30, 20))
    got = F.resize(x, 7, antialias=True)
    expected = torch.nn.functional.interpolate(torch.from_numpy(x[None]), size=(10, 7),
                                               mode="bilinear", antialias=True).numpy()[0]
    assert got.shape == (3, 10, 7) and np.allclose(got, expected, atol=1e-12)
    assert not np.allclose(F.resize(x, 7), got, atol=1e-3), "antialias=False is the default"
    assert F.resize(x, 10, max_size=12).shape == (3, 12, 8)
    assert F.resize(x, 10, max_size=20).shape == (3, 15, 10)
    assert np.array_equal(F.resize(x, (30, 20)), x)
    with pytest.raises(ValueError, match="max_size"):
        F.resize(x, (5, 5), max_size=10)
    with pytest.raises(ValueError, match="max_size should be greater"):
        F.resize(x, 10, max_size=10)


def test_resize_keeps_integer_masks_integer():
    mask = np.arange(12, dtype=np.int64).reshape(1, 3, 4)
    got = F.resize(mask, (6, 8), interpolation="nearest")
    assert got.dtype == np.int64 and np.array_equal(got, mask.repeat(2, 1).repeat(2, 2))


@pytest.mark.parametrize("top, left, height, width", [
    (2, 3, 4, 5), (-2, -1, 5, 6), (6, 9, 5, 5), (-3, -3, 15, 17), (0, 0, 9, 11),
])
def test_crop_matches_pil_crop_with_zero_padding(rng, top, left, height, width):
    image = uint8_image(rng)
    expected = np.asarray(Image.fromarray(image).crop((left, top, left + width, top + height)))
    got = F.crop(chw(image), top, left, height, width)
    assert got.shape == (3, height, width)
    assert np.array_equal(np.round(got * 255).astype(np.uint8).transpose(1, 2, 0), expected)


@pytest.mark.parametrize("size, expected_top_left", [
    ((5, 5), (2, 3)), ((4, 4), (2, 4)), ((9, 11), (0, 0)), (6, (2, 2)), ((12, 13), (-1, -1)),
    ((11, 12), (-1, 0)),
])
def test_center_crop_offsets_follow_torchvision(rng, size, expected_top_left):
    # torchvision: int(round((H - h) / 2)) (half to even), padding (h - H) // 2 on top
    x = chw(uint8_image(rng))
    got = F.center_crop(x, size)
    h, w = (size, size) if isinstance(size, int) else size
    assert np.array_equal(got, F.crop(x, *expected_top_left, h, w))


def test_pad_follows_torchvision_order_and_modes(rng):
    x = rng.random((2, 4, 5))
    t = torch.from_numpy(x[None])
    # torchvision (left, top, right, bottom) is torch's (left, right, top, bottom)
    for mode, torch_mode in [("constant", "constant"), ("edge", "replicate"),
                             ("reflect", "reflect")]:
        got = F.pad(x, (1, 2, 3, 0), padding_mode=mode)
        expected = torch.nn.functional.pad(t, (1, 3, 2, 0), mode=torch_mode).numpy()[0]
        assert np.array_equal(got, expected)
    row = np.array([[[1.0, 2, 3, 4]]])
    assert F.pad(row, [2, 0], padding_mode="reflect")[0, 0].tolist() == [3, 2, 1, 2, 3, 4, 3, 2]
    assert F.pad(row, [2, 0], padding_mode="symmetric")[0, 0].tolist() == [2, 1, 1, 2, 3, 4, 4, 3]
    assert F.pad(x, 2).shape == (2, 8, 9) and F.pad(x, [1, 2]).shape == (2, 8, 7)
    filled = F.pad(x, 1, fill=[0.5, 0.25])
    assert (filled[0, 0] == 0.5).all() and (filled[1, :, 0] == 0.25).all()
    assert np.array_equal(F.pad(x, [-1, 0, 1, -2]), F.pad(x[:, :2, 1:], [0, 0, 1, 0]))
    with pytest.raises(ValueError, match="too large"):
        F.pad(x, 4, padding_mode="reflect")
    with pytest.raises(ValueError, match="padding_mode"):
        F.pad(x, 1, padding_mode="wrap")
    with pytest.raises(ValueError, match="1, 2 or 4"):
        F.pad(x, (1, 2, 3))


def test_flips_match_pil_and_are_involutions(rng):
    image = uint8_image(rng)
    x = chw(image)
    for flip, method in [(F.hflip, Image.Transpose.FLIP_LEFT_RIGHT),
                         (F.vflip, Image.Transpose.FLIP_TOP_BOTTOM)]:
        expected = chw(np.asarray(Image.fromarray(image).transpose(method)))
        assert np.array_equal(flip(x), expected)
        assert np.array_equal(flip(flip(x)), x)
        tensor = vg.tensor(x)
        assert isinstance(flip(tensor), vg.Tensor) and np.array_equal(flip(flip(tensor)).numpy(), x)


def test_five_and_ten_crop(rng):
    x = rng.random((3, 8, 10))
    tl, tr, bl, br, center = F.five_crop(x, (4, 6))
    assert np.array_equal(tl, x[:, :4, :6]) and np.array_equal(tr, x[:, :4, 4:])
    assert np.array_equal(bl, x[:, 4:, :6]) and np.array_equal(br, x[:, 4:, 4:])
    assert np.array_equal(center, x[:, 2:6, 2:8])
    ten = F.ten_crop(x, (4, 6))
    assert len(ten) == 10 and np.array_equal(ten[5], F.hflip(x)[:, :4, :6])
    assert np.array_equal(F.ten_crop(x, 4, vertical_flip=True)[5], x[:, ::-1][:, :4, :4])
    with pytest.raises(ValueError, match="larger than the image"):
        F.five_crop(x, 9)


PIL_ENHANCERS = [
    (F.adjust_brightness, ImageEnhance.Brightness, [0.0, 0.5, 1.3]),
    (F.adjust_contrast, ImageEnhance.Contrast, [0.0, 0.6, 1.7]),
    (F.adjust_saturation, ImageEnhance.Color, [0.0, 0.4, 1.8]),
]


@pytest.mark.parametrize("function, enhancer, factors", PIL_ENHANCERS)
def test_colour_adjustments_match_pil_image_enhance(rng, function, enhancer, factors):
    image = uint8_image(rng, 12, 10)
    for factor in factors:
        expected = chw(np.asarray(enhancer(Image.fromarray(image)).enhance(factor)))
        got = function(chw(image), factor)
        # PIL rounds the gray image and the blend to 8 bits (truncating the blend)
        assert np.abs(got - expected).max() <= 2.5 / 255, factor
        assert got.min() >= 0 and got.max() <= 1


def test_grayscale_uses_itu_r_601_luma(rng):
    image = uint8_image(rng)
    expected = np.asarray(Image.fromarray(image).convert("L"))[None] / 255
    got = F.rgb_to_grayscale(chw(image))
    assert got.shape == (1, 9, 11) and np.abs(got - expected).max() <= 0.5 / 255 + 1e-9
    three = F.rgb_to_grayscale(chw(image), num_output_channels=3)
    assert three.shape == (3, 9, 11) and np.array_equal(three[2], got[0])
    assert np.allclose(F.rgb_to_grayscale(np.ones((3, 2, 2))), 1.0)


@pytest.mark.parametrize("hue_factor", [0.1, -0.3, 0.5, -0.5])
def test_adjust_hue_matches_colorsys(rng, hue_factor):
    x = rng.random((3, 4, 5))
    x[:, 0, 0] = 0.5  # a gray pixel: hue is undefined and stays put
    got = F.adjust_hue(x, hue_factor)
    expected = np.empty_like(x)
    for i in range(4):
        for j in range(5):
            h, s, v = colorsys.rgb_to_hsv(*x[:, i, j])
            expected[:, i, j] = colorsys.hsv_to_rgb((h + hue_factor) % 1.0, s, v)
    assert np.allclose(got, expected, atol=1e-12)


def test_colour_identities_and_contrast_mean(rng):
    x = rng.random((2, 3, 5, 6)).astype(np.float32)
    for function in (F.adjust_brightness, F.adjust_contrast, F.adjust_saturation):
        assert np.array_equal(function(x, 1.0), x)
    assert np.array_equal(F.adjust_hue(x, 0.0), x)
    assert np.allclose(F.adjust_hue(F.adjust_hue(x, 0.25), -0.25), x, atol=1e-6)
    flat = F.adjust_contrast(x, 0.0)
    for n in range(2):
        gray_mean = (0.299 * x[n, 0] + 0.587 * x[n, 1] + 0.114 * x[n, 2]).mean()
        assert np.allclose(flat[n], gray_mean, atol=1e-6), "one mean per image of the batch"
    assert np.array_equal(F.adjust_brightness(x, 0.0), np.zeros_like(x))
    one_channel = x[:, :1]
    assert np.array_equal(F.adjust_saturation(one_channel, 0.0), one_channel)
    assert np.array_equal(F.adjust_hue(one_channel, 0.3), one_channel)


def test_gaussian_blur_matches_torchvision_algorithm(rng):
    x = rng.random((2, 3, 9, 10))
    got = F.gaussian_blur(x, (5, 3), (1.5, 0.7))

    def kernel1d(size, sigma):
        t = torch.linspace(-(size - 1) * 0.5, (size - 1) * 0.5, size, dtype=torch.float64)
        pdf = torch.exp(-0.5 * (t / sigma) ** 2)
        return pdf / pdf.sum()

    kernel = torch.mm(kernel1d(3, 0.7)[:, None], kernel1d(5, 1.5)[None, :])
    kernel = kernel.expand(3, 1, 3, 5)
    padded = torch.nn.functional.pad(torch.from_numpy(x), [2, 2, 1, 1], mode="reflect")
    expected = torch.nn.functional.conv2d(padded, kernel, groups=3).numpy()
    assert np.allclose(got, expected, atol=1e-12)
    default_sigma = F.gaussian_blur(x, 3)
    assert np.allclose(default_sigma, F.gaussian_blur(x, 3, 0.8), atol=1e-12)
    with pytest.raises(ValueError, match="odd positive"):
        F.gaussian_blur(x, 4)


def test_pca_lighting_adds_the_eigenvector_combination(rng):
    x = rng.random((3, 4, 4))
    eigvals = np.array([0.2175, 0.0188, 0.0045])
    eigvecs = rng.standard_normal((3, 3))
    alphas = np.array([0.1, -0.2, 0.05])
    got = F.pca_lighting(x, alphas, eigvals, eigvecs)
    shift = sum(alphas[k] * eigvals[k] * eigvecs[:, k] for k in range(3))
    assert np.allclose(got, x + shift[:, None, None])
    assert np.array_equal(F.pca_lighting(x, np.zeros(3), eigvals, eigvecs), x)
    with pytest.raises(ValueError, match="3 channels"):
        F.pca_lighting(x[:1], alphas, eigvals, eigvecs)


def test_erase_and_its_inplace_flag(rng):
    x = rng.random((3, 5, 6))
    got = F.erase(x, 1, 2, 3, 2, 0.0)
    assert (got[:, 1:4, 2:4] == 0).all() and got[:, 1:4, 2:4].size == 18
    assert np.count_nonzero(got == 0) == 18 and np.count_nonzero(x == 0) == 0
    per_channel = F.erase(x, 0, 0, 2, 2, np.array([1.0, 2.0, 3.0])[:, None, None])
    assert per_channel[2, 1, 1] == 3.0
    tensor = vg.tensor(x.copy())
    assert F.erase(tensor, 0, 0, 1, 1, 9.0, inplace=True) is tensor
    assert tensor.numpy()[0, 0, 0] == 9.0


FUNCTIONS = [
    lambda img: F.hflip(img), lambda img: F.vflip(img), lambda img: F.crop(img, 1, 1, 3, 4),
    lambda img: F.center_crop(img, 3), lambda img: F.pad(img, 1, padding_mode="edge"),
    lambda img: F.resize(img, (4, 5)), lambda img: F.resized_crop(img, 0, 1, 4, 4, 3),
    lambda img: F.affine(img, 10, (1, 0), 1.1, 5), lambda img: F.rotate(img, 30, expand=True),
    lambda img: F.lens_distortion(img, 0.2), lambda img: F.adjust_brightness(img, 1.2),
    lambda img: F.adjust_contrast(img, 0.8), lambda img: F.adjust_saturation(img, 1.5),
    lambda img: F.adjust_hue(img, 0.2), lambda img: F.rgb_to_grayscale(img),
    lambda img: F.gaussian_blur(img, 3), lambda img: F.erase(img, 0, 0, 2, 2, 0.5),
    lambda img: F.pca_lighting(img, [0.1, 0.1, 0.1], [1, 1, 1], np.eye(3)),
]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_functions_keep_the_kind_and_treat_a_batch_as_its_images(rng, function):
    batch = rng.random((2, 3, 6, 7)).astype(np.float32)
    out = function(batch)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    for n in range(2):
        single = function(batch[n])
        assert np.allclose(out[n], single, atol=1e-6)
    tensor_out = function(vg.tensor(batch[0]))
    assert isinstance(tensor_out, vg.Tensor) and np.allclose(tensor_out.numpy(), out[0], atol=1e-6)
    assert not np.shares_memory(out, batch)


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.hflip(np.zeros((8, 8))), ValueError, r"\(C, H, W\) or \(N, C, H, W\)"),
    (lambda: F.hflip(np.zeros((32, 32, 3))), ValueError, "looks like \\(H, W, C\\)"),
    (lambda: F.hflip([[0.0]]), TypeError, "Tensor or a numpy.ndarray"),
    (lambda: F.resize(np.zeros((3, 4, 4)), 0), ValueError, "size should be a positive int"),
    (lambda: F.resize(np.zeros((3, 4, 4)), 3, "bicubic"), ValueError, "interpolation"),
    (lambda: F.crop(np.zeros((3, 4, 4)), 0, 0, 0, 2), ValueError, "positive"),
    (lambda: F.crop(np.zeros((3, 4, 4)), 0.5, 0, 2, 2), TypeError, "top should be an int"),
    (lambda: F.adjust_brightness(np.zeros((3, 4, 4)), -1), ValueError, "brightness_factor"),
    (lambda: F.adjust_hue(np.zeros((3, 4, 4)), 0.7), ValueError, r"\[-0.5, 0.5\]"),
    (lambda: F.adjust_contrast(np.zeros((2, 4, 4)), 1.0), ValueError, "1 or 3 channels"),
    (lambda: F.adjust_saturation(np.zeros((3, 4, 4), np.uint8), 1.0), TypeError, "float"),
    (lambda: F.affine(np.zeros((3, 4, 4)), 0, (0, 0), 0.0, 0), ValueError, "scale"),
    (lambda: F.affine(np.zeros((3, 4, 4)), 0, 3, 1.0, 0), ValueError, "translate"),
    (lambda: F.affine(np.zeros((3, 4, 4)), 0, (0, 0), 1.0, 0, fill=[1, 2]), ValueError, "fill"),
    (lambda: F.rgb_to_grayscale(np.zeros((3, 4, 4)), 2), ValueError, "num_output_channels"),
])
def test_errors_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_integer_masks_follow_geometry_with_nearest():
    mask = np.zeros((1, 12, 12), dtype=np.uint8)
    mask[0, 3:6, 4:9] = 7
    image = np.where(mask > 0, 1.0, 0.0)
    for function in (lambda m: F.affine(m, 30, (1, 2), 0.9, 10, interpolation="nearest"),
                     lambda m: F.rotate(m, -40, "nearest", expand=True),
                     lambda m: F.resized_crop(m, 1, 2, 9, 8, (10, 7), "nearest")):
        moved_mask, moved_image = function(mask), function(image)
        assert moved_mask.dtype == np.uint8 and set(np.unique(moved_mask)) <= {0, 7}
        assert np.array_equal(moved_mask > 0, moved_image > 0.5)
