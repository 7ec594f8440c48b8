"""nn.utils: gradient clipping against torch.nn.utils, parameter/vector conversion."""
import math

import numpy as np
import pytest

import visiongrad as vg
from visiongrad import nn
from visiongrad.nn.utils import (clip_grad_norm_, clip_grad_value_, parameters_to_vector,
                                 vector_to_parameters)

torch = pytest.importorskip("torch")


def _pairs(dtype, scale):
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(s).astype(dtype) * scale for s in [(3, 4), (5,), (2, 2, 2)]]
    ours = [nn.Parameter(vg.zeros(*g.shape, dtype=dtype)) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=getattr(torch, np.dtype(dtype).name),
                          requires_grad=True) for g in grads]
    for o, t, g in zip(ours, theirs, grads):
        o.grad = vg.tensor(g)
        t.grad = torch.tensor(g)
    return ours, theirs


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(dtype, norm_type, max_norm):
    ours, theirs = _pairs(dtype, scale=2.0)
    total = clip_grad_norm_(ours, max_norm, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    rtol = 1e-6 if dtype == np.float32 else 1e-12
    assert isinstance(total, vg.Tensor) and total.dtype == dtype
    assert total.item() == pytest.approx(expected.item(), rel=rtol)
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad.data, t.grad.numpy(), rtol=rtol)


def test_clip_grad_norm_edge_cases():
    p = nn.Parameter(vg.zeros(3))
    assert clip_grad_norm_([p], 1.0).item() == 0.0  # no gradients
    p.grad = vg.tensor([3.0, 4.0, 0.0])
    assert clip_grad_norm_(p, 1.0).item() == pytest.approx(5.0)  # a single tensor
    np.testing.assert_allclose(np.linalg.norm(p.grad.data), 1.0, rtol=1e-5)
    p.grad = vg.tensor([np.inf, 1.0, 0.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(p, 1.0, error_if_nonfinite=True)


def test_clip_grad_value_matches_torch():
    ours, theirs = _pairs(np.float64, scale=3.0)
    clip_grad_value_(ours, 1.5)
    torch.nn.utils.clip_grad_value_(theirs, 1.5)
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o.grad.data, t.grad.numpy())


def test_parameters_vector_round_trip():
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    vector = parameters_to_vector(model.parameters())
    assert vector.shape == (11,)
    np.testing.assert_array_equal(vector.data[:6], model[0].weight.data.reshape(-1))
    vector.sum().backward()  # differentiable
    assert model[1].bias.grad.item() == 1.0
    vector_to_parameters(vg.arange(11.0), model.parameters())
    np.testing.assert_array_equal(model[1].bias.data, [10.0])
    with pytest.raises(ValueError, match="11"):
        vector_to_parameters(vg.arange(5.0), model.parameters())
