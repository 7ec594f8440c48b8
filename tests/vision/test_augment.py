"""The random transforms: parameters drawn from the global generator with torchvision's
algorithms, seeded reproducibility, and the properties the augmentations promise
(Cutout's one clipped square, MixUp's convex combination, CutMix's area weight)."""
import math

import numpy as np
import pytest

import visiongrad as vg
from visiongrad._random import default_generator
from visiongrad.vision import transforms as T
from visiongrad.vision.datasets.vision import ArrayDataset
from visiongrad.vision.transforms import functional as F


def image(seed=0, shape=(3, 12, 14)):
    return np.random.default_rng(seed).random(shape).astype(np.float32)


RANDOM_TRANSFORMS = [
    T.RandomHorizontalFlip(), T.RandomVerticalFlip(), T.RandomCrop(8, padding=2),
    T.RandomResizedCrop(6), T.RandomResize(6, 12), T.ColorJitter(0.4, 0.4, 0.4, 0.1),
    T.RandomRotation(30), T.RandomAffine(15, (0.1, 0.2), (0.8, 1.2), (-5, 5, -3, 3)),
    T.RandomLensDistortion(0.3, 0.1), T.RandomErasing(p=1.0),
    T.RandomErasing(p=1.0, value="random"), T.Cutout(5), T.GaussianNoise(), T.PCALighting(),
    T.GaussianBlur(3), T.RandomGrayscale(0.5), T.RandomApply([T.ColorJitter(0.5)], p=0.5),
    T.RandomChoice([T.RandomRotation(10), T.Cutout(3)]),
]


@pytest.mark.parametrize("transform", RANDOM_TRANSFORMS, ids=repr)
def test_same_seed_same_output_and_kind(transform):
    x = image()
    outputs = []
    for _ in range(2):
        vg.manual_seed(123)
        outputs.append([transform(x) for _ in range(4)])
    for first, second in zip(*outputs):
        assert isinstance(first, np.ndarray) and first.dtype == np.float32
        assert np.array_equal(first, second)
    vg.manual_seed(123)
    as_tensor = transform(vg.tensor(x))
    assert isinstance(as_tensor, vg.Tensor) and np.array_equal(as_tensor.numpy(), outputs[0][0])
    assert np.array_equal(x, image()), "the input is left alone"
    vg.manual_seed(7)
    assert any(not np.array_equal(transform(x), outputs[0][0]) for _ in range(8))


class TinyImages(ArrayDataset):
    """Ten random 8×8 RGB uint8 images with labels 0..9, in memory."""

    classes = [str(i) for i in range(10)]

    def __init__(self, transform=None):
        super().__init__(None, transform)
        self.data = np.random.default_rng(0).integers(0, 256, (10, 8, 8, 3), dtype=np.uint8)
        self.targets = np.arange(10)[::-1].copy()


def test_pipeline_keeps_the_label():
    pipeline = T.Compose([T.ToTensor(), T.RandomCrop(8, padding=1), T.RandomHorizontalFlip(),
                          T.RandomAffine(10, translate=(0.1, 0.1)), T.ColorJitter(0.3, 0.3),
                          T.Cutout(3)])
    plain, augmented = TinyImages(), TinyImages(transform=pipeline)
    for i in range(10):
        x, label = augmented[i]
        assert label == plain[i][1] == 9 - i and x.shape == (3, 8, 8)
        assert not np.array_equal(x.numpy(), F.to_tensor(plain[i][0]).numpy())


def test_flip_probabilities():
    x = image()
    assert np.array_equal(T.RandomHorizontalFlip(1.0)(x), F.hflip(x))
    assert np.array_equal(T.RandomVerticalFlip(1.0)(x), F.vflip(x))
    assert T.RandomHorizontalFlip(0.0)(x) is x
    flips = sum(not np.array_equal(T.RandomHorizontalFlip(0.3)(x), x) for _ in range(400))
    assert 80 < flips < 160


