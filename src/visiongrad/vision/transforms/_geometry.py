"""Geometric image functions with torchvision's names and semantics (its tensor backend):
flips, crops, padding, resizing, affine warps, rotation, and radial lens distortion.

Images are (C, H, W) or (N, C, H, W) arrays or Tensors; a batch gets the same
transform for every image. Integer images (masks) may go through every function here:
they are sampled in float and rounded back, so use 'nearest' to keep labels intact.
"""
import math
import numbers

import numpy as np

from ..._kernels import sampling
from ._image import (cast_back, fill_values, float_dtype, interpolation_mode, pair, unwrap,
                     wrap)


def hflip(img):
    """Mirror left to right: img (..., C, H, W) → same shape."""
    array, is_tensor = unwrap(img, "hflip")
    return wrap(array[..., ::-1].copy(), is_tensor)


def vflip(img):
    """Mirror top to bottom: img (..., C, H, W) → same shape."""
    array, is_tensor = unwrap(img, "vflip")
    return wrap(array[..., ::-1, :].copy(), is_tensor)


def crop(img, top, left, height, width):
    """The (height, width) window whose top-left pixel is (top, left): img (..., C, H, W)
    → (..., C, height, width). Parts of the window outside the image are zero, as in
    torchvision, so negative or overhanging windows are allowed."""
    array, is_tensor = unwrap(img, "crop")
    for name, value in (("top", top), ("left", left), ("height", height), ("width", width)):
        if not isinstance(value, numbers.Integral):
            raise TypeError(f"crop: {name} should be an int, but got {value!r}")
    if height <= 0 or width <= 0:
        raise ValueError(f"crop: height and width should be positive, but got ({height}, {width})")
    H, W = array.shape[-2:]
    out = np.zeros(array.shape[:-2] + (height, width), dtype=array.dtype)
    y0, y1 = max(top, 0), min(top + height, H)
    x0, x1 = max(left, 0), min(left + width, W)
    if y1 > y0 and x1 > x0:
        out[..., y0 - top:y1 - top, x0 - left:x1 - left] = array[..., y0:y1, x0:x1]
    return wrap(out, is_tensor)


