"""Table rows for visiongrad.nn.functional: activations, linear maps, distances,
dropout (with a fixed mask), embedding and every loss with its options."""
import warnings

import numpy as np

from .opinfo import OpInfo


def _F():
    import visiongrad.nn.functional as F
    return F


def _vg():
    import visiongrad
    return visiongrad


def _normal(*shapes, scale=1.0):
    return lambda rng: [rng.standard_normal(s) * scale for s in shapes]


def _away_from_zero(*shapes):
    # kinks at 0: keep samples at least 0.1 away
    return lambda rng: [rng.choice([-1, 1], s) * rng.uniform(0.1, 2.0, s) for s in shapes]


def _away_from(kinks, shape, low, high):
    # uniform samples at least 0.05 away from every kink of a piecewise function
    def sample(rng):
        x = rng.uniform(low, high, shape)
        for k in kinks:
            near = np.abs(x - k) < 0.05
            x[near] = k + 0.1
        return [x]
    return sample


def _activation(name, fn, ref, sample=None, **kw):
    return OpInfo(name, lambda x: fn(_F())(x), sample or _normal((3, 5), scale=2.0),
                  lambda t, x: ref(t.nn.functional)(x), **kw)


def _labels(rng, shape, C, ignore=None):
    labels = rng.integers(0, C, shape)
    if ignore is not None:
        labels.flat[::3] = ignore
    return labels


def _probabilities(rng, shape, dim=1):
    e = np.exp(rng.standard_normal(shape))
    return e / e.sum(axis=dim, keepdims=True)


def _ce_row(name, input_shape, target="indices", weight=False, ignore=None, **kwargs):
    """cross_entropy on scores of ``input_shape`` (N, C, ...) or (C,)."""
    C = input_shape[1] if len(input_shape) > 1 else input_shape[0]
    target_shape = input_shape[:1] + input_shape[2:] if len(input_shape) > 1 else ()
    if ignore is not None:
        kwargs["ignore_index"] = ignore

    def sample(rng):
        arrays = [rng.standard_normal(input_shape) * 2]
        if target == "indices":
            arrays.append(_labels(rng, target_shape, C, ignore))
        else:
            arrays.append(_probabilities(rng, input_shape, dim=1 if len(input_shape) > 1 else 0))
        if weight:
            arrays.append(rng.uniform(0.2, 2.0, C))
        return arrays

    # the class weights are constants (PyTorch has no gradient for them)
    grad_inputs = (0, 1) if target == "probabilities" else (0,)
    return OpInfo(name, lambda x, y, *w: _F().cross_entropy(x, y, *w, **kwargs), sample,
                  lambda t, x, y, *w: t.nn.functional.cross_entropy(x, y, *w, **kwargs),
                  grad_inputs=grad_inputs)


def _nll_row(name, input_shape, weight=False, ignore=None, **kwargs):
    C = input_shape[1]
    if ignore is not None:
        kwargs["ignore_index"] = ignore

    def sample(rng):
        arrays = [rng.standard_normal(input_shape),
                  _labels(rng, input_shape[:1] + input_shape[2:], C, ignore)]
        if weight:
            arrays.append(rng.uniform(0.2, 2.0, C))
        return arrays

    return OpInfo(name, lambda x, y, *w: _F().nll_loss(x, y, *w, **kwargs), sample,
                  lambda t, x, y, *w: t.nn.functional.nll_loss(x, y, *w, **kwargs),
                  grad_inputs=(0,))


def _margin_row(name, input_shape, weight=False, **kwargs):
    C = input_shape[-1]

    def sample(rng):
        target_shape = input_shape[:1] if len(input_shape) == 2 else ()
        arrays = [rng.standard_normal(input_shape), rng.integers(0, C, target_shape)]
        if weight:
            arrays.append(rng.uniform(0.2, 2.0, C))
        return arrays

    def fn(x, y, *w):
        return _F().multi_margin_loss(x, y, weight=w[0] if w else None, **kwargs)

    def ref(t, x, y, *w):
        return t.nn.functional.multi_margin_loss(x, y, weight=w[0] if w else None, **kwargs)

    return OpInfo(name, fn, sample, ref, grad_inputs=(0,))