def test_random_crop_with_padding_is_a_window_of_the_padded_image():
    x = image(shape=(3, 32, 32))
    padded = F.pad(x, 4)
    crop = T.RandomCrop(32, padding=4)
    seen = set()
    for seed in range(30):
        vg.manual_seed(seed)
        top, left, h, w = T.RandomCrop.get_params(padded, (32, 32))
        vg.manual_seed(seed)
        out = crop(x)
        assert out.shape == (3, 32, 32) and (h, w) == (32, 32)
        assert 0 <= top <= 8 and 0 <= left <= 8
        assert np.array_equal(out, padded[:, top:top + 32, left:left + 32])
        seen.add((top, left))
    assert len(seen) > 10
    small = image(shape=(3, 5, 7))
    assert T.RandomCrop((9, 10), pad_if_needed=True)(small).shape == (3, 9, 10)
    assert np.array_equal(T.RandomCrop((5, 7))(small), small)
    with pytest.raises(ValueError, match="larger than the image"):
        T.RandomCrop(9)(small)


def test_random_resized_crop_params_lie_within_scale_and_ratio():
    x = image(shape=(3, 40, 60))
    scale, ratio = (0.2, 0.7), (0.5, 2.0)
    for _ in range(200):
        top, left, h, w = T.RandomResizedCrop.get_params(x, scale, ratio)
        assert 0 <= top and top + h <= 40 and 0 <= left and left + w <= 60
        # w and h are rounded to whole pixels, which moves area and ratio a little
        assert scale[0] * 2400 - (w + h) <= w * h <= scale[1] * 2400 + (w + h)
        assert ratio[0] * (h - 0.5) / (h + 0.5) <= w / h <= ratio[1] * (h + 0.5) / (h - 0.5)
    out = T.RandomResizedCrop((10, 12), scale, ratio)(x)
    assert out.shape == (3, 10, 12)


def test_random_resized_crop_falls_back_to_a_central_crop():
    # no crop of 150 % of the area fits: after ten tries, the ratio-clamped central crop
    wide = image(shape=(3, 10, 40))
    assert T.RandomResizedCrop.get_params(wide, (1.5, 2.0), (0.5, 2.0)) == (0, 10, 10, 20)
    tall = image(shape=(3, 40, 10))
    assert T.RandomResizedCrop.get_params(tall, (1.5, 2.0), (0.5, 2.0)) == (10, 0, 20, 10)
    square = image(shape=(3, 10, 10))
    assert T.RandomResizedCrop.get_params(square, (1.5, 2.0), (0.5, 2.0)) == (0, 0, 10, 10)


def test_random_resize_draws_the_smaller_edge():
    x = image(shape=(3, 20, 30))
    sizes = {T.RandomResize(8, 12)(x).shape[1] for _ in range(60)}
    assert sizes == {8, 9, 10, 11}


def test_color_jitter_applies_the_drawn_factors_in_the_drawn_order():
    x = image()
    jitter = T.ColorJitter(brightness=0.5, contrast=(0.5, 1.5), saturation=0.7, hue=0.2)
    adjust = [F.adjust_brightness, F.adjust_contrast, F.adjust_saturation, F.adjust_hue]
    orders = set()
    for seed in range(20):
        vg.manual_seed(seed)
        order, *factors = T.ColorJitter.get_params(jitter.brightness, jitter.contrast,
                                                   jitter.saturation, jitter.hue)
        assert 0.5 <= factors[0] <= 1.5 and -0.2 <= factors[3] <= 0.2
        expected = x
        for index in order:
            expected = adjust[index](expected, factors[index])
        vg.manual_seed(seed)
        assert np.array_equal(jitter(x), expected)
        orders.add(tuple(order))
    assert len(orders) > 5
    assert T.ColorJitter(brightness=2).brightness == (0.0, 3.0)
    assert T.ColorJitter().hue is None and np.array_equal(T.ColorJitter()(x), x)


def test_rotation_and_affine_with_zero_ranges_are_the_identity():
    x = image()
    assert np.array_equal(T.RandomRotation(0)(x), x)
    assert np.array_equal(T.RandomAffine(0)(x), x)
    assert np.array_equal(T.RandomLensDistortion(0.0)(x), x)


