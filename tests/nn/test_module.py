"""Module: registration, iteration, state_dict/load_state_dict (against torch.nn for the
same module trees), modes, dtype conversion, hooks, containers and repr."""
from collections import OrderedDict

import numpy as np
import pytest

import visiongrad as vg
from visiongrad import nn

torch = pytest.importorskip("torch")
tnn = torch.nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.scale = nn.Parameter(vg.ones(4))
        self.register_buffer("running", vg.zeros(4))
        self.register_buffer("scratch", vg.zeros(2), persistent=False)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.fc(x)) * self.scale + self.running


class TorchBlock(tnn.Module):
    def __init__(self):
        super().__init__()
        self.fc = tnn.Linear(3, 4)
        self.scale = tnn.Parameter(torch.ones(4))
        self.register_buffer("running", torch.zeros(4))
        self.register_buffer("scratch", torch.zeros(2), persistent=False)
        self.act = tnn.ReLU()

    def forward(self, x):
        return self.act(self.fc(x)) * self.scale + self.running


def _trees(lib):
    """The same module trees built with visiongrad.nn or torch.nn."""
    block = Block if lib is nn else TorchBlock
    shared = lib.Linear(4, 4)
    return {
        "sequential": lib.Sequential(lib.Linear(5, 4), lib.ReLU(), lib.Linear(4, 2)),
        "nested_dict": lib.ModuleDict({
            "encoder": lib.Sequential(OrderedDict([("fc1", lib.Linear(3, 4)),
                                                   ("act", lib.Tanh())])),
            "heads": lib.ModuleList([lib.Linear(4, 2), lib.Linear(4, 1, bias=False)]),
            "embed": lib.Embedding(7, 3, padding_idx=0),
        }),
        "custom": lib.Sequential(block(), lib.PReLU(4), lib.Linear(4, 2)),
        "shared": lib.Sequential(shared, lib.ReLU(), shared),
        "losses": lib.ModuleList([lib.CrossEntropyLoss(weight=_ones(lib, 3)),
                                  lib.BCEWithLogitsLoss(pos_weight=_ones(lib, 2)),
                                  lib.MSELoss()]),
    }


def _ones(lib, n):
    return vg.ones(n) if lib is nn else torch.ones(n)


@pytest.mark.parametrize("tree", list(_trees(nn)))
def test_names_and_counts_match_torch(tree):
    ours, theirs = _trees(nn)[tree], _trees(tnn)[tree]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in theirs.parameters())
    for (name, ours_value), theirs_value in zip(ours.state_dict().items(),
                                                theirs.state_dict().values()):
        assert ours_value.shape == tuple(theirs_value.shape), name


@pytest.mark.parametrize("tree", list(_trees(nn)))
def test_repr_matches_torch(tree):
    assert repr(_trees(nn)[tree]) == repr(_trees(tnn)[tree]).replace("TorchBlock", "Block")