def _pair_row(name, fn_name, sample, grad_inputs=None, **kwargs):
    """A loss of (input, target[, weight]) with keyword options."""
    return OpInfo(name, lambda *xs: getattr(_F(), fn_name)(*xs, **kwargs), sample,
                  lambda t, *xs: getattr(t.nn.functional, fn_name)(*xs, **kwargs),
                  grad_inputs=grad_inputs)


def _regression_inputs(shape, gap=0.0):
    # differences at least ``gap`` away from 0 (the kink of |d|)
    def sample(rng):
        x = rng.standard_normal(shape) * 2
        d = rng.choice([-1, 1], shape) * rng.uniform(gap, 3.0, shape)
        return [x, x - d]
    return sample


def _bce_inputs(shape, weight=False):
    def sample(rng):
        arrays = [rng.uniform(0.05, 0.95, shape), rng.uniform(0, 1, shape)]
        if weight:
            arrays.append(rng.uniform(0.2, 2.0, shape[-1:]))
        return arrays
    return sample


def _logit_inputs(shape, weight=False, pos_weight=False):
    def sample(rng):
        arrays = [rng.standard_normal(shape) * 3, rng.uniform(0, 1, shape)]
        if weight:
            arrays.append(rng.uniform(0.2, 2.0, shape))
        if pos_weight:
            arrays.append(rng.uniform(0.5, 3.0, shape[-1:]))
        return arrays
    return sample


def _kl_inputs(shape, log_target=False):
    def sample(rng):
        log_q = np.log(_probabilities(rng, shape))
        p = _probabilities(rng, shape)
        return [log_q, np.log(p) if log_target else p]
    return sample


def _bce_logits_pos(x, y, pw):
    return _F().binary_cross_entropy_with_logits(x, y, pos_weight=pw)


def _torch_kl_div_mean(t, x, y):
    # PyTorch warns that 'mean' is not the true KL (it divides by the element count)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return t.nn.functional.kl_div(x, y, reduction="mean")


def _dropout_fixed_mask(fn_name, p):
    # re-seeding before each call gives the same mask every call, so the numerical
    # gradient is well defined (the C4.10 "gradient check with a fixed mask")
    def fn(x):
        _vg().manual_seed(1234)
        return getattr(_F(), fn_name)(x, p)
    return fn


