"""Table rows for the Tensor methods and functions of ``import visiongrad as vg``."""
import numpy as np

from .opinfo import OpInfo


def _normal(*shapes):
    return lambda rng: [rng.standard_normal(s) for s in shapes]


def _positive(*shapes):
    return lambda rng: [rng.uniform(0.5, 2.0, s) for s in shapes]


def _away_from_zero(*shapes):
    # kinks (abs, relu, clamp) at 0: keep samples at least 0.1 away
    return lambda rng: [rng.choice([-1, 1], s) * rng.uniform(0.1, 2.0, s) for s in shapes]


def _distinct(*shapes):
    # max/min need a unique extremum for the numerical gradient to exist
    def sample(rng):
        out = []
        for s in shapes:
            n = int(np.prod(s))
            out.append(rng.permutation(n).reshape(s) * 0.1 + rng.uniform(0, 0.01, s))
        return out
    return sample


def _vg():
    import visiongrad
    return visiongrad


OPS = [
    OpInfo("add", lambda a, b: a + b, _normal((3, 4), (3, 4)), lambda t, a, b: a + b),
    OpInfo("add_broadcast", lambda a, b: a + b, _normal((2, 3, 4), (3, 1)),
           lambda t, a, b: a + b),
    OpInfo("add_scalar", lambda a: 2.5 + a, _normal((5,)), lambda t, a: 2.5 + a),
    OpInfo("sub_broadcast", lambda a, b: a - b, _normal((4, 1), (1, 5)), lambda t, a, b: a - b),
    OpInfo("rsub_scalar", lambda a: 1.0 - a, _normal((5,)), lambda t, a: 1.0 - a),
    OpInfo("mul_broadcast", lambda a, b: a * b, _normal((2, 3, 4), (4,)), lambda t, a, b: a * b),
    OpInfo("div", lambda a, b: a / b, lambda rng: [rng.standard_normal((3, 4)),
                                                   rng.uniform(0.5, 2, (3, 4))],
           lambda t, a, b: a / b),
    OpInfo("rdiv_scalar", lambda a: 2.0 / a, _positive((6,)), lambda t, a: 2.0 / a),
    OpInfo("neg", lambda a: -a, _normal((3, 4)), lambda t, a: -a),
    OpInfo("pow_scalar", lambda a: a ** 3, _normal((3, 4)), lambda t, a: a ** 3),
    OpInfo("pow_square", lambda a: a ** 2, _normal((3, 4)), lambda t, a: a ** 2),
    OpInfo("pow_fractional", lambda a: a ** 0.5, _positive((3, 4)), lambda t, a: a ** 0.5),
    OpInfo("pow_tensor", lambda a, b: a ** b, _positive((3, 4), (3, 4)),
           lambda t, a, b: a ** b),
    OpInfo("exp", lambda a: a.exp(), _normal((3, 4)), lambda t, a: a.exp()),
    OpInfo("log", lambda a: a.log(), _positive((3, 4)), lambda t, a: a.log()),
    OpInfo("sqrt", lambda a: a.sqrt(), _positive((3, 4)), lambda t, a: a.sqrt()),
    OpInfo("abs", lambda a: a.abs(), _away_from_zero((3, 4)), lambda t, a: a.abs()),
    OpInfo("tanh", lambda a: a.tanh(), _normal((3, 4)), lambda t, a: a.tanh()),
    OpInfo("sigmoid", lambda a: a.sigmoid(), _normal((3, 4)), lambda t, a: a.sigmoid()),
    OpInfo("relu", lambda a: a.relu(), _away_from_zero((3, 4)), lambda t, a: a.relu()),
    OpInfo("clamp", lambda a: a.clamp(-0.5, 0.5),
           lambda rng: [np.array([-1.0, -0.3, 0.2, 0.7, 1.5, -0.05])],
           lambda t, a: a.clamp(-0.5, 0.5)),
    OpInfo("clamp_min", lambda a: a.clamp(min=0.25), lambda rng: [np.array([-1.0, 0.3, 2.0])],
           lambda t, a: a.clamp(min=0.25)),
    OpInfo("maximum", lambda a, b: _vg().maximum(a, b), _distinct((3, 4), (3, 4)),
           lambda t, a, b: t.maximum(a, b)),
    OpInfo("minimum_broadcast", lambda a, b: _vg().minimum(a, b), _distinct((3, 4), (4,)),
           lambda t, a, b: t.minimum(a, b)),
    OpInfo("where", lambda c, a, b: _vg().where(c, a, b),
           lambda rng: [rng.random((3, 4)) > 0.5, rng.standard_normal((3, 4)),
                        rng.standard_normal((3, 4))],
           lambda t, c, a, b: t.where(c, a, b)),
    OpInfo("matmul_2d", lambda a, b: a @ b, _normal((3, 4), (4, 5)), lambda t, a, b: a @ b),
    OpInfo("matmul_batched_broadcast", lambda a, b: a @ b, _normal((2, 3, 4), (4, 5)),
           lambda t, a, b: a @ b),
    OpInfo("matmul_batch_both", lambda a, b: a @ b, _normal((2, 1, 3, 4), (5, 4, 2)),
           lambda t, a, b: a @ b),
    OpInfo("matmul_vec_mat", lambda a, b: a @ b, _normal((4,), (2, 4, 3)),
           lambda t, a, b: a @ b),
    OpInfo("matmul_mat_vec", lambda a, b: a @ b, _normal((2, 3, 4), (4,)),
           lambda t, a, b: a @ b),
    OpInfo("matmul_dot", lambda a, b: a @ b, _normal((4,), (4,)), lambda t, a, b: a @ b),
    OpInfo("einsum_bilinear", lambda a, b, c: _vg().einsum("bi,ij,bj->b", a, b, c),
           _normal((3, 4), (4, 5), (3, 5)),
           lambda t, a, b, c: t.einsum("bi,ij,bj->b", a, b, c)),
    OpInfo("einsum_reduce_inner", lambda a, b: _vg().einsum("ijk,kl->il", a, b),
           _normal((2, 3, 4), (4, 5)), lambda t, a, b: t.einsum("ijk,kl->il", a, b)),
    OpInfo("sum_all", lambda a: a.sum(), _normal((3, 4)), lambda t, a: a.sum()),
    OpInfo("sum_dim_keepdim", lambda a: a.sum(1, keepdim=True), _normal((3, 4, 2)),
           lambda t, a: a.sum(1, keepdim=True)),
    OpInfo("sum_dims", lambda a: a.sum((0, 2)), _normal((3, 4, 2)),
           lambda t, a: a.sum((0, 2))),
    OpInfo("mean_dim", lambda a: a.mean(-1), _normal((3, 4)), lambda t, a: a.mean(-1)),
    OpInfo("var_unbiased", lambda a: a.var(1), _normal((3, 5)), lambda t, a: a.var(1)),
    OpInfo("var_biased", lambda a: a.var(0, unbiased=False), _normal((4, 3)),
           lambda t, a: a.var(0, unbiased=False)),
    OpInfo("var_correction", lambda a: a.var(correction=2), _normal((6,)),
           lambda t, a: a.var(correction=2)),
    OpInfo("std", lambda a: a.std(1, keepdim=True), _normal((3, 5)),
           lambda t, a: a.std(1, keepdim=True)),
    OpInfo("max_all", lambda a: a.max(), _distinct((3, 4)), lambda t, a: a.max()),
    OpInfo("max_dim", lambda a: a.max(1).values, _distinct((3, 4)),
           lambda t, a: a.max(1).values),
    OpInfo("min_dim_keepdim", lambda a: a.min(0, keepdim=True).values, _distinct((3, 4)),
           lambda t, a: a.min(0, keepdim=True).values),
    OpInfo("amax_dims", lambda a: a.amax((0, 2)), _distinct((2, 3, 4)),
           lambda t, a: a.amax((0, 2))),
    OpInfo("reshape", lambda a: a.reshape(4, 3) * 2, _normal((3, 4)),
           lambda t, a: a.reshape(4, 3) * 2),
    OpInfo("flatten", lambda a: a.flatten(1), _normal((2, 3, 4)), lambda t, a: a.flatten(1)),
    OpInfo("permute", lambda a: a.permute(2, 0, 1), _normal((2, 3, 4)),
           lambda t, a: a.permute(2, 0, 1)),
    OpInfo("transpose", lambda a: a.transpose(0, 2), _normal((2, 3, 4)),
           lambda t, a: a.transpose(0, 2)),
    OpInfo("unsqueeze_squeeze", lambda a: a.unsqueeze(1).squeeze(), _normal((3, 4)),
           lambda t, a: a.unsqueeze(1).squeeze()),
    OpInfo("expand", lambda a: a.expand(2, 3, 4), _normal((3, 1)),
           lambda t, a: a.expand(2, 3, 4)),
    OpInfo("getitem_slice", lambda a: a[1:, ::2], _normal((4, 5)), lambda t, a: a[1:, ::2]),
    OpInfo("getitem_int_array", lambda a: a[[0, 2, 0]], _normal((4, 5)),
           lambda t, a: a[[0, 2, 0]]),
    OpInfo("getitem_mask", lambda a, m: a[m], lambda rng: [rng.standard_normal((4, 5)),
                                                           rng.random((4, 5)) > 0.4],
           lambda t, a, m: a[m]),
    OpInfo("getitem_pairs", lambda a, i, j: a[i, j],
           lambda rng: [rng.standard_normal((4, 5)), np.array([0, 1, 3, 1]),
                        np.array([2, 2, 4, 2])],
           lambda t, a, i, j: a[i, j]),
    OpInfo("cat", lambda a, b: _vg().cat([a, b], dim=1), _normal((2, 3), (2, 4)),
           lambda t, a, b: t.cat([a, b], dim=1)),
    OpInfo("stack", lambda a, b: _vg().stack([a, b], dim=-1), _normal((2, 3), (2, 3)),
           lambda t, a, b: t.stack([a, b], dim=-1)),
    OpInfo("split", lambda a: a.split(2, dim=1)[1] * 3, _normal((3, 5)),
           lambda t, a: a.split(2, dim=1)[1] * 3),
    OpInfo("softmax", lambda a: a.softmax(1), _normal((3, 5)), lambda t, a: a.softmax(1)),
    OpInfo("log_softmax", lambda a: a.log_softmax(0), _normal((3, 5)),
           lambda t, a: a.log_softmax(0)),
    OpInfo("masked_fill", lambda a, m: a.masked_fill(m, 0.0),
           lambda rng: [rng.standard_normal((3, 4)), rng.random((3, 4)) > 0.5],
           lambda t, a, m: a.masked_fill(m, 0.0)),
]
