"""Every scheduler's learning-rate (and momentum) sequence against
torch.optim.lr_scheduler, state-dict round trips, and the course's schedule values
(FEATURES C2.19-C2.23, §4.5)."""
import math

import numpy as np
import pytest

import visiongrad as vg
from visiongrad.optim import lr_scheduler as vg_lrs

torch = pytest.importorskip("torch")
torch_lrs = torch.optim.lr_scheduler

STEPS = 40
LRS = (0.1, 0.02)


def sgd(optim, params):
    return optim.SGD([{"params": params[:1]}, {"params": params[1:], "lr": LRS[1]}],
                     lr=LRS[0], momentum=0.9)


def adam(optim, params):
    return optim.Adam([{"params": params[:1]}, {"params": params[1:], "lr": LRS[1]}],
                      lr=LRS[0], betas=(0.9, 0.99))


# name -> (optimizer builder, scheduler builder taking the lr_scheduler module)
SCHEDULERS = {
    "LambdaLR": (sgd, lambda m, o: m.LambdaLR(o, lambda e: 0.95 ** e)),
    "LambdaLR-per-group": (sgd, lambda m, o: m.LambdaLR(
        o, [lambda e: 1 / (e + 1), lambda e: max(0.0, 1 - e / 30)])),
    "MultiplicativeLR": (sgd, lambda m, o: m.MultiplicativeLR(o, lambda e: 0.9 if e < 20 else 1.1)),
    "StepLR": (sgd, lambda m, o: m.StepLR(o, step_size=7, gamma=0.5)),
    "MultiStepLR": (sgd, lambda m, o: m.MultiStepLR(o, [5, 12, 12, 20], gamma=0.3)),
    "ConstantLR": (sgd, lambda m, o: m.ConstantLR(o, factor=0.25, total_iters=6)),
    "LinearLR-warmup": (sgd, lambda m, o: m.LinearLR(o, 0.2, 0.9, total_iters=10)),
    "LinearLR-decay": (sgd, lambda m, o: m.LinearLR(o, 1.0, 0.0, total_iters=30)),
    "ExponentialLR": (sgd, lambda m, o: m.ExponentialLR(o, gamma=0.9)),
    "PolynomialLR": (sgd, lambda m, o: m.PolynomialLR(o, total_iters=20, power=2.0)),
    "CosineAnnealingLR-past-T": (sgd, lambda m, o: m.CosineAnnealingLR(o, T_max=10, eta_min=1e-3)),
    "CosineAnnealingLR": (sgd, lambda m, o: m.CosineAnnealingLR(o, T_max=30)),
    "SequentialLR-warmup-multistep": (sgd, lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, 0.1, 1.0, total_iters=5), m.MultiStepLR(o, [10, 20], 0.1)],
        milestones=[5])),
    "SequentialLR-warmup-cosine": (sgd, lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, 0.1, 1.0, total_iters=5), m.CosineAnnealingLR(o, T_max=25)],
        milestones=[5])),
    "SequentialLR-three": (sgd, lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o, 0.5, total_iters=3), m.ExponentialLR(o, 0.9), m.StepLR(o, 4)],
        milestones=[3, 10])),
    "ChainedScheduler": (sgd, lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, 0.1, total_iters=4), m.ExponentialLR(o, 0.9)])),
    "OneCycleLR-momentum": (sgd, lambda m, o: m.OneCycleLR(o, max_lr=[1.0, 0.5],
                                                           total_steps=STEPS)),
    "OneCycleLR-linear-three-phase": (sgd, lambda m, o: m.OneCycleLR(
        o, max_lr=0.3, total_steps=STEPS, anneal_strategy="linear", three_phase=True,
        base_momentum=0.8, max_momentum=0.9)),
    "OneCycleLR-adam-betas": (adam, lambda m, o: m.OneCycleLR(o, max_lr=0.01, epochs=4,
                                                              steps_per_epoch=10,
                                                              pct_start=0.25)),
    "OneCycleLR-no-momentum": (adam, lambda m, o: m.OneCycleLR(
        o, max_lr=0.01, total_steps=STEPS, cycle_momentum=False, div_factor=10.0)),
}


