"""Hyperparameter search, the course's recipe (chapter 4, steps 4-7): search-space
primitives, random and grid samplers, a runner that trains trials in parallel local
processes (or serially, or on a Ray cluster), coarse-to-fine search, k-fold
cross-validation of one config and a tiny random-search architecture search (NAS).

A search space is a dict from a name to a distribution (``log_uniform``, ``uniform``,
``choice``, ``sequence``), a constant, or a nested dict (a sub-space). A ``choice``
whose options are themselves spaces picks one and then samples inside it, which is how
one space says "an MLP of sampled depth and widths, or that CNN with a sampled block
type" (a conditional space, like hyperopt's ``hp.choice``). Sampled configs hold only
JSON types, so they go straight into a run folder.

A trial is ``trial_fn(config) -> dict of metrics`` (an optional ``"history"`` entry,
the list of per-epoch records, is kept apart from the metrics). ``TrainTrial`` is the
trial of ``visiongrad tune``: it trains a registry model with ``Trainer`` and reports
validation metrics.
"""
import copy
import itertools
import json
import math
import multiprocessing
import os
import pickle
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np

from .callbacks import Callback
from .trainer import TrainingDivergedError

BACKENDS = ("process", "serial", "ray")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad")
# Models that take flattened vectors and so need ``in_features`` (the rule of ``train``).
FLAT_INPUT_MODELS = ("mlp", "two_layer_net", "linear_classifier")


@dataclass(frozen=True)
class LogUniform:
    """A positive number whose logarithm is uniform in [log low, log high]: every decade
    gets the same share of samples, the right prior for learning rates and weight decay."""
    low: float
    high: float

    def __post_init__(self):
        if not 0 < self.low < self.high:
            raise ValueError(f"log_uniform: expected 0 < low < high, got low={self.low}, "
                             f"high={self.high}")

    def sample(self, rng):
        return float(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))

    def grid(self, points):
        return [float(v) for v in np.geomspace(self.low, self.high, points)]


@dataclass(frozen=True)
class Uniform:
    """A number uniform in [low, high] (dropout rates, momentum)."""
    low: float
    high: float

    def __post_init__(self):
        if not self.low < self.high:
            raise ValueError(f"uniform: expected low < high, got low={self.low}, "
                             f"high={self.high}")

    def sample(self, rng):
        return float(rng.uniform(self.low, self.high))

    def grid(self, points):
        return [float(v) for v in np.linspace(self.low, self.high, points)]


@dataclass(frozen=True)
class Choice:
    """One of ``options``, each equally likely; an option that is itself a space (a
    dict or a distribution) is sampled after being picked."""
    options: tuple

    def __post_init__(self):
        if len(self.options) == 0:
            raise ValueError("choice: expected at least one option, got none")

    def sample(self, rng):
        return _sample(self.options[int(rng.integers(len(self.options)))], rng)

    def grid(self, points):
        return [value for option in self.options for value in _grid(option, points)]


@dataclass(frozen=True)
class Sequence:
    """A list whose length is drawn from ``length`` (an int or a distribution of ints)
    and whose items are drawn independently from ``element``: the per-layer widths of
    a network of sampled depth."""
    length: object
    element: object

    def sample(self, rng):
        return [_sample(self.element, rng) for _ in range(int(_sample(self.length, rng)))]

    def grid(self, points):
        items = _grid(self.element, points)
        return [list(combination) for length in _grid(self.length, points)
                for combination in itertools.product(items, repeat=int(length))]


def log_uniform(low, high):
    """A positive number sampled uniformly on a log scale between ``low`` and ``high``."""
    return LogUniform(float(low), float(high))


def uniform(low, high):
    """A number sampled uniformly between ``low`` and ``high``."""
    return Uniform(float(low), float(high))


def choice(options):
    """One of ``options`` (constants or sub-spaces), uniformly."""
    return Choice(tuple(options))


def sequence(length, element):
    """A list of ``length`` items (an int or a distribution) drawn from ``element``."""
    return Sequence(length, element)