def test_random_affine_params():
    for _ in range(50):
        angle, (tx, ty), scale, (sx, sy) = T.RandomAffine.get_params(
            (-10, 10), (0.1, 0.25), (0.9, 1.1), (-5, 5, -2, 2), (40, 20))
        assert -10 <= angle <= 10 and 0.9 <= scale <= 1.1
        assert isinstance(tx, int) and abs(tx) <= 4 and abs(ty) <= 5
        assert -5 <= sx <= 5 and -2 <= sy <= 2


def test_cutout_zeroes_exactly_one_clipped_square():
    ones = np.ones((3, 10, 12), dtype=np.float32)
    full = clipped = 0
    for seed in range(60):
        vg.manual_seed(seed)
        rng = default_generator()
        y, x = int(rng.integers(10)), int(rng.integers(12))
        vg.manual_seed(seed)
        out = T.Cutout(4)(ones)
        expected = ones.copy()
        expected[:, max(y - 2, 0):y + 2, max(x - 2, 0):x + 2] = 0
        assert np.array_equal(out, expected)
        zero = out[0] == 0
        rows, cols = np.nonzero(zero)
        assert zero.sum() == (np.ptp(rows) + 1) * (np.ptp(cols) + 1), "one rectangle"
        full += zero.sum() == 16
        clipped += zero.sum() < 16
    assert full and clipped
    odd = T.Cutout(5)
    assert any((odd(ones)[0] == 0).sum() == 25 for _ in range(20))


def test_random_erasing_value_zero_erases_one_rectangle_in_range():
    ones = np.ones((3, 30, 40), dtype=np.float32)
    erasing = T.RandomErasing(p=1.0, scale=(0.05, 0.2), ratio=(0.5, 2.0), value=0)
    for _ in range(40):
        out = erasing(ones)
        zero = out[0] == 0
        rows, cols = np.nonzero(zero)
        h, w = np.ptp(rows) + 1, np.ptp(cols) + 1
        assert zero.sum() == h * w and 0.05 * 1200 - (h + w) <= h * w <= 0.2 * 1200 + (h + w)
        assert np.array_equal(out[1] == 0, zero) and np.array_equal(out[2] == 0, zero)
    assert T.RandomErasing(p=0.0)(ones) is ones
    coloured = T.RandomErasing(p=1.0, value=(0.1, 0.2, 0.3))(ones)
    assert set(np.unique(coloured[2])) == {np.float32(0.3), np.float32(1.0)}
    # nothing strictly smaller than the image fits: the image comes back unchanged
    assert np.array_equal(T.RandomErasing(p=1.0, scale=(1.0, 1.0), ratio=(1, 1))(ones), ones)


def test_gaussian_noise_statistics_and_clip():
    x = np.full((3, 64, 64), 0.5, dtype=np.float32)
    noisy = T.GaussianNoise(mean=0.1, sigma=0.05)(x)
    assert abs(noisy.mean() - 0.6) < 0.005 and abs(noisy.std() - 0.05) < 0.005
    clipped = T.GaussianNoise(sigma=1.0)(x)
    assert clipped.min() == 0.0 and clipped.max() == 1.0
    assert T.GaussianNoise(sigma=1.0, clip=False)(x).max() > 1.0


def test_pca_lighting_draws_alphas_with_imagenet_defaults():
    x = image()
    vg.manual_seed(3)
    alphas = default_generator().normal(0.0, 0.1, 3)
    vg.manual_seed(3)
    got = T.PCALighting()(x)
    expected = F.pca_lighting(x, alphas, T.IMAGENET_EIGVALS, T.IMAGENET_EIGVECS)
    assert np.array_equal(got, expected)
    eigvecs = np.array(T.IMAGENET_EIGVECS)
    assert np.allclose(eigvecs.T @ eigvecs, np.eye(3), atol=1e-3), "orthonormal columns"
    assert T.PCALighting(0.0)(x) is x


