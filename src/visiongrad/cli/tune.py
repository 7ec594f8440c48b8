"""``visiongrad tune``: the course's hyperparameter recipe in one command. Sanity checks
first (initial loss near ln C, overfit 50 samples, a learning rate that makes the loss
drop), then a coarse random search of short trials over learning rate and weight decay
(log-uniform; with --nas also over the network's depth and widths), a fine search of
longer trials around the best ones, optional k-fold cross-validation of the winner and
a reading of its learning curves. Tunes on a validation split of the training set; the
test set is left untouched for the final evaluation (``visiongrad train``).

Writes a run folder: config.json, trials.jsonl, results.md, search.png, lr_finder.png,
best_curves.png."""
import argparse
import contextlib
import functools
import math
import sys

import numpy as np

from .run_dir import RunDir

def register(subparsers):
    from ..train.search import BACKENDS, OPTIMIZERS

    p = subparsers.add_parser(
        "tune", help="hyperparameter search: sanity checks, coarse then fine random search",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", default="digits", choices=("digits", "mnist"),
                   help="dataset (mnist without --data-root = embedded 5,000-image subset); "
                        "default: %(default)s")
    p.add_argument("--data-root", default=None, help="folder with the official MNIST files")
    p.add_argument("--model", default="mlp", help="model name from the registry (ignored "
                   "with --nas); default: %(default)s")
    p.add_argument("--optimizer", default="adam", choices=OPTIMIZERS,
                   help="default: %(default)s")
    p.add_argument("--batch-size", type=int, default=64,
                   help="default: %(default)s")
    p.add_argument("--trials", type=int, default=8, help="coarse trials; default: %(default)s")
    p.add_argument("--epochs", type=int, default=3,
                   help="epochs per coarse trial (1-5 in the notes); default: %(default)s")
    p.add_argument("--fine-trials", type=int, default=4,
                   help="fine trials (0 skips the fine search); default: %(default)s")
    p.add_argument("--fine-epochs", type=int, default=8,
                   help="epochs per fine trial; default: %(default)s")
    p.add_argument("--top-k", type=int, default=3,
                   help="coarse trials the fine ranges are narrowed around; default: %(default)s")
    p.add_argument("--lr-range", type=float, nargs=2, default=(1e-4, 1e-1),
                   metavar=("LOW", "HIGH"), help="learning rates, log-uniform; default: 1e-4 1e-1")
    p.add_argument("--wd-range", type=float, nargs=2, default=(1e-6, 1e-2),
                   metavar=("LOW", "HIGH"), help="weight decay, log-uniform; default: 1e-6 1e-2")
    p.add_argument("--val-fraction", type=float, default=0.2,
                   help="fraction of the training split held out for validation; "
                        "default: %(default)s")
    p.add_argument("--backend", default="process", choices=BACKENDS,
                   help="where trials run: local processes, serially, or Ray (pip install "
                        "ray); default: %(default)s")
    p.add_argument("--address", default=None,
                   help="Ray cluster address for --backend ray (default: a local instance)")
    p.add_argument("--workers", type=int, default=2,
                   help="trials run at once (processes, or CPUs of a local Ray); "
                        "default: %(default)s")
    p.add_argument("--folds", type=int, default=0,
                   help="k-fold cross-validate the best config with k folds (0: off)")
    p.add_argument("--nas", action="store_true",
                   help="also search the architecture: MLP depth 1-3, widths 32-256 per layer")
    p.add_argument("--seed", type=int, default=0, help="default: %(default)s")
    p.add_argument("--out", default="runs", help="parent folder of the run folder")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    p.set_defaults(func=run)


def _check_args(args):
    for name in ("trials", "epochs", "fine_epochs", "batch_size", "workers", "top_k"):
        if getattr(args, name) < 1:
            raise SystemExit(f"tune: --{name.replace('_', '-')} must be >= 1, "
                             f"got {getattr(args, name)}")
    if args.fine_trials < 0:
        raise SystemExit(f"tune: --fine-trials must be >= 0, got {args.fine_trials}")
    for name in ("lr_range", "wd_range"):
        low, high = getattr(args, name)
        if not 0 < low < high:
            raise SystemExit(f"tune: --{name.replace('_', '-')} must be LOW HIGH with "
                             f"0 < LOW < HIGH, got {low:g} {high:g}")
    if args.folds == 1 or args.folds < 0:
        raise SystemExit(f"tune: --folds must be 0 (off) or >= 2, got {args.folds}")
    if not 0 < args.val_fraction < 1:
        raise SystemExit(f"tune: --val-fraction must be in (0, 1), got {args.val_fraction}")