_ACTIVATIONS = [
    _activation("F.relu", lambda F: F.relu, lambda F: F.relu, _away_from_zero((3, 5))),
    _activation("F.leaky_relu", lambda F: F.leaky_relu, lambda F: F.leaky_relu,
                _away_from_zero((3, 5))),
    _activation("F.leaky_relu_0.2", lambda F: lambda x: F.leaky_relu(x, 0.2),
                lambda F: lambda x: F.leaky_relu(x, 0.2), _away_from_zero((3, 5))),
    _activation("F.elu", lambda F: F.elu, lambda F: F.elu, _away_from_zero((3, 5))),
    _activation("F.elu_alpha", lambda F: lambda x: F.elu(x, alpha=0.5),
                lambda F: lambda x: F.elu(x, alpha=0.5), _away_from_zero((3, 5))),
    _activation("F.selu", lambda F: F.selu, lambda F: F.selu, _away_from_zero((3, 5))),
    _activation("F.gelu", lambda F: F.gelu, lambda F: F.gelu),
    _activation("F.gelu_tanh", lambda F: lambda x: F.gelu(x, approximate="tanh"),
                lambda F: lambda x: F.gelu(x, approximate="tanh")),
    _activation("F.silu", lambda F: F.silu, lambda F: F.silu),
    _activation("F.sigmoid", lambda F: F.sigmoid, lambda F: F.sigmoid),
    _activation("F.tanh", lambda F: F.tanh, lambda F: F.tanh),
    _activation("F.softplus", lambda F: F.softplus, lambda F: F.softplus,
                _normal((4, 5), scale=8.0)),
    # beta·x crosses the threshold: both branches
    _activation("F.softplus_beta_threshold", lambda F: lambda x: F.softplus(x, 2.0, 5.0),
                lambda F: lambda x: F.softplus(x, 2.0, 5.0), _normal((4, 5), scale=3.0)),
    _activation("F.hardtanh", lambda F: lambda x: F.hardtanh(x, -0.5, 1.5),
                lambda F: lambda x: F.hardtanh(x, -0.5, 1.5),
                _away_from((-0.5, 1.5), (4, 5), -2, 3)),
    _activation("F.relu6", lambda F: F.relu6, lambda F: F.relu6,
                _away_from((0, 6), (4, 5), -2, 8)),
    _activation("F.hardsigmoid", lambda F: F.hardsigmoid, lambda F: F.hardsigmoid,
                _away_from((-3, 3), (4, 5), -5, 5)),
    _activation("F.hardswish", lambda F: F.hardswish, lambda F: F.hardswish,
                _away_from((-3, 3), (4, 5), -5, 5)),
    _activation("F.softmax", lambda F: lambda x: F.softmax(x, dim=1),
                lambda F: lambda x: F.softmax(x, dim=1)),
    _activation("F.softmax_dtype", lambda F: lambda x: F.softmax(x, 0, dtype=np.float64),
                lambda F: lambda x: F.softmax(x, 0, dtype=_torch_float64())),
    _activation("F.log_softmax", lambda F: lambda x: F.log_softmax(x, dim=-1),
                lambda F: lambda x: F.log_softmax(x, dim=-1)),
    _activation("F.softmin", lambda F: lambda x: F.softmin(x, dim=1),
                lambda F: lambda x: F.softmin(x, dim=1)),
    OpInfo("F.prelu_shared", lambda x, w: _F().prelu(x, w),
           lambda rng: [rng.choice([-1, 1], (2, 3, 4)) * rng.uniform(0.1, 2, (2, 3, 4)),
                        np.array([0.25])],
           lambda t, x, w: t.nn.functional.prelu(x, w)),
    OpInfo("F.prelu_per_channel", lambda x, w: _F().prelu(x, w),
           lambda rng: [rng.choice([-1, 1], (2, 3, 2, 2)) * rng.uniform(0.1, 2, (2, 3, 2, 2)),
                        rng.uniform(0, 0.5, 3)],
           lambda t, x, w: t.nn.functional.prelu(x, w)),
]


def _torch_float64():
    import torch
    return torch.float64


