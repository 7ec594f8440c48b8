"""``visiongrad train``: the main job. Trains a model from the registry on a built-in
dataset (the embedded MNIST subset by default), shows a progress bar, and writes a run
folder with the config, per-epoch metrics, the best checkpoint, curves and a report."""
import os
import sys
import time

import numpy as np

from .run_dir import RunDir

SCHEDULES = ("none", "step", "multistep", "cosine", "linear", "exponential", "invsqrt",
             "onecycle")


def register(subparsers):
    p = subparsers.add_parser(
        "train", help="train a model (the main job; defaults train on the embedded MNIST subset)",
        description=__doc__)
    p.add_argument("--model", default="small_cnn",
                   help="model name from the registry (see --list-models); default: %(default)s")
    p.add_argument("--list-models", action="store_true", help="print the model names and exit")
    p.add_argument("--dataset", default="mnist", choices=("mnist", "digits", "cifar10"),
                   help="dataset (mnist without --data-root = embedded 5,000-image subset)")
    p.add_argument("--data-root", default=None,
                   help="folder with the official files (MNIST IDX, CIFAR-10 python batches)")
    p.add_argument("--epochs", type=int, default=15, help="default: %(default)s")
    p.add_argument("--batch-size", type=int, default=64, help="default: %(default)s")
    p.add_argument("--optimizer", default="adam",
                   choices=("sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad"),
                   help="default: %(default)s")
    p.add_argument("--lr", type=float, default=1e-3, help="learning rate; default: %(default)s")
    p.add_argument("--momentum", type=float, default=0.9,
                   help="momentum of --optimizer momentum/nesterov; default: %(default)s")
    p.add_argument("--weight-decay", type=float, default=None,
                   help="L2 weight decay inside the optimizer (decoupled for adamw); default: "
                        "the optimizer's own (0, 1e-2 for adamw)")
    p.add_argument("--reg", default="none", choices=("none", "l2", "l1", "elastic"),
                   help="explicit regularization term added to the loss (weights only)")
    p.add_argument("--reg-strength", type=float, default=1e-4, help="λ of --reg")
    p.add_argument("--elastic-beta", type=float, default=0.5,
                   help="β of the elastic-net term Σ βW² + |W|")
    p.add_argument("--schedule", default="cosine", choices=SCHEDULES,
                   help="learning-rate schedule; default: %(default)s")
    p.add_argument("--warmup", type=int, default=0,
                   help="epochs of linear learning-rate warm-up before the schedule")
    p.add_argument("--augment", default="auto",
                   choices=("auto", "none", "crop", "mixup", "cutmix", "crop+mixup"),
                   help="batch augmentation: random crops with 2-pixel padding, MixUp, CutMix "
                        "(auto: crop for convolutional models, none for MLPs)")
    p.add_argument("--dropout", type=float, default=None,
                   help="dropout probability (models that take one)")
    p.add_argument("--val-fraction", type=float, default=0.1,
                   help="fraction of the training split held out for validation")
    p.add_argument("--patience", type=int, default=None,
                   help="early stopping patience in epochs (default: off)")
    p.add_argument("--clip-grad", type=float, default=None, help="clip gradient norm")
    p.add_argument("--seed", type=int, default=0, help="random seed; default: %(default)s")
    p.add_argument("--workers", type=int, default=0, help="data-loading worker processes")
    p.add_argument("--out", default="runs", help="parent folder of the run folder")
    p.add_argument("--resume", default=None, help="a last.safetensors to resume from")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    p.set_defaults(func=run)