def batch_and_labels(N=6, C=3, H=8, W=10):
    rng = np.random.default_rng(5)
    return rng.random((N, C, H, W)).astype(np.float32), rng.integers(0, 4, N)


def test_mixup_is_the_exact_convex_combination_with_the_drawn_lambda():
    images, labels = batch_and_labels()
    vg.manual_seed(11)
    lam = T.MixUp.get_params(0.4)
    vg.manual_seed(11)
    mixed, soft = T.MixUp(alpha=0.4, num_classes=4)(images, labels)
    previous = np.roll(np.arange(6), 1)
    assert np.array_equal(mixed, (lam * images + (1 - lam) * images[previous]).astype(np.float32))
    one_hot = np.eye(4)[labels]
    assert np.allclose(soft, lam * one_hot + (1 - lam) * one_hot[previous])
    assert soft.shape == (6, 4) and np.allclose(soft.sum(axis=1), 1.0)
    assert 0 < lam < 1


def test_cutmix_label_weight_is_the_pasted_area_fraction():
    N, H, W = 5, 16, 20
    # constant images with distinct values show where each pixel came from
    images = np.arange(1, N + 1, dtype=np.float32)[:, None, None, None] * np.ones((N, 3, H, W),
                                                                                  np.float32)
    labels = np.arange(N)
    cutmix = T.CutMix(alpha=1.0, num_classes=N)
    pasted = []
    for seed in range(20):
        vg.manual_seed(seed)
        (x1, y1, x2, y2), lam = T.CutMix.get_params(1.0, H, W)
        vg.manual_seed(seed)
        out, soft = cutmix(vg.tensor(images), vg.tensor(labels))
        assert isinstance(out, vg.Tensor) and isinstance(soft, vg.Tensor)
        out, soft = out.numpy(), soft.numpy()
        for i in range(N):
            from_previous = out[i, 0] == images[i - 1, 0, 0, 0]
            fraction = from_previous.mean()
            assert np.isclose(soft[i, i - 1], fraction) and np.isclose(soft[i, i], 1 - fraction)
            assert np.isclose(fraction, 1 - lam)
            assert from_previous.sum() == (x2 - x1) * (y2 - y1)
            assert from_previous[y1:y2, x1:x2].all()
        assert np.allclose(soft.sum(axis=1), 1.0)
        pasted.append(1 - lam)
    assert 0 < np.mean(pasted) < 1


def test_random_choice_between_mixup_and_cutmix():
    images, labels = batch_and_labels()
    choice = T.RandomChoice([T.MixUp(num_classes=4), T.CutMix(num_classes=4)])
    for _ in range(5):
        out, soft = choice(images, labels)
        assert out.shape == images.shape and np.allclose(soft.sum(axis=1), 1.0)
    soft_labels = np.eye(4, dtype=np.float32)[labels]
    out, soft = T.MixUp()(images, soft_labels)
    assert np.allclose(soft.sum(axis=1), 1.0)


