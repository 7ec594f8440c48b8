import json
import math

import numpy as np
import pytest

from visiongrad import nn
from visiongrad.train import TrainingDivergedError
from visiongrad.train.sanity import (check_initial_loss, diagnose_curves, find_lr,
                                     overfit_small_sample)
from visiongrad.train.search import (Choice, KFoldTrial, LogUniform, TrainTrial, build_model,
                                     choice, coarse_to_fine, cross_validate, edge_warnings,
                                     grid_search, log_uniform, narrow_space, nas_space,
                                     random_search, run_search, sequence, uniform)

TINY = {"name": "mlp", "hidden": [16]}


@pytest.fixture(scope="module")
def digits():
    """A small normalized slice of scikit-learn's digits: 400 train, 150 validation."""
    from visiongrad.cli.train import load_arrays

    x, y, _, _ = load_arrays("digits")
    x = ((x - x.mean()) / x.std()).reshape(len(x), -1)
    return x[:400], y[:400], x[400:550], y[400:550]


def _tiny_model():
    return build_model(TINY, (64,), 10)


def _without_timing(result):
    history = [{k: v for k, v in h.items() if k != "seconds"} for h in result["history"]]
    return {**{k: v for k, v in result.items() if k != "seconds"}, "history": history}


def _peaked_trial(config):
    """A stand-in for training: accuracy peaks at lr = 3e-3, and lr > 0.1 diverges."""
    if config["lr"] > 0.1:
        raise TrainingDivergedError("the loss became nan")
    return {"val_accuracy": 1.0 - (math.log10(config["lr"]) - math.log10(3e-3)) ** 2 / 16,
            "history": [{"epoch": e + 1} for e in range(config.get("epochs", 1))]}


# ---- search spaces and samplers ------------------------------------------------------------

def test_random_search_is_reproducible_and_json():
    space = {"lr": log_uniform(1e-4, 1e-1), "dropout": uniform(0.0, 0.5),
             "optimizer": choice(["sgd", "adam"]), "batch_size": 64}
    first, again = random_search(space, 20, seed=3), random_search(space, 20, seed=3)
    assert first == again
    assert first != random_search(space, 20, seed=4)
    assert json.loads(json.dumps(first)) == first
    for config in first:
        assert 1e-4 <= config["lr"] <= 1e-1 and 0.0 <= config["dropout"] <= 0.5
        assert config["optimizer"] in ("sgd", "adam") and config["batch_size"] == 64
    assert {c["optimizer"] for c in first} == {"sgd", "adam"}


def test_log_uniform_gives_every_decade_the_same_share():
    low, high, bins, n = 1e-5, 1e-1, 8, 20000
    samples = np.array([c["lr"] for c in random_search({"lr": log_uniform(low, high)}, n)])
    counts, _ = np.histogram(np.log10(samples), bins=bins, range=(-5, -1))
    assert counts.sum() == n
    np.testing.assert_allclose(counts, n / bins, rtol=0.06)
    # the same test rejects plain uniform sampling, which crowds the top decade
    flat = np.array([c["lr"] for c in random_search({"lr": uniform(low, high)}, n)])
    uniform_counts, _ = np.histogram(np.log10(flat), bins=bins, range=(-5, -1))
    assert uniform_counts[-2:].sum() > 0.85 * n


def test_ranges_reject_bad_bounds():
    with pytest.raises(ValueError, match=r"log_uniform: expected 0 < low < high, got low=0.0"):
        log_uniform(0, 1)
    with pytest.raises(ValueError, match="uniform: expected low < high"):
        uniform(1, 1)
    with pytest.raises(ValueError, match="n_trials should be a positive int, got 0"):
        random_search({"lr": log_uniform(1e-3, 1e-1)}, 0)
    with pytest.raises(TypeError, match="space should be a dict"):
        grid_search([1, 2])


def test_grid_search_enumerates_every_combination():
    space = {"lr": log_uniform(1e-3, 1e-1), "optimizer": choice(["sgd", "adam"]),
             "batch_size": 32}
    grid = grid_search(space, points=3)
    assert len(grid) == 6
    np.testing.assert_allclose([c["lr"] for c in grid], [1e-3, 1e-3, 1e-2, 1e-2, 1e-1, 1e-1])
    assert [c["optimizer"] for c in grid] == ["sgd", "adam"] * 3
    assert all(c["batch_size"] == 32 for c in grid)
    assert [c["width"] for c in grid_search({"width": uniform(0, 1)}, points=5)] == \
        [0.0, 0.25, 0.5, 0.75, 1.0]