def center_crop(img, output_size):
    """The central (height, width) window (an int means a square); an image smaller than
    the window is zero-padded around it. Offsets round half to even, as torchvision's
    ``int(round(...))``."""
    array, _ = unwrap(img, "center_crop")
    crop_height, crop_width = pair(output_size, "output_size", "center_crop")
    H, W = array.shape[-2:]
    top = -((crop_height - H) // 2) if crop_height > H else int(round((H - crop_height) / 2.0))
    left = -((crop_width - W) // 2) if crop_width > W else int(round((W - crop_width) / 2.0))
    return crop(img, top, left, crop_height, crop_width)


def _padding_ltrb(padding, owner):
    """torchvision's padding rule: n → all sides; (lr, tb); (left, top, right, bottom)."""
    if isinstance(padding, numbers.Integral):
        padding = [padding]
    if (not isinstance(padding, (tuple, list)) or len(padding) not in (1, 2, 4)
            or not all(isinstance(p, numbers.Integral) for p in padding)):
        raise ValueError(f"{owner}: padding should be an int or a sequence of 1, 2 or 4 ints "
                         f"(left, top, right, bottom), but got {padding!r}")
    if len(padding) == 1:
        return (padding[0],) * 4
    if len(padding) == 2:
        return padding[0], padding[1], padding[0], padding[1]
    return tuple(padding)


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad the borders: img (..., C, H, W) → (..., C, H + top + bottom, W + left + right).

    padding: n for every side, (left/right, top/bottom), or (left, top, right, bottom);
    negative amounts crop. padding_mode: 'constant' (``fill``, a number or one per
    channel), 'edge' (repeat the border pixel), 'reflect' (mirror without repeating the
    border: [1, 2, 3] padded by 2 → [3, 2, 1, 2, 3, 2, 1]) or 'symmetric' (mirror
    repeating it: → [2, 1, 1, 2, 3, 3, 2]).
    """
    array, is_tensor = unwrap(img, "pad")
    left, top, right, bottom = _padding_ltrb(padding, "pad")
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError(f"pad: padding_mode should be 'constant', 'edge', 'reflect' or "
                         f"'symmetric', but got {padding_mode!r}")
    H, W = array.shape[-2:]
    array = array[..., max(-top, 0):H - max(-bottom, 0), max(-left, 0):W - max(-right, 0)]
    top, left, bottom, right = (max(p, 0) for p in (top, left, bottom, right))
    H, W = array.shape[-2:]
    if padding_mode == "constant":
        out = np.empty(array.shape[:-2] + (H + top + bottom, W + left + right), dtype=array.dtype)
        out[...] = fill_values(fill, array.shape[-3], array.dtype, "pad")
        out[..., top:top + H, left:left + W] = array
        return wrap(out, is_tensor)
    # torch refuses a reflection longer than the image; symmetric can take one more pixel
    limit_h, limit_w = (H - 1, W - 1) if padding_mode == "reflect" else (H, W)
    if max(top, bottom) > limit_h or max(left, right) > limit_w:
        raise ValueError(f"pad: {padding_mode} padding {(left, top, right, bottom)} is too "
                         f"large for an image of size {(H, W)}")
    widths = [(0, 0)] * (array.ndim - 2) + [(top, bottom), (left, right)]
    return wrap(np.pad(array, widths, mode=padding_mode), is_tensor)


def _resized_output_size(image_size, size, max_size, owner):
    """torchvision's rule: (h, w) is taken as given; one number n sets the smaller edge to
    n and the longer to int(n · long / short), then shrinks both if the longer exceeds
    ``max_size``. → (new_height, new_width)."""
    if isinstance(size, numbers.Integral):
        size = [size]
    if (not isinstance(size, (tuple, list)) or len(size) not in (1, 2)
            or not all(isinstance(s, numbers.Integral) and s > 0 for s in size)):
        raise ValueError(f"{owner}: size should be a positive int or a sequence of one or two "
                         f"positive ints (height, width), but got {size!r}")
    if len(size) == 2:
        if max_size is not None:
            raise ValueError(f"{owner}: max_size should only be given when size is one number "
                             f"(the smaller edge), but got size={size!r}")
        return int(size[0]), int(size[1])
    h, w = image_size
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = int(size[0]), int(size[0] * long / short)
    if max_size is not None:
        if max_size <= new_short:
            raise ValueError(f"{owner}: max_size should be greater than the requested smaller "
                             f"edge {new_short}, but got {max_size}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    return (new_long, new_short) if w <= h else (new_short, new_long)


def resize(img, size, interpolation="bilinear", max_size=None, antialias=False):
    """Resize img (..., C, H, W) → (..., C, OH, OW).

    size: (OH, OW), or one number for the smaller edge keeping the aspect ratio (see
    ``max_size``). interpolation: 'bilinear' or 'nearest' (or InterpolationMode), both as
    ``torch.nn.functional.interpolate(align_corners=False)``. antialias defaults to
    False here, unlike torchvision (True since 0.17): plain bilinear matches the classic
    training pipelines and is cheaper; pass True for torchvision's antialiased result.
    """
    array, is_tensor = unwrap(img, "resize")
    mode = interpolation_mode(interpolation, "resize")
    out_size = _resized_output_size(array.shape[-2:], size, max_size, "resize")
    if out_size == array.shape[-2:]:
        return wrap(array.copy(), is_tensor)
    out = sampling.resize(array.astype(float_dtype(array), copy=False), out_size, mode, antialias)
    return wrap(cast_back(out, array.dtype), is_tensor)


def resized_crop(img, top, left, height, width, size, interpolation="bilinear",
                 antialias=False):
    """``crop`` then ``resize``: the window (top, left, height, width) scaled to ``size``."""
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


def five_crop(img, size):
    """The four corner windows and the central one, each (height, width):
    → (top_left, top_right, bottom_left, bottom_right, center)."""
    array, _ = unwrap(img, "five_crop")
    crop_height, crop_width = pair(size, "size", "five_crop")
    H, W = array.shape[-2:]
    if crop_height > H or crop_width > W:
        raise ValueError(f"five_crop: size {(crop_height, crop_width)} is larger than the "
                         f"image {(H, W)}")
    return (crop(img, 0, 0, crop_height, crop_width),
            crop(img, 0, W - crop_width, crop_height, crop_width),
            crop(img, H - crop_height, 0, crop_height, crop_width),
            crop(img, H - crop_height, W - crop_width, crop_height, crop_width),
            center_crop(img, (crop_height, crop_width)))


def ten_crop(img, size, vertical_flip=False):
    """``five_crop`` of the image and of its mirror image (left-right, or top-bottom with
    ``vertical_flip``): the ten test-time views of AlexNet and ResNet."""
    flipped = vflip(img) if vertical_flip else hflip(img)
    return five_crop(img, size) + five_crop(flipped, size)


def _shear_pair(shear, owner):
    if isinstance(shear, numbers.Real):
        return [float(shear), 0.0]
    if isinstance(shear, (tuple, list)) and len(shear) in (1, 2):
        return [float(shear[0]), float(shear[-1])]
    raise ValueError(f"{owner}: shear should be a number or a sequence of one or two numbers "
                     f"(x, y) in degrees, but got {shear!r}")


def _get_inverse_affine_matrix(center, angle, translate, scale, shear, inverted=True):
    """torchvision's affine matrix, flattened [a, b, c, d, e, f] for x' = a·x + b·y + c,
    y' = d·x + e·y + f.

    The forward map is M = T · C · RSS · C⁻¹: about ``center`` rotate by ``angle``
    degrees clockwise, scale, and shear by ``shear`` = (x, y) degrees,
    RSS = R(a) · S(s) · SHy(sy) · SHx(sx), then translate. ``inverted`` (the default, what
    warping needs) gives M⁻¹, taking output points to input points; det(R · SH) = 1, so
    the inverse needs no division other than by the scale.
    """
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    if inverted:
        matrix = [x / scale for x in (d, -b, 0.0, -c, a, 0.0)]
        matrix[2] += matrix[0] * (-cx - tx) + matrix[1] * (-cy - ty) + cx
        matrix[5] += matrix[3] * (-cx - tx) + matrix[4] * (-cy - ty) + cy
    else:
        matrix = [x * scale for x in (a, b, 0.0, c, d, 0.0)]
        matrix[2] += matrix[0] * (-cx) + matrix[1] * (-cy) + cx + tx
        matrix[5] += matrix[3] * (-cx) + matrix[4] * (-cy) + cy + ty
    return matrix


def _sample(array, ys, xs, mode, fill, owner):
    """array (..., C, H, W) read at (ys, xs) of shape (OH, OW) → (..., C, OH, OW).

    fill None: outside pixels read as zero (grid_sample's zero padding). Otherwise a
    ones-plane is sampled alongside as a coverage mask m and the output is
    out · m + (1 - m) · fill ('nearest': fill where m < 0.5). With 'bilinear' this
    weighs a border pixel's zero-padded value by m a second time; it is kept because it
    is what torchvision computes, so results stay comparable with it.
    """
    C, H, W = array.shape[-3:]
    dtype = float_dtype(array)
    batch = array.reshape((-1, C, H, W)).astype(dtype, copy=False)
    out = sampling.grid_sample(batch, ys, xs, mode)
    if fill is not None:
        fill = fill_values(fill, C, dtype, owner)
        mask = sampling.grid_sample(np.ones((1, 1, H, W), dtype), ys, xs, mode)
        if mode == "nearest":
            out = np.where(mask < 0.5, fill, out)
        else:
            out = out * mask + (1.0 - mask) * fill
    out = out.reshape(array.shape[:-2] + ys.shape)
    return cast_back(out, array.dtype)


def _warp(array, matrix, out_size, mode, fill, owner):
    """Inverse-map every output pixel through ``matrix`` (torchvision's layout, in
    coordinates relative to the image centre) and sample the input there."""
    (H, W), (OH, OW) = array.shape[-2:], out_size
    # pixel centres relative to the centre of the output
    xs = np.arange(OW) - (OW - 1) / 2
    ys = (np.arange(OH) - (OH - 1) / 2)[:, None]
    a, b, c, d, e, f = matrix
    source_x = a * xs + b * ys + c + (W - 1) / 2
    source_y = d * xs + e * ys + f + (H - 1) / 2
    return _sample(array, source_y, source_x, mode, fill, owner)


def affine(img, angle, translate, scale, shear, interpolation="nearest", fill=None,
           center=None):
    """Rotate, scale, shear and translate img (..., C, H, W), keeping its size.

    angle: degrees clockwise; translate: (tx, ty) pixels; scale > 0; shear: degrees, a
    number (x only) or (x, y); center: (x, y) pixel the transform keeps fixed, default
    the image centre. interpolation defaults to 'nearest' as in torchvision; fill: see
    ``_sample``. Each output pixel reads the input at M⁻¹ · (x, y)
    (``_get_inverse_affine_matrix``), so the output has no holes.
    """
    array, is_tensor = unwrap(img, "affine")
    mode = interpolation_mode(interpolation, "affine")
    if not isinstance(angle, numbers.Real):
        raise TypeError(f"affine: angle should be a number, but got {angle!r}")
    if not isinstance(translate, (tuple, list)) or len(translate) != 2:
        raise ValueError(f"affine: translate should be a sequence of two numbers (tx, ty), "
                         f"but got {translate!r}")
    if not isinstance(scale, numbers.Real) or scale <= 0:
        raise ValueError(f"affine: scale should be a positive number, but got {scale!r}")
    H, W = array.shape[-2:]
    # torchvision's tensor path puts the origin at the image centre
    center_f = [0.0, 0.0] if center is None else [c - s * 0.5 for c, s in zip(center, (W, H))]
    matrix = _get_inverse_affine_matrix(center_f, float(angle), [float(t) for t in translate],
                                        float(scale), _shear_pair(shear, "affine"))
    return wrap(_warp(array, matrix, (H, W), mode, fill, "affine"), is_tensor)


def _rotated_size(matrix, W, H):
    """The (width, height) holding the whole rotated image, as torchvision computes it
    (after PIL): the corners' bounding box, with 1e-4 truncation so that rounding noise
    such as 1e-15 is not ceiled into an extra pixel."""
    corners = np.array([[-0.5 * W, -0.5 * H, 1.0], [-0.5 * W, 0.5 * H, 1.0],
                        [0.5 * W, 0.5 * H, 1.0], [0.5 * W, -0.5 * H, 1.0]])
    points = corners @ np.asarray(matrix).reshape(2, 3).T + [0.5 * W, 0.5 * H]
    tol = 1e-4
    high = np.ceil(np.trunc(points.max(axis=0) / tol) * tol)
    low = np.floor(np.trunc(points.min(axis=0) / tol) * tol)
    size = high - low
    return int(size[0]), int(size[1])


def rotate(img, angle, interpolation="nearest", expand=False, center=None, fill=None):
    """Rotate img (..., C, H, W) by ``angle`` degrees counter-clockwise (torchvision's and
    PIL's direction, the opposite of ``affine``) about ``center`` (x, y), default the
    image centre. expand: enlarge the output to hold the whole rotated image (the centre
    stays the centre). On a square image 90° with 'nearest' is ``np.rot90``."""
    array, is_tensor = unwrap(img, "rotate")
    mode = interpolation_mode(interpolation, "rotate")
    if not isinstance(angle, numbers.Real):
        raise TypeError(f"rotate: angle should be a number, but got {angle!r}")
    H, W = array.shape[-2:]
    center_f = [0.0, 0.0] if center is None else [c - s * 0.5 for c, s in zip(center, (W, H))]
    matrix = _get_inverse_affine_matrix(center_f, -float(angle), [0.0, 0.0], 1.0, [0.0, 0.0])
    OW, OH = _rotated_size(matrix, W, H) if expand else (W, H)
    return wrap(_warp(array, matrix, (OH, OW), mode, fill, "rotate"), is_tensor)


def lens_distortion(img, k1, k2=0.0, interpolation="bilinear", fill=None):
    """Radial lens distortion (Brown's model, first two terms): img (..., C, H, W) → same.

    Each output pixel at offset p from the image centre reads the input at
    p · (1 + k1 r² + k2 r⁴), r = |p| / (half the image diagonal), so r ≤ 1 inside the
    image. k > 0 pulls the edges in (barrel, as a wide-angle lens), k < 0 pushes them out
    (pincushion); k1 = k2 = 0 is the identity. Points outside the input read zero, or
    ``fill`` as in ``affine``.
    """
    array, is_tensor = unwrap(img, "lens_distortion")
    mode = interpolation_mode(interpolation, "lens_distortion")
    for name, value in (("k1", k1), ("k2", k2)):
        if not isinstance(value, numbers.Real):
            raise TypeError(f"lens_distortion: {name} should be a number, but got {value!r}")
    H, W = array.shape[-2:]
    xs = np.arange(W) - (W - 1) / 2
    ys = (np.arange(H) - (H - 1) / 2)[:, None]
    r2 = (xs ** 2 + ys ** 2) / ((W ** 2 + H ** 2) / 4)
    factor = 1.0 + k1 * r2 + k2 * r2 ** 2
    out = _sample(array, ys * factor + (H - 1) / 2, xs * factor + (W - 1) / 2, mode, fill,
                  "lens_distortion")
    return wrap(out, is_tensor)
