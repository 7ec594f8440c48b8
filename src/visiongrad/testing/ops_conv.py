"""Table rows for convolution, pooling, normalization and resampling."""
import warnings

import numpy as np

from .opinfo import OpInfo

OPS = []


def _norm_inputs(x_shape, C):
    """An input far from zero mean (so centring matters) and an affine weight and bias."""
    return lambda rng: [rng.standard_normal(x_shape) * 2 + 3, rng.uniform(0.5, 1.5, C),
                        rng.standard_normal(C)]


def _nn_functional():
    import visiongrad.nn.functional as F
    return F


def _batch_norm_primitive(x, w, b):
    from visiongrad.ops.normalization import BatchNorm
    return BatchNorm.apply(x, w, b, eps=1e-5)


def _batch_norm_eval(F, x, w, b):
    # fixed running statistics of x's dtype, the same in visiongrad and PyTorch
    import visiongrad
    mean = visiongrad.tensor(np.linspace(-1, 1, x.shape[1]), dtype=x.dtype)
    var = visiongrad.tensor(np.linspace(0.5, 2, x.shape[1]), dtype=x.dtype)
    return F.batch_norm(x, mean, var, w, b, training=False)


def _batch_norm_eval_torch(t, x, w, b):
    mean = t.tensor(np.linspace(-1, 1, x.shape[1]), dtype=x.dtype)
    var = t.tensor(np.linspace(0.5, 2, x.shape[1]), dtype=x.dtype)
    return t.nn.functional.batch_norm(x, mean, var, w, b, training=False)


def _grid_inputs(rng):
    # points up to 20 % outside [-1, 1] exercise every padding mode
    return [rng.standard_normal((2, 2, 4, 5)), rng.uniform(-1.2, 1.2, (2, 3, 4, 2))]


def _grid_row(mode, padding_mode, align_corners):
    return OpInfo(
        f"grid_sample_{mode}_{padding_mode}_{'align' if align_corners else 'noalign'}",
        lambda x, g: _nn_functional().grid_sample(x, g, mode, padding_mode, align_corners),
        _grid_inputs,
        lambda t, x, g: t.nn.functional.grid_sample(x, g, mode, padding_mode, align_corners),
        grad_inputs=(0,) if mode == "nearest" else None)


def _resize_row(name, x_shape, **kwargs):
    return OpInfo(f"interpolate_{name}",
                  lambda x: _nn_functional().interpolate(x, **kwargs),
                  lambda rng: [rng.standard_normal(x_shape)],
                  lambda t, x: t.nn.functional.interpolate(x, **kwargs))


def _pad_row(name, x_shape, pad, mode, value=None):
    return OpInfo(f"pad_{name}",
                  lambda x: _nn_functional().pad(x, pad, mode, value),
                  lambda rng: [rng.standard_normal(x_shape)],
                  lambda t, x: t.nn.functional.pad(x, pad, mode, value))