def test_sequence_grid_lists_every_depth_and_width():
    grid = grid_search({"hidden": sequence(choice([1, 2]), choice([8, 16]))})
    assert [c["hidden"] for c in grid] == [[8], [16], [8, 8], [8, 16], [16, 8], [16, 16]]


def test_choice_of_spaces_samples_inside_the_picked_option():
    space = {"model": choice([{"name": "mlp", "hidden": sequence(choice([1, 2]),
                                                                 choice([8, 16]))},
                              "linear_classifier"])}
    models = [c["model"] for c in random_search(space, 50, seed=0)]
    specs = [m for m in models if isinstance(m, dict)]
    assert 0 < len(specs) < 50 and "linear_classifier" in models
    assert {len(m["hidden"]) for m in specs} == {1, 2}
    assert {w for m in specs for w in m["hidden"]} == {8, 16}


def test_nas_space_builds_models_of_sampled_depth_and_width():
    space = nas_space(depths=(1, 2, 3), widths=(8, 32), lr=log_uniform(1e-3, 1e-2))
    configs = random_search(space, 30, seed=1)
    depths = {len(c["model"]["hidden"]) for c in configs}
    assert depths == {1, 2, 3}
    for config in configs[:3]:
        model = build_model(config["model"], (64,), 10)
        widths = [m.out_features for m in model.modules() if isinstance(m, nn.Linear)]
        assert widths == config["model"]["hidden"] + [10]


def test_narrow_space_shrinks_ranges_around_the_best_configs():
    space = {"lr": log_uniform(1e-5, 1e-1), "dropout": uniform(0.0, 0.5),
             "optimizer": choice(["sgd", "adam", "rmsprop"]), "batch_size": 64,
             "model": {"name": "mlp", "hidden": sequence(choice([1, 2]), choice([8, 16]))}}
    best = [{"lr": 1e-3, "dropout": 0.1, "optimizer": "adam", "batch_size": 64,
             "model": {"name": "mlp", "hidden": [8]}},
            {"lr": 1e-2, "dropout": 0.2, "optimizer": "sgd", "batch_size": 64,
             "model": {"name": "mlp", "hidden": [8]}}]
    fine = narrow_space(space, best, margin=0.1)
    # log10 range is 4 decades: 0.4 decades of margin each side
    assert isinstance(fine["lr"], LogUniform)
    np.testing.assert_allclose([fine["lr"].low, fine["lr"].high], [10 ** -3.4, 10 ** -1.6])
    np.testing.assert_allclose([fine["dropout"].low, fine["dropout"].high], [0.05, 0.25])
    assert fine["optimizer"] == Choice(("adam", "sgd"))
    assert fine["batch_size"] == 64
    assert fine["model"] == {"name": "mlp", "hidden": [8]}
    edge = narrow_space(space, [dict(best[0], lr=1e-1, dropout=0.0)])
    assert edge["lr"].high == pytest.approx(1e-1) and edge["dropout"].low == 0.0


def test_edge_warnings_flag_best_values_at_the_end_of_a_range():
    space = {"lr": log_uniform(1e-4, 1e-1), "weight_decay": log_uniform(1e-6, 1e-2)}
    warnings = edge_warnings(space, {"lr": 0.08, "weight_decay": 1e-4})
    assert len(warnings) == 1 and "lr=0.08" in warnings[0] and "upper edge" in warnings[0]
    assert edge_warnings(space, {"lr": 3e-3, "weight_decay": 1e-4}) == []


# ---- running trials ------------------------------------------------------------------------

def test_process_backend_gives_the_serial_results(digits):
    trial = TrainTrial(*digits)
    configs = [dict(c, model=TINY, epochs=1)
               for c in random_search({"lr": log_uniform(1e-3, 3e-2)}, 3, seed=0)]
    serial = run_search(trial, configs, backend="serial", progress=False)
    process = run_search(trial, configs, backend="process", max_workers=2, progress=False)
    assert [r["trial"] for r in serial] == [r["trial"] for r in process]
    assert [_without_timing(r) for r in serial] == [_without_timing(r) for r in process]
    accuracies = [r["metrics"]["val_accuracy"] for r in serial]
    assert accuracies == sorted(accuracies, reverse=True)
    assert all(r["status"] == "ok" and len(r["history"]) == 1 for r in serial)


