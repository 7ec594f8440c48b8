"""Every optimizer over a grid of its options against torch.optim: parameter
trajectories, state-dict layout and values, checkpoint round trips (here and from
torch), in float64 and float32."""
import numpy as np
import pytest

import visiongrad as vg

torch = pytest.importorskip("torch")

SHAPES = [(3, 4), (5,), (2, 3, 2)]
STEPS = 25

CASES = [
    ("SGD", {"lr": 0.05}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.05, "nesterov": True,
             "maximize": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5, "weight_decay": 0.1,
             "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True, "maximize": True}),
    ("Adam", {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6}),
    ("Adam", {"lr": 0.01, "betas": (0.0, 0.9)}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.01, "maximize": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9, "centered": True, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-6, "maximize": True}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.1, "eps": 1e-7}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05, "maximize": True}),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kwargs.items())}" for name, kwargs in CASES]

# one configuration per optimizer that creates every kind of state it has
FULL_STATE = {
    "SGD": {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
    "Adam": {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1},
    "AdamW": {"lr": 0.01, "amsgrad": True},
    "RMSprop": {"lr": 0.01, "momentum": 0.9, "centered": True},
    "Adagrad": {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1},
}
# group keys that select torch's kernels (meaningless on NumPy), and visiongrad's extras
TORCH_ONLY_KEYS = {"foreach", "fused", "capturable", "differentiable"}
VISIONGRAD_ONLY_KEYS = {"bias_correction"}


def initial_arrays(dtype):
    rng = np.random.default_rng(0)
    return [rng.standard_normal(shape).astype(dtype) for shape in SHAPES]


def gradient(index, step, x):
    """A gradient that depends non-linearly on the parameter and changes every step.
    The last parameter gets none on odd steps, so optimizers must skip it."""
    if index == len(SHAPES) - 1 and step % 2 == 1:
        return None
    noise = np.random.default_rng(1000 * step + index).standard_normal(x.shape)
    return (np.sin(2 * x) + 0.5 * x + 0.3 * noise).astype(x.dtype)


class Run:
    """The same optimization in visiongrad or torch: two parameter groups, the second
    with half the learning rate."""

    def __init__(self, framework, name, kwargs, arrays):
        self.framework = framework
        if framework == "torch":
            self.params = [torch.tensor(a, requires_grad=True) for a in arrays]
            cls = getattr(torch.optim, name)
        else:
            self.params = [vg.tensor(a, requires_grad=True) for a in arrays]
            cls = getattr(vg.optim, name)
        groups = [{"params": self.params[:2]},
                  {"params": self.params[2:], "lr": kwargs["lr"] / 2}]
        self.optimizer = cls(groups, **kwargs)
        self.step_count = 0

    def arrays(self):
        if self.framework == "torch":
            return [p.detach().numpy().copy() for p in self.params]
        return [p.data.copy() for p in self.params]

    def step(self):
        for i, (p, x) in enumerate(zip(self.params, self.arrays())):
            g = gradient(i, self.step_count, x)
            if self.framework == "torch":
                p.grad = None if g is None else torch.from_numpy(g)
            else:
                p.grad = None if g is None else vg.tensor(g)
        self.optimizer.step()
        self.step_count += 1


def assert_same_params(ours, theirs, atol):
    for a, b in zip(ours, theirs):
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=0, atol=atol)


def run_both(name, kwargs, dtype, steps=STEPS, atol=1e-10):
    ours = Run("visiongrad", name, kwargs, initial_arrays(dtype))
    theirs = Run("torch", name, kwargs, initial_arrays(dtype))
    for _ in range(steps):
        ours.step()
        theirs.step()
        assert_same_params(ours.arrays(), theirs.arrays(), atol)
    return ours, theirs


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_trajectory_matches_torch_float64(name, kwargs):
    ours, _ = run_both(name, kwargs, np.float64)
    moved = [np.abs(a - b).max() for a, b in zip(ours.arrays(), initial_arrays(np.float64))]
    assert min(moved) > 1e-3


@pytest.mark.parametrize("name", sorted(FULL_STATE))
def test_trajectory_matches_torch_float32(name):
    ours, _ = run_both(name, FULL_STATE[name], np.float32, atol=1e-6)
    for p in ours.params:
        assert p.dtype == np.float32
    for state in ours.optimizer.state.values():
        for key, value in state.items():
            assert value.dtype == (np.float32 if key != "step" else vg.get_default_dtype())