def load_arrays(dataset, root=None):
    """(x_train, y_train, x_test, y_test): float32 images (N, C, H, W) scaled to [0, 1]
    and int64 labels, from a built-in dataset."""
    from ..vision import datasets

    if dataset == "mnist":
        train, test = datasets.MNIST(root, train=True), datasets.MNIST(root, train=False)
    elif dataset == "digits":
        train, test = datasets.Digits(train=True), datasets.Digits(train=False)
    elif dataset == "cifar10":
        if root is None:
            raise SystemExit("train: --dataset cifar10 needs --data-root (the folder holding "
                             "cifar-10-batches-py)")
        train, test = datasets.CIFAR10(root, train=True), datasets.CIFAR10(root, train=False)
    else:
        raise SystemExit(f"train: unknown dataset {dataset!r}")

    def arrays(ds):
        x = np.asarray(ds.data, dtype=np.float32) / 255.0
        x = x[:, None] if x.ndim == 3 else x.transpose(0, 3, 1, 2)
        return x, np.asarray(ds.targets, dtype=np.int64)

    return (*arrays(train), *arrays(test))


def build_scheduler(args, optimizer, steps_per_epoch):
    """The schedule, stepped once per batch, with optional linear warm-up in front."""
    from ..optim import lr_scheduler as S

    warmup = args.warmup * steps_per_epoch
    total = max(1, args.epochs * steps_per_epoch - warmup)
    if args.schedule == "none":
        main = S.ConstantLR(optimizer, factor=1.0, total_iters=0)
    elif args.schedule == "step":
        main = S.StepLR(optimizer, step_size=max(1, total // 3), gamma=0.1)
    elif args.schedule == "multistep":
        main = S.MultiStepLR(optimizer, milestones=[total // 2, 3 * total // 4], gamma=0.1)
    elif args.schedule == "cosine":
        main = S.CosineAnnealingLR(optimizer, T_max=total)
    elif args.schedule == "linear":
        main = S.LinearLR(optimizer, start_factor=1.0, end_factor=0.0, total_iters=total)
    elif args.schedule == "exponential":
        main = S.ExponentialLR(optimizer, gamma=0.01 ** (1 / total))
    elif args.schedule == "invsqrt":
        main = S.LambdaLR(optimizer, lambda step: 1 / np.sqrt(step + 1))
    else:
        return S.OneCycleLR(optimizer, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch)
    if not warmup:
        return main
    ramp = S.LinearLR(optimizer, start_factor=1.0 / warmup, end_factor=1.0, total_iters=warmup)
    return S.SequentialLR(optimizer, [ramp, main], milestones=[warmup])


def fit_input_size(model, sample, sizes=(32, 64, 128, 224)):
    """The sample's own size if ``model`` accepts it, else the smallest of ``sizes`` it
    accepts (ImageNet architectures such as AlexNet and VGG shrink 28×28 digits to
    nothing). sample: (1, C, H, W)."""
    import visiongrad as vg

    model.eval()
    try:
        for size in (sample.shape[-1], *[s for s in sizes if s > sample.shape[-1]]):
            try:
                with vg.no_grad():
                    model(vg.from_numpy(resize_images(sample, size)))
                return size
            except ValueError:
                continue
    finally:
        model.train()
    raise SystemExit(f"train: the model accepts none of the input sizes {sizes}")


def resize_images(images, size, chunk=512):
    """(N, C, H, W) float32 -> (N, C, size, size), bilinearly, a chunk at a time."""
    import visiongrad as vg
    from ..nn import functional as F

    if images.shape[-1] == size and images.shape[-2] == size:
        return images
    with vg.no_grad():
        return np.concatenate([
            F.interpolate(vg.from_numpy(images[i:i + chunk]), size=(size, size),
                          mode="bilinear", align_corners=False).numpy()
            for i in range(0, len(images), chunk)])


def build_augmentation(args, num_classes):
    """A batch transform ``(images, labels) -> (images, labels)`` for the Trainer."""
    from ..train.search import FLAT_INPUT_MODELS
    from ..vision import transforms as T

    augment = args.augment
    if augment == "auto":
        augment = "none" if args.model in FLAT_INPUT_MODELS else "crop"
    steps = []
    if "crop" in augment:
        steps.append(T.BatchRandomCrop(padding=2))
    if "mixup" in augment:
        steps.append(T.MixUp(alpha=0.2, num_classes=num_classes))
    if augment == "cutmix":
        steps.append(T.CutMix(alpha=1.0, num_classes=num_classes))
    if not steps:
        return None

    def transform(images, labels):
        for step in steps:
            images, labels = step(images, labels)
        return images, labels

    return transform


def build_loss(args, model):
    from ..nn import functional as F
    from ..nn import regularization

    if args.reg == "none":
        return F.cross_entropy
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]

    def penalty():
        if args.reg == "l2":
            return regularization.l2_penalty(weights)
        if args.reg == "l1":
            return regularization.l1_penalty(weights)
        return regularization.elastic_net_penalty(weights, beta=args.elastic_beta)

    return lambda scores, y: F.cross_entropy(scores, y) + args.reg_strength * penalty()


def run(args):
    import visiongrad as vg
    from ..train import (Callback, EarlyStopping, ModelCheckpoint, Trainer,
                         TrainingDivergedError)
    from ..train.metrics import confusion_matrix, per_class_accuracy
    from ..train.search import build_model, make_optimizer
    from ..utils.data import DataLoader, TensorDataset
    from ..utils.data.splits import stratified_split
    from ..viz.training import plot_confusion_matrix, plot_history
    from ..vision import models

    if args.list_models:
        print("\n".join(models.list_models()))
        return 0
    for name in ("epochs", "batch_size"):
        if getattr(args, name) < 1:
            raise SystemExit(f"train: --{name.replace('_', '-')} must be >= 1, "
                             f"got {getattr(args, name)}")
    if not 0 <= args.val_fraction < 1:
        raise SystemExit(f"train: --val-fraction must be in [0, 1), got {args.val_fraction}")

    vg.manual_seed(args.seed)
    x_train, y_train, x_test, y_test = load_arrays(args.dataset, args.data_root)
    mean, std = float(x_train.mean()), float(x_train.std())  # training statistics only
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    if args.val_fraction > 0:
        train_idx, val_idx = stratified_split(y_train, test_fraction=args.val_fraction,
                                              seed=args.seed)
        x_val, y_val = x_train[val_idx], y_train[val_idx]
        x_train, y_train = x_train[train_idx], y_train[train_idx]
    num_classes = int(y_train.max()) + 1
    height = x_train.shape[2]

    spec = {"name": args.model}
    if args.model == "small_cnn":
        spec["input_size"] = height
    if args.dropout is not None:
        spec["dropout"] = args.dropout
    try:
        model = build_model(spec, x_train.shape[1:], num_classes)
    except ValueError as error:
        raise SystemExit(f"train: {error}")
    size = fit_input_size(model, x_train[:1])
    if size != height:
        print(f"train: {args.model} needs larger inputs than {height}×{height}; images are "
              f"resized to {size}×{size} (bilinear)", file=sys.stderr)
        x_train, x_test = resize_images(x_train, size), resize_images(x_test, size)
        if args.val_fraction > 0:
            x_val = resize_images(x_val, size)

    def loader(x, y, shuffle):
        return DataLoader(TensorDataset(vg.from_numpy(x), vg.from_numpy(y)),
                          batch_size=args.batch_size, shuffle=shuffle,
                          num_workers=args.workers)

    train_loader = loader(x_train, y_train, True)
    val_loader = loader(x_val, y_val, False) if args.val_fraction > 0 else None
    test_loader = loader(x_test, y_test, False)

    optimizer = make_optimizer(args.optimizer, model.parameters(), args.lr, args.weight_decay,
                               args.momentum)
    scheduler = build_scheduler(args, optimizer, len(train_loader))
    run_dir = RunDir(args.out, "train")
    config = run_dir.write_config(
        args, num_parameters=sum(p.numel() for p in model.parameters()),
        train_size=len(y_train), val_size=len(y_val) if val_loader else 0,
        test_size=len(y_test), normalization={"mean": mean, "std": std},
        model_spec=spec, num_classes=num_classes, input_size=size,
        visiongrad_version=vg.__version__)

    monitor = "val_accuracy" if val_loader is not None else "train_accuracy"
    checkpoint = ModelCheckpoint(run_dir.path, monitor=monitor)
    callbacks = [checkpoint]
    if args.patience is not None:
        callbacks.append(EarlyStopping(monitor=monitor, patience=args.patience,
                                       restore_best=False))

    class LogMetrics(Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            run_dir.log_metrics(logs)
            if args.no_progress:
                return
            parts = [f"{k}={v:.4f}" for k, v in logs.items() if k not in ("epoch", "seconds")]
            print(f"epoch {epoch:3d}  " + "  ".join(parts), file=sys.stderr)

    trainer = Trainer(model, optimizer, loss_fn=build_loss(args, model), scheduler=scheduler,
                      scheduler_interval="step", clip_grad_norm=args.clip_grad,
                      progress=not args.no_progress,
                      batch_transform=build_augmentation(args, num_classes),
                      callbacks=callbacks + [LogMetrics()])
    if args.resume:
        trainer.resume(args.resume)
        for record in trainer.history:
            run_dir.log_metrics(record)

    start = time.perf_counter()
    status = "completed"
    try:
        trainer.fit(train_loader, val_loader, epochs=args.epochs)
    except TrainingDivergedError as error:
        status = f"stopped: {error}"
        print(f"train: {error}", file=sys.stderr)
    except KeyboardInterrupt:
        status = "interrupted"
        print(f"\ntrain: interrupted; resume with --resume {checkpoint.last_path}",
              file=sys.stderr)
    if trainer.stop_reason:
        status = trainer.stop_reason
    elapsed = time.perf_counter() - start

    if os.path.exists(checkpoint.best_path):
        model.load_state_dict(vg.load(checkpoint.best_path))
    test = trainer.evaluate(test_loader)
    scores, targets = trainer.predict_scores(test_loader)
    matrix = confusion_matrix(scores, targets, num_classes)
    results = {"status": status, "test_accuracy": test["accuracy"], "test_loss": test["loss"],
               "best_epoch": checkpoint.best_epoch, f"best_{monitor}": checkpoint.best,
               "epochs_run": trainer.epoch, "train_seconds": elapsed,
               "per_class_accuracy": per_class_accuracy(scores, targets, num_classes).tolist()}
    run_dir.write_json("results.json", results)
    if trainer.history:
        run_dir.save_figure("curves.png", plot_history(trainer.history, title=args.model))
    run_dir.save_figure("confusion_matrix.png", plot_confusion_matrix(matrix))
    run_dir.write_text("report.md", _report(args, config, results, trainer.history))
    print(f"run folder: {run_dir.path}")
    print(f"test accuracy: {test['accuracy']:.4f}")
    return 0 if status == "completed" or status.startswith("early stopping") else 1


def _report(args, config, results, history):
    lines = [f"# visiongrad train: {args.model} on {args.dataset}", "",
             f"- status: {results['status']}",
             f"- test accuracy: **{results['test_accuracy']:.4f}** "
             f"(test loss {results['test_loss']:.4f}, {config['test_size']} images)",
             f"- best epoch: {results['best_epoch']} of {results['epochs_run']}",
             f"- parameters: {config['num_parameters']:,}",
             f"- optimizer: {args.optimizer}, lr {args.lr}, schedule {args.schedule}"
             f"{f' with {args.warmup} warm-up epochs' if args.warmup else ''}, "
             f"batch {args.batch_size}, seed {args.seed}",
             f"- training time: {results['train_seconds']:.1f} s", "",
             "| epoch | train loss | train acc | val loss | val acc | lr |",
             "|---|---|---|---|---|---|"]
    for h in history:
        lines.append(f"| {h['epoch']} | {h['train_loss']:.4f} | {h['train_accuracy']:.4f} | "
                     f"{h.get('val_loss', float('nan')):.4f} | "
                     f"{h.get('val_accuracy', float('nan')):.4f} | {h['lr']:.2e} |")
    lines += ["", "![curves](curves.png)", "", "![confusion matrix](confusion_matrix.png)", "",
              "Config: `config.json`; per-epoch metrics: `metrics.jsonl`; best weights: "
              "`best.safetensors`; full training state for `--resume`: `last.safetensors`.", ""]
    return "\n".join(lines)

