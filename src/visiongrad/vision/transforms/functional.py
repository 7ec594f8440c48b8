"""The deterministic core of the transforms, with torchvision's names and semantics.
Image functions take (C, H, W) or (N, C, H, W) float NumPy arrays or Tensors and
return the same kind (a batch gets the same transform for every image); ``to_tensor``
is the bridge from HWC uint8 images. The random transforms only draw parameters and
call these. The ``*_boxes`` functions move (N, 4) xyxy boxes the way the image
function of the same name moves the image.
"""
import numpy as np
from PIL import Image

from ...tensor import Tensor, get_default_dtype
from ._boxes import (affine_boxes, crop_boxes, hflip_boxes, pad_boxes, resize_boxes,
                     rotate_boxes, vflip_boxes)
from ._color import (adjust_brightness, adjust_contrast, adjust_hue, adjust_saturation, erase,
                     gaussian_blur, pca_lighting, rgb_to_grayscale)
from ._geometry import (affine, center_crop, crop, five_crop, hflip, lens_distortion, pad,
                        resize, resized_crop, rotate, ten_crop, vflip)
from ._image import InterpolationMode

__all__ = [
    "InterpolationMode", "to_tensor", "normalize",
    "hflip", "vflip", "crop", "center_crop", "pad", "resize", "resized_crop", "five_crop",
    "ten_crop", "affine", "rotate", "lens_distortion",
    "rgb_to_grayscale", "adjust_brightness", "adjust_contrast", "adjust_saturation",
    "adjust_hue", "pca_lighting", "gaussian_blur", "erase",
    "hflip_boxes", "vflip_boxes", "crop_boxes", "pad_boxes", "resize_boxes", "affine_boxes",
    "rotate_boxes",
]


def to_tensor(pic):
    """A PIL image or an (H, W, C) / (H, W) NumPy array → a (C, H, W) Tensor.

    uint8 input is scaled to float in [0, 1] (the default float dtype, float32); other
    dtypes keep their values and dtype, as in torchvision. A grayscale (H, W) image
    becomes (1, H, W).
    """
    if isinstance(pic, Image.Image):
        array = np.asarray(pic)
        if array.dtype == np.bool_:
            # mode "1" images are one bit per pixel; torchvision maps them to 0 / 255
            array = array.astype(np.uint8) * 255
    elif isinstance(pic, np.ndarray):
        array = pic
    else:
        raise TypeError(f"to_tensor: pic should be a PIL Image or a numpy.ndarray, "
                        f"but got {type(pic).__name__}")
    if array.ndim not in (2, 3):
        raise ValueError(f"to_tensor: pic should be 2 or 3 dimensional (H, W[, C]), "
                         f"but got {array.ndim} dimensions with shape {array.shape}")
    if array.ndim == 2:
        array = array[:, :, None]
    array = np.ascontiguousarray(array.transpose(2, 0, 1))
    if array.dtype == np.uint8:
        dtype = get_default_dtype()
        array = array.astype(dtype) / dtype.type(255)
    return Tensor._wrap(array)


def normalize(tensor, mean, std, inplace=False):
    """``(tensor - mean[c]) / std[c]`` for each channel c of a (..., C, H, W) image.

    ``tensor``: a float Tensor (differentiable unless ``inplace``) or NumPy array;
    ``mean``, ``std``: sequences of C numbers (or one), converted to the image's dtype
    first, as torchvision does. Returns the same kind as ``tensor``.
    """
    if isinstance(tensor, Tensor):
        array = tensor.data
    elif isinstance(tensor, np.ndarray):
        array = tensor
    else:
        raise TypeError(f"normalize: tensor should be a Tensor or a numpy.ndarray, "
                        f"but got {type(tensor).__name__}")
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(f"normalize: input should be a float tensor, but got dtype {array.dtype}")
    if array.ndim < 3:
        raise ValueError(f"normalize: expected a tensor image of shape (..., C, H, W), "
                         f"but got shape {array.shape}")
    mean = np.asarray(mean, dtype=array.dtype)
    std = np.asarray(std, dtype=array.dtype)
    channels = array.shape[-3]
    for name, value in (("mean", mean), ("std", std)):
        if value.ndim > 1 or value.size not in (1, channels):
            raise ValueError(f"normalize: {name} should have 1 or {channels} values (one per "
                             f"channel), but got shape {value.shape}")
    if (std == 0).any():
        raise ValueError(f"normalize: std evaluated to zero after conversion to {array.dtype}, "
                         f"leading to division by zero")
    mean = mean.reshape(-1, 1, 1)
    std = std.reshape(-1, 1, 1)
    if isinstance(tensor, Tensor):
        if inplace:
            return tensor.sub_(mean).div_(std)
        return (tensor - Tensor._wrap(mean)) / Tensor._wrap(std)
    if inplace:
        np.subtract(array, mean, out=array)
        np.divide(array, std, out=array)
        return array
    return (array - mean) / std