def test_ray_backend_gives_the_serial_results(digits):
    pytest.importorskip("ray")
    trial = TrainTrial(*digits)
    configs = [dict(model=TINY, epochs=1, lr=lr) for lr in (3e-3, 1e-2)]
    serial = run_search(trial, configs, backend="serial", progress=False)
    remote = run_search(trial, configs, backend="ray", max_workers=2, progress=False)
    assert [_without_timing(r) for r in serial] == [_without_timing(r) for r in remote]


def test_diverged_trials_are_recorded_and_ranked_last(digits):
    trial = TrainTrial(*digits)
    configs = [dict(model=TINY, optimizer="sgd", lr=lr, epochs=1) for lr in (1e6, 1e-2)]
    results = run_search(trial, configs, backend="serial", progress=False)
    assert [r["status"] for r in results] == ["ok", "diverged"]
    assert results[1]["trial"] == 0 and "the loss exploded" in results[1]["error"]
    assert results[1]["metrics"] == {} and results[0]["error"] is None
    # without the guard the loss stays finite (about 1e31) and the trial runs to the end
    unguarded = run_search(TrainTrial(*digits, divergence_factor=None), configs[:1],
                           backend="serial", progress=False)
    assert unguarded[0]["status"] == "ok" and unguarded[0]["metrics"]["train_loss"] > 1e6


def test_run_search_reports_misuse():
    configs = [{"lr": 1e-3}]
    with pytest.raises(ValueError, match="backend should be one of .* got 'gpu'"):
        run_search(_peaked_trial, configs, backend="gpu")
    with pytest.raises(KeyError, match="no metric 'val_loss'.*'val_accuracy'"):
        run_search(_peaked_trial, configs, backend="serial", objective="val_loss",
                   progress=False)
    with pytest.raises(TypeError, match="picklable trial_fn"):
        run_search(lambda config: {"val_accuracy": 1.0}, configs, progress=False)
    with pytest.raises(KeyError, match=r"unknown config keys \['learning_rate'\]"):
        run_search(TrainTrial(np.zeros((4, 2)), [0, 1, 0, 1], np.zeros((2, 2)), [0, 1]),
                   [{"learning_rate": 0.1}], backend="serial", progress=False)


def test_coarse_to_fine_narrows_then_trains_longer():
    space = {"lr": log_uniform(1e-5, 1.0)}
    seen = []
    outcome = coarse_to_fine(_peaked_trial, space, coarse_trials=12, coarse_epochs=2,
                             fine_trials=5, fine_epochs=6, top_k=3, seed=0,
                             backend="serial", progress=False, on_result=seen.append)
    coarse, fine = outcome["coarse"], outcome["fine"]
    assert len(coarse) == 12 and len(fine) == 5 and len(seen) == 17
    assert all(r["config"]["epochs"] == 2 for r in coarse)
    assert all(r["config"]["epochs"] == 6 and r["stage"] == "fine" for r in fine)
    assert any(r["status"] == "diverged" for r in coarse)
    narrowed = outcome["fine_space"]["lr"]
    top = [r["config"]["lr"] for r in coarse[:3]]
    assert narrowed.low <= min(top) and max(top) <= narrowed.high
    assert math.log10(narrowed.high / narrowed.low) < 0.6 * math.log10(1.0 / 1e-5)
    assert all(narrowed.low <= r["config"]["lr"] <= narrowed.high for r in fine)
    assert outcome["best"] is fine[0]
    assert outcome["best"]["metrics"]["val_accuracy"] >= coarse[0]["metrics"]["val_accuracy"]


def test_coarse_to_fine_without_fine_trials_keeps_the_coarse_best():
    outcome = coarse_to_fine(_peaked_trial, {"lr": log_uniform(1e-4, 1e-1)}, coarse_trials=3,
                             fine_trials=0, backend="serial", progress=False)
    assert outcome["fine"] == [] and outcome["best"] is outcome["coarse"][0]
    with pytest.raises(ValueError, match="should not set 'epochs'"):
        coarse_to_fine(_peaked_trial, {"lr": 1e-3, "epochs": 3})


