"""Padding, resizing and sampling: ``pad``, ``interpolate`` and ``grid_sample``, with
PyTorch's conventions (pad tuple order, source-index rules, align_corners), and
bed-of-nails unpooling.

Every resize here is separable: one index map (nearest) or pair of index maps and weights
(linear) per spatial axis, applied axis by axis with the ``IndexSelect``/``Lerp``
primitives. Non-constant padding is an index map too (reflect, replicate, wrap around).
"""
import math

import numpy as np

from ...ops.resample import ConstantPad, GridSample, IndexSelect, Lerp


def _pad_index(size, before, after, mode):
    """Source index of each padded position along one axis."""
    positions = np.arange(-before, size + after)
    if mode == "reflect":
        positions = np.abs(positions)
        return np.where(positions > size - 1, 2 * (size - 1) - positions, positions)
    if mode == "replicate":
        return np.clip(positions, 0, size - 1)
    return positions % size


def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dims. ``pad`` lists (before, after) amounts starting
    from the last dim, as PyTorch: (left, right, top, bottom) pads W, then H.

    mode 'constant' fills with ``value`` (0) and accepts negative amounts (cropping);
    'reflect' mirrors without repeating the edge (amounts < the dim's size), 'replicate'
    repeats the edge, 'circular' wraps around (amounts ≤ the size). These three pad the
    last 1, 2 or 3 dims of a batched or unbatched input, as PyTorch.
    """
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(f"pad: expected an even number of amounts, at most 2 per dim of the "
                         f"input of shape {tuple(input.shape)}, got pad={pad}")
    k = len(pad) // 2
    # (before, after) per padded axis, from the last axis backwards
    pairs = {input.ndim - 1 - i: (pad[2 * i], pad[2 * i + 1]) for i in range(k)}
    if mode == "constant":
        pads = tuple(pairs.get(axis, (0, 0)) for axis in range(input.ndim))
        return ConstantPad.apply(input, pads=pads, value=0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise ValueError(f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', "
                         f"got {mode!r}")
    if value is not None and value != 0:
        raise ValueError(f"pad: value={value} is only used by mode='constant', got mode={mode!r}")
    if k not in (1, 2, 3) or input.ndim not in (k + 1, k + 2):
        raise ValueError(f"pad: {mode} padding of {k} dims (pad of length {len(pad)}) needs an "
                         f"input with {k + 1} or {k + 2} dims, got shape {tuple(input.shape)}")
    out = input
    for axis, (before, after) in pairs.items():
        size = input.shape[axis]
        limit = {"reflect": size - 1, "circular": size, "replicate": math.inf}[mode]
        if min(before, after) < 0 or max(before, after) > limit or size == 0:
            bound = {"reflect": " and < the size of the padded dim",
                     "circular": " and ≤ the size of the padded dim", "replicate": ""}[mode]
            raise ValueError(f"pad: {mode} padding amounts must be ≥ 0{bound}, got "
                             f"{(before, after)} for dim {axis} of size {size} (input shape "
                             f"{tuple(input.shape)})")
        out = IndexSelect.apply(out, axis=axis, index=_pad_index(size, before, after, mode))
    return out


_LINEAR_MODES = {"linear": 3, "bilinear": 4, "trilinear": 5}


def _expand(value, n, name):
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * n
    if len(values) != n:
        raise ValueError(f"interpolate: {name} must have {n} entries, one per spatial dim, "
                         f"got {value}")
    return values


def _nearest_index(in_size, out_size, scale, two_d):
    """PyTorch's 'nearest' rule src = min(floor(dst·s), in − 1), s = 1/scale_factor if a
    scale factor is used, else in/out, always computed in float32 (as PyTorch does)."""
    # PyTorch's 2-D kernel alone short-cuts out = in and out = 2·in; the formula differs
    # from those for scale factors such as 1.0001
    if two_d and out_size == in_size:
        return np.arange(out_size)
    if two_d and out_size == 2 * in_size:
        return np.arange(out_size) // 2
    s = np.float32(1.0 / scale) if scale else np.float32(in_size) / np.float32(out_size)
    index = np.floor(np.arange(out_size, dtype=np.float32) * s).astype(np.int64)
    return np.minimum(index, in_size - 1)


def _linear_taps(in_size, out_size, scale, align_corners, dtype):
    """Indices and weights of linear interpolation along one axis, PyTorch's
    area_pixel_compute_source_index in the input's dtype."""
    dst = np.arange(out_size, dtype=dtype)
    if align_corners:
        # the corner pixels' centres map onto each other: src = dst·(in − 1)/(out − 1)
        s = dtype.type(in_size - 1) / dtype.type(out_size - 1) if out_size > 1 else dtype.type(0)
        source = dst * s
    else:
        # pixel centres map onto each other: src = (dst + ½)·s − ½, clamped at 0
        s = dtype.type(1.0 / scale) if scale else dtype.type(in_size) / dtype.type(out_size)
        source = np.maximum((dst + dtype.type(0.5)) * s - dtype.type(0.5), 0)
    index0 = np.minimum(np.floor(source).astype(np.int64), in_size - 1)
    weight1 = np.clip(source - index0, 0, 1).astype(dtype)
    index1 = np.minimum(index0 + 1, in_size - 1)
    return index0, index1, (1 - weight1).astype(dtype), weight1


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None):
    """Resize the spatial dims of input (N, C, *spatial) to ``size`` or by ``scale_factor``.

    mode 'nearest' (any of 1–3 spatial dims) takes src = floor(dst·in/out) (or
    floor(dst/scale_factor)); 'linear' (3-D input), 'bilinear' (4-D), 'trilinear' (5-D)
    interpolate between the two nearest source pixels: with align_corners=True the
    corner pixels' centres line up (src = dst·(in−1)/(out−1)), with False (default)
    the image edges do (src = (dst+½)·in/out − ½). With scale_factor, the output size is
    floor(in·scale_factor) and the source coordinates use the scale factor itself unless
    recompute_scale_factor=True, as PyTorch.
    """
    spatial = input.ndim - 2
    if spatial not in (1, 2, 3):
        raise ValueError(f"interpolate: expected input (N, C, *spatial) with 1 to 3 spatial "
                         f"dims, got shape {tuple(input.shape)}")
    if mode in _LINEAR_MODES:
        if input.ndim != _LINEAR_MODES[mode]:
            raise ValueError(f"interpolate: mode {mode!r} needs a {_LINEAR_MODES[mode]}-D input, "
                             f"got shape {tuple(input.shape)}")
        align_corners = bool(align_corners)
    elif mode == "nearest":
        if align_corners is not None:
            raise ValueError("interpolate: align_corners can only be set with the "
                             "interpolating modes linear, bilinear and trilinear")
    else:
        raise ValueError(f"interpolate: mode must be 'nearest', 'linear', 'bilinear' or "
                         f"'trilinear', got {mode!r}")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor, got "
                         f"size={size}, scale_factor={scale_factor}")
    in_sizes = input.shape[2:]
    if size is not None:
        out_sizes = tuple(int(s) for s in _expand(size, spatial, "size"))
        scales = (None,) * spatial
    else:
        factors = tuple(float(f) for f in _expand(scale_factor, spatial, "scale_factor"))
        out_sizes = tuple(math.floor(n * f) for n, f in zip(in_sizes, factors))
        scales = (None,) * spatial if recompute_scale_factor else factors
    if min(out_sizes) <= 0:
        raise ValueError(f"interpolate: output size {out_sizes} must be positive (input "
                         f"spatial size {tuple(in_sizes)})")
    out = input
    # last axis first: for bilinear PyTorch interpolates along W, then between the rows
    for axis in reversed(range(2, input.ndim)):
        n, m, scale = in_sizes[axis - 2], out_sizes[axis - 2], scales[axis - 2]
        if mode == "nearest":
            out = IndexSelect.apply(out, axis=axis,
                                    index=_nearest_index(n, m, scale, input.ndim == 4))
        elif m != n:
            # PyTorch leaves an axis whose size does not change as it is, even when a
            # scale factor such as 1.0001 would shift the sampling positions
            index0, index1, weight0, weight1 = _linear_taps(n, m, scale, align_corners,
                                                            input.dtype)
            out = Lerp.apply(out, axis=axis, index0=index0, index1=index1,
                             weight0=weight0, weight1=weight1)
    return out