def test_loading_torch_weights_reproduces_torch_outputs():
    torch.manual_seed(0)
    theirs = _trees(tnn)["custom"].double()
    ours = _trees(nn)["custom"].double()
    with torch.no_grad():
        theirs[0].running.normal_()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 3))
    np.testing.assert_allclose(ours(vg.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-12, atol=1e-12)


def test_state_dict_values_are_detached_and_share_data():
    model = Block()
    state = model.state_dict()
    assert not state["fc.weight"].requires_grad
    assert np.shares_memory(state["fc.weight"].data, model.fc.weight.data)
    assert "scratch" not in state
    kept = model.state_dict(keep_vars=True)
    assert kept["fc.weight"] is model.fc.weight


def test_load_state_dict_copies_into_existing_tensors_keeping_dtype():
    model = nn.Linear(3, 2)
    weight, array = model.weight, model.weight.data
    source = {"weight": np.arange(6.0).reshape(2, 3), "bias": vg.tensor([1.0, 2.0])}
    result = model.load_state_dict(source)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert model.weight is weight and model.weight.data is array
    assert model.weight.dtype == np.float32
    np.testing.assert_array_equal(model.weight.data, source["weight"])
    source["weight"][0, 0] = 100.0
    assert model.weight.data[0, 0] == 0.0  # a copy, not a view of the source


def test_load_state_dict_strict_reports_every_bad_key_at_once():
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    state = {k: v.data.copy() for k, v in model.state_dict().items()}
    del state["0.bias"], state["1.weight"]
    state["0.weight"] = np.zeros((5, 3))
    state["extra"] = np.zeros(1)
    state["1.gamma"] = np.zeros(1)
    state["1.bias"] = np.full(2, 7.0)
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(state)
    message = str(info.value)
    for fragment in ['Missing key(s) in state_dict: "0.bias", "1.weight"',
                     'Unexpected key(s) in state_dict: "extra", "1.gamma"',
                     "size mismatch for 0.weight", "(5, 3)", "(4, 3)", "Sequential"]:
        assert fragment in message
    assert not np.any(model[1].bias.data == 7.0)  # an error loads nothing


def test_load_state_dict_non_strict_returns_keys_but_rejects_bad_shapes():
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    state = {"0.weight": np.ones((4, 3)), "extra.weight": np.ones(2)}
    result = model.load_state_dict(state, strict=False)
    assert result == (["0.bias", "1.weight", "1.bias"], ["extra.weight"])
    assert result.missing_keys == ["0.bias", "1.weight", "1.bias"]
    np.testing.assert_array_equal(model[0].weight.data, 1.0)
    with pytest.raises(RuntimeError, match="size mismatch for 0.weight"):
        model.load_state_dict({"0.weight": np.ones((3, 3))}, strict=False)


def test_load_state_dict_loads_buffers_and_skips_non_persistent():
    model = Block()
    state = model.state_dict()
    state = {k: np.full(v.shape, 3.0) for k, v in state.items()}
    model.load_state_dict(state)
    np.testing.assert_array_equal(model.running.data, 3.0)
    with pytest.raises(RuntimeError, match='Unexpected key.*"scratch"'):
        model.load_state_dict({**state, "scratch": np.zeros(2)})


def test_save_load_round_trip(tmp_path):
    model = _trees(nn)["nested_dict"]
    vg.save(model.state_dict(), tmp_path / "model.safetensors")
    other = _trees(nn)["nested_dict"]
    other.load_state_dict(vg.load(tmp_path / "model.safetensors"))
    for (name, a), b in zip(model.state_dict().items(), other.state_dict().values()):
        np.testing.assert_array_equal(a.data, b.data, err_msg=name)


def test_registration_order_and_reassignment():
    model = nn.Module()
    model.b = nn.Parameter(vg.zeros(1))
    model.a = nn.Parameter(vg.zeros(1))
    model.child = nn.Linear(1, 1)
    assert [n for n, _ in model.named_parameters()] == ["b", "a", "child.weight", "child.bias"]
    model.a = None
    assert [n for n, _ in model.named_parameters()] == ["b", "child.weight", "child.bias"]
    assert "a" in model._parameters
    with pytest.raises(TypeError, match="Parameter or None"):
        model.b = vg.zeros(1)
    with pytest.raises(TypeError, match="Module or None"):
        model.child = 3
    model.plain = vg.zeros(1)  # a plain tensor is an ordinary attribute
    assert "plain" not in dict(model.named_parameters())
    # as in PyTorch, a parameter's name takes only a Parameter (or None) ...
    with pytest.raises(TypeError, match="Parameter or None"):
        model.b = nn.Identity()
    # ... while a Parameter assigned over a child module replaces it
    model.child2 = nn.Identity()
    model.child2 = nn.Parameter(vg.zeros(1))
    assert "child2" not in model._modules and "child2" in model._parameters
    del model.child
    assert not hasattr(model, "child")
    with pytest.raises(AttributeError, match="has no attribute 'missing'"):
        model.missing


def test_register_errors():
    model = nn.Module()
    with pytest.raises(KeyError, match="contain"):
        model.register_buffer("a.b", vg.zeros(1))
    with pytest.raises(TypeError, match="Tensor or None"):
        model.register_buffer("a", np.zeros(1))
    model.x = 1
    with pytest.raises(KeyError, match="already exists"):
        model.register_parameter("x", nn.Parameter(vg.zeros(1)))
    with pytest.raises(AttributeError, match="before Module.__init__"):
        class Broken(nn.Module):
            def __init__(self):
                self.w = nn.Parameter(vg.zeros(1))
        Broken()


def test_named_parameters_deduplicates_shared_parameters_like_torch():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, shared)
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(model.named_parameters(remove_duplicate=False))) == 4
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert [n for n, _ in model.named_parameters(prefix="net")] == ["net.0.weight", "net.0.bias"]
    assert list(nn.Sequential(nn.Linear(1, 1)).parameters(recurse=False)) == []


