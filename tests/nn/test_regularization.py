"""Weight penalties (C2.01-C2.04): values, gradients and the CS231n preference example."""
import numpy as np
import pytest

import visiongrad as vg
from visiongrad.nn.regularization import elastic_net_penalty, l1_penalty, l2_penalty


def test_l2_and_l1_preferences_on_the_cs231n_example():
    # x = [1,1,1,1]: w1 = [1,0,0,0] and w2 = [.25]*4 give the same score;
    # L2 prefers the spread-out w2, L1 the sparse w1
    x = vg.ones(4)
    w1, w2 = vg.tensor([1.0, 0.0, 0.0, 0.0]), vg.tensor([0.25] * 4)
    assert (w1 @ x).item() == (w2 @ x).item() == 1.0
    assert l2_penalty(w2).item() < l2_penalty(w1).item()
    assert l1_penalty(w1).item() == l1_penalty(w2).item() == 1.0
    assert l1_penalty(vg.tensor([0.5, 0.0, 0.0, 0.0])).item() < \
        l1_penalty(vg.tensor([0.2] * 4)).item()


def test_gradients():
    rng = np.random.default_rng(0)
    ws = [vg.tensor(rng.standard_normal(s), requires_grad=True) for s in [(3, 4), (5,)]]
    l2_penalty(ws).backward()
    for w in ws:
        np.testing.assert_allclose(w.grad.data, 2 * w.data)  # no ½: the gradient is 2W
        w.grad = None
    l1_penalty(ws).backward()
    for w in ws:
        np.testing.assert_array_equal(w.grad.data, np.sign(w.data))
        w.grad = None
    elastic_net_penalty(ws, beta=0.3).backward()
    for w in ws:
        np.testing.assert_allclose(w.grad.data, 0.6 * w.data + np.sign(w.data))


def test_values_and_elastic_net_reduces_to_l1():
    w = vg.tensor([[1.0, -2.0], [0.5, 0.0]], dtype=vg.float64)
    assert l2_penalty([w]).item() == 5.25
    assert l1_penalty([w]).item() == 3.5
    assert elastic_net_penalty(w, beta=0.0).item() == l1_penalty(w).item()
    assert elastic_net_penalty(w, beta=2.0).item() == pytest.approx(2 * 5.25 + 3.5)
    assert vg.autograd.gradcheck(lambda w: elastic_net_penalty(w, 0.7),
                                 [vg.tensor([[1.0, -2.0], [0.5, -0.3]], requires_grad=True)])


def test_regularised_objective_with_zero_strength_is_the_data_loss():
    w = vg.randn(4, 3, requires_grad=True)
    data_loss = (w ** 3).mean()
    assert (data_loss + 0.0 * l2_penalty(w)).item() == data_loss.item()


def test_empty_parameter_list_raises():
    with pytest.raises(ValueError, match="at least one tensor"):
        l2_penalty([])
