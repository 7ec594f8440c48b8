"""Colour and pixel functions with torchvision's names and semantics, for float images
with values in [0, 1]: grayscale, brightness, contrast, saturation, hue, Gaussian blur,
erasing, and AlexNet's PCA lighting.

Images are (C, H, W) or (N, C, H, W) arrays or Tensors; the adjust_* functions clamp
their result to [0, 1] as torchvision does, and a factor of 1 (hue 0) is the identity.
"""
import numbers

import numpy as np

from ...tensor import Tensor
from ._image import check_channels, check_factor, check_float, unwrap, wrap

# ITU-R 601-2 luma, PIL's "L" conversion. torchvision's tensor backend uses 0.2989 for
# red (so white maps to 0.9999); these sum to exactly 1.
_LUMA = (0.299, 0.587, 0.114)


def _gray(array):
    """(..., 3, H, W) → (..., 1, H, W) luma."""
    r, g, b = array[..., 0:1, :, :], array[..., 1:2, :, :], array[..., 2:3, :, :]
    return (_LUMA[0] * r + _LUMA[1] * g + _LUMA[2] * b).astype(array.dtype, copy=False)


def _blend(img1, img2, ratio):
    """ratio · img1 + (1 - ratio) · img2, clamped to [0, 1], in img1's dtype."""
    return np.clip(ratio * img1 + (1.0 - ratio) * img2, 0.0, 1.0).astype(img1.dtype, copy=False)


def _color_image(img, owner):
    array, is_tensor = unwrap(img, owner)
    check_float(array, owner)
    check_channels(array, owner)
    return array, is_tensor


def rgb_to_grayscale(img, num_output_channels=1):
    """0.299 R + 0.587 G + 0.114 B: img (..., 3, H, W) → (..., 1 or 3, H, W); a 1-channel
    image is returned as it is (copied)."""
    array, is_tensor = _color_image(img, "rgb_to_grayscale")
    if num_output_channels not in (1, 3):
        raise ValueError(f"rgb_to_grayscale: num_output_channels should be 1 or 3, "
                         f"but got {num_output_channels!r}")
    gray = _gray(array) if array.shape[-3] == 3 else array.copy()
    if num_output_channels == 3:
        gray = np.repeat(gray, 3, axis=-3)
    return wrap(gray, is_tensor)


def adjust_brightness(img, brightness_factor):
    """Blend with black: factor 0 is black, 1 the image, 2 twice as bright (clamped)."""
    array, is_tensor = _color_image(img, "adjust_brightness")
    factor = check_factor(brightness_factor, "brightness_factor", "adjust_brightness")
    return wrap(_blend(array, 0.0, factor), is_tensor)


def adjust_contrast(img, contrast_factor):
    """Blend with the mean of the grayscale image (one mean per image of a batch):
    factor 0 is uniform gray, 1 the image, 2 twice the contrast."""
    array, is_tensor = _color_image(img, "adjust_contrast")
    factor = check_factor(contrast_factor, "contrast_factor", "adjust_contrast")
    gray = _gray(array) if array.shape[-3] == 3 else array
    mean = gray.mean(axis=(-3, -2, -1), keepdims=True)
    return wrap(_blend(array, mean, factor), is_tensor)


def adjust_saturation(img, saturation_factor):
    """Blend with the grayscale image: factor 0 is gray, 1 the image, 2 twice as
    saturated. A 1-channel image is returned unchanged, as PIL does."""
    array, is_tensor = _color_image(img, "adjust_saturation")
    factor = check_factor(saturation_factor, "saturation_factor", "adjust_saturation")
    if array.shape[-3] == 1:
        return wrap(array.copy(), is_tensor)
    return wrap(_blend(array, _gray(array), factor), is_tensor)


def _rgb_to_hsv(array):
    """(..., 3, H, W) RGB → HSV, all in [0, 1] (torchvision's branch-free version of PIL's
    conversion; a gray pixel gets hue and saturation 0)."""
    r, g, b = array[..., 0, :, :], array[..., 1, :, :], array[..., 2, :, :]
    maxc, minc = array.max(axis=-3), array.min(axis=-3)
    equal = maxc == minc
    chroma = maxc - minc
    # the replaced denominators only occur where ``equal``, whose results are then zero
    s = chroma / np.where(equal, 1.0, maxc)
    divisor = np.where(equal, 1.0, chroma)
    rc, gc, bc = (maxc - r) / divisor, (maxc - g) / divisor, (maxc - b) / divisor
    h = np.where(maxc == r, bc - gc, np.where(maxc == g, 2.0 + rc - bc, 4.0 + gc - rc))
    h = np.where(equal, 0.0, h)
    h = np.fmod(h / 6.0 + 1.0, 1.0)
    return h, s, maxc


def _hsv_to_rgb(h, s, v):
    """HSV planes (..., H, W) → (..., 3, H, W) RGB."""
    i = np.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.astype(np.int64) % 6
    p = np.clip(v * (1.0 - s), 0.0, 1.0)
    q = np.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = np.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    # the sector i picks which of v, p, q, t each channel is
    red = np.choose(i, [v, q, p, p, t, v])
    green = np.choose(i, [t, v, v, q, p, p])
    blue = np.choose(i, [p, p, t, v, v, q])
    return np.stack([red, green, blue], axis=-3)