def build(framework, name):
    make_optimizer, make_scheduler = SCHEDULERS[name]
    if framework == "torch":
        params = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
        optimizer = make_optimizer(torch.optim, params)
        return optimizer, make_scheduler(torch_lrs, optimizer)
    params = [vg.zeros(2, requires_grad=True), vg.zeros(3, requires_grad=True)]
    optimizer = make_optimizer(vg.optim, params)
    return optimizer, make_scheduler(vg_lrs, optimizer)


def snapshot(optimizer, scheduler):
    groups = [(g["lr"], g.get("momentum"), g.get("betas")) for g in optimizer.param_groups]
    return list(scheduler.get_last_lr()), groups


def trajectory(optimizer, scheduler, steps):
    values = [snapshot(optimizer, scheduler)]
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        values.append(snapshot(optimizer, scheduler))
    return values


@pytest.mark.parametrize("name", SCHEDULERS)
def test_sequence_equals_torch(name):
    ours = trajectory(*build("visiongrad", name), STEPS)
    theirs = trajectory(*build("torch", name), STEPS)
    assert ours == theirs
    assert len({lrs[0] for lrs, _ in ours}) > 1  # the schedule does change the lr


def torch_keys(state):
    # torch's re-entrancy flag for its get_lr warning is not state
    keys = set(state) - {"_get_lr_called_within_step"}
    return keys


@pytest.mark.parametrize("name", SCHEDULERS)
def test_state_dict_keys_equal_torch(name):
    ours = build("visiongrad", name)[1].state_dict()
    theirs = build("torch", name)[1].state_dict()
    assert set(ours) == torch_keys(theirs)
    for child, torch_child in zip(ours.get("_schedulers", []), theirs.get("_schedulers", [])):
        assert set(child) == torch_keys(torch_child)


@pytest.mark.parametrize("name", SCHEDULERS)
def test_checkpoint_round_trip_resumes_identically(name, tmp_path):
    optimizer, scheduler = build("visiongrad", name)
    trajectory(optimizer, scheduler, 12)
    path = tmp_path / "checkpoint.safetensors"
    vg.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}, path)
    expected = trajectory(optimizer, scheduler, STEPS - 12)

    # PyTorch's order: build the scheduler, then load the optimizer, then the scheduler
    optimizer, scheduler = build("visiongrad", name)
    checkpoint = vg.load(path)
    optimizer.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    assert trajectory(optimizer, scheduler, STEPS - 12) == expected


PLATEAU = {
    "min-rel": {"patience": 2},
    "min-abs-cooldown": {"threshold": 0.05, "threshold_mode": "abs", "cooldown": 2,
                         "patience": 1, "factor": 0.5},
    "max-rel-min-lr": {"mode": "max", "patience": 0, "factor": 0.5, "min_lr": [0.01, 0.015]},
    "max-abs-eps": {"mode": "max", "threshold_mode": "abs", "patience": 1, "factor": 0.9,
                    "eps": 0.005},
}
METRICS = [1.0, 0.9, 0.9, 0.95, 0.89, 0.9, 0.9, 0.9, 0.9, 0.5, 0.5, 0.5, 0.49, 0.6, 0.6,
           0.6, 0.3, 0.3, 0.3, 0.3, 0.31, 0.32, 0.2, 0.2, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1,
           0.1, 0.1, 0.5, 0.5, 0.5]


