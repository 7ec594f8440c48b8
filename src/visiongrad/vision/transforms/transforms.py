"""Transform objects with torchvision's names: callables that wrap the functions in
``functional`` and, for random transforms, draw their parameters from visiongrad's one
global generator (``vg.manual_seed`` makes them reproducible) with torchvision's
algorithms. A batch (N, C, H, W) gets one draw for all its images, as in torchvision.
"""
import math
import numbers

from ..._random import default_generator
from . import functional as F
from ._image import (InterpolationMode, check_probability, format_transform, interpolation_mode,
                     interval, pair, unwrap)


class Compose:
    """Apply ``transforms`` one after another."""

    def __init__(self, transforms):
        self.transforms = list(transforms)
        for i, transform in enumerate(self.transforms):
            if not callable(transform):
                raise TypeError(f"Compose: transforms[{i}] should be callable, "
                                f"but got {type(transform).__name__}")

    def __call__(self, img):
        for transform in self.transforms:
            img = transform(img)
        return img

    def __repr__(self):
        lines = "".join(f"\n    {transform!r}" for transform in self.transforms)
        return f"{type(self).__name__}({lines}\n)"


class ToTensor:
    """A PIL image or (H, W, C) / (H, W) uint8 array → a (C, H, W) float Tensor in [0, 1]."""

    def __call__(self, pic):
        return F.to_tensor(pic)

    def __repr__(self):
        return f"{type(self).__name__}()"


class Normalize:
    """Per-channel ``(x - mean) / std`` on a (..., C, H, W) float Tensor or array."""

    def __init__(self, mean, std, inplace=False):
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def __call__(self, tensor):
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def __repr__(self):
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


class Lambda:
    """Apply a user function as a transform."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Lambda: argument should be callable, but got {type(lambd).__name__}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return f"{type(self).__name__}()"


class RandomApply:
    """Apply ``transforms`` in order with probability p, else return the input."""

    def __init__(self, transforms, p=0.5):
        self.transforms = Compose(transforms)
        self.p = check_probability(p, "RandomApply")

    def __call__(self, img):
        if self.p < default_generator().random():
            return img
        return self.transforms(img)

    def __repr__(self):
        return format_transform(self, transforms=self.transforms.transforms, p=self.p)


class RandomChoice:
    """Apply one of ``transforms``, picked with probabilities p (default uniform; p is
    normalised to sum to 1). All arguments go to the pick, so
    ``RandomChoice([MixUp(...), CutMix(...)])(images, labels)`` works."""

    def __init__(self, transforms, p=None):
        self.transforms = list(transforms)
        if not self.transforms:
            raise ValueError("RandomChoice: transforms should not be empty")
        if p is None:
            p = [1.0] * len(self.transforms)
        valid = (len(p) == len(self.transforms) and sum(p) > 0
                 and all(isinstance(w, numbers.Real) and w >= 0 for w in p))
        if not valid:
            raise ValueError(f"RandomChoice: p should be {len(self.transforms)} non-negative "
                             f"weights with a positive sum, but got {p!r}")
        self.p = [w / sum(p) for w in p]

    def __call__(self, *inputs):
        index = default_generator().choice(len(self.transforms), p=self.p)
        return self.transforms[index](*inputs)

    def __repr__(self):
        return format_transform(self, transforms=self.transforms, p=self.p)


class Resize:
    """``F.resize``: size (h, w), or one number for the smaller edge. antialias defaults
    to False, unlike torchvision."""

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None,
                 antialias=False):
        self.size = size
        self.interpolation = interpolation_mode(interpolation, "Resize")
        self.max_size = max_size
        self.antialias = antialias

    def __call__(self, img):
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self):
        return format_transform(self, size=self.size, interpolation=self.interpolation,
                                max_size=self.max_size, antialias=self.antialias)


class CenterCrop:
    """``F.center_crop`` to size (h, w) or a square."""

    def __init__(self, size):
        self.size = pair(size, "size", "CenterCrop")

    def __call__(self, img):
        return F.center_crop(img, self.size)

    def __repr__(self):
        return format_transform(self, size=self.size)


class Pad:
    """``F.pad`` with torchvision's padding order (left, top, right, bottom)."""

    def __init__(self, padding, fill=0, padding_mode="constant"):
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def __call__(self, img):
        return F.pad(img, self.padding, self.fill, self.padding_mode)

    def __repr__(self):
        return format_transform(self, padding=self.padding, fill=self.fill,
                                padding_mode=self.padding_mode)