def bed_of_nails_unpool(input, scale_factor=2):
    """"Bed of nails" unpooling: each input pixel goes to the top-left corner of its
    scale_factor × scale_factor output block, zeros elsewhere (the nearest-neighbour
    alternative is ``interpolate(mode='nearest')``). input: (N, C, H, W) ->
    (N, C, H·s, W·s)."""
    if input.ndim != 4:
        raise ValueError(f"bed_of_nails_unpool: expected input (N, C, H, W), got shape "
                         f"{tuple(input.shape)}")
    N, C, H, W = input.shape
    s = int(scale_factor)
    # (N, C, H, 1, W, 1) padded to (N, C, H, s, W, s): row-major order interleaves them
    nails = ConstantPad.apply(input.reshape(N, C, H, 1, W, 1),
                              pads=((0, 0),) * 3 + ((0, s - 1), (0, 0), (0, s - 1)))
    return nails.reshape(N, C, H * s, W * s)


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample input (N, C, H, W) at the points of grid (N, Ho, Wo, 2), whose last dim
    holds (x, y) normalized to [-1, 1] (−1 the left/top edge with align_corners=False,
    the centre of the first pixel with True). Returns (N, C, Ho, Wo).

    mode 'bilinear' or 'nearest'; padding_mode 'zeros' (points outside read 0),
    'border' (clamp to the edge) or 'reflection' (mirror at the edges).
    """
    if mode not in ("bilinear", "nearest"):
        raise ValueError(f"grid_sample: mode must be 'bilinear' or 'nearest', got {mode!r}")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"grid_sample: padding_mode must be 'zeros', 'border' or "
                         f"'reflection', got {padding_mode!r}")
    if input.ndim != 4 or grid.ndim != 4 or grid.shape[3] != 2 or grid.shape[0] != input.shape[0]:
        raise ValueError(f"grid_sample: expected input (N, C, H, W) and grid (N, Ho, Wo, 2) "
                         f"with the same N, got input {tuple(input.shape)} and grid "
                         f"{tuple(grid.shape)}")
    return GridSample.apply(input, grid, mode=mode, padding_mode=padding_mode,
                            align_corners=bool(align_corners))