_LINEAR = [
    OpInfo("F.linear", lambda x, w, b: _F().linear(x, w, b), _normal((4, 3), (5, 3), (5,)),
           lambda t, x, w, b: t.nn.functional.linear(x, w, b)),
    OpInfo("F.linear_no_bias_3d", lambda x, w: _F().linear(x, w), _normal((2, 4, 3), (5, 3)),
           lambda t, x, w: t.nn.functional.linear(x, w)),
    OpInfo("F.bilinear", lambda x1, x2, w, b: _F().bilinear(x1, x2, w, b),
           _normal((2, 3, 4), (2, 3, 2), (5, 4, 2), (5,)),
           lambda t, x1, x2, w, b: t.nn.functional.bilinear(x1, x2, w, b)),
    OpInfo("F.cosine_similarity", lambda a, b: _F().cosine_similarity(a, b),
           _normal((4, 5, 2), (4, 5, 2)), lambda t, a, b: t.nn.functional.cosine_similarity(a, b)),
    OpInfo("F.cosine_similarity_broadcast_dim",
           lambda a, b: _F().cosine_similarity(a, b, dim=-1, eps=1e-3),
           _normal((4, 5), (1, 5)),
           lambda t, a, b: t.nn.functional.cosine_similarity(a, b, dim=-1, eps=1e-3)),
    OpInfo("F.pairwise_distance", lambda a, b: _F().pairwise_distance(a, b),
           _normal((4, 5), (4, 5)), lambda t, a, b: t.nn.functional.pairwise_distance(a, b)),
    OpInfo("F.pairwise_distance_p1_keepdim",
           lambda a, b: _F().pairwise_distance(a, b, p=1.0, keepdim=True),
           _away_from_zero((4, 5), (4, 5)),
           lambda t, a, b: t.nn.functional.pairwise_distance(a, b, p=1.0, keepdim=True)),
    OpInfo("F.normalize", lambda x: _F().normalize(x, dim=1), _normal((3, 4, 2)),
           lambda t, x: t.nn.functional.normalize(x, dim=1)),
    OpInfo("F.normalize_p1", lambda x: _F().normalize(x, p=1.0, dim=-1),
           _away_from_zero((3, 4)), lambda t, x: t.nn.functional.normalize(x, p=1.0, dim=-1)),
    OpInfo("F.dropout_fixed_mask", _dropout_fixed_mask("dropout", 0.3), _normal((6, 7))),
    OpInfo("F.dropout2d_fixed_mask", _dropout_fixed_mask("dropout2d", 0.5),
           _normal((3, 4, 2, 2))),
    OpInfo("F.embedding", lambda w, i: _F().embedding(i, w),
           lambda rng: [rng.standard_normal((6, 3)), np.array([[0, 2, 5], [2, 2, 1]])],
           lambda t, w, i: t.nn.functional.embedding(i, w)),
]