def run(args):
    import visiongrad as vg
    from ..train import sanity
    from ..train.search import TrainTrial, build_model, describe, log_uniform, nas_space
    from ..utils.data.splits import stratified_split
    from .train import load_arrays

    _check_args(args)
    vg.manual_seed(args.seed)
    # only the training split: the test set is for the one final evaluation
    x, y, _, _ = load_arrays(args.dataset, args.data_root)
    mean, std = float(x.mean()), float(x.std())
    x = (x - mean) / std
    train_idx, val_idx = stratified_split(y, test_fraction=args.val_fraction, seed=args.seed)
    x_train, y_train, x_val, y_val = x[train_idx], y[train_idx], x[val_idx], y[val_idx]
    num_classes = int(y.max()) + 1
    model_spec = {"name": "mlp", "hidden": [128]} if args.nas else args.model
    model_fn = functools.partial(build_model, model_spec, x.shape[1:], num_classes)
    try:
        first_model = model_fn()
    except ValueError as error:
        raise SystemExit(f"tune: {error}")

    print(f"sanity checks ({describe(model_spec)}, {args.optimizer}):")
    low, high = args.lr_range
    checks = [
        sanity.check_initial_loss(first_model, x_train[:512], y_train[:512]),
        sanity.overfit_small_sample(model_fn, x_train, y_train, n=min(50, len(x_train)),
                                    lr=math.sqrt(low * high), optimizer=args.optimizer,
                                    seed=args.seed),
        sanity.find_lr(model_fn, (x_train, y_train),
                       candidates=[float(lr) for lr in np.geomspace(
                           high, low, max(2, round(math.log10(high / low)) + 1))],
                       batch_size=args.batch_size, optimizer=args.optimizer,
                       weight_decay=args.wd_range[0], seed=args.seed)]
    for check in checks:
        print(f"  {check}")

    hyperparameters = {"lr": log_uniform(low, high),
                       "weight_decay": log_uniform(*args.wd_range),
                       "optimizer": args.optimizer, "batch_size": args.batch_size}
    space = nas_space(**hyperparameters) if args.nas else {"model": args.model,
                                                          **hyperparameters}
    run_dir = RunDir(args.out, "tune")
    config = run_dir.write_config(
        args, space=space, train_size=len(y_train), val_size=len(y_val),
        normalization={"mean": mean, "std": std},
        sanity_checks=[{"name": c.name, "passed": c.passed, "value": c.value,
                        "message": c.message} for c in checks],
        visiongrad_version=vg.__version__)

    with _ray_session(args) if args.backend == "ray" else contextlib.nullcontext():
        return _search(args, run_dir, space, checks, x, y,
                       TrainTrial(x_train, y_train, x_val, y_val, num_classes))


@contextlib.contextmanager
def _ray_session(args):
    """Ray started (or connected to) once for all the command's searches: a local
    instance takes 10-20 s to start."""
    try:
        import ray
    except ImportError:
        raise SystemExit("tune: --backend ray needs Ray, an optional extra that is not "
                         "installed: pip install ray")
    if args.address is None:
        ray.init(num_cpus=args.workers, include_dashboard=False)
    else:
        ray.init(address=args.address)
    try:
        yield
    finally:
        ray.shutdown()


def _search(args, run_dir, space, checks, x, y, trial):
    """Steps 4-7 of the recipe: coarse and fine search, curves of the best trial,
    optional cross-validation; writes the rest of the run folder and prints the result."""
    from ..train import sanity
    from ..train.search import coarse_to_fine, cross_validate, describe
    from ..viz.search import plot_lr_finder, plot_search
    from ..viz.training import plot_history

    run_options = {"backend": args.backend, "max_workers": args.workers,
                   "address": args.address, "progress": not args.no_progress}
    outcome = coarse_to_fine(trial, space, coarse_trials=args.trials,
                             coarse_epochs=args.epochs, fine_trials=args.fine_trials,
                             fine_epochs=args.fine_epochs, top_k=args.top_k, seed=args.seed,
                             on_result=lambda r: run_dir.log_metrics(r, "trials.jsonl"),
                             **run_options)
    results = outcome["coarse"] + outcome["fine"]
    run_dir.save_figure("lr_finder.png", plot_lr_finder(checks[2].details["curves"],
                                                        chosen=checks[2].value))
    run_dir.save_figure("search.png", plot_search(results))
    best = outcome["best"]
    if best is None:
        run_dir.write_text("results.md", _report(args, space, checks, outcome, None, None))
        print(f"run folder: {run_dir.path}")
        print(f"tune: all {len(results)} trials diverged; lower --lr-range", file=sys.stderr)
        return 1

    diagnosis = sanity.diagnose_curves(best["history"])
    run_dir.save_figure("best_curves.png", plot_history(
        best["history"], title=f"best trial ({best['stage']} {best['trial']}): "
                               f"{diagnosis.verdict}"))
    folds = None
    if args.folds:
        folds = cross_validate(best["config"], x, y, k=args.folds, seed=args.seed,
                               **run_options)
    run_dir.write_text("results.md", _report(args, space, checks, outcome, diagnosis, folds))

    print(f"run folder: {run_dir.path}")
    for warning in outcome["warnings"]:
        print(f"note: {warning}")
    shown = {k: describe(v) for k, v in best["config"].items()}
    print("best config: " + ", ".join(f"{k}={v}" for k, v in shown.items()))
    print(f"validation accuracy: {best['metrics']['val_accuracy']:.4f}")
    if folds is not None:
        print(f"{args.folds}-fold cross-validation accuracy: {folds['mean']:.4f} "
              f"± {folds['std']:.4f}")
    print(f"curves: {diagnosis}")
    if isinstance(best["config"]["model"], str):
        print(f"final run: {_train_command(args, best['config'])}")
    return 0