@pytest.mark.parametrize("config", PLATEAU)
def test_reduce_lr_on_plateau_equals_torch(config, tmp_path):
    def run(optim, lrs, metrics, optimizer=None, scheduler=None):
        if optimizer is None:
            params = ([torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
                      if optim is torch.optim else
                      [vg.zeros(2, requires_grad=True), vg.zeros(3, requires_grad=True)])
            optimizer = sgd(optim, params)
            scheduler = lrs.ReduceLROnPlateau(optimizer, **PLATEAU[config])
        values = []
        for metric in metrics:
            optimizer.step()
            scheduler.step(metric)
            values.append((list(scheduler.get_last_lr()), scheduler.num_bad_epochs,
                           scheduler.cooldown_counter, scheduler.best))
        return values, optimizer, scheduler

    ours, optimizer, scheduler = run(vg.optim, vg_lrs, METRICS[:15])
    theirs, *_ = run(torch.optim, torch_lrs, METRICS)
    path = tmp_path / "plateau.safetensors"
    vg.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}, path)
    rest, *_ = run(vg.optim, vg_lrs, METRICS[15:], optimizer, scheduler)

    params = [vg.zeros(2, requires_grad=True), vg.zeros(3, requires_grad=True)]
    optimizer = sgd(vg.optim, params)
    scheduler = vg_lrs.ReduceLROnPlateau(optimizer, **PLATEAU[config])
    checkpoint = vg.load(path)
    optimizer.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    resumed, *_ = run(vg.optim, vg_lrs, METRICS[15:], optimizer, scheduler)

    assert ours + rest == theirs
    assert resumed == rest
    assert len({lrs[0] for lrs, *_ in theirs}) > 1


def test_reduce_lr_on_plateau_state_dict_keys_equal_torch():
    ours = vg_lrs.ReduceLROnPlateau(sgd(vg.optim, [vg.zeros(2, requires_grad=True),
                                                   vg.zeros(3, requires_grad=True)]))
    theirs = torch_lrs.ReduceLROnPlateau(sgd(torch.optim, [torch.zeros(2, requires_grad=True),
                                                           torch.zeros(3, requires_grad=True)]))
    assert set(ours.state_dict()) == torch_keys(theirs.state_dict())


def lr_sequence(scheduler, optimizer, steps):
    return [optimizer.param_groups[0]["lr"]] + [
        (optimizer.step(), scheduler.step(), optimizer.param_groups[0]["lr"])[2]
        for _ in range(steps)]


def single_group_sgd(lr=0.1):
    return vg.optim.SGD([vg.zeros(2, requires_grad=True)], lr=lr)


def test_step_schedule_at_epoch_95():
    # C2.19 / §4.5: ×0.1 at epochs 30, 60, 90
    optimizer = single_group_sgd()
    lrs = lr_sequence(vg_lrs.MultiStepLR(optimizer, [30, 60, 90], 0.1), optimizer, 100)
    assert lrs[29] == 0.1 and lrs[30] == pytest.approx(0.01, rel=1e-12)
    assert lrs[95] == pytest.approx(0.1 * 1e-3, rel=1e-12)