_NORM_OPS = [
    OpInfo("batch_norm_train_2d",
           lambda x, w, b: _nn_functional().batch_norm(x, None, None, w, b, training=True),
           _norm_inputs((3, 2, 3, 4), 2),
           lambda t, x, w, b: t.nn.functional.batch_norm(x, None, None, w, b, training=True)),
    OpInfo("batch_norm_train_1d",
           lambda x, w, b: _nn_functional().batch_norm(x, None, None, w, b, training=True),
           _norm_inputs((6, 3), 3),
           lambda t, x, w, b: t.nn.functional.batch_norm(x, None, None, w, b, training=True)),
    OpInfo("batch_norm_train_3d_no_affine",
           lambda x: _nn_functional().batch_norm(x, None, None, training=True),
           lambda rng: [rng.standard_normal((4, 3, 5))],
           lambda t, x: t.nn.functional.batch_norm(x, None, None, training=True)),
    OpInfo("batch_norm_eval",
           lambda x, w, b: _batch_norm_eval(_nn_functional(), x, w, b),
           _norm_inputs((3, 2, 3, 4), 2), _batch_norm_eval_torch),
    # the primitive's statistics outputs are differentiable too
    OpInfo("batch_norm_primitive_stats",
           _batch_norm_primitive,
           _norm_inputs((3, 2, 4), 2),
           lambda t, x, w, b: (t.nn.functional.batch_norm(x, None, None, w, b, training=True),
                               x.mean((0, 2)), x.var((0, 2), unbiased=False))),
    OpInfo("layer_norm",
           lambda x, w, b: _nn_functional().layer_norm(x, (3, 4), w, b),
           lambda rng: [rng.standard_normal((2, 3, 3, 4)) + 2, rng.uniform(0.5, 1.5, (3, 4)),
                        rng.standard_normal((3, 4))],
           lambda t, x, w, b: t.nn.functional.layer_norm(x, (3, 4), w, b)),
    OpInfo("layer_norm_no_affine",
           lambda x: _nn_functional().layer_norm(x, 5, eps=1e-3),
           lambda rng: [rng.standard_normal((4, 5))],
           lambda t, x: t.nn.functional.layer_norm(x, (5,), eps=1e-3)),
    OpInfo("group_norm",
           lambda x, w, b: _nn_functional().group_norm(x, 2, w, b),
           _norm_inputs((2, 4, 3, 3), 4),
           lambda t, x, w, b: t.nn.functional.group_norm(x, 2, w, b)),
    OpInfo("instance_norm_affine",
           lambda x, w, b: _nn_functional().instance_norm(x, weight=w, bias=b),
           _norm_inputs((2, 3, 3, 4), 3),
           lambda t, x, w, b: t.nn.functional.instance_norm(x, weight=w, bias=b)),
    OpInfo("local_response_norm_alexnet",
           lambda x: _nn_functional().local_response_norm(x, 5, 1e-4, 0.75, 2.0),
           lambda rng: [rng.standard_normal((2, 7, 3, 3))],
           lambda t, x: t.nn.functional.local_response_norm(x, 5, 1e-4, 0.75, 2.0)),
    # a large alpha, so the normalizer's own gradient is checked, and an even size
    OpInfo("local_response_norm_strong",
           lambda x: _nn_functional().local_response_norm(x, 4, 2.0, 0.75, 1.0),
           lambda rng: [rng.standard_normal((2, 6, 3))],
           lambda t, x: t.nn.functional.local_response_norm(x, 4, 2.0, 0.75, 1.0)),
    _pad_row("constant", (2, 3, 4, 5), (1, 2, 0, 3), "constant", 0.5),
    _pad_row("constant_crop", (2, 3, 4, 5), (-1, 2, 1, -2, 1, 0), "constant"),
    _pad_row("reflect", (2, 3, 4, 5), (2, 4, 3, 1), "reflect"),
    _pad_row("reflect_1d", (2, 3, 5), (4, 2), "reflect"),
    _pad_row("replicate", (2, 3, 4, 5), (3, 1, 0, 2), "replicate"),
    _pad_row("replicate_3d", (1, 2, 3, 3, 2), (1, 2, 2, 0, 1, 1), "replicate"),
    _pad_row("circular", (2, 3, 4, 5), (5, 2, 1, 4), "circular"),
    _resize_row("nearest_size", (2, 2, 3, 5), size=(7, 4)),
    _resize_row("nearest_scale2", (2, 2, 3, 5), scale_factor=2),
    _resize_row("nearest_scale_odd", (1, 2, 5, 7), scale_factor=(1.5, 0.6)),
    _resize_row("nearest_1d", (2, 3, 5), size=8),
    _resize_row("bilinear_size", (2, 2, 3, 5), size=(7, 4), mode="bilinear"),
    _resize_row("bilinear_align", (2, 2, 3, 5), size=(7, 9), mode="bilinear",
                align_corners=True),
    _resize_row("bilinear_scale", (1, 2, 5, 7), scale_factor=(1.7, 0.6), mode="bilinear"),
    _resize_row("bilinear_scale_recompute", (1, 2, 5, 7), scale_factor=1.7, mode="bilinear",
                recompute_scale_factor=True),
    _resize_row("linear_align", (2, 3, 5), size=9, mode="linear", align_corners=True),
    _resize_row("trilinear", (1, 2, 3, 4, 5), size=(5, 3, 6), mode="trilinear"),
    *[_grid_row(mode, padding_mode, align_corners)
      for mode in ("bilinear", "nearest") for padding_mode in ("zeros", "border", "reflection")
      for align_corners in (False, True)],
]
OPS = OPS + _NORM_OPS


def _normal(*shapes):
    return lambda rng: [rng.standard_normal(s) for s in shapes]


def _distinct(shape):
    # max pooling needs a unique maximum per window for the numerical gradient to exist
    return lambda rng: [rng.permutation(int(np.prod(shape))).reshape(shape) * 0.1
                        + rng.uniform(0, 0.01, shape)]


def _torch_conv2d(t, x, w, b, **kwargs):
    with warnings.catch_warnings():
        # PyTorch warns that 'same' with an even kernel copies the input; that is expected
        warnings.simplefilter("ignore", UserWarning)
        return t.nn.functional.conv2d(x, w, b, **kwargs)


def _conv_row(name, shapes, **kwargs):
    return OpInfo(f"conv2d_{name}",
                  lambda x, w, b=None: _nn_functional().conv2d(x, w, b, **kwargs),
                  _normal(*shapes),
                  lambda t, x, w, b=None: _torch_conv2d(t, x, w, b, **kwargs))


def _conv_transpose_row(name, shapes, **kwargs):
    return OpInfo(f"conv_transpose2d_{name}",
                  lambda x, w, b=None: _nn_functional().conv_transpose2d(x, w, b, **kwargs),
                  _normal(*shapes),
                  lambda t, x, w, b=None: t.nn.functional.conv_transpose2d(x, w, b, **kwargs))