def torch_state_as_arrays(state_dict):
    return {"state": {i: {k: v.numpy().copy() for k, v in entry.items()}
                      for i, entry in state_dict["state"].items()},
            "param_groups": [dict(g) for g in state_dict["param_groups"]]}


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_state_dict_layout_and_values_match_torch(name, kwargs):
    ours, theirs = run_both(name, kwargs, np.float64, steps=3)
    mine = ours.optimizer.state_dict()
    ref = theirs.optimizer.state_dict()
    assert set(mine) == set(ref) == {"state", "param_groups"}

    assert list(mine["state"]) == list(ref["state"])
    for index, entry in ref["state"].items():
        assert list(mine["state"][index]) == list(entry)
        for key, value in entry.items():
            value = value.numpy()
            assert isinstance(mine["state"][index][key], vg.Tensor)
            ours_value = mine["state"][index][key].data
            assert ours_value.shape == value.shape and ours_value.dtype == value.dtype
            np.testing.assert_allclose(ours_value, value, rtol=0, atol=1e-10)

    assert len(mine["param_groups"]) == len(ref["param_groups"])
    for group, ref_group in zip(mine["param_groups"], ref["param_groups"]):
        ref_keys = set(ref_group) - TORCH_ONLY_KEYS
        assert set(group) - VISIONGRAD_ONLY_KEYS == ref_keys
        for key in ref_keys:
            assert group[key] == ref_group[key], key


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_checkpoint_round_trip_resumes_identically(name, kwargs, tmp_path):
    ours = Run("visiongrad", name, kwargs, initial_arrays(np.float64))
    for _ in range(10):
        ours.step()
    path = tmp_path / "optimizer.safetensors"
    vg.save(ours.optimizer.state_dict(), path)

    resumed = Run("visiongrad", name, kwargs, ours.arrays())
    resumed.step_count = ours.step_count
    resumed.optimizer.load_state_dict(vg.load(path))
    assert resumed.optimizer.param_groups[1]["lr"] == kwargs["lr"] / 2
    for _ in range(10):
        ours.step()
        resumed.step()
    for a, b in zip(ours.arrays(), resumed.arrays()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", sorted(FULL_STATE))
def test_loads_torch_checkpoint_and_continues_like_torch(name):
    kwargs = FULL_STATE[name]
    theirs = Run("torch", name, kwargs, initial_arrays(np.float64))
    for _ in range(10):
        theirs.step()
    ours = Run("visiongrad", name, kwargs, theirs.arrays())
    ours.step_count = theirs.step_count
    ours.optimizer.load_state_dict(torch_state_as_arrays(theirs.optimizer.state_dict()))
    for _ in range(10):
        ours.step()
        theirs.step()
        assert_same_params(ours.arrays(), theirs.arrays(), 1e-10)


@pytest.mark.parametrize("name", sorted(FULL_STATE))
def test_torch_loads_our_checkpoint_and_continues_like_us(name):
    kwargs = FULL_STATE[name]
    ours = Run("visiongrad", name, kwargs, initial_arrays(np.float64))
    for _ in range(10):
        ours.step()
    theirs = Run("torch", name, kwargs, ours.arrays())
    theirs.step_count = ours.step_count
    mine = ours.optimizer.state_dict()
    theirs.optimizer.load_state_dict(
        {"state": {i: {k: torch.from_numpy(v.data.copy()) for k, v in entry.items()}
                   for i, entry in mine["state"].items()},
         "param_groups": [dict(g) for g in mine["param_groups"]]})
    for _ in range(10):
        ours.step()
        theirs.step()
        assert_same_params(ours.arrays(), theirs.arrays(), 1e-10)


def test_state_only_for_parameters_that_got_gradients():
    # the third parameter has no gradient on odd steps: after one step of SGD with
    # momentum only the two with gradients have a buffer, as in torch
    ours, theirs = run_both("SGD", {"lr": 0.1, "momentum": 0.9}, np.float64, steps=0)
    p = ours.params
    p[0].grad = vg.ones(*SHAPES[0], dtype=np.float64)
    ours.optimizer.step()
    assert list(ours.optimizer.state_dict()["state"]) == [0]
    assert p[1] not in ours.optimizer.state

    plain = vg.optim.SGD([vg.zeros(3, requires_grad=True)], lr=0.1)
    plain.param_groups[0]["params"][0].grad = vg.ones(3)
    plain.step()
    assert plain.state_dict()["state"] == {}


def test_updates_in_place_keeping_dtype_and_array():
    for name, kwargs in FULL_STATE.items():
        p = vg.zeros(4, 3, requires_grad=True)
        array = p.data
        optimizer = getattr(vg.optim, name)([p], **kwargs)
        p.grad = vg.ones(4, 3)
        optimizer.step()
        assert p.data is array and p.dtype == np.float32
        assert np.all(p.data != 0)


def test_step_allocates_nothing_after_the_first():
    import tracemalloc

    size = 200_000  # 1.6 MB per float64 array
    for name, kwargs in FULL_STATE.items():
        params = [vg.zeros(size, dtype=np.float64, requires_grad=True) for _ in range(2)]
        optimizer = getattr(vg.optim, name)(params, **kwargs)
        for p in params:
            p.grad = vg.ones(size, dtype=np.float64)
        optimizer.step()
        tracemalloc.start()
        optimizer.step()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < 100_000, (name, peak)


def test_named_parameters_are_kept_as_in_torch():
    arrays = initial_arrays(np.float64)
    ours = vg.optim.Adam([(f"p{i}", vg.tensor(a, requires_grad=True))
                          for i, a in enumerate(arrays)])
    theirs = torch.optim.Adam([(f"p{i}", torch.tensor(a, requires_grad=True))
                               for i, a in enumerate(arrays)])
    assert ours.state_dict()["param_groups"][0]["param_names"] == \
        theirs.state_dict()["param_groups"][0]["param_names"] == ["p0", "p1", "p2"]
    with pytest.raises(ValueError, match="names"):
        vg.optim.SGD([("a", vg.zeros(2, requires_grad=True)), vg.zeros(2, requires_grad=True)])