def test_cosine_matches_the_closed_form_and_halves_at_T_over_2():
    # C2.20 / §4.5: α_t = ½α0(1 + cos(πt/T)); α0/2 at t = T/2
    T, alpha0 = 100, 0.1
    optimizer = single_group_sgd(alpha0)
    lrs = np.array(lr_sequence(vg_lrs.CosineAnnealingLR(optimizer, T_max=T), optimizer, T))
    t = np.arange(T + 1)
    np.testing.assert_allclose(lrs, 0.5 * alpha0 * (1 + np.cos(np.pi * t / T)), rtol=1e-9,
                               atol=1e-15)
    assert lrs[T // 2] == pytest.approx(alpha0 / 2, rel=1e-12)


def test_linear_decay():
    # C2.21: α_t = α0(1 − t/T)
    T, alpha0 = 30, 0.1
    optimizer = single_group_sgd(alpha0)
    lrs = lr_sequence(vg_lrs.LinearLR(optimizer, 1.0, 0.0, total_iters=T), optimizer, T)
    np.testing.assert_allclose(lrs, alpha0 * (1 - np.arange(T + 1) / T), rtol=1e-12, atol=1e-15)


def test_inverse_sqrt():
    # C2.22: α_t = α0/√t; with warm-up, linear from 0 to α0 at step k, then α0·√(k/t)
    alpha0, k = 0.1, 8
    optimizer = single_group_sgd(alpha0)
    lrs = lr_sequence(vg_lrs.InverseSqrtLR(optimizer), optimizer, 50)
    t = np.arange(1, 51)
    assert lrs[0] == alpha0
    np.testing.assert_allclose(lrs[1:], alpha0 / np.sqrt(t), rtol=1e-14)

    optimizer = single_group_sgd(alpha0)
    lrs = np.array(lr_sequence(vg_lrs.InverseSqrtLR(optimizer, warmup_steps=k), optimizer, 50))
    np.testing.assert_allclose(lrs[:k + 1], alpha0 * np.arange(k + 1) / k, rtol=1e-14)
    assert lrs[k] == alpha0
    np.testing.assert_allclose(lrs[k:], alpha0 * np.sqrt(k / np.arange(k, 51)), rtol=1e-14)


@pytest.mark.parametrize("decay", ["step", "multistep", "cosine", "linear"])
def test_warmup_reaches_the_base_lr_at_step_k_then_decays(decay):
    # C2.23: linear warm-up over k steps composed with each decay schedule
    alpha0, k, T = 0.4, 5, 40
    optimizer = single_group_sgd(alpha0)
    warmup = vg_lrs.LinearLR(optimizer, start_factor=1 / k, total_iters=k)
    after = {"step": lambda: vg_lrs.StepLR(optimizer, 10),
             "multistep": lambda: vg_lrs.MultiStepLR(optimizer, [10, 20]),
             "cosine": lambda: vg_lrs.CosineAnnealingLR(optimizer, T_max=T - k),
             "linear": lambda: vg_lrs.LinearLR(optimizer, 1.0, 0.0, total_iters=T - k)}[decay]()
    lrs = lr_sequence(vg_lrs.SequentialLR(optimizer, [warmup, after], milestones=[k]),
                      optimizer, T)
    np.testing.assert_allclose(lrs[:k], alpha0 * (1 / k + (1 - 1 / k) * np.arange(k) / k),
                               rtol=1e-12)
    assert lrs[k] == pytest.approx(alpha0, rel=1e-12)
    assert all(b <= a for a, b in zip(lrs[k:], lrs[k + 1:]))
    assert lrs[-1] < alpha0 / 5


def test_warmup_from_zero_with_lambda():
    alpha0, k = 0.4, 4
    optimizer = single_group_sgd(alpha0)
    lrs = lr_sequence(vg_lrs.LambdaLR(optimizer, lambda t: min(1.0, t / k)), optimizer, 6)
    np.testing.assert_allclose(lrs, [0, 0.1, 0.2, 0.3, 0.4, 0.4, 0.4], rtol=1e-12)


def test_linear_scaling_rule():
    assert vg.optim.scale_lr(0.1, 256) == 0.1
    assert vg.optim.scale_lr(0.1, 512) == pytest.approx(0.2)
    assert vg.optim.scale_lr(0.1, 8192) == pytest.approx(3.2)
    assert vg.optim.scale_lr(0.05, 64, base_batch_size=32) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="Invalid batch_size value: 0"):
        vg.optim.scale_lr(0.1, 0)
    with pytest.raises(ValueError, match="Invalid learning rate: -0.1"):
        vg.optim.scale_lr(-0.1, 256)


def test_initial_lr_and_resuming_with_last_epoch():
    optimizer = single_group_sgd(0.1)
    vg_lrs.StepLR(optimizer, 3)
    assert optimizer.param_groups[0]["initial_lr"] == 0.1
    with pytest.raises(KeyError, match="initial_lr"):
        vg_lrs.StepLR(single_group_sgd(), 3, last_epoch=4)
    # resuming keeps the optimizer's current lr and continues from last_epoch
    optimizer.param_groups[0]["lr"] = 0.01
    scheduler = vg_lrs.StepLR(optimizer, 3, gamma=0.5, last_epoch=4)
    assert scheduler.get_last_lr() == [0.01]
    assert lr_sequence(scheduler, optimizer, 2)[1:] == [0.005, 0.005]