def _pool_row(name, fn_name, sample, **kwargs):
    return OpInfo(name, lambda x: getattr(_nn_functional(), fn_name)(x, **kwargs), sample,
                  lambda t, x: getattr(t.nn.functional, fn_name)(x, **kwargs))


def _unpool_inputs(rng):
    # values and the indices a 2x2 max pool of a 4x5 plane could return
    offsets = rng.integers(0, 2, (2, 2, 2, 2, 2))
    rows = np.arange(2)[:, None] * 2 + offsets[..., 0]
    cols = np.arange(2)[None, :] * 2 + offsets[..., 1]
    return [rng.standard_normal((2, 2, 2, 2)), rows * 5 + cols]


_CONV_OPS = [
    _conv_row("basic", [(2, 3, 5, 6), (4, 3, 3, 3), (4,)], padding=1),
    _conv_row("stride_dilation", [(2, 2, 9, 8), (3, 2, 3, 2)], stride=(2, 1), padding=(2, 1),
              dilation=(2, 1)),
    _conv_row("groups", [(2, 4, 6, 5), (6, 2, 3, 3), (6,)], stride=2, groups=2),
    _conv_row("depthwise", [(2, 3, 6, 6), (6, 1, 3, 3)], padding=1, groups=3),
    _conv_row("same_even_kernel", [(1, 2, 5, 6), (3, 2, 4, 2)], padding="same",
              dilation=(1, 2)),
    _conv_row("pointwise", [(2, 4, 3, 5), (3, 4, 1, 1), (3,)]),
    _conv_row("unbatched_valid", [(3, 5, 5), (2, 3, 3, 3)], padding="valid"),
    _conv_transpose_row("stride2_output_padding", [(2, 3, 3, 4), (3, 2, 3, 3), (2,)], stride=2,
                        padding=1, output_padding=1),
    _conv_transpose_row("groups_dilation", [(1, 4, 3, 3), (4, 3, 2, 3)], stride=(1, 2),
                        padding=(1, 0), groups=2, dilation=(2, 1)),
    # output_padding >= stride is allowed below the dilation
    _conv_transpose_row("output_padding_dilation", [(1, 2, 3, 3), (2, 2, 3, 3), (2,)],
                        output_padding=1, dilation=2),
    OpInfo("conv1d", lambda x, w, b: _nn_functional().conv1d(x, w, b, stride=2, padding=1),
           _normal((2, 3, 7), (4, 3, 3), (4,)),
           lambda t, x, w, b: t.nn.functional.conv1d(x, w, b, stride=2, padding=1)),
    _pool_row("max_pool2d", "max_pool2d", _distinct((2, 3, 6, 6)), kernel_size=2),
    _pool_row("max_pool2d_overlap_ceil", "max_pool2d", _distinct((1, 2, 7, 8)), kernel_size=3,
              stride=2, padding=1, ceil_mode=True),
    _pool_row("max_pool2d_dilation_indices", "max_pool2d", _distinct((1, 2, 9, 9)),
              kernel_size=(3, 2), stride=(2, 1), padding=1, dilation=(2, 3),
              return_indices=True),
    _pool_row("max_pool1d", "max_pool1d", _distinct((2, 3, 9)), kernel_size=3, stride=2),
    _pool_row("avg_pool2d", "avg_pool2d", _normal((2, 3, 6, 6)), kernel_size=2),
    _pool_row("avg_pool2d_ceil_pad", "avg_pool2d", _normal((1, 2, 7, 8)), kernel_size=3,
              stride=2, padding=1, ceil_mode=True),
    _pool_row("avg_pool2d_exclude_pad", "avg_pool2d", _normal((1, 2, 7, 8)), kernel_size=3,
              stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    _pool_row("avg_pool2d_divisor_override", "avg_pool2d", _normal((1, 2, 5, 6)),
              kernel_size=(2, 3), stride=(1, 2), padding=(1, 0), divisor_override=4),
    _pool_row("avg_pool1d", "avg_pool1d", _normal((2, 3, 8)), kernel_size=3, stride=2,
              padding=1),
    _pool_row("adaptive_avg_pool2d", "adaptive_avg_pool2d", _normal((2, 3, 5, 7)),
              output_size=(3, 4)),
    _pool_row("adaptive_avg_pool2d_global", "adaptive_avg_pool2d", _normal((2, 3, 4, 4)),
              output_size=1),
    _pool_row("adaptive_avg_pool2d_upsample", "adaptive_avg_pool2d", _normal((1, 2, 3, 3)),
              output_size=(5, 4)),
    _pool_row("adaptive_max_pool2d", "adaptive_max_pool2d", _distinct((2, 2, 7, 9)),
              output_size=(3, 4), return_indices=True),
    OpInfo("max_unpool2d", lambda x, i: _nn_functional().max_unpool2d(x, i, 2, output_size=(4, 5)),
           _unpool_inputs,
           lambda t, x, i: t.nn.functional.max_unpool2d(x, i, 2, output_size=(4, 5))),
]
OPS = OPS + _CONV_OPS