def adjust_hue(img, hue_factor):
    """Rotate the hue: RGB → HSV, h ← (h + hue_factor) mod 1, → RGB. hue_factor in
    [-0.5, 0.5] (half a turn either way); 0 is the identity. A 1-channel image is
    returned unchanged."""
    array, is_tensor = _color_image(img, "adjust_hue")
    if not isinstance(hue_factor, numbers.Real) or not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"adjust_hue: hue_factor should be a number in [-0.5, 0.5], "
                         f"but got {hue_factor!r}")
    # 0 returns the image exactly, where the HSV round trip would add rounding noise
    if array.shape[-3] == 1 or hue_factor == 0:
        return wrap(array.copy(), is_tensor)
    h, s, v = _rgb_to_hsv(array)
    h = np.mod(h + hue_factor, 1.0)
    return wrap(_hsv_to_rgb(h, s, v).astype(array.dtype, copy=False), is_tensor)


def pca_lighting(img, alphas, eigvals, eigvecs):
    """AlexNet's PCA colour augmentation: add eigvecs · (alphas ⊙ eigvals) to every pixel.

    img: (..., 3, H, W) RGB; eigvals: (3,) eigenvalues of the covariance of RGB pixel
    values over the training set; eigvecs: (3, 3), one eigenvector per column; alphas:
    (3,) the drawn weights (AlexNet: N(0, 0.1²), one draw per image). Not clamped, as in
    AlexNet and fb.resnet.torch.
    """
    array, is_tensor = unwrap(img, "pca_lighting")
    check_float(array, "pca_lighting")
    check_channels(array, "pca_lighting", permitted=(3,))
    alphas, eigvals = np.asarray(alphas, np.float64), np.asarray(eigvals, np.float64)
    eigvecs = np.asarray(eigvecs, np.float64)
    if alphas.shape != (3,) or eigvals.shape != (3,) or eigvecs.shape != (3, 3):
        raise ValueError(f"pca_lighting: alphas and eigvals should have shape (3,) and eigvecs "
                         f"(3, 3), but got {alphas.shape}, {eigvals.shape} and {eigvecs.shape}")
    rgb = eigvecs @ (alphas * eigvals)
    return wrap((array + rgb.reshape(3, 1, 1)).astype(array.dtype, copy=False), is_tensor)


def _gaussian_kernel1d(size, sigma):
    x = np.arange(size) - (size - 1) * 0.5
    pdf = np.exp(-0.5 * (x / sigma) ** 2)
    return pdf / pdf.sum()


def gaussian_blur(img, kernel_size, sigma=None):
    """Blur with a Gaussian kernel, reflecting at the borders: img (..., C, H, W) → same.

    kernel_size: odd positive int or (kx, ky) — width first, as torchvision; sigma: a
    positive number or (sx, sy), default 0.3 · ((k - 1) / 2 - 1) + 0.8 per axis (OpenCV's
    and torchvision's). The kernel is separable, so rows and columns are done apart.
    """
    array, is_tensor = unwrap(img, "gaussian_blur")
    check_float(array, "gaussian_blur")
    if isinstance(kernel_size, numbers.Integral):
        kernel_size = (kernel_size, kernel_size)
    if (not isinstance(kernel_size, (tuple, list)) or len(kernel_size) != 2
            or not all(isinstance(k, numbers.Integral) and k > 0 and k % 2 == 1
                       for k in kernel_size)):
        raise ValueError(f"gaussian_blur: kernel_size should be an odd positive int or two of "
                         f"them (kx, ky), but got {kernel_size!r}")
    if sigma is None:
        sigma = [0.3 * ((k - 1) * 0.5 - 1) + 0.8 for k in kernel_size]
    elif isinstance(sigma, numbers.Real):
        sigma = [sigma, sigma]
    if (not isinstance(sigma, (tuple, list)) or len(sigma) != 2
            or not all(isinstance(s, numbers.Real) and s > 0 for s in sigma)):
        raise ValueError(f"gaussian_blur: sigma should be a positive number or two of them "
                         f"(sx, sy), but got {sigma!r}")
    kx, ky = kernel_size
    H, W = array.shape[-2:]
    if ky // 2 >= H or kx // 2 >= W:
        raise ValueError(f"gaussian_blur: kernel_size {tuple(kernel_size)} needs an image larger "
                         f"than half of it for reflect padding, but got {(H, W)}")
    widths = [(0, 0)] * (array.ndim - 2) + [(ky // 2, ky // 2), (kx // 2, kx // 2)]
    padded = np.pad(array, widths, mode="reflect")
    kernel_x = _gaussian_kernel1d(kx, sigma[0]).astype(array.dtype)
    kernel_y = _gaussian_kernel1d(ky, sigma[1]).astype(array.dtype)
    rows = sum(kernel_y[i] * padded[..., i:i + H, :] for i in range(ky))
    out = sum(kernel_x[j] * rows[..., j:j + W] for j in range(kx))
    return wrap(out.astype(array.dtype, copy=False), is_tensor)


def erase(img, i, j, h, w, v, inplace=False):
    """Set the (h, w) window at top-left (i, j) to v (a number, or an array broadcastable
    to (C, h, w) such as per-channel values of shape (C, 1, 1) or noise).
    ``inplace`` writes into img itself (an array's memory, a Tensor's data)."""
    array, is_tensor = unwrap(img, "erase")
    if not all(isinstance(n, numbers.Integral) for n in (i, j, h, w)):
        raise TypeError(f"erase: i, j, h and w should be ints, but got {(i, j, h, w)!r}")
    out = array if inplace else array.copy()
    out[..., i:i + h, j:j + w] = v.data if isinstance(v, Tensor) else v
    if inplace:
        return img
    return wrap(out, is_tensor)