def test_cross_validate_trains_on_every_fold(digits):
    x, y = np.concatenate(digits[0::2]), np.concatenate(digits[1::2])
    splitter = KFoldTrial(x, y, k=3, seed=0)
    held_out = np.sort(np.concatenate([val for _, val in splitter.folds]))
    np.testing.assert_array_equal(held_out, np.arange(len(y)))
    outcome = cross_validate({"model": TINY, "epochs": 1, "lr": 1e-2}, x, y, k=3,
                             backend="serial", progress=False)
    assert [r["trial"] for r in outcome["folds"]] == [0, 1, 2]
    assert outcome["mean"] == pytest.approx(np.mean(outcome["scores"]))
    assert len(set(outcome["scores"])) == 3 and min(outcome["scores"]) > 0.3  # chance: 0.1


# ---- sanity checks -------------------------------------------------------------------------

def test_initial_loss_is_near_ln_c_for_a_fresh_model(digits):
    model = _tiny_model()
    check = check_initial_loss(model, digits[0], digits[1])
    assert check.passed and check.value == pytest.approx(math.log(10), rel=0.1)
    assert str(check).startswith("PASS  initial loss") and model.training


def test_initial_loss_check_fails_for_large_initial_weights(digits):
    model = _tiny_model()
    last = [m for m in model.modules() if isinstance(m, nn.Linear)][-1]
    last.weight.data *= 50
    check = check_initial_loss(model, digits[0], digits[1])
    assert not check.passed and "too large" in check.message


def test_overfit_small_sample_passes_and_fails_with_zero_lr(digits):
    good = overfit_small_sample(_tiny_model, digits[0], digits[1], n=50, lr=1e-2)
    assert good.passed and good.value == 1.0 and len(good.details["losses"]) < 200
    frozen = overfit_small_sample(_tiny_model, digits[0], digits[1], n=50, lr=0.0, epochs=10)
    assert not frozen.passed and frozen.value < 1.0
    assert len(set(frozen.details["losses"])) == 1
    with pytest.raises(ValueError, match=r"n should be in \[1, 400\].*got n=1000"):
        overfit_small_sample(_tiny_model, digits[0], digits[1], n=1000)


def test_find_lr_picks_the_rate_that_drops_the_loss(digits):
    data = digits[:2]
    check = find_lr(_tiny_model, data, candidates=(10.0, 1e-2, 1e-6), iters=30)
    assert check.passed and check.value == 1e-2
    assert check.details["diverged"] == [10.0]
    assert check.details["drops"][1e-2] > check.details["drops"][1e-6]
    assert len(check.details["curves"][1e-2]) == 30
    stuck = find_lr(_tiny_model, data, candidates=(1e-7,), iters=10)
    assert not stuck.passed and "no candidate drops the loss" in stuck.message


def _history(train, val, train_loss=None, val_loss=None):
    records = [{"epoch": i + 1, "train_accuracy": t, "val_accuracy": v}
               for i, (t, v) in enumerate(zip(train, val))]
    for record, tl, vl in zip(records, train_loss or [], val_loss or []):
        record.update(train_loss=tl, val_loss=vl)
    return records


@pytest.mark.parametrize("history, verdict, advice", [
    (_history([0.7, 0.9, 0.99, 1.0], [0.7, 0.8, 0.82, 0.81]), "overfitting", "regularize"),
    (_history([0.4, 0.5, 0.6], [0.41, 0.52, 0.6]), "underfitting", "train longer"),
    (_history([0.9, 0.97, 0.99], [0.9, 0.96, 0.97]), "good fit", "still rising"),
    (_history([0.9, 0.97, 0.99], [0.9, 0.98, 0.97]), "good fit", "keep these settings"),
    (_history([0.9, 0.95, 0.97, 0.975], [0.9, 0.94, 0.95, 0.94],
              train_loss=[0.5, 0.2, 0.1, 0.05], val_loss=[0.5, 0.3, 0.35, 0.45]),
     "overfitting", "early stopping"),
])
def test_diagnose_curves_on_synthetic_curves(history, verdict, advice):
    diagnosis = diagnose_curves(history)
    assert diagnosis.verdict == verdict
    assert advice in diagnosis.advice


def test_diagnose_curves_needs_validation_accuracy():
    with pytest.raises(ValueError, match="needs 'val_accuracy'"):
        diagnose_curves([{"epoch": 1, "train_accuracy": 0.5}])
