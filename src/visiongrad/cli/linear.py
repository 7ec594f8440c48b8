"""``visiongrad linear``: a linear classifier (multiclass SVM or softmax), course
chapter 1, trained by minibatch SGD on the autograd engine.

Holds out a stratified validation split of the training split, trains one classifier
per candidate regularisation strength, keeps the one with the best validation accuracy
(on equal accuracy the stronger regularisation, the simpler model) and evaluates it
once on the test split. Pixels are standardised per feature with statistics of the
training part only. Writes a run folder with config.json, val_results.json,
results.json, loss_curve.png, templates.png (the rows of W as images) and report.md,
and prints its path and the test accuracy.
"""
import argparse
import time

import numpy as np

from .arguments import number_list
from .run_dir import RunDir
from .train import load_arrays

DEFAULT_REGS = "1e-4,1e-3,1e-2"


def register(subparsers):
    p = subparsers.add_parser(
        "linear", help="linear SVM / softmax classifier: choose the regularisation on a "
                       "validation split, test once",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--loss", default="softmax", choices=("svm", "softmax"),
                   help="multiclass SVM (hinge) or softmax (cross-entropy); "
                        "default: %(default)s")
    p.add_argument("--dataset", default="digits", choices=("digits", "mnist", "cifar10"),
                   help="digits: scikit-learn's 8x8 digits; mnist without --data-root: the "
                        "embedded 5,000-image subset; default: %(default)s")
    p.add_argument("--data-root", default=None,
                   help="folder with the official files (MNIST IDX, CIFAR-10 python batches)")
    reg_list = number_list(float, 0, "non-negative numbers")
    p.add_argument("--reg", type=reg_list, default=reg_list(DEFAULT_REGS),
                   metavar="R1,R2,...",
                   help=f"candidate regularisation strengths λ; default: {DEFAULT_REGS}")
    p.add_argument("--reg-type", default="l2", choices=("l2", "l1", "elastic"),
                   help="R(W): l2 = ΣW², l1 = Σ|W|, elastic = Σ(βW² + |W|); "
                        "default: %(default)s")
    p.add_argument("--beta", type=float, default=0.5,
                   help="β of the elastic net; default: %(default)s")
    p.add_argument("--lr", type=float, default=None,
                   help="learning rate; default: 64/D for D features per image (1.0 for "
                        "8x8 digits, 0.08 for MNIST): standardised images have |x|² ≈ D, "
                        "and a linear model's step must shrink with it")
    p.add_argument("--momentum", type=float, default=0.0,
                   help="SGD momentum (0 = plain SGD); default: %(default)s")
    p.add_argument("--optimizer", default="sgd", choices=("sgd", "adam"),
                   help="default: %(default)s")
    p.add_argument("--epochs", type=int, default=20, help="default: %(default)s")
    p.add_argument("--batch-size", type=int, default=200, help="default: %(default)s")
    p.add_argument("--val-fraction", type=float, default=0.2,
                   help="fraction of the training split held out for choosing λ; "
                        "default: %(default)s")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the split, the initial weights and the shuffling; "
                        "default: %(default)s")
    p.add_argument("--out", default="runs", help="parent folder of the run folder; "
                                                 "default: %(default)s")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    p.set_defaults(func=run)


