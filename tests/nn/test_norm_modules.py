"""Normalization layers against PyTorch over several training steps, eval mode, and the
course's properties of each normalization (C3.14–C3.21, C3.23, C4.41)."""
import numpy as np
import pytest

import visiongrad as vg
import visiongrad.nn as nn
import visiongrad.nn.functional as F

torch = pytest.importorskip("torch")

TOL = {np.float64: dict(rtol=1e-10, atol=1e-10), np.float32: dict(rtol=1e-5, atol=2e-5)}


def _copy_state(module, torch_module):
    module.load_state_dict({k: v.numpy() for k, v in torch_module.state_dict().items()})


def _randomize_affine(torch_module, rng, dtype):
    with torch.no_grad():
        torch_module.weight.copy_(torch.tensor(rng.uniform(0.5, 2, torch_module.weight.shape)))
        torch_module.bias.copy_(torch.tensor(rng.standard_normal(torch_module.bias.shape)))


def _step_both(module, torch_module, x, grad, dtype):
    """One forward/backward in both; compares outputs, every gradient and every buffer."""
    tol = TOL[dtype]
    xv = vg.tensor(x.astype(dtype), requires_grad=True)
    xt = torch.tensor(x.astype(dtype), requires_grad=True)
    out, out_t = module(xv), torch_module(xt)
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), **tol)
    out.backward(vg.tensor(grad.astype(dtype)))
    out_t.backward(torch.tensor(grad.astype(dtype)))
    np.testing.assert_allclose(xv.grad.data, xt.grad.numpy(), **tol)
    for name, param in module.named_parameters():
        param_t = dict(torch_module.named_parameters())[name]
        np.testing.assert_allclose(param.grad.data, param_t.grad.numpy(), **tol,
                                   err_msg=f"gradient of {name}")
        param.grad, param_t.grad = None, None
    torch_buffers = dict(torch_module.named_buffers())
    for name, buffer in module.named_buffers():
        np.testing.assert_allclose(buffer.data, torch_buffers[name].numpy(), **tol,
                                   err_msg=f"buffer {name}")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize("cls, shape", [("BatchNorm1d", (8, 3)), ("BatchNorm1d", (4, 3, 5)),
                                        ("BatchNorm2d", (4, 3, 5, 6))])
def test_batch_norm_training_steps_and_eval_match_torch(rng, cls, shape, momentum, dtype):
    torch_module = getattr(torch.nn, cls)(3, momentum=momentum).to(torch.float64)
    _randomize_affine(torch_module, rng, dtype)
    torch_module.to(getattr(torch, np.dtype(dtype).name))
    module = getattr(nn, cls)(3, momentum=momentum, dtype=dtype)
    _copy_state(module, torch_module)
    for _ in range(4):
        shift = rng.standard_normal(3).reshape((1, 3) + (1,) * (len(shape) - 2))
        x = rng.standard_normal(shape) * 2 + shift
        _step_both(module, torch_module, x, rng.standard_normal(shape), dtype)
    assert int(module.num_batches_tracked.item()) == 4
    module.eval(), torch_module.eval()
    _step_both(module, torch_module, rng.standard_normal(shape), rng.standard_normal(shape), dtype)


def test_batch_norm_without_running_stats_uses_batch_statistics_in_eval(rng):
    module = nn.BatchNorm2d(2, track_running_stats=False, affine=False).eval()
    torch_module = torch.nn.BatchNorm2d(2, track_running_stats=False, affine=False).eval()
    x = rng.standard_normal((3, 2, 4, 4))
    np.testing.assert_allclose(module(vg.tensor(x)).data,
                               torch_module(torch.tensor(x)).numpy(), atol=1e-12)
    assert list(module.state_dict()) == []


def test_state_dict_keys_are_torchs():
    for cls, kwargs in [("BatchNorm1d", {}), ("BatchNorm2d", {"affine": False}),
                        ("InstanceNorm2d", {"affine": True, "track_running_stats": True}),
                        ("InstanceNorm2d", {})]:
        ours = getattr(nn, cls)(4, **kwargs).state_dict()
        theirs = getattr(torch.nn, cls)(4, **kwargs).state_dict()
        assert list(ours) == list(theirs)
        for key in ours:
            assert ours[key].shape == tuple(theirs[key].shape)
            assert ours[key].dtype == theirs[key].numpy().dtype
    assert list(nn.LayerNorm(5, bias=False).state_dict()) == ["weight"]
    assert list(nn.GroupNorm(2, 4).state_dict()) == ["weight", "bias"]


