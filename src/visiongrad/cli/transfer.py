"""``visiongrad transfer``: transfer learning, course chapter 3.

Pretrains the small CNN of ``visiongrad train`` (two Conv-BN-ReLU-MaxPool stages of 16
and 32 channels, one Linear layer on the flattened maps) on digits 0-4 of the embedded
MNIST subset, then learns digits 5-9 from only --shots training images per class, two
ways on the same images: the pretrained layers frozen under a new last layer (only it
trains), and the same network trained from scratch. Both are tested on digits 5-9 of
the test split; --trials repeats this with other draws of the few images. Writes a run
folder with config.json, metrics.jsonl (pretraining epochs), results.json,
finetune_loss.png and report.md, and prints both mean test accuracies.
"""
import argparse
import time

import numpy as np

from .run_dir import RunDir
from .train import load_arrays

# the embedded subset's mean and standard deviation of the [0, 1] pixels
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


def register(subparsers):
    p = subparsers.add_parser(
        "transfer", help="pretrain on digits 0-4, transfer to 5-9 from a few examples",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pretrain-epochs", type=int, default=3, help="default: %(default)s")
    p.add_argument("--pretrain-size", type=int, default=None,
                   help="use only this many images of digits 0-4 for pretraining "
                        "(default: all 2,000 of the training split)")
    p.add_argument("--shots", type=int, default=10,
                   help="training images per new class (digits 5-9); default: %(default)s")
    p.add_argument("--trials", type=int, default=3,
                   help="draws of the few training images, each used by both methods; "
                        "default: %(default)s")
    p.add_argument("--epochs", type=int, default=30,
                   help="epochs over the few images, for the new head and for the network "
                        "trained from scratch alike; default: %(default)s")
    p.add_argument("--lr", type=float, default=0.05,
                   help="SGD learning rate (momentum 0.9) of both; default: %(default)s")
    p.add_argument("--seed", type=int, default=0, help="default: %(default)s")
    p.add_argument("--out", default="runs", help="parent folder of the run folder")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    p.set_defaults(func=run)


def _few_shot_indices(labels, classes, shots, rng):
    """``shots`` indices of each class, drawn without replacement."""
    picked = [rng.choice(np.flatnonzero(labels == c), shots, replace=False) for c in classes]
    return np.concatenate(picked)


def _loader(x, y, batch_size, shuffle):
    import visiongrad as vg
    from ..utils.data import DataLoader, TensorDataset

    return DataLoader(TensorDataset(vg.tensor(x), vg.tensor(y)), batch_size=batch_size,
                      shuffle=shuffle)


def _network():
    from ..vision import models

    return models.get("small_cnn", num_classes=5, in_channels=1, channels=(16, 32), hidden=0)


def run(args):
    import visiongrad as vg
    from .. import optim
    from ..train import Trainer
    from ..train.transfer import RECIPES, evaluate_accuracy, finetune, freeze, replace_head

    if min(args.shots, args.trials, args.epochs, args.pretrain_epochs) < 1:
        raise SystemExit("transfer: --shots, --trials, --epochs and --pretrain-epochs must "
                         "be >= 1")
    vg.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    x_train, y_train, x_test, y_test = load_arrays("mnist")
    x_train, x_test = (x_train - MNIST_MEAN) / MNIST_STD, (x_test - MNIST_MEAN) / MNIST_STD
    source = rng.permutation(np.flatnonzero(y_train < 5))[:args.pretrain_size]
    source_test, target_test = y_test < 5, y_test >= 5
    start = time.perf_counter()

    pretrained = _network()
    trainer = Trainer(pretrained, optim.SGD(pretrained.parameters(), lr=0.05, momentum=0.9,
                                            weight_decay=5e-4), progress=not args.no_progress)
    history = trainer.fit(_loader(x_train[source], y_train[source], 64, True),
                          epochs=args.pretrain_epochs)
    source_accuracy = evaluate_accuracy(pretrained, x_test[source_test], y_test[source_test])

    trials = []
    for _ in range(args.trials):
        few = _few_shot_indices(y_train, range(5, 10), args.shots, rng)
        few_loader = _loader(x_train[few], y_train[few] - 5, 10, True)
        transfer = _network()
        transfer.load_state_dict(pretrained.state_dict())
        freeze(transfer)
        replace_head(transfer, 5)
        scratch = _network()
        trial = {"transfer_losses": finetune(transfer, few_loader, args.epochs, lr=args.lr),
                 "scratch_losses": finetune(scratch, few_loader, args.epochs, lr=args.lr)}
        for name, model in (("transfer", transfer), ("scratch", scratch)):
            trial[f"{name}_accuracy"] = evaluate_accuracy(model, x_test[target_test],
                                                          y_test[target_test] - 5)
        trials.append(trial)
    seconds = time.perf_counter() - start

    run_dir = RunDir(args.out, "transfer")
    config = {name: value for name, value in vars(args).items() if name != "func"}
    config.update(model="small_cnn (channels 16, 32; no hidden layer)",
                  pretrain_images=len(source), few_shot_images=5 * args.shots,
                  test_images=int(target_test.sum()))
    run_dir.write_json("config.json", config)
    for record in history:
        run_dir.log_metrics(record)
    results = {"pretrain_test_accuracy_digits_0_4": source_accuracy}
    for name in ("transfer", "scratch"):
        accuracies = [trial[f"{name}_accuracy"] for trial in trials]
        results[f"{name}_test_accuracy"] = float(np.mean(accuracies))
        results[f"{name}_test_accuracy_std"] = float(np.std(accuracies))
    results.update(trials=trials, seconds=seconds)
    run_dir.write_json("results.json", results)
    run_dir.save_figure("finetune_loss.png", _loss_figure(trials))
    run_dir.write_text("report.md", _report(config, results, RECIPES))
    print(f"pretrained on digits 0-4: test accuracy {source_accuracy:.4f}")
    print(f"digits 5-9 from {5 * args.shots} images, mean test accuracy over {args.trials} "
          f"draws: transfer (frozen, new head) {results['transfer_test_accuracy']:.4f}, "
          f"from scratch {results['scratch_test_accuracy']:.4f}")
    print(f"run folder: {run_dir.path}")
    return 0


def _loss_figure(trials):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 4))
    for name, label in (("transfer", "frozen pretrained layers + new head"),
                        ("scratch", "from scratch")):
        losses = np.mean([trial[f"{name}_losses"] for trial in trials], axis=0)
        axis.plot(np.arange(1, len(losses) + 1), losses, label=label)
    axis.set_xlabel("epoch over the few images")
    axis.set_ylabel(f"training loss (mean of {len(trials)} draws)")
    axis.set_yscale("log")
    axis.legend()
    axis.grid(alpha=0.3)
    figure.tight_layout()
    return figure


def _report(config, results, recipes):
    lines = ["# visiongrad transfer: MNIST digits 0-4 -> 5-9", "",
             f"- pretrained {config['model']} on {config['pretrain_images']} images of "
             f"digits 0-4 for {config['pretrain_epochs']} epochs: test accuracy "
             f"{results['pretrain_test_accuracy_digits_0_4']:.4f} on digits 0-4",
             f"- digits 5-9 from {config['few_shot_images']} training images "
             f"({config['shots']} per class), {config['epochs']} epochs, tested on "
             f"{config['test_images']} images; mean ± std over {config['trials']} draws:", "",
             "| method | test accuracy |", "|---|---|"]
    for name, label in (("transfer", "frozen pretrained layers, new last layer"),
                        ("scratch", "same network from scratch")):
        lines.append(f"| {label} | {results[f'{name}_test_accuracy']:.4f} ± "
                     f"{results[f'{name}_test_accuracy_std']:.4f} |")
    lines += ["", "## What to retrain", "", "| dataset | data | recipe |", "|---|---|---|"]
    lines += [f"| {similarity} | {amount} | {recipe} |"
              for (similarity, amount), recipe in recipes.items()]
    return "\n".join(lines) + "\n"
