"""``visiongrad knn``: k-nearest-neighbour classification, course chapter 1.

Chooses k (and, with --distance both, the distance) by k-fold cross-validation on the
training split only, then evaluates the chosen classifier once on the test split.
Writes a run folder with config.json, cv_results.json, results.json,
accuracy_vs_k.png and report.md, and prints its path and the test accuracy.

The folds are drawn from a seeded shuffle of the training split, because the embedded
MNIST subset is stored sorted by class (consecutive folds would miss whole classes).
"""
import argparse
import time

import numpy as np

from .arguments import number_list
from .run_dir import RunDir
from .train import load_arrays

DEFAULT_KS = "1,3,5,8,10,12,15,20"


def register(subparsers):
    p = subparsers.add_parser(
        "knn", help="k-nearest neighbours: choose k by cross-validation, test once",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", default="digits", choices=("digits", "mnist", "cifar10"),
                   help="digits: scikit-learn's 8x8 digits; mnist without --data-root: the "
                        "embedded 5,000-image subset; default: %(default)s")
    p.add_argument("--data-root", default=None,
                   help="folder with the official files (MNIST IDX, CIFAR-10 python batches)")
    k_list = number_list(int, 1, "positive integers")
    p.add_argument("--k", type=k_list, default=k_list(DEFAULT_KS), metavar="K1,K2,...",
                   help=f"candidate numbers of neighbours; default: {DEFAULT_KS}")
    p.add_argument("--folds", type=int, default=5,
                   help="number of cross-validation folds (>= 2); default: %(default)s")
    p.add_argument("--distance", default="l2", choices=("l2", "l1", "both"),
                   help="pixel distance; 'both' cross-validates L2 and L1 and keeps the "
                        "better; default: %(default)s")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the fold shuffle; default: %(default)s")
    p.add_argument("--out", default="runs", help="parent folder of the run folder; "
                                                 "default: %(default)s")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    p.set_defaults(func=run)


def run(args):
    from ..classic.knn import KNearestNeighbor, cross_validate_knn, select_k
    from ..viz.classic import plot_accuracy_vs_k

    if args.folds < 2:
        raise SystemExit(f"knn: --folds must be >= 2, got {args.folds}")
    x_train, y_train, x_test, y_test = load_arrays(args.dataset, args.data_root)
    distances = ("l2", "l1") if args.distance == "both" else (args.distance,)
    largest_k = len(y_train) - -(-len(y_train) // args.folds)  # smallest training fold
    if max(args.k) > largest_k:
        raise SystemExit(f"knn: --k values must be at most {largest_k} (the smallest training "
                         f"fold of {args.folds}-fold cross-validation), got {max(args.k)}")

    start = time.perf_counter()
    cv = {distance: cross_validate_knn(x_train, y_train, args.k, num_folds=args.folds,
                                       distance=distance, shuffle=True, seed=args.seed,
                                       verbose=not args.no_progress)
          for distance in distances}
    # the best k per distance, then the better distance (L2 first on equal accuracy)
    best_k = {distance: select_k(cv[distance]) for distance in distances}
    distance = max(distances, key=lambda d: np.mean(cv[d][best_k[d]]))
    k = best_k[distance]
    cv_seconds = time.perf_counter() - start

    print(f"{args.folds}-fold cross-validation on {len(y_train)} training images "
          f"({args.dataset}):")
    print(f"{'distance':>8} {'k':>4}  {'mean acc':>8}  {'std':>6}")
    for d in distances:
        for candidate in args.k:
            accuracies = cv[d][candidate]
            mark = "  <- chosen" if (d, candidate) == (distance, k) else ""
            print(f"{d:>8} {candidate:>4}  {accuracies.mean():8.4f}  {accuracies.std():6.4f}"
                  f"{mark}")

    model = KNearestNeighbor().fit(x_train, y_train)
    test_accuracy = model.score(x_test, y_test, k=k, distance=distance)

    run_dir = RunDir(args.out, "knn")
    config = {name: value for name, value in vars(args).items() if name != "func"}
    config.update(train_size=len(y_train), test_size=len(y_test),
                  features=int(np.prod(x_train.shape[1:])))
    run_dir.write_json("config.json", config)
    run_dir.write_json("cv_results.json", {
        d: {str(candidate): {"fold_accuracies": cv[d][candidate],
                             "mean": float(cv[d][candidate].mean()),
                             "std": float(cv[d][candidate].std())}
            for candidate in args.k}
        for d in distances})
    results = {"k": k, "distance": distance, "cv_accuracy": float(np.mean(cv[distance][k])),
               "test_accuracy": test_accuracy, "cv_seconds": cv_seconds}
    run_dir.write_json("results.json", results)
    title = f"{args.folds}-fold cross-validation, {args.dataset}"
    figure = plot_accuracy_vs_k(cv[distances[0]], label=distances[0].upper(), title=title)
    for d in distances[1:]:
        plot_accuracy_vs_k(cv[d], label=d.upper(), ax=figure.axes[0], title=title)
    run_dir.save_figure("accuracy_vs_k.png", figure)
    run_dir.write_text("report.md", _report(args, config, cv, results))
    print(f"run folder: {run_dir.path}")
    print(f"test accuracy: {test_accuracy:.4f}")
    return 0


def _report(args, config, cv, results):
    lines = [f"# visiongrad knn on {args.dataset}", "",
             f"- chosen by {args.folds}-fold cross-validation on the {config['train_size']} "
             f"training images: **k = {results['k']}, {results['distance'].upper()} distance** "
             f"(mean validation accuracy {results['cv_accuracy']:.4f})",
             f"- test accuracy: **{results['test_accuracy']:.4f}** on {config['test_size']} "
             f"images, evaluated once",
             f"- cross-validation time: {results['cv_seconds']:.1f} s", "",
             "| distance | k | mean validation accuracy | std |", "|---|---|---|---|"]
    for d, k_to_accuracies in cv.items():
        for k, accuracies in k_to_accuracies.items():
            lines.append(f"| {d} | {k} | {accuracies.mean():.4f} | {accuracies.std():.4f} |")
    lines += ["", "![accuracy vs k](accuracy_vs_k.png)", "",
              "Ties in the vote go to the smallest label; the nearest neighbour is the argmin "
              "of the distance (the notes' 'max' is erratum E1).", ""]
    return "\n".join(lines)