def test_test_mode_after_warm_up_is_standardized(rng):
    """C3.15: after 50 training batches the running averages standardize new data."""
    bn = nn.BatchNorm1d(4)
    scale, shift = np.array([1.0, 3.0, 0.5, 10.0]), np.array([5.0, -2.0, 0.0, 100.0])
    for _ in range(50):
        bn(vg.tensor(rng.standard_normal((128, 4)) * scale + shift))
    bn.eval()
    out = bn(vg.tensor(rng.standard_normal((4000, 4)) * scale + shift)).data
    np.testing.assert_allclose(out.mean(0), 0, atol=0.06)
    np.testing.assert_allclose(out.std(0), 1, atol=0.06)


def test_eval_output_is_independent_of_the_batch(rng):
    bn = nn.BatchNorm2d(3)
    bn(vg.tensor(rng.standard_normal((8, 3, 4, 4))))
    bn.eval()
    x = rng.standard_normal((5, 3, 4, 4))
    together = bn(vg.tensor(x)).data
    alone = bn(vg.tensor(x[2:3])).data
    np.testing.assert_allclose(together[2:3], alone, atol=1e-6)


def test_batch_norm_errors_name_the_mismatch():
    with pytest.raises(ValueError, match=r"expected 3 channels .* got 4"):
        nn.BatchNorm2d(3)(vg.zeros(2, 4, 5, 5))
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(vg.zeros(2, 3, 5))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(vg.zeros(1, 3))
    with pytest.raises(ValueError, match=r"running_mean should have shape \(3,\).* got \(4,\)"):
        F.batch_norm(vg.zeros(2, 3), vg.zeros(4), vg.ones(4))
    with pytest.raises(ValueError, match="required when training=False"):
        F.batch_norm(vg.zeros(2, 3), None, None)


@pytest.mark.parametrize("sandwich", ["fc", "conv"])
def test_batch_norm_sandwich_gradcheck(rng, sandwich):
    """C3.17: FC → BN → ReLU and Conv → BN → ReLU → Pool, gradients through it all."""
    vg.set_default_dtype(np.float64)
    try:
        if sandwich == "fc":
            layers = nn.Sequential(nn.Linear(5, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 3))
            x = vg.tensor(rng.standard_normal((6, 5)), requires_grad=True)
        else:
            layers = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(),
                                   nn.MaxPool2d(2))
            x = vg.tensor(rng.standard_normal((2, 2, 4, 4)), requires_grad=True)
    finally:
        vg.set_default_dtype(np.float32)

    def fn(x, *params):
        return layers(x)

    assert vg.autograd.gradcheck(fn, [x, *layers.parameters()])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_layer_norm_module_matches_torch(rng, dtype):
    for kwargs in ({}, {"bias": False}, {"elementwise_affine": False}):
        torch_module = torch.nn.LayerNorm((4, 5), **kwargs).to(getattr(torch, np.dtype(dtype).name))
        if torch_module.weight is not None:
            with torch.no_grad():
                torch_module.weight.uniform_(0.5, 1.5)
        module = nn.LayerNorm((4, 5), dtype=dtype, **kwargs)
        _copy_state(module, torch_module)
        _step_both(module, torch_module, rng.standard_normal((3, 2, 4, 5)) + 3,
                   rng.standard_normal((3, 2, 4, 5)), dtype)


def test_layer_norm_is_independent_of_batch_composition(rng):
    ln = nn.LayerNorm(6)
    x = rng.standard_normal((5, 6)) * 3
    together = ln(vg.tensor(x)).data
    for i in range(5):
        np.testing.assert_allclose(ln(vg.tensor(x[i:i + 1])).data, together[i:i + 1], atol=1e-6)
    ln.eval()
    np.testing.assert_allclose(ln(vg.tensor(x)).data, together, atol=0)