def run(args):
    from ..classic.linear import LinearClassifier
    from ..vision.preprocessing import Standardize
    from ..utils.data.splits import stratified_split
    from ..viz.classic import plot_loss_history, plot_templates

    for name in ("epochs", "batch_size"):
        if getattr(args, name) < 1:
            raise SystemExit(f"linear: --{name.replace('_', '-')} must be >= 1, "
                             f"got {getattr(args, name)}")
    if not 0 < args.val_fraction < 1:
        raise SystemExit(f"linear: --val-fraction must be in (0, 1), got {args.val_fraction}")
    x_train, y_train, x_test, y_test = load_arrays(args.dataset, args.data_root)
    image_shape = x_train.shape[1:]
    if args.lr is None:
        args.lr = 64 / int(np.prod(image_shape))
    train_idx, val_idx = stratified_split(y_train, test_fraction=args.val_fraction,
                                          seed=args.seed)
    scaler = Standardize().fit(_flat(x_train[train_idx]))

    def features(x):
        return scaler.transform(_flat(x)).astype(np.float32)

    x_fit, y_fit = features(x_train[train_idx]), y_train[train_idx]
    x_val, y_val = features(x_train[val_idx]), y_train[val_idx]

    start = time.perf_counter()
    candidates = []
    for reg in args.reg:
        model = LinearClassifier(args.loss, reg=reg, reg_type=args.reg_type, beta=args.beta)
        model.fit(x_fit, y_fit, lr=args.lr, epochs=args.epochs, batch_size=args.batch_size,
                  optimizer=args.optimizer, momentum=args.momentum, seed=args.seed,
                  verbose=not args.no_progress)
        record = {"reg": reg, "train_accuracy": model.score(x_fit, y_fit),
                  "val_accuracy": model.score(x_val, y_val),
                  "final_loss": float(np.mean(model.loss_history[-10:]))}
        print(f"reg {reg:<8g} train accuracy {record['train_accuracy']:.4f}  "
              f"val accuracy {record['val_accuracy']:.4f}  final loss {record['final_loss']:.4f}")
        candidates.append((record, model))
    train_seconds = time.perf_counter() - start
    # args.reg is ascending, so on equal accuracy the last, strongest λ wins
    best, model = max(reversed(candidates), key=lambda pair: pair[0]["val_accuracy"])
    test_accuracy = model.score(features(x_test), y_test)

    run_dir = RunDir(args.out, "linear")
    config = {name: value for name, value in vars(args).items() if name != "func"}
    config.update(train_size=len(y_fit), val_size=len(y_val), test_size=len(y_test),
                  image_shape=list(image_shape), standardization="per-feature, training part")
    run_dir.write_json("config.json", config)
    run_dir.write_json("val_results.json", [record for record, _ in candidates])
    results = {"reg": best["reg"], "val_accuracy": best["val_accuracy"],
               "test_accuracy": test_accuracy, "train_seconds": train_seconds,
               "loss_history": model.loss_history}
    run_dir.write_json("results.json", results)
    run_dir.save_figure("loss_curve.png", plot_loss_history(
        model.loss_history, title=f"{args.loss} loss, λ = {best['reg']:g} ({args.reg_type})"))
    run_dir.save_figure("templates.png", plot_templates(
        model.W, image_shape, class_names=[str(c) for c in model.classes_],
        title=f"{args.loss} templates: rows of W over standardised pixels"))
    run_dir.write_text("report.md", _report(args, config, candidates, results))
    print(f"run folder: {run_dir.path}")
    print(f"test accuracy: {test_accuracy:.4f}")
    return 0


def _report(args, config, candidates, results):
    lines = [f"# visiongrad linear: {args.loss} on {args.dataset}", "",
             f"- regularisation chosen on {config['val_size']} validation images: "
             f"**λ = {results['reg']:g}** ({args.reg_type}), validation accuracy "
             f"{results['val_accuracy']:.4f}",
             f"- test accuracy: **{results['test_accuracy']:.4f}** on {config['test_size']} "
             f"images, evaluated once",
             f"- training: {args.optimizer}, lr {args.lr}, momentum {args.momentum}, "
             f"{args.epochs} epochs of batch {args.batch_size} on {config['train_size']} "
             f"images, seed {args.seed}; {results['train_seconds']:.1f} s for all candidates",
             "", "| λ | train accuracy | validation accuracy | final loss |", "|---|---|---|---|"]
    for record, _ in candidates:
        lines.append(f"| {record['reg']:g} | {record['train_accuracy']:.4f} | "
                     f"{record['val_accuracy']:.4f} | {record['final_loss']:.4f} |")
    lines += ["", "![loss curve](loss_curve.png)", "", "![templates](templates.png)", "",
              "Each row of W, shown as an image, is the template its class score matches: "
              "score_c = W_c · x + b_c.", ""]
    return "\n".join(lines)


def _flat(images):
    return np.asarray(images, np.float64).reshape(len(images), -1)