@pytest.mark.parametrize("call, error, message", [
    (lambda: T.RandomHorizontalFlip(1.5), ValueError, r"p should be a probability in \[0, 1\]"),
    (lambda: T.RandomApply([], p=-0.1), ValueError, "p should be a probability"),
    (lambda: T.RandomErasing(p=2), ValueError, "p should be a probability"),
    (lambda: T.RandomErasing(scale=(0.1, 1.5)), ValueError, "scale"),
    (lambda: T.RandomErasing(value="noise"), ValueError, "'random'"),
    (lambda: T.RandomCrop(0), ValueError, "size should be a positive int"),
    (lambda: T.RandomResizedCrop((2, 3, 4)), ValueError, "size"),
    (lambda: T.RandomResizedCrop(4, scale=(0.5, 0.1)), ValueError, "scale"),
    (lambda: T.RandomRotation(-5), ValueError, "degrees should be non-negative"),
    (lambda: T.RandomAffine(0, translate=(0.5, 2)), ValueError, "translate"),
    (lambda: T.RandomAffine(0, scale=(0, 1)), ValueError, "scale"),
    (lambda: T.ColorJitter(hue=0.6), ValueError, "hue"),
    (lambda: T.ColorJitter(brightness=-1), ValueError, "brightness"),
    (lambda: T.Cutout(0), ValueError, "size should be a positive int"),
    (lambda: T.Resize(4, interpolation="cubic"), ValueError, "interpolation"),
    (lambda: T.MixUp(alpha=0), ValueError, "alpha"),
    (lambda: T.CutMix(num_classes=0), ValueError, "num_classes"),
    (lambda: T.MixUp(num_classes=4)(image(), [0, 1, 2]), ValueError, r"\(N, C, H, W\)"),
    (lambda: T.MixUp(num_classes=4)(*batch_and_labels()[:1], np.zeros(5, int)), ValueError,
     r"shape \(6,\)"),
    (lambda: T.CutMix(num_classes=3)(*batch_and_labels()), ValueError, r"\[0, 3\)"),
    (lambda: T.CutMix()(*batch_and_labels()), ValueError, "one-hot"),
    (lambda: T.RandomChoice([T.Cutout(2)], p=[-1]), ValueError, "non-negative"),
])
def test_errors_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_interpolation_accepts_the_enum_and_strings():
    x = image()
    vg.manual_seed(0)
    by_enum = T.RandomRotation(20, interpolation=T.InterpolationMode.BILINEAR)(x)
    vg.manual_seed(0)
    by_string = T.RandomRotation(20, interpolation="bilinear")(x)
    assert np.array_equal(by_enum, by_string)
    assert T.Resize(5, interpolation=T.InterpolationMode.NEAREST).interpolation == "nearest"


def test_batches_get_one_draw():
    batch = np.stack([image(1), image(1)])
    for transform in (T.RandomAffine(20, (0.2, 0.2)), T.ColorJitter(0.5, 0.5, 0.5, 0.2),
                      T.RandomResizedCrop(5), T.Cutout(4)):
        out = transform(batch)
        assert np.array_equal(out[0], out[1])


def test_deterministic_wrappers():
    x = image()
    assert np.array_equal(T.Resize((6, 7))(x), F.resize(x, (6, 7)))
    assert np.array_equal(T.CenterCrop(5)(x), F.center_crop(x, 5))
    assert np.array_equal(T.Pad(2, padding_mode="reflect")(x), F.pad(x, 2, padding_mode="reflect"))
    assert len(T.TenCrop(4)(x)) == 10 and len(T.FiveCrop((4, 5))(x)) == 5
    assert T.Grayscale(3)(x).shape == (3, 12, 14)
    assert math.isclose(T.GaussianBlur(3, sigma=0.5).sigma[0], 0.5)


def test_batch_random_crop_matches_per_image_crops():
    import visiongrad as vg
    from visiongrad.vision import transforms as T

    rng = np.random.default_rng(0)
    images = rng.standard_normal((6, 2, 5, 7)).astype(np.float32)
    labels = np.arange(6)
    vg.manual_seed(3)
    out, same_labels = T.BatchRandomCrop(padding=2)(images, labels)
    assert out.shape == images.shape and same_labels is labels
    padded = np.pad(images, ((0, 0), (0, 0), (2, 2), (2, 2)))
    vg.manual_seed(3)
    gen = vg._random.default_generator()
    top, left = gen.integers(0, 5, size=6), gen.integers(0, 5, size=6)
    for i in range(6):
        np.testing.assert_array_equal(out[i], padded[i, :, top[i]:top[i] + 5, left[i]:left[i] + 7])
    assert len({(t, l) for t, l in zip(top, left)}) > 1  # offsets differ per image
    tensor_out = T.BatchRandomCrop(padding=0)(vg.from_numpy(images))
    np.testing.assert_array_equal(tensor_out.numpy(), images)
    with pytest.raises(ValueError, match="padding"):
        T.BatchRandomCrop(padding=-1)