def test_group_norm_extremes_are_layer_and_instance_norm(rng):
    x = vg.tensor(rng.standard_normal((2, 6, 3, 4)) * 2 + 1)
    np.testing.assert_allclose(F.group_norm(x, 1).data, F.layer_norm(x, (6, 3, 4)).data,
                               atol=1e-6)
    np.testing.assert_allclose(F.group_norm(x, 6).data, F.instance_norm(x).data, atol=1e-6)
    # with an affine map: per-channel γ, β are layer norm's element-wise ones, expanded
    w, b = vg.tensor(rng.uniform(0.5, 2, 6)), vg.tensor(rng.standard_normal(6))
    np.testing.assert_allclose(
        F.group_norm(x, 1, w, b).data,
        F.layer_norm(x, (6, 3, 4), w.reshape(6, 1, 1).expand(6, 3, 4),
                     b.reshape(6, 1, 1).expand(6, 3, 4)).data, atol=1e-5)


def test_group_norm_module_matches_torch_and_checks_groups(rng):
    torch_module = torch.nn.GroupNorm(3, 6).double()
    _randomize_affine(torch_module, rng, np.float64)
    module = nn.GroupNorm(3, 6, dtype=np.float64)
    _copy_state(module, torch_module)
    _step_both(module, torch_module, rng.standard_normal((2, 6, 5)),
               rng.standard_normal((2, 6, 5)), np.float64)
    with pytest.raises(ValueError, match="num_groups=4 must divide num_channels=6"):
        nn.GroupNorm(4, 6)
    with pytest.raises(ValueError, match="num_groups=4 must divide the number of channels C=6"):
        F.group_norm(vg.zeros(2, 6, 3), 4)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_instance_norm_with_running_stats_matches_torch(rng, dtype):
    torch_module = torch.nn.InstanceNorm2d(3, affine=True, track_running_stats=True).double()
    _randomize_affine(torch_module, rng, dtype)
    torch_module.to(getattr(torch, np.dtype(dtype).name))
    module = nn.InstanceNorm2d(3, affine=True, track_running_stats=True, dtype=dtype)
    _copy_state(module, torch_module)
    for _ in range(3):
        _step_both(module, torch_module, rng.standard_normal((2, 3, 4, 5)) * 2 + 1,
                   rng.standard_normal((2, 3, 4, 5)), dtype)
    module.eval(), torch_module.eval()
    _step_both(module, torch_module, rng.standard_normal((2, 3, 4, 5)),
               rng.standard_normal((2, 3, 4, 5)), dtype)


def test_instance_norm_unbatched_input(rng):
    x = rng.standard_normal((3, 4, 5))
    np.testing.assert_allclose(nn.InstanceNorm2d(3)(vg.tensor(x)).data,
                               torch.nn.InstanceNorm2d(3)(torch.tensor(x)).numpy(), atol=1e-12)


def test_conditional_instance_norm_one_hot_style_is_instance_norm(rng):
    """C4.41: style s selects (γ_s, β_s)."""
    cin = nn.ConditionalInstanceNorm2d(3, num_styles=4)
    cin.weight.data[...] = rng.uniform(0.5, 2, (4, 3))
    cin.bias.data[...] = rng.standard_normal((4, 3))
    x = vg.tensor(rng.standard_normal((2, 3, 5, 5)).astype(np.float32))
    styles = np.array([2, 0])
    by_index = cin(x, vg.tensor(styles)).data
    by_one_hot = cin(x, vg.tensor(np.eye(4, dtype=np.float32)[styles])).data
    np.testing.assert_allclose(by_index, by_one_hot, atol=1e-6)
    for n, s in enumerate(styles):
        expected = F.instance_norm(x[n:n + 1], weight=cin.weight[s], bias=cin.bias[s]).data
        np.testing.assert_allclose(by_index[n:n + 1], expected, atol=1e-6)


def test_local_response_norm_module_matches_alexnets_torch_layer(rng):
    x = rng.standard_normal((2, 8, 5, 5)).astype(np.float32) * 10
    out = nn.LocalResponseNorm(5, 1e-4, 0.75, 2)(vg.tensor(x))
    expected = torch.nn.LocalResponseNorm(5, 1e-4, 0.75, 2)(torch.tensor(x))
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-5, atol=1e-6)
