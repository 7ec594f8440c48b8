"""Activations beyond the operation table: the course's worked examples and properties,
and the activation modules against torch.nn (constructor arguments, repr, outputs)."""
import math

import numpy as np
import pytest
from scipy.special import softmax as scipy_softmax

import visiongrad as vg
import visiongrad.nn.functional as F
from visiongrad import nn

torch = pytest.importorskip("torch")


def test_sigmoid_gate_golden_values():
    # FEATURES.md §4.2: f = σ(w0·x0 + w1·x1 + w2)
    w = vg.tensor([2.0, -3.0, -3.0], requires_grad=True)
    x = vg.tensor([-1.0, -2.0], requires_grad=True)
    f = F.sigmoid(w[0] * x[0] + w[1] * x[1] + w[2])
    f.backward()
    assert f.item() == pytest.approx(0.7311, abs=1e-4)
    np.testing.assert_allclose(w.grad.data, [-0.1966, -0.3932, 0.1966], atol=1e-4)
    np.testing.assert_allclose(x.grad.data, [0.3932, -0.5898], atol=1e-4)


def test_relu_backward_golden_values():
    x = vg.tensor([1.0, -2.0, 3.0, -1.0], requires_grad=True)
    F.relu(x).backward(vg.tensor([4.0, -1.0, 5.0, 9.0]))
    np.testing.assert_array_equal(x.grad.data, [4.0, 0.0, 5.0, 0.0])


def test_relu_gradient_is_zero_at_zero_and_dead_units_get_none():
    x = vg.tensor([[-1.0, 0.0, 2.0], [-3.0, 0.0, 1.0]], requires_grad=True)
    F.relu(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0, 0, 1], [0, 0, 1]])


def test_sigmoid_saturates():
    x = vg.tensor([10.0, -10.0, 0.0], dtype=vg.float64, requires_grad=True)
    y = F.sigmoid(x)
    y.sum().backward()
    assert x.grad.data[0] < 5e-5 and x.grad.data[1] < 5e-5
    assert x.grad.data[2] == 0.25
    assert (y.data > 0).all()  # not zero-centred


def test_stable_softmax():
    s = vg.tensor([[1000.0, 1001.0], [-5.0, 3.0]], dtype=vg.float64)
    p = F.softmax(s, dim=1)
    assert np.isfinite(p.data).all()
    np.testing.assert_allclose(p.data.sum(1), 1.0, atol=1e-12)
    np.testing.assert_allclose(p.data, scipy_softmax(s.data, axis=1), rtol=1e-12)
    np.testing.assert_allclose(F.log_softmax(s, 1).data, np.log(p.data), rtol=1e-12)


def test_softmax_implicit_dim_warns_like_torch():
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = F.softmax(vg.randn(2, 3))
    np.testing.assert_allclose(out.data.sum(1), 1.0, rtol=1e-6)


def test_elu_is_closer_to_zero_mean_than_relu():
    x = vg.randn(100_000)
    assert abs(F.elu(x).mean().item()) < abs(F.relu(x).mean().item())


def test_selu_keeps_50_layer_activations_normalised():
    # C2.33: LeCun-normal weights (std 1/sqrt(fan_in)) keep mean ≈ 0 and var ≈ 1
    vg.manual_seed(0)
    width = 256
    x = vg.randn(256, width)
    for _ in range(50):
        w = vg.randn(width, width) / math.sqrt(width)
        x = F.selu(x @ w)
    assert abs(x.mean().item()) < 0.1
    assert abs(x.var().item() - 1) < 0.2


def test_stacked_linear_layers_collapse():
    # C2.27: W2(W1x) = (W2W1)x
    rng = np.random.default_rng(0)
    x, w1, w2 = (vg.tensor(rng.standard_normal(s)) for s in [(4, 3), (5, 3), (2, 5)])
    np.testing.assert_allclose(F.linear(F.linear(x, w1), w2).data, F.linear(x, w2 @ w1).data,
                               rtol=1e-12, atol=1e-12)