_LOSSES = [
    _ce_row("F.cross_entropy", (5, 4)),
    _ce_row("F.cross_entropy_sum", (5, 4), reduction="sum"),
    _ce_row("F.cross_entropy_none", (5, 4), reduction="none"),
    _ce_row("F.cross_entropy_weight", (6, 4), weight=True),
    _ce_row("F.cross_entropy_ignore_index", (6, 4), ignore=-100),
    _ce_row("F.cross_entropy_weight_ignore_class", (7, 4), weight=True, ignore=1),
    _ce_row("F.cross_entropy_smoothing", (5, 4), label_smoothing=0.1),
    _ce_row("F.cross_entropy_smoothing_weight_ignore", (7, 4), weight=True, ignore=-100,
            label_smoothing=0.2),
    _ce_row("F.cross_entropy_smoothing_weight_ignore_sum", (7, 4), weight=True, ignore=-100,
            label_smoothing=0.3, reduction="sum"),
    _ce_row("F.cross_entropy_smoothing_weight_ignore_none", (7, 4), weight=True, ignore=-100,
            label_smoothing=0.3, reduction="none"),
    _ce_row("F.cross_entropy_spatial", (2, 3, 4, 2), weight=True, ignore=-100),
    _ce_row("F.cross_entropy_spatial_smoothing", (2, 3, 4), weight=True, label_smoothing=0.1),
    _ce_row("F.cross_entropy_unbatched", (5,)),
    _ce_row("F.cross_entropy_unbatched_smoothing_none", (5,), label_smoothing=0.2,
            reduction="none"),
    _ce_row("F.cross_entropy_probabilities", (5, 4), target="probabilities"),
    _ce_row("F.cross_entropy_probabilities_weight_smoothing", (5, 4), target="probabilities",
            weight=True, label_smoothing=0.15),
    _ce_row("F.cross_entropy_probabilities_spatial_none", (2, 3, 4), target="probabilities",
            weight=True, reduction="none"),
    _ce_row("F.cross_entropy_probabilities_sum", (5, 4), target="probabilities",
            reduction="sum"),
    _nll_row("F.nll_loss", (5, 4)),
    _nll_row("F.nll_loss_weight_ignore", (7, 4), weight=True, ignore=-100),
    _nll_row("F.nll_loss_spatial_none", (2, 4, 3), weight=True, ignore=2, reduction="none"),
    _nll_row("F.nll_loss_sum", (5, 4), reduction="sum"),
    _margin_row("F.multi_margin_loss", (5, 4)),
    _margin_row("F.multi_margin_loss_p2_margin", (5, 4), p=2, margin=0.5),
    _margin_row("F.multi_margin_loss_weight_none", (5, 4), weight=True, reduction="none"),
    _margin_row("F.multi_margin_loss_p2_weight_sum", (6, 3), weight=True, p=2,
                reduction="sum"),
    _margin_row("F.multi_margin_loss_unbatched", (4,), margin=2.0),
    _pair_row("F.mse_loss", "mse_loss", _regression_inputs((3, 4))),
    _pair_row("F.mse_loss_sum", "mse_loss", _regression_inputs((3, 4)), reduction="sum"),
    _pair_row("F.mse_loss_none", "mse_loss", _regression_inputs((3, 4)), reduction="none"),
    _pair_row("F.l1_loss", "l1_loss", _regression_inputs((3, 4), gap=0.1)),
    _pair_row("F.l1_loss_none", "l1_loss", _regression_inputs((3, 4), gap=0.1),
              reduction="none"),
    _pair_row("F.smooth_l1_loss", "smooth_l1_loss", _regression_inputs((4, 5), gap=0.1)),
    _pair_row("F.smooth_l1_loss_beta_sum", "smooth_l1_loss",
              _regression_inputs((4, 5), gap=0.1), beta=0.5, reduction="sum"),
    _pair_row("F.smooth_l1_loss_beta0", "smooth_l1_loss", _regression_inputs((4, 5), gap=0.1),
              beta=0.0),
    _pair_row("F.huber_loss", "huber_loss", _regression_inputs((4, 5), gap=0.1)),
    _pair_row("F.huber_loss_delta_none", "huber_loss", _regression_inputs((4, 5), gap=0.1),
              delta=2.0, reduction="none"),
    _pair_row("F.binary_cross_entropy", "binary_cross_entropy", _bce_inputs((4, 3))),
    _pair_row("F.binary_cross_entropy_weight_sum", "binary_cross_entropy",
              _bce_inputs((4, 3), weight=True), grad_inputs=(0, 1), reduction="sum"),
    _pair_row("F.binary_cross_entropy_none", "binary_cross_entropy", _bce_inputs((4, 3)),
              reduction="none"),
    _pair_row("F.binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits",
              _logit_inputs((4, 3))),
    _pair_row("F.binary_cross_entropy_with_logits_weight_none",
              "binary_cross_entropy_with_logits", _logit_inputs((4, 3), weight=True),
              grad_inputs=(0, 1), reduction="none"),
    OpInfo("F.binary_cross_entropy_with_logits_pos_weight", _bce_logits_pos,
           _logit_inputs((4, 3), pos_weight=True),
           lambda t, x, y, pw: t.nn.functional.binary_cross_entropy_with_logits(
               x, y, pos_weight=pw),
           grad_inputs=(0, 1)),
    _pair_row("F.kl_div_batchmean", "kl_div", _kl_inputs((4, 5)), reduction="batchmean"),
    OpInfo("F.kl_div_mean", lambda x, y: _F().kl_div(x, y), _kl_inputs((4, 5)),
           _torch_kl_div_mean),
    _pair_row("F.kl_div_sum", "kl_div", _kl_inputs((4, 5)), reduction="sum"),
    _pair_row("F.kl_div_none", "kl_div", _kl_inputs((4, 5)), reduction="none"),
    _pair_row("F.kl_div_log_target", "kl_div", _kl_inputs((4, 5), log_target=True),
              reduction="batchmean", log_target=True),
]

OPS = _ACTIVATIONS + _LINEAR + _LOSSES