def test_get_submodule():
    model = _trees(nn)["nested_dict"]
    assert model.get_submodule("heads.1") is model["heads"][1]
    assert model.get_submodule("") is model
    with pytest.raises(AttributeError, match="has no attribute `nope`"):
        model.get_submodule("encoder.nope")


def test_train_eval_propagate_and_switch_dropout():
    model = nn.Sequential(nn.Linear(4, 4), nn.Sequential(nn.Dropout(0.5)))
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    x = vg.randn(8, 4)
    np.testing.assert_array_equal(model(x).data, model(x).data)
    model.train()
    assert all(m.training for m in model.modules())
    assert not np.array_equal(model(x).data, model(x).data)
    with pytest.raises(ValueError, match="boolean"):
        model.train("no")


def test_requires_grad_zero_grad_apply():
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    model(vg.randn(4, 3)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.data.any() for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())
    visited = []
    model.apply(lambda m: visited.append(type(m).__name__))
    assert visited == ["Linear", "Linear", "Sequential"]


def test_dtype_conversion_keeps_parameter_objects():
    model = Block()
    model.register_buffer("count", vg.tensor(3))
    weight = model.fc.weight
    model(vg.randn(2, 3)).sum().backward()
    model.double()
    assert model.fc.weight is weight
    assert weight.dtype == np.float64 and weight.grad.dtype == np.float64
    assert model.running.dtype == np.float64 and model.count.dtype == np.int64
    assert model.to(vg.float32) is model and weight.dtype == np.float32
    model.to("cpu", dtype=np.float64)
    assert weight.dtype == np.float64
    model.float()
    assert weight.dtype == np.float32
    with pytest.raises(TypeError, match="floating point"):
        model.to(vg.int64)


def test_forward_pre_hook_and_forward_hook_fire_and_can_replace():
    model = nn.Linear(2, 2)
    calls = []

    def pre(module, args):
        calls.append(("pre", module))
        return (args[0] * 2,)

    def post(module, args, output):
        calls.append(("post", args[0].shape))
        return output + 1

    h1 = model.register_forward_pre_hook(pre)
    h2 = model.register_forward_hook(post)
    x = vg.randn(3, 2)
    expected = (x * 2).data @ model.weight.data.T + model.bias.data + 1
    np.testing.assert_allclose(model(x).data, expected, rtol=1e-6)
    assert calls == [("pre", model), ("post", (3, 2))]
    h1.remove()
    with h2:
        pass  # leaving the context removes the hook
    np.testing.assert_allclose(model(x).data, x.data @ model.weight.data.T + model.bias.data,
                               rtol=1e-6)
    assert len(calls) == 2


def test_forward_hooks_capture_activations():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    captured = {}
    model[1].register_forward_hook(lambda m, a, out: captured.setdefault("relu", out))
    x = vg.randn(5, 3)
    model(x)
    np.testing.assert_array_equal(captured["relu"].data, model[1](model[0](x)).data)


def _grads_with_hook(lib, make, x_array, scale_input_grad):
    torch.manual_seed(0)
    model = make(lib)
    seen = []

    def hook(module, grad_input, grad_output):
        seen.append(([None if g is None else np.array(g.detach().numpy() if lib is tnn
                                                      else g.data) for g in grad_input],
                     [np.array(g.detach().numpy() if lib is tnn else g.data)
                      for g in grad_output]))
        if scale_input_grad:
            return tuple(None if g is None else g * 3 for g in grad_input)
        return None

    model.register_full_backward_hook(hook)
    tensor = torch.tensor if lib is tnn else vg.tensor
    x = tensor(x_array, requires_grad=True)
    out = model(x)
    (out * out).sum().backward()
    x_grad = x.grad.numpy() if lib is tnn else x.grad.data
    return seen, x_grad


def _make_linear(lib):
    model = lib.Linear(3, 2).double()
    if lib is nn:
        with vg.no_grad():
            model.weight.copy_(np.arange(6.0).reshape(2, 3) / 10)
            model.bias.copy_(np.array([0.5, -0.5]))
    else:
        with torch.no_grad():
            model.weight.copy_(torch.tensor(np.arange(6.0).reshape(2, 3) / 10))
            model.bias.copy_(torch.tensor([0.5, -0.5], dtype=torch.float64))
    return model