BAD_SCHEDULERS = [
    (lambda o: vg_lrs.ConstantLR(o, factor=1.5), ValueError, "factor=1.5"),
    (lambda o: vg_lrs.LinearLR(o, start_factor=0), ValueError, "start_factor=0"),
    (lambda o: vg_lrs.LinearLR(o, end_factor=2.0), ValueError, "end_factor=2.0"),
    (lambda o: vg_lrs.ReduceLROnPlateau(o, factor=1.0), ValueError, "factor=1.0"),
    (lambda o: vg_lrs.ReduceLROnPlateau(o, mode="avg"), ValueError, "mode avg is unknown"),
    (lambda o: vg_lrs.ReduceLROnPlateau(o, threshold_mode="pct"), ValueError, "pct"),
    (lambda o: vg_lrs.ReduceLROnPlateau(o, min_lr=[0, 0]), ValueError, "expected 1 min_lrs"),
    (lambda o: vg_lrs.OneCycleLR(o, max_lr=1.0), ValueError, "total_steps OR"),
    (lambda o: vg_lrs.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=1.5), ValueError,
     "pct_start, but got 1.5"),
    (lambda o: vg_lrs.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="exp"),
     ValueError, "instead got exp"),
    (lambda o: vg_lrs.OneCycleLR(o, max_lr=[1.0, 2.0], total_steps=10), ValueError,
     "max_lr has 2 values"),
    (lambda o: vg_lrs.LambdaLR(o, [lambda e: 1.0, lambda e: 1.0]), ValueError,
     "Expected 1 lr_lambdas"),
    (lambda o: vg_lrs.MultiplicativeLR(o, [0.9]), TypeError, "should be a function"),
    (lambda o: vg_lrs.SequentialLR(o, [vg_lrs.StepLR(o, 2)], milestones=[3]), ValueError,
     "number of milestones"),
    (lambda o: vg_lrs.SequentialLR(o, [vg_lrs.ReduceLROnPlateau(o)], milestones=[]),
     ValueError, "ReduceLROnPlateau"),
    (lambda o: vg_lrs.ChainedScheduler([vg_lrs.StepLR(o, 2), vg_lrs.StepLR(single_group_sgd(), 2)]),
     ValueError, "same optimizer"),
    (lambda o: vg_lrs.InverseSqrtLR(o, warmup_steps=-1), ValueError, "warmup_steps value: -1"),
    (lambda o: vg_lrs.StepLR(object(), 2), TypeError, "is not an Optimizer"),
]


@pytest.mark.parametrize("make,error,message", BAD_SCHEDULERS)
def test_bad_scheduler_arguments_raise(make, error, message):
    with pytest.raises(error, match=message):
        make(single_group_sgd())


def test_one_cycle_refuses_to_step_past_total_steps():
    optimizer = single_group_sgd()
    scheduler = vg_lrs.OneCycleLR(optimizer, max_lr=1.0, total_steps=3)
    for _ in range(3):
        scheduler.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        scheduler.step()


def test_cosine_closed_form_is_torch_recursive_within_1e9():
    optimizer = single_group_sgd(0.3)
    scheduler = vg_lrs.CosineAnnealingLR(optimizer, T_max=57, eta_min=0.01)
    for t in range(1, 58):
        optimizer.step()
        scheduler.step()
        closed = 0.01 + 0.5 * (0.3 - 0.01) * (1 + math.cos(math.pi * t / 57))
        assert scheduler.get_last_lr()[0] == pytest.approx(closed, rel=1e-9, abs=1e-15)