class FiveCrop:
    """The four corner crops and the central crop, as a tuple of five images."""

    def __init__(self, size):
        self.size = pair(size, "size", "FiveCrop")

    def __call__(self, img):
        return F.five_crop(img, self.size)

    def __repr__(self):
        return format_transform(self, size=self.size)


class TenCrop:
    """``FiveCrop`` of the image and of its mirror image: ResNet's 10-crop testing.
    Stack the tuple and average the model's outputs over it."""

    def __init__(self, size, vertical_flip=False):
        self.size = pair(size, "size", "TenCrop")
        self.vertical_flip = vertical_flip

    def __call__(self, img):
        return F.ten_crop(img, self.size, self.vertical_flip)

    def __repr__(self):
        return format_transform(self, size=self.size, vertical_flip=self.vertical_flip)


class RandomHorizontalFlip:
    """``F.hflip`` with probability p."""

    def __init__(self, p=0.5):
        self.p = check_probability(p, "RandomHorizontalFlip")

    def __call__(self, img):
        return F.hflip(img) if default_generator().random() < self.p else img

    def __repr__(self):
        return format_transform(self, p=self.p)


class RandomVerticalFlip:
    """``F.vflip`` with probability p."""

    def __init__(self, p=0.5):
        self.p = check_probability(p, "RandomVerticalFlip")

    def __call__(self, img):
        return F.vflip(img) if default_generator().random() < self.p else img

    def __repr__(self):
        return format_transform(self, p=self.p)