def test_maxout_is_max_of_linear_maps_and_gradchecks():
    vg.manual_seed(0)
    layer = nn.Maxout(3, 2, pool_size=2).double()
    x = vg.randn(4, 3, dtype=vg.float64)
    pieces = F.linear(x, layer.weight, layer.bias).data.reshape(4, 2, 2)
    np.testing.assert_allclose(layer(x).data, pieces.max(-1), rtol=1e-12)
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    assert vg.autograd.gradcheck(lambda x, w, b: F.linear(x, w, b).reshape(4, 2, 2).amax(-1),
                                 [x.requires_grad_(), layer.weight, layer.bias])
    layer(x).sum().backward()
    assert layer.weight.grad.shape == (4, 3)


ACTIVATION_MODULES = [
    ("ReLU", (), {}), ("ReLU", (), {"inplace": True}), ("LeakyReLU", (0.2,), {}),
    ("ELU", (), {"alpha": 0.5}), ("SELU", (), {}), ("GELU", (), {"approximate": "tanh"}),
    ("SiLU", (), {}), ("Sigmoid", (), {}), ("Tanh", (), {}), ("Softplus", (2.0, 5.0), {}),
    ("Softmax", (), {"dim": 1}), ("LogSoftmax", (1,), {}), ("Softmin", (1,), {}),
    ("Hardtanh", (-0.5, 2.0), {}), ("ReLU6", (), {}), ("Hardsigmoid", (), {}),
    ("Hardswish", (), {}), ("PReLU", (), {}), ("PReLU", (3,), {"init": 0.1}),
    ("Identity", (7,), {"unused": 1}), ("Flatten", (), {}),
]


@pytest.mark.parametrize("name,args,kwargs", ACTIVATION_MODULES,
                         ids=[f"{n}{a}{k}" for n, a, k in ACTIVATION_MODULES])
def test_activation_modules_match_torch(name, args, kwargs):
    ours = getattr(nn, name)(*args, **kwargs).double()
    theirs = getattr(torch.nn, name)(*args, **kwargs).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = np.random.default_rng(0).standard_normal((4, 3, 2)) * 3
    np.testing.assert_allclose(ours(vg.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-12, atol=1e-12)


def test_prelu_learns_its_slope_like_torch():
    x = np.random.default_rng(1).standard_normal((4, 3, 2))
    ours, theirs = nn.PReLU(3).double(), torch.nn.PReLU(3).double()
    ours(vg.tensor(x)).sum().backward()
    theirs(torch.tensor(x)).sum().backward()
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-12)


def test_linear_and_bilinear_modules_match_torch_after_loading():
    torch.manual_seed(0)
    for ours, theirs, inputs in [
            (nn.Linear(4, 3), torch.nn.Linear(4, 3), [(2, 5, 4)]),
            (nn.Linear(4, 3, bias=False), torch.nn.Linear(4, 3, bias=False), [(5, 4)]),
            (nn.Bilinear(4, 2, 3), torch.nn.Bilinear(4, 2, 3), [(5, 4), (5, 2)])]:
        assert repr(ours) == repr(theirs)
        ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
        arrays = [np.random.default_rng(2).standard_normal(s).astype(np.float32) for s in inputs]
        np.testing.assert_allclose(ours(*map(vg.tensor, arrays)).data,
                                   theirs(*map(torch.tensor, arrays)).detach().numpy(),
                                   rtol=1e-5, atol=1e-6)


def test_embedding_module_matches_torch():
    ours, theirs = nn.Embedding(10, 3, padding_idx=-2, max_norm=2.0), torch.nn.Embedding(
        10, 3, padding_idx=-2, max_norm=2.0)
    assert repr(ours) == repr(theirs)
    assert ours.padding_idx == theirs.padding_idx == 8
    np.testing.assert_array_equal(ours.weight.data[8], 0.0)
    frozen = nn.Embedding.from_pretrained(vg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert not frozen.weight.requires_grad
    np.testing.assert_array_equal(frozen(vg.tensor([1, 0])).data, [[3.0, 4.0], [1.0, 2.0]])
    with pytest.raises(ValueError, match="out of range for an embedding table of 10 rows"):
        ours(vg.tensor([10]))
    with pytest.raises(TypeError, match="integer"):
        ours(vg.tensor([1.0]))
