"""The Optimizer base class: parameter groups, zero_grad, closures, hyper-parameter
validation and state-dict loading errors."""
import numpy as np
import pytest

import visiongrad as vg
from visiongrad.optim import SGD, Adagrad, Adam, AdamW, RMSprop


def param(*shape):
    return vg.zeros(*shape, requires_grad=True)


BAD_HYPERPARAMETERS = [
    (SGD, {"lr": -1}, "Invalid learning rate: -1"),
    (SGD, {"momentum": -0.5}, "Invalid momentum value: -0.5"),
    (SGD, {"weight_decay": -0.1}, "Invalid weight_decay value: -0.1"),
    (SGD, {"nesterov": True}, "Nesterov momentum requires a momentum"),
    (SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "zero dampening"),
    (Adam, {"lr": -0.001}, "Invalid learning rate: -0.001"),
    (Adam, {"eps": -1e-8}, "Invalid epsilon value: -1e-08"),
    (Adam, {"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0"),
    (Adam, {"betas": (0.9, -0.1)}, "Invalid beta parameter at index 1: -0.1"),
    (Adam, {"weight_decay": -1}, "Invalid weight_decay value: -1"),
    (AdamW, {"betas": (0.9, 1.5)}, "Invalid beta parameter at index 1: 1.5"),
    (RMSprop, {"alpha": -0.9}, "Invalid alpha value: -0.9"),
    (RMSprop, {"momentum": -1}, "Invalid momentum value: -1"),
    (RMSprop, {"eps": -1}, "Invalid epsilon value: -1"),
    (Adagrad, {"lr_decay": -0.1}, "Invalid lr_decay value: -0.1"),
    (Adagrad, {"initial_accumulator_value": -1},
     "Invalid initial_accumulator_value value: -1"),
    (Adagrad, {"weight_decay": -2}, "Invalid weight_decay value: -2"),
]


@pytest.mark.parametrize("cls,kwargs,message", BAD_HYPERPARAMETERS,
                         ids=[f"{c.__name__}-{k}" for c, k, _ in BAD_HYPERPARAMETERS])
def test_bad_hyperparameters_raise_naming_argument_and_value(cls, kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        cls([param(2)], **kwargs)


def test_bad_params_raise():
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        SGD(param(2), lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        SGD([np.zeros(2)], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        SGD([{"params": {param(2)}}], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        SGD([param(2) * 2], lr=0.1)


def test_param_groups_fill_defaults_and_reject_shared_parameters():
    a, b, c = param(2), param(3), param(4)
    optimizer = SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in optimizer.param_groups] == [0.1, 0.5]
    assert optimizer.param_groups[1]["params"] == [b]
    assert all(g["momentum"] == 0.9 for g in optimizer.param_groups)

    optimizer.add_param_group({"params": [c], "momentum": 0.0})
    assert optimizer.param_groups[2]["lr"] == 0.1 and optimizer.param_groups[2]["momentum"] == 0
    with pytest.raises(ValueError, match="more than one parameter group"):
        optimizer.add_param_group({"params": [a]})
    with pytest.raises(TypeError, match="must be a dict"):
        optimizer.add_param_group([a])

    for p in (a, b, c):
        p.grad = vg.ones(*p.shape)
    optimizer.step()
    np.testing.assert_allclose(a.data, -0.1)
    np.testing.assert_allclose(b.data, -0.5)
    np.testing.assert_allclose(c.data, -0.1)


def test_duplicate_parameter_in_a_group_warns():
    a = param(2)
    with pytest.warns(UserWarning, match="duplicate"):
        SGD([a, a], lr=0.1)


def test_zero_grad():
    a, b = param(2), param(3)
    optimizer = SGD([a, b], lr=0.1)
    a.grad = vg.ones(2)
    optimizer.zero_grad(set_to_none=False)
    assert np.array_equal(a.grad.data, np.zeros(2)) and b.grad is None
    optimizer.zero_grad()
    assert a.grad is None and b.grad is None


def test_step_returns_the_closure_loss_computed_with_grad_enabled():
    w = vg.tensor([1.0, -2.0], requires_grad=True)
    optimizer = SGD([w], lr=0.25)

    def closure():
        optimizer.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with vg.no_grad():
        loss = optimizer.step(closure)
    assert loss.item() == pytest.approx(5.0)
    np.testing.assert_allclose(w.data, [0.5, -1.0])


def test_gradient_descent_on_a_convex_quadratic_converges():
    # C2.08: f(w) = ½wᵀAw − bᵀw, A positive definite; GD reaches ‖∇f‖ < 1e-8
    rng = np.random.default_rng(0)
    m = rng.standard_normal((5, 5))
    A = m @ m.T + np.eye(5)
    b = rng.standard_normal(5)
    w = vg.zeros(5, dtype=np.float64, requires_grad=True)
    optimizer = SGD([w], lr=1.0 / np.linalg.eigvalsh(A).max())
    for _ in range(5000):
        w.grad = vg.tensor(A @ w.data - b)
        if np.linalg.norm(w.grad.data) < 1e-8:
            break
        optimizer.step()
    assert np.linalg.norm(A @ w.data - b) < 1e-8
    np.testing.assert_allclose(w.data, np.linalg.solve(A, b), atol=1e-7)


def test_load_state_dict_rejects_mismatches():
    a, b = param(2), param(3)
    source = Adam([a, b])
    a.grad, b.grad = vg.ones(2), vg.ones(3)
    source.step()
    saved = source.state_dict()

    with pytest.raises(ValueError, match="different number of parameter groups"):
        Adam([{"params": [param(2)]}, {"params": [param(3)]}]).load_state_dict(saved)
    with pytest.raises(ValueError, match="doesn't match the size"):
        Adam([param(2)]).load_state_dict(saved)
    with pytest.raises(ValueError, match=r"'exp_avg' of shape \(3,\) for parameter 1"):
        Adam([param(2), param(4)]).load_state_dict(saved)


def test_load_state_dict_copies_and_casts_state():
    a = vg.zeros(3, dtype=np.float64, requires_grad=True)
    source = SGD([a], lr=0.1, momentum=0.9)
    a.grad = vg.ones(3, dtype=np.float64)
    source.step()
    saved = source.state_dict()

    b = param(3)  # float32
    target = SGD([b], lr=0.1, momentum=0.9)
    target.load_state_dict(saved)
    buffer = target.state[b]["momentum_buffer"]
    assert buffer.dtype == np.float32
    saved["state"][0]["momentum_buffer"].data[...] = 7
    assert np.array_equal(buffer.data, np.ones(3, np.float32))


def test_repr_lists_groups():
    text = repr(SGD([param(2)], lr=0.1, momentum=0.9))
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "momentum: 0.9" in text