class RandomCrop:
    """A (h, w) crop at a uniformly random position.

    padding: pad first (``F.pad`` order and modes; CIFAR's recipe is padding=4 then a
    32 crop). pad_if_needed: pad an image smaller than the crop, by the shortfall on
    both sides as torchvision does, instead of raising.
    """

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        self.size = pair(size, "size", "RandomCrop")
        self.padding, self.pad_if_needed = padding, pad_if_needed
        self.fill, self.padding_mode = fill, padding_mode

    @staticmethod
    def get_params(img, output_size):
        """(top, left, height, width) of a uniformly placed output_size crop."""
        H, W = unwrap(img, "RandomCrop")[0].shape[-2:]
        th, tw = output_size
        if H < th or W < tw:
            raise ValueError(f"RandomCrop: crop size {(th, tw)} is larger than the image "
                             f"{(H, W)}; use padding or pad_if_needed=True")
        if (H, W) == (th, tw):
            return 0, 0, H, W
        rng = default_generator()
        return int(rng.integers(0, H - th + 1)), int(rng.integers(0, W - tw + 1)), th, tw

    def __call__(self, img):
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        H, W = unwrap(img, "RandomCrop")[0].shape[-2:]
        if self.pad_if_needed and W < self.size[1]:
            img = F.pad(img, [self.size[1] - W, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and H < self.size[0]:
            img = F.pad(img, [0, self.size[0] - H], self.fill, self.padding_mode)
        return F.crop(img, *self.get_params(img, self.size))

    def __repr__(self):
        return format_transform(self, size=self.size, padding=self.padding,
                                pad_if_needed=self.pad_if_needed, fill=self.fill,
                                padding_mode=self.padding_mode)


class RandomResizedCrop:
    """Crop a random area fraction in ``scale`` with aspect ratio (w / h) in ``ratio``
    (log-uniform), then resize to ``size``: GoogLeNet's "Inception" crop. antialias
    defaults to False, unlike torchvision."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0),
                 interpolation=InterpolationMode.BILINEAR, antialias=False):
        self.size = pair(size, "size", "RandomResizedCrop")
        self.scale = interval(scale, "scale", "RandomResizedCrop", bound=(0.0, math.inf))
        self.ratio = interval(ratio, "ratio", "RandomResizedCrop", bound=(0.0, math.inf))
        if self.scale[1] <= 0 or self.ratio[0] <= 0:
            raise ValueError(f"RandomResizedCrop: scale and ratio should be positive ranges, "
                             f"but got scale={scale!r} and ratio={ratio!r}")
        self.interpolation = interpolation_mode(interpolation, "RandomResizedCrop")
        self.antialias = antialias

    @staticmethod
    def get_params(img, scale, ratio):
        """(top, left, height, width): torchvision's algorithm. Up to ten tries draw an
        area and a log-uniform aspect ratio and keep the first box that fits; failing
        that, the largest central box with the ratio clamped into range."""
        H, W = unwrap(img, "RandomResizedCrop")[0].shape[-2:]
        area = H * W
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        rng = default_generator()
        for _ in range(10):
            target_area = area * rng.uniform(scale[0], scale[1])
            aspect_ratio = math.exp(rng.uniform(log_ratio[0], log_ratio[1]))
            w = int(round(math.sqrt(target_area * aspect_ratio)))
            h = int(round(math.sqrt(target_area / aspect_ratio)))
            if 0 < w <= W and 0 < h <= H:
                return int(rng.integers(0, H - h + 1)), int(rng.integers(0, W - w + 1)), h, w
        in_ratio = W / H
        if in_ratio < min(ratio):
            w, h = W, int(round(W / min(ratio)))
        elif in_ratio > max(ratio):
            w, h = int(round(H * max(ratio))), H
        else:
            w, h = W, H
        return (H - h) // 2, (W - w) // 2, h, w

    def __call__(self, img):
        top, left, h, w = self.get_params(img, self.scale, self.ratio)
        return F.resized_crop(img, top, left, h, w, self.size, self.interpolation, self.antialias)

    def __repr__(self):
        return format_transform(self, size=self.size, scale=self.scale, ratio=self.ratio,
                                interpolation=self.interpolation, antialias=self.antialias)


class RandomResize:
    """Resize the smaller edge to an integer drawn uniformly from [min_size, max_size)
    (torchvision v2's bounds): ResNet's scale augmentation is RandomResize(256, 481)
    followed by RandomCrop(224)."""

    def __init__(self, min_size, max_size, interpolation=InterpolationMode.BILINEAR,
                 antialias=False):
        if (not all(isinstance(s, numbers.Integral) for s in (min_size, max_size))
                or not 0 < min_size < max_size):
            raise ValueError(f"RandomResize: min_size and max_size should be ints with "
                             f"0 < min_size < max_size, but got {min_size!r} and {max_size!r}")
        self.min_size, self.max_size = int(min_size), int(max_size)
        self.interpolation = interpolation_mode(interpolation, "RandomResize")
        self.antialias = antialias

    def __call__(self, img):
        size = int(default_generator().integers(self.min_size, self.max_size))
        return F.resize(img, size, self.interpolation, antialias=self.antialias)

    def __repr__(self):
        return format_transform(self, min_size=self.min_size, max_size=self.max_size,
                                interpolation=self.interpolation, antialias=self.antialias)


class RandomRotation:
    """``F.rotate`` by an angle drawn uniformly from degrees (d means (-d, d)),
    counter-clockwise. fill=0 paints the uncovered corners (see ``F.affine``)."""

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand=False,
                 center=None, fill=0):
        self.degrees = interval(degrees, "degrees", "RandomRotation")
        self.interpolation = interpolation_mode(interpolation, "RandomRotation")
        self.expand, self.center, self.fill = expand, center, fill

    @staticmethod
    def get_params(degrees):
        return float(default_generator().uniform(degrees[0], degrees[1]))

    def __call__(self, img):
        angle = self.get_params(self.degrees)
        return F.rotate(img, angle, self.interpolation, self.expand, self.center, self.fill)

    def __repr__(self):
        return format_transform(self, degrees=self.degrees, interpolation=self.interpolation,
                                expand=self.expand, center=self.center, fill=self.fill)


class RandomAffine:
    """``F.affine`` with random parameters: the "translation, rotation, stretching,
    shearing" of the augmentation recipe.

    degrees: d or (low, high), clockwise. translate: (a, b), fractions of the width and
    height; tx ~ U(-a·W, a·W) rounded to whole pixels, likewise ty. scale: (low, high).
    shear: s → x shear in (-s, s); (low, high) → x shear; (xl, xh, yl, yh) → both.
    """

    def __init__(self, degrees, translate=None, scale=None, shear=None,
                 interpolation=InterpolationMode.NEAREST, fill=0, center=None):
        self.degrees = interval(degrees, "degrees", "RandomAffine")
        if translate is not None:
            if (not isinstance(translate, (tuple, list)) or len(translate) != 2
                    or not all(isinstance(t, numbers.Real) and 0 <= t <= 1 for t in translate)):
                raise ValueError(f"RandomAffine: translate should be two fractions (a, b) in "
                                 f"[0, 1], but got {translate!r}")
            translate = (float(translate[0]), float(translate[1]))
        if scale is not None:
            scale = interval(scale, "scale", "RandomAffine", bound=(0.0, math.inf))
            if scale[0] <= 0:
                raise ValueError(f"RandomAffine: scale should be a range of positive numbers, "
                                 f"but got {scale!r}")
        if shear is not None:
            if isinstance(shear, (tuple, list)) and len(shear) == 4:
                shear = (interval(shear[:2], "shear", "RandomAffine")
                         + interval(shear[2:], "shear", "RandomAffine"))
            else:
                shear = interval(shear, "shear", "RandomAffine")
        self.translate, self.scale, self.shear = translate, scale, shear
        self.interpolation = interpolation_mode(interpolation, "RandomAffine")
        self.fill, self.center = fill, center

    @staticmethod
    def get_params(degrees, translate, scale_ranges, shears, img_size):
        """(angle, (tx, ty), scale, (shear_x, shear_y)) for img_size = (W, H), drawn in
        torchvision's order."""
        rng = default_generator()
        angle = float(rng.uniform(degrees[0], degrees[1]))
        if translate is not None:
            max_dx, max_dy = translate[0] * img_size[0], translate[1] * img_size[1]
            translations = (int(round(rng.uniform(-max_dx, max_dx))),
                            int(round(rng.uniform(-max_dy, max_dy))))
        else:
            translations = (0, 0)
        scale = 1.0 if scale_ranges is None else float(rng.uniform(scale_ranges[0],
                                                                    scale_ranges[1]))
        shear_x = shear_y = 0.0
        if shears is not None:
            shear_x = float(rng.uniform(shears[0], shears[1]))
            if len(shears) == 4:
                shear_y = float(rng.uniform(shears[2], shears[3]))
        return angle, translations, scale, (shear_x, shear_y)

    def __call__(self, img):
        H, W = unwrap(img, "RandomAffine")[0].shape[-2:]
        params = self.get_params(self.degrees, self.translate, self.scale, self.shear, (W, H))
        return F.affine(img, *params, interpolation=self.interpolation, fill=self.fill,
                        center=self.center)

    def __repr__(self):
        return format_transform(self, degrees=self.degrees, translate=self.translate,
                                scale=self.scale, shear=self.shear,
                                interpolation=self.interpolation, fill=self.fill)


class RandomLensDistortion:
    """``F.lens_distortion`` with k1 and k2 drawn uniformly from their ranges (v means
    (-v, v)): barrel for k > 0, pincushion for k < 0."""

    def __init__(self, k1=0.2, k2=0.0, interpolation=InterpolationMode.BILINEAR, fill=0):
        self.k1 = interval(k1, "k1", "RandomLensDistortion")
        self.k2 = interval(k2, "k2", "RandomLensDistortion")
        self.interpolation = interpolation_mode(interpolation, "RandomLensDistortion")
        self.fill = fill

    def __call__(self, img):
        rng = default_generator()
        k1 = float(rng.uniform(self.k1[0], self.k1[1]))
        k2 = float(rng.uniform(self.k2[0], self.k2[1]))
        return F.lens_distortion(img, k1, k2, self.interpolation, self.fill)

    def __repr__(self):
        return format_transform(self, k1=self.k1, k2=self.k2, interpolation=self.interpolation,
                                fill=self.fill)


def _jitter_range(value, name, center=1.0, bound=(0.0, math.inf), clip_first_on_zero=True):
    """torchvision's ColorJitter argument: v → (center - v, center + v), the low end
    clipped at 0 for factors; a pair is checked against bound. None when it is the
    identity, so that no factor is drawn for it."""
    if isinstance(value, numbers.Real):
        if value < 0:
            raise ValueError(f"ColorJitter: {name} should be non-negative when it is a single "
                             f"number, but got {value!r}")
        value = [center - value, center + value]
        if clip_first_on_zero:
            value[0] = max(value[0], 0.0)
    elif not (isinstance(value, (tuple, list)) and len(value) == 2):
        raise TypeError(f"ColorJitter: {name} should be a number or a pair (low, high), "
                        f"but got {value!r}")
    if not bound[0] <= value[0] <= value[1] <= bound[1]:
        raise ValueError(f"ColorJitter: {name} values should be ordered and within {bound}, "
                         f"but got {tuple(value)!r}")
    if value[0] == value[1] == center:
        return None
    return float(value[0]), float(value[1])


class ColorJitter:
    """Random brightness, contrast, saturation and hue factors, applied in a random
    order (torchvision's ``randperm(4)``). brightness, contrast, saturation: v means a
    factor in [max(0, 1 - v), 1 + v], or a (low, high) pair; hue: v in [0, 0.5] means a
    shift in [-v, v]."""

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0):
        self.brightness = _jitter_range(brightness, "brightness")
        self.contrast = _jitter_range(contrast, "contrast")
        self.saturation = _jitter_range(saturation, "saturation")
        self.hue = _jitter_range(hue, "hue", center=0.0, bound=(-0.5, 0.5),
                                 clip_first_on_zero=False)

    @staticmethod
    def get_params(brightness, contrast, saturation, hue):
        """(order, b, c, s, h): a permutation of the four adjustments and a factor for
        each range that is not None (None stays None)."""
        rng = default_generator()
        order = rng.permutation(4)
        factors = [None if r is None else float(rng.uniform(r[0], r[1]))
                   for r in (brightness, contrast, saturation, hue)]
        return (order, *factors)

    def __call__(self, img):
        order, *factors = self.get_params(self.brightness, self.contrast, self.saturation,
                                          self.hue)
        adjust = (F.adjust_brightness, F.adjust_contrast, F.adjust_saturation, F.adjust_hue)
        for index in order:
            if factors[index] is not None:
                img = adjust[index](img, factors[index])
        return img

    def __repr__(self):
        return format_transform(self, brightness=self.brightness, contrast=self.contrast,
                                saturation=self.saturation, hue=self.hue)


class Grayscale:
    """``F.rgb_to_grayscale`` to 1 or 3 channels."""

    def __init__(self, num_output_channels=1):
        self.num_output_channels = num_output_channels

    def __call__(self, img):
        return F.rgb_to_grayscale(img, self.num_output_channels)

    def __repr__(self):
        return format_transform(self, num_output_channels=self.num_output_channels)


class RandomGrayscale:
    """With probability p, grayscale keeping the channel count."""

    def __init__(self, p=0.1):
        self.p = check_probability(p, "RandomGrayscale")

    def __call__(self, img):
        if default_generator().random() < self.p:
            channels = unwrap(img, "RandomGrayscale")[0].shape[-3]
            return F.rgb_to_grayscale(img, num_output_channels=channels)
        return img

    def __repr__(self):
        return format_transform(self, p=self.p)


class GaussianBlur:
    """``F.gaussian_blur`` with sigma drawn uniformly from ``sigma`` (a number is fixed)."""

    def __init__(self, kernel_size, sigma=(0.1, 2.0)):
        self.kernel_size = kernel_size
        if isinstance(sigma, numbers.Real):
            sigma = (sigma, sigma)
        self.sigma = interval(sigma, "sigma", "GaussianBlur", bound=(0.0, math.inf))
        if self.sigma[0] <= 0:
            raise ValueError(f"GaussianBlur: sigma should be positive, but got {sigma!r}")

    def __call__(self, img):
        sigma = float(default_generator().uniform(self.sigma[0], self.sigma[1]))
        return F.gaussian_blur(img, self.kernel_size, [sigma, sigma])

    def __repr__(self):
        return format_transform(self, kernel_size=self.kernel_size, sigma=self.sigma)


# fb.resnet.torch's ImageNet statistics for RGB in [0, 1]: eigenvalues of the pixel
# covariance and the eigenvectors as columns
IMAGENET_EIGVALS = (0.2175, 0.0188, 0.0045)
IMAGENET_EIGVECS = ((-0.5675, 0.7192, 0.4009),
                    (-0.5808, -0.0045, -0.8140),
                    (-0.5836, -0.6948, 0.4203))


class PCALighting:
    """AlexNet's PCA colour augmentation (``F.pca_lighting``) with alphas ~ N(0,
    alphastd²), on RGB in [0, 1] before normalisation; defaults are ImageNet's."""

    def __init__(self, alphastd=0.1, eigvals=IMAGENET_EIGVALS, eigvecs=IMAGENET_EIGVECS):
        if not isinstance(alphastd, numbers.Real) or alphastd < 0:
            raise ValueError(f"PCALighting: alphastd should be a non-negative number, "
                             f"but got {alphastd!r}")
        self.alphastd, self.eigvals, self.eigvecs = float(alphastd), eigvals, eigvecs

    def __call__(self, img):
        if self.alphastd == 0:
            return img
        alphas = default_generator().normal(0.0, self.alphastd, 3)
        return F.pca_lighting(img, alphas, self.eigvals, self.eigvecs)

    def __repr__(self):
        return format_transform(self, alphastd=self.alphastd)