_DISTRIBUTIONS = (LogUniform, Uniform, Choice, Sequence)


def _native(value):
    """``value`` with NumPy scalars and tuples replaced by JSON types."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_native(v) for v in value]
    if isinstance(value, dict):
        return {k: _native(v) for k, v in value.items()}
    return value


def _sample(space, rng):
    if isinstance(space, _DISTRIBUTIONS):
        return space.sample(rng)
    if isinstance(space, dict):
        return {name: _sample(value, rng) for name, value in space.items()}
    return _native(space)


def _grid(space, points):
    if isinstance(space, _DISTRIBUTIONS):
        return space.grid(points)
    if isinstance(space, dict):
        names = list(space)
        return [dict(zip(names, values))
                for values in itertools.product(*(_grid(space[n], points) for n in names))]
    return [_native(space)]


def _check_space(space, owner):
    if not isinstance(space, dict):
        raise TypeError(f"{owner}: space should be a dict of names to distributions or "
                        f"constants, but got {type(space).__name__}")


def random_search(space, n_trials, seed=0):
    """``n_trials`` configs sampled from ``space``; the same seed gives the same list."""
    _check_space(space, "random_search")
    if isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 1:
        raise ValueError(f"random_search: n_trials should be a positive int, got {n_trials!r}")
    rng = np.random.Generator(np.random.PCG64(seed))
    return [_sample(space, rng) for _ in range(n_trials)]


def grid_search(space, points=3):
    """Every combination of ``points`` values per range (geometric for ``log_uniform``,
    evenly spaced for ``uniform``), every option of each ``choice`` and every list of
    each ``sequence``; the first key varies slowest."""
    _check_space(space, "grid_search")
    if isinstance(points, bool) or not isinstance(points, int) or points < 1:
        raise ValueError(f"grid_search: points should be a positive int, got {points!r}")
    return _grid(space, points)


def _key(value):
    return json.dumps(value, sort_keys=True)


def _distinct(values):
    seen = {}
    for value in values:
        seen.setdefault(_key(value), value)
    return list(seen.values())


def narrow_space(space, configs, margin=0.1):
    """The space of the fine search: each range shrunk to the smallest interval that
    holds the values of ``configs`` (the best coarse trials), widened by ``margin`` of
    the original range on each side (on a log scale for ``log_uniform``) and kept inside
    the original; each ``choice`` and ``sequence`` reduced to the values ``configs``
    used (a constant when they agree). Constants stay."""
    _check_space(space, "narrow_space")
    if not configs:
        raise ValueError("narrow_space: configs should hold at least one config, got none")
    return _narrow(space, configs, margin)


def _narrow(space, values, margin):
    if isinstance(space, dict):
        return {name: _narrow(sub, [v[name] for v in values], margin)
                for name, sub in space.items()}
    if isinstance(space, (LogUniform, Uniform)):
        scale = math.log10 if isinstance(space, LogUniform) else float
        low, high = scale(space.low), scale(space.high)
        pad = margin * (high - low)
        lowest = max(low, min(scale(v) for v in values) - pad)
        highest = min(high, max(scale(v) for v in values) + pad)
        if isinstance(space, LogUniform):
            return LogUniform(10 ** lowest, 10 ** highest)
        return Uniform(lowest, highest)
    if isinstance(space, (Choice, Sequence)):
        distinct = _distinct(values)
        return distinct[0] if len(distinct) == 1 else Choice(tuple(distinct))
    return space


def edge_warnings(space, config, margin=0.1):
    """Messages for each range of ``space`` whose value in ``config`` lies within
    ``margin`` of the range's ends: the best value may lie outside, widen the range
    (the course: look where the best results fall before refining)."""
    warnings = []
    for name, sub in space.items():
        if isinstance(sub, dict) and isinstance(config.get(name), dict):
            warnings += [f"{name}.{w}" for w in edge_warnings(sub, config[name], margin)]
        if not isinstance(sub, (LogUniform, Uniform)):
            continue
        scale = math.log10 if isinstance(sub, LogUniform) else float
        low, high, value = scale(sub.low), scale(sub.high), scale(config[name])
        for end, side in ((low, "lower"), (high, "upper")):
            if abs(value - end) <= margin * (high - low):
                warnings.append(f"{name}={config[name]:.3g} lies at the {side} edge of the "
                                f"searched range [{sub.low:.3g}, {sub.high:.3g}]; the best "
                                f"value may lie beyond it: widen the range")
    return warnings


def describe(value):
    """A short text for a config value or a space: ``mlp(hidden=[64, 32])`` for a model
    spec, ``0.00123`` for a float, ``log-uniform [0.0001, 0.1]`` for a range."""
    if isinstance(value, (LogUniform, Uniform)):
        kind = "log-uniform" if isinstance(value, LogUniform) else "uniform"
        return f"{kind} [{value.low:.3g}, {value.high:.3g}]"
    if isinstance(value, Choice):
        return "one of " + " | ".join(describe(option) for option in value.options)
    if isinstance(value, Sequence):
        return f"[{describe(value.element)}] x ({describe(value.length)})"
    if isinstance(value, dict) and "name" in value:
        arguments = ", ".join(f"{k}={describe(v)}" for k, v in value.items() if k != "name")
        return f"{value['name']}({arguments})"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _run_trial(trial_fn, index, config, seed, stage, threads):
    """Run one trial from a fresh global generator seeded with ``seed``, so its result
    depends only on its config and seed, not on the backend or on which worker ran it.
    A trial whose loss diverges is recorded as ``'diverged'``; other errors propagate."""
    from threadpoolctl import threadpool_limits

    from .. import _random

    caller_state = _random.get_rng_state()  # a serial search leaves the caller's as it was
    _random.manual_seed(seed)
    start = time.perf_counter()
    with threadpool_limits(limits=threads) if threads else nullcontext():
        try:
            # the trial gets its own copy: it may pop or fill in keys
            metrics = dict(trial_fn(copy.deepcopy(config)))
            status, error = "ok", None
        except TrainingDivergedError as diverged:
            metrics, status, error = {}, "diverged", str(diverged)
        finally:
            _random.set_rng_state(caller_state)
    history = metrics.pop("history", [])
    return {"stage": stage, "trial": index, "config": config, "metrics": metrics,
            "history": history, "seconds": time.perf_counter() - start, "status": status,
            "error": error}


# The trial function of a worker process, set once by its initializer so the data it
# holds crosses the process boundary once per worker rather than once per trial.
_worker_trial_fn = None


def _start_worker(trial_fn, threads):
    global _worker_trial_fn
    from threadpoolctl import threadpool_limits

    _worker_trial_fn = trial_fn
    # for the worker's lifetime: N workers with one BLAS thread each share N cores
    # instead of each starting a thread per core and thrashing (on the busy 2-core dev
    # machine a 64x64 by 64x128 GEMM took 3.6 ms with 2 OpenBLAS threads, 0.09 ms with 1)
    threadpool_limits(limits=threads)


def _run_in_worker(index, config, seed, stage):
    return _run_trial(_worker_trial_fn, index, config, seed, stage, threads=None)


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _sort_key(objective, mode):
    def key(result):
        value = result["metrics"].get(objective, math.nan)
        failed = result["status"] != "ok" or not math.isfinite(value)
        return (failed, 0.0 if failed else (-value if mode == "max" else value),
                result["trial"])
    return key


def run_search(trial_fn, configs, backend="process", max_workers=2, address=None,
               objective="val_accuracy", mode="max", seed=0, stage="search", progress=True,
               on_result=None):
    """Run ``trial_fn`` on every config and return the results, best first.

    Args:
        trial_fn: ``trial_fn(config) -> dict of metrics`` holding ``objective`` (and
            optionally ``"history"``). Raising ``TrainingDivergedError`` marks the trial
            ``'diverged'``; any other error stops the search. For ``'process'`` and
            ``'ray'`` it must be picklable: a top-level function or a callable object
            such as ``TrainTrial``.
        configs: the configs, e.g. from ``random_search`` or ``grid_search``.
        backend: ``'process'`` runs ``max_workers`` trials at a time in local worker
            processes (spawned: safe whatever threads the parent runs), each with BLAS
            pinned to ``cores // max_workers`` threads; ``'serial'`` runs them one by one
            in this process; ``'ray'`` runs them as Ray tasks (one CPU each) on the
            cluster at ``address``, or on a local instance with ``max_workers`` CPUs
            when ``address`` is None, shut down afterwards. An already initialized Ray
            is used as it is: initialize it once to share it between searches (starting
            a local instance takes 10-20 s). Ray is an optional extra: ``pip install ray``.
        objective, mode: the metric that ranks trials and whether larger (``'max'``) or
            smaller (``'min'``) is better; diverged trials come last.
        seed: every trial starts from the global generator seeded with it, so the
            backends give the same results for the same configs.
        stage: a label stored in each result and shown on the progress bar.
        on_result: called with each result as it arrives (in completion order).

    Returns a list of dicts: ``stage``, ``trial`` (index into ``configs``), ``config``,
    ``metrics``, ``history``, ``seconds``, ``status`` (``'ok'`` or ``'diverged'``) and
    ``error`` (the divergence message, else None).
    """
    if backend not in BACKENDS:
        raise ValueError(f"run_search: backend should be one of {BACKENDS}, got {backend!r}")
    if mode not in ("max", "min"):
        raise ValueError(f"run_search: mode should be 'max' or 'min', got {mode!r}")
    if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
        raise ValueError(f"run_search: max_workers should be a positive int, "
                         f"got {max_workers!r}")
    configs = [_native(config) for config in configs]
    results = []
    if not configs:
        return results
    from tqdm.auto import tqdm

    bar = tqdm(total=len(configs), desc=stage, disable=not progress, dynamic_ncols=True)
    ranking = _sort_key(objective, mode)

    def collect(result):
        if result["status"] == "ok" and objective not in result["metrics"]:
            raise KeyError(f"run_search: trial {result['trial']} returned no metric "
                           f"{objective!r} (the objective); it returned "
                           f"{sorted(result['metrics'])}")
        results.append(result)
        best = min(results, key=ranking)
        if best["status"] == "ok":
            bar.set_postfix({objective: f"{best['metrics'][objective]:.4f}"})
        bar.update()
        if on_result is not None:
            on_result(result)

    try:
        if backend == "serial":
            for index, config in enumerate(configs):
                collect(_run_trial(trial_fn, index, config, seed, stage, threads=None))
        elif backend == "process":
            _run_processes(trial_fn, configs, seed, stage, max_workers, collect)
        else:
            _run_ray(trial_fn, configs, seed, stage, max_workers, address, collect)
    finally:
        bar.close()
    return sorted(results, key=ranking)


def _run_processes(trial_fn, configs, seed, stage, max_workers, collect):
    try:
        pickle.dumps(trial_fn)
    except Exception as error:
        raise TypeError(f"run_search: backend='process' needs a picklable trial_fn (a "
                        f"top-level function or a callable object such as TrainTrial), got "
                        f"{trial_fn!r}: {error}") from error
    workers = min(max_workers, len(configs))
    threads = max(1, _cores() // workers)
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(trial_fn, threads))
    try:
        futures = [pool.submit(_run_in_worker, index, config, seed, stage)
                   for index, config in enumerate(configs)]
        for future in as_completed(futures):
            collect(future.result())
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _run_ray(trial_fn, configs, seed, stage, max_workers, address, collect):
    try:
        import ray
    except ImportError as error:
        raise ImportError("run_search: backend='ray' needs Ray, an optional extra that is "
                          "not installed: pip install ray") from error
    started = not ray.is_initialized()
    if started:
        if address is None:
            ray.init(num_cpus=max_workers, include_dashboard=False)
        else:
            ray.init(address=address)
    try:
        remote = ray.remote(num_cpus=1)(_run_trial)
        trial_ref = ray.put(trial_fn)  # shipped to the object store once, not per trial
        pending = [remote.remote(trial_ref, index, config, seed, stage, 1)
                   for index, config in enumerate(configs)]
        try:
            while pending:
                done, pending = ray.wait(pending, num_returns=1)
                collect(ray.get(done[0]))
        except BaseException:
            for ref in pending:  # a cluster that outlives this search drops the rest
                ray.cancel(ref)
            raise
    finally:
        if started:
            ray.shutdown()


def make_optimizer(name, parameters, lr, weight_decay=None, momentum=0.9):
    """An optimizer by name: ``'sgd'``, ``'momentum'`` / ``'nesterov'`` (SGD with
    ``momentum``), ``'adam'``, ``'adamw'`` (decoupled weight decay), ``'rmsprop'`` or
    ``'adagrad'``. ``weight_decay=None`` keeps each optimizer's own default (PyTorch's:
    0, and 1e-2 for AdamW)."""
    from .. import optim

    decay = {} if weight_decay is None else {"weight_decay": weight_decay}
    if name == "sgd":
        return optim.SGD(parameters, lr=lr, **decay)
    if name in ("momentum", "nesterov"):
        return optim.SGD(parameters, lr=lr, momentum=momentum, nesterov=name == "nesterov",
                         **decay)
    classes = {"adam": optim.Adam, "adamw": optim.AdamW, "rmsprop": optim.RMSprop,
               "adagrad": optim.Adagrad}
    if name not in classes:
        raise ValueError(f"optimizer should be one of {OPTIMIZERS}, got {name!r}")
    return classes[name](parameters, lr=lr, **decay)


def build_model(spec, input_shape, num_classes):
    """A registry model from ``spec``: a name or ``{"name": ..., **builder kwargs}``.
    Flat-input models get ``in_features`` and image models ``in_channels`` (when not 3)
    from ``input_shape`` (one sample's shape), unless the spec sets them."""
    from ..vision import models

    if isinstance(spec, str):
        name, kwargs = spec, {}
    elif isinstance(spec, dict) and "name" in spec:
        name, kwargs = spec["name"], {k: v for k, v in spec.items() if k != "name"}
    else:
        raise ValueError(f"model should be a registry name or a dict with a 'name' key, "
                         f"got {spec!r}")
    if name in FLAT_INPUT_MODELS:
        kwargs.setdefault("in_features", int(np.prod(input_shape)))
    elif len(input_shape) == 3 and input_shape[0] != 3:
        kwargs.setdefault("in_channels", int(input_shape[0]))
    return models.get(name, num_classes=num_classes, **kwargs)


class _DivergenceGuard(Callback):
    """Stop a trial as soon as a batch loss exceeds ``factor`` times the first one:
    the learning rate is too large, and finishing the epochs would only waste the
    search's time (CS231n's early break at 3x the initial cost). The Trainer alone
    stops only at NaN or infinity, which an exploding loss can take long to reach."""

    def __init__(self, factor):
        self.factor, self.first = factor, None

    def on_batch_end(self, trainer, step, logs):
        if self.first is None:
            self.first = logs["loss"]
        elif logs["loss"] > self.factor * self.first:
            raise TrainingDivergedError(
                f"the loss exploded to {logs['loss']:.4g}, over {self.factor:g} times its "
                f"first value {self.first:.4g}, at epoch {trainer.epoch + 1}, step {step} "
                f"(lr={trainer.optimizer.param_groups[0]['lr']:.3g})")


class TrainTrial:
    """Train a registry model on fixed arrays with ``Trainer`` and report its
    validation metrics: the trial of ``visiongrad tune``. Picklable, so it runs in
    worker processes and on Ray.

    Args:
        x_train, x_val: (N, ...) float inputs, already normalized.
        y_train, y_val: (N,) int64 labels.
        num_classes: defaults to ``max label + 1`` over both sets.
        divergence_factor: a batch loss above this multiple of the first one ends the
            trial as diverged (None: only a NaN or infinite loss does).

    Config keys (missing ones take ``DEFAULTS``; unknown ones are an error). The
    learning rate stays constant: the course refines without LR decay.

    Returns ``train_loss``, ``train_accuracy``, ``val_loss``, ``val_accuracy`` (last
    epoch), ``best_val_accuracy``, ``best_epoch``, ``num_parameters`` and ``history``.
    """

    DEFAULTS = {
        "model": "mlp",        # a registry name, or {"name": ..., **builder kwargs}
        "optimizer": "adam",   # one of OPTIMIZERS
        "lr": 1e-3,
        "weight_decay": 0.0,   # L2 inside the optimizer (decoupled for adamw)
        "momentum": 0.9,       # used by the 'momentum' optimizer only
        "epochs": 3,
        "batch_size": 64,
    }

    def __init__(self, x_train, y_train, x_val, y_val, num_classes=None,
                 divergence_factor=3.0):
        self.x_train, self.y_train = np.asarray(x_train), np.asarray(y_train)
        self.x_val, self.y_val = np.asarray(x_val), np.asarray(y_val)
        if len(self.x_train) != len(self.y_train) or len(self.x_val) != len(self.y_val):
            raise ValueError(f"TrainTrial: inputs and labels differ in length: train "
                             f"{len(self.x_train)} vs {len(self.y_train)}, val "
                             f"{len(self.x_val)} vs {len(self.y_val)}")
        self.num_classes = num_classes or int(max(self.y_train.max(), self.y_val.max())) + 1
        self.divergence_factor = divergence_factor

    def __call__(self, config):
        import visiongrad as vg
        from ..utils.data import DataLoader, TensorDataset
        from .trainer import Trainer

        unknown = sorted(set(config) - set(self.DEFAULTS))
        if unknown:
            raise KeyError(f"TrainTrial: unknown config keys {unknown}; known keys: "
                           f"{sorted(self.DEFAULTS)}")
        config = {**self.DEFAULTS, **config}
        model = build_model(config["model"], self.x_train.shape[1:], self.num_classes)
        optimizer = make_optimizer(config["optimizer"], model.parameters(), config["lr"],
                                   config["weight_decay"], config["momentum"])

        def loader(x, y, shuffle):
            return DataLoader(TensorDataset(vg.from_numpy(x), vg.from_numpy(y)),
                              batch_size=int(config["batch_size"]), shuffle=shuffle)

        guards = [] if self.divergence_factor is None else \
            [_DivergenceGuard(self.divergence_factor)]
        trainer = Trainer(model, optimizer, callbacks=guards, progress=False)
        history = trainer.fit(loader(self.x_train, self.y_train, True),
                              loader(self.x_val, self.y_val, False),
                              epochs=int(config["epochs"]))
        last = history[-1]
        best = max(history, key=lambda h: h["val_accuracy"])
        return {"train_loss": last["train_loss"], "train_accuracy": last["train_accuracy"],
                "val_loss": last["val_loss"], "val_accuracy": last["val_accuracy"],
                "best_val_accuracy": best["val_accuracy"], "best_epoch": best["epoch"],
                "num_parameters": sum(p.numel() for p in model.parameters()),
                "history": history}


class KFoldTrial:
    """A ``TrainTrial`` on one fold of stratified k-fold cross-validation: the config's
    ``"fold"`` entry picks the held-out fold, the other folds train."""

    def __init__(self, x, y, k=5, seed=0):
        from ..utils.data import stratified_kfold_indices

        self.x, self.y = np.asarray(x), np.asarray(y)
        self.k = k
        self.folds = list(stratified_kfold_indices(self.y, k, shuffle=True, seed=seed))
        self.num_classes = int(self.y.max()) + 1

    def __call__(self, config):
        config = dict(config)
        fold = config.pop("fold")
        if not 0 <= fold < self.k:
            raise ValueError(f"KFoldTrial: fold should be in [0, {self.k}), got {fold}")
        train_idx, val_idx = self.folds[fold]
        trial = TrainTrial(self.x[train_idx], self.y[train_idx], self.x[val_idx],
                           self.y[val_idx], self.num_classes)
        return trial(config)


def cross_validate(config, x, y, k=5, seed=0, objective="val_accuracy", **run_options):
    """Train ``config`` (``TrainTrial``'s keys) k times, each time validating on another
    of k stratified folds of ``(x, y)``, as trials of ``run_search`` (``run_options``:
    backend, max_workers, ...). Returns ``{'config', 'k', 'scores' (the objective per
    fold, NaN where a fold diverged), 'mean', 'std', 'folds' (the fold results)}``."""
    folds = run_search(KFoldTrial(x, y, k, seed), [dict(config, fold=i) for i in range(k)],
                       objective=objective, seed=seed, stage=f"{k}-fold", **run_options)
    folds.sort(key=lambda result: result["trial"])
    scores = [r["metrics"].get(objective, math.nan) for r in folds]
    return {"config": config, "k": k, "scores": scores, "mean": float(np.mean(scores)),
            "std": float(np.std(scores)), "folds": folds}


def coarse_to_fine(trial_fn, space, coarse_trials=8, coarse_epochs=3, fine_trials=4,
                   fine_epochs=8, top_k=3, margin=0.1, seed=0, objective="val_accuracy",
                   mode="max", **run_options):
    """The course's steps 4-5: a coarse random search of short trials
    (``coarse_epochs``, 1-5 in the notes), then a fine random search of longer ones in
    the space narrowed around the ``top_k`` best coarse trials (``narrow_space``).
    Every config gets an ``"epochs"`` entry; ``run_options`` go to ``run_search``.
    ``fine_trials=0`` stops after the coarse search.

    Returns ``{'coarse', 'fine'`` (results, best first), ``'fine_space'``, ``'best'``
    (the best fine trial; the best coarse one when there is no fine trial that did not
    diverge; None when every trial diverged) and ``'warnings'`` (``edge_warnings`` of
    the best coarse trial)``}``.
    """
    _check_space(space, "coarse_to_fine")
    if "epochs" in space:
        raise ValueError("coarse_to_fine: the space should not set 'epochs'; coarse_epochs "
                         "and fine_epochs set it")
    if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1:
        raise ValueError(f"coarse_to_fine: top_k should be a positive int, got {top_k!r}")
    coarse_configs = [dict(c, epochs=coarse_epochs)
                      for c in random_search(space, coarse_trials, seed)]
    coarse = run_search(trial_fn, coarse_configs, objective=objective, mode=mode, seed=seed,
                        stage="coarse", **run_options)
    good = [r for r in coarse if r["status"] == "ok"]
    outcome = {"coarse": coarse, "fine": [], "fine_space": None,
               "best": good[0] if good else None,
               "warnings": [f"best coarse trial: {warning}" for warning in
                            edge_warnings(space, good[0]["config"], margin)] if good else []}
    if not good or fine_trials == 0:
        return outcome
    fine_space = narrow_space(space, [r["config"] for r in good[:top_k]], margin)
    # another sampler seed, so the fine configs do not repeat the coarse draws' pattern
    fine_configs = [dict(c, epochs=fine_epochs)
                    for c in random_search(fine_space, fine_trials, seed + 1)]
    fine = run_search(trial_fn, fine_configs, objective=objective, mode=mode, seed=seed,
                      stage="fine", **run_options)
    outcome.update(fine=fine, fine_space=fine_space)
    outcome["best"] = next((r for r in fine + good if r["status"] == "ok"), None)
    return outcome


def nas_space(depths=(1, 2, 3), widths=(32, 64, 128, 256), architectures=(),
              **hyperparameters):
    """A tiny random-search NAS space (the course's NAS example with a random
    controller): ``"model"`` is an MLP with a sampled depth and an independently
    sampled width per hidden layer, or one of ``architectures``, further model specs
    whose values may be distributions, e.g. a registry CNN with a sampled block type
    ``{"name": "resnet_tiny", "block": choice(["basic", "bottleneck"])}``. The keyword
    arguments (``lr=log_uniform(...)``, ...) join the space as they are."""
    mlp = {"name": "mlp", "hidden": sequence(choice(depths), choice(widths))}
    return {"model": choice([mlp, *architectures]), **hyperparameters}