def _train_command(args, config):
    """The ``visiongrad train`` command line for the winning config: the final run, the
    one that is evaluated on the test set."""
    root = f"--data-root {args.data_root} " if args.data_root else ""
    return (f"visiongrad train --dataset {args.dataset} {root}--model {config['model']} "
            f"--optimizer {config['optimizer']} --lr {config['lr']:.3g} "
            f"--weight-decay {config['weight_decay']:.3g} --batch-size {config['batch_size']} "
            f"--epochs {config['epochs']} --schedule none --seed {args.seed}")


def _report(args, space, checks, outcome, diagnosis, folds):
    from ..train.search import describe

    searched = "architecture, learning rate and weight decay" if args.nas else \
        "learning rate and weight decay"
    lines = [f"# visiongrad tune: {describe(space['model']) if not args.nas else 'NAS'} on "
             f"{args.dataset}", "",
             f"Searched {searched} with {args.optimizer} (batch {args.batch_size}, constant "
             f"learning rate, seed {args.seed}) on a {args.val_fraction:.0%} validation "
             f"split; backend {args.backend} with {args.workers} workers.", "",
             "## Sanity checks", ""]
    lines += [f"- {check}" for check in checks]
    lines += ["", "![learning-rate finder](lr_finder.png)", "", "## Search", "",
              f"- coarse: {len(outcome['coarse'])} trials of {args.epochs} epochs over "
              + _space_text(space)]
    if outcome["fine_space"] is not None:
        lines.append(f"- fine: {len(outcome['fine'])} trials of {args.fine_epochs} epochs over "
                     + _space_text(outcome["fine_space"]))
    lines += [f"- note: {w}" for w in outcome["warnings"]]
    best = outcome["best"]
    if best is not None:
        lines += ["", f"Best: {best['stage']} trial {best['trial']}, validation accuracy "
                      f"**{best['metrics']['val_accuracy']:.4f}**: "
                  + ", ".join(f"{k}={describe(v)}" for k, v in best["config"].items()), "",
                  f"Curves of the best trial: **{diagnosis.verdict}**: {diagnosis.reason}; "
                  f"{diagnosis.advice}.", ""]
        if folds is not None:
            lines += [f"{folds['k']}-fold cross-validation of the best config: "
                      f"{folds['mean']:.4f} ± {folds['std']:.4f} "
                      f"({', '.join(f'{s:.4f}' for s in folds['scores'])})", ""]
        if isinstance(best["config"]["model"], str):
            lines += ["Final run, evaluated once on the test set:", "",
                      f"    {_train_command(args, best['config'])}", ""]
    else:
        lines += ["", "**Every trial diverged**: lower the learning-rate range.", ""]
    lines += ["## Trials (best first within each stage)", "",
              "| stage | trial | model | lr | weight decay | epochs | train acc | val acc | "
              "val loss | status | seconds |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for result in outcome["fine"] + outcome["coarse"]:
        config, metrics = result["config"], result["metrics"]
        lines.append(
            f"| {result['stage']} | {result['trial']} | {describe(config['model'])} | "
            f"{config['lr']:.3g} | {config['weight_decay']:.3g} | {config['epochs']} | "
            f"{metrics.get('train_accuracy', math.nan):.4f} | "
            f"{metrics.get('val_accuracy', math.nan):.4f} | "
            f"{metrics.get('val_loss', math.nan):.4f} | {result['status']} | "
            f"{result['seconds']:.1f} |")
    lines += ["", "![accuracy against learning rate and weight decay](search.png)", ""]
    if best is not None:
        lines += ["![curves of the best trial](best_curves.png)", ""]
    lines += ["Config: `config.json`; every trial with its per-epoch history: `trials.jsonl`.",
              ""]
    return "\n".join(lines)


def _space_text(space):
    from ..train.search import describe

    return ", ".join(f"{name} {describe(value)}" for name, value in space.items())