@pytest.mark.parametrize("scale", [False, True], ids=["observe", "replace"])
def test_full_backward_hook_matches_torch(scale):
    x = np.random.default_rng(0).standard_normal((4, 3))
    ours, our_grad = _grads_with_hook(nn, _make_linear, x, scale)
    theirs, their_grad = _grads_with_hook(tnn, _make_linear, x, scale)
    assert len(ours) == len(theirs) == 1
    for a, b in zip(ours[0][0] + ours[0][1], theirs[0][0] + theirs[0][1]):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(our_grad, their_grad, rtol=1e-12)


def test_full_backward_hook_without_input_grad_sees_none():
    model = nn.Linear(3, 2)
    seen = []
    model.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))
    model(vg.randn(2, 3)).sum().backward()
    (grad_input, grad_output), = seen
    assert grad_input == (None,)
    np.testing.assert_array_equal(grad_output[0].data, np.ones((2, 2)))
    assert model.weight.grad is not None


def test_sequential_indexing_slicing_and_mutation():
    layers = [nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 3), nn.Tanh()]
    model = nn.Sequential(*layers)
    assert len(model) == 4 and model[-1] is layers[3] and list(model) == layers
    head = model[1:3]
    assert isinstance(head, nn.Sequential) and list(head._modules) == ["1", "2"]
    named = nn.Sequential(OrderedDict([("fc", layers[0]), ("act", layers[1])]))
    assert named.fc is layers[0] and list(named._modules) == ["fc", "act"]
    model.append(nn.Sigmoid())
    assert list(model._modules) == ["0", "1", "2", "3", "4"]
    del model[1]
    assert list(model._modules) == ["0", "1", "2", "3"] and model[1] is layers[2]
    model.insert(-1, nn.ReLU())
    assert isinstance(model[-2], nn.ReLU) and isinstance(model[-1], nn.Sigmoid)
    del model[-2]
    model[0] = nn.Identity()
    x = vg.randn(5, 2)
    np.testing.assert_allclose(model(x).data,
                               layers[2](x).tanh().sigmoid().data, rtol=1e-6)
    with pytest.raises(IndexError, match="out of range"):
        model[7]


def test_module_list_and_dict():
    blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    blocks.append(nn.ReLU())
    blocks += [nn.Tanh()]
    assert len(blocks) == 5 and isinstance(blocks[1:3], nn.ModuleList)
    blocks.insert(0, nn.Sigmoid())
    assert isinstance(blocks[0], nn.Sigmoid) and list(blocks._modules)[-1] == "5"
    del blocks[0]
    assert isinstance(blocks[0], nn.Linear)
    assert len(list(blocks.parameters())) == 6
    with pytest.raises(NotImplementedError, match="forward"):
        blocks(vg.zeros(1))
    heads = nn.ModuleDict({"a": nn.Linear(2, 1)})
    heads["b"] = nn.Linear(2, 3)
    heads.update([("c", nn.Identity())])
    assert list(heads) == ["a", "b", "c"] and "b" in heads and len(heads) == 3
    assert list(heads.keys()) == ["a", "b", "c"]
    assert heads.pop("c") is not None and list(heads) == ["a", "b"]
    assert [n for n, _ in heads.named_parameters()] == ["a.weight", "a.bias", "b.weight",
                                                        "b.bias"]


def test_flatten_unflatten():
    x = vg.randn(2, 3, 4, 5)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    y = nn.Unflatten(1, (3, -1))(nn.Flatten()(x))
    np.testing.assert_array_equal(y.data, x.data.reshape(2, 3, 20))
    with pytest.raises(ValueError, match="cannot unflatten"):
        nn.Unflatten(1, (7, 3))(vg.zeros(2, 20))
    assert repr(nn.Unflatten(1, (2, 3))) == repr(tnn.Unflatten(1, (2, 3)))


def test_parameter():
    t = vg.tensor([1.0, 2.0])
    p = nn.Parameter(t)
    assert p.requires_grad and isinstance(p, vg.Tensor)
    assert np.shares_memory(p.data, t.data)
    assert not nn.Parameter(t, requires_grad=False).requires_grad
    assert repr(p).startswith("Parameter containing:\ntensor(")
    assert nn.Parameter().shape == (0,)
