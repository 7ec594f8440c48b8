"""``visiongrad segment``: semantic segmentation end to end. Trains ``fcn_small`` on
SyntheticShapes (circles, squares and triangles on a noisy background, exact per-pixel
labels), evaluates pixel accuracy and mean IoU on a separately seeded test set, and
writes a run folder with the config, per-epoch metrics, per-class IoU, a picture of test
images with their true and predicted masks, and a report."""
import sys
import time

import numpy as np

from .run_dir import RunDir

# SyntheticShapes draws image i from the generator (seed, i); the test set uses a seed this
# far from the training seed, so no test image is a training image for any nearby --seed.
_TEST_SEED_OFFSET = 1_000_000
# fcn_small halves the resolution twice, so the image side must be a multiple of 4
_SIZE_MULTIPLE = 4
_SHOWN_IMAGES = 4


def register(subparsers):
    p = subparsers.add_parser(
        "segment", help="train the FCN on synthetic shapes and report test mIoU",
        description=__doc__)
    p.add_argument("--images", type=int, default=800,
                   help="training images; default: %(default)s")
    p.add_argument("--test-images", type=int, default=100,
                   help="test images (drawn with a different seed); default: %(default)s")
    p.add_argument("--image-size", type=int, default=32,
                   help=f"image side in pixels, a multiple of {_SIZE_MULTIPLE} and >= 16; "
                        "default: %(default)s")
    p.add_argument("--max-objects", type=int, default=3,
                   help="each image holds 1..max-objects shapes; default: %(default)s")
    p.add_argument("--epochs", type=int, default=15, help="default: %(default)s")
    p.add_argument("--batch-size", type=int, default=16, help="default: %(default)s")
    p.add_argument("--lr", type=float, default=3e-3,
                   help="Adam learning rate, annealed to 0 by a cosine schedule; "
                        "default: %(default)s")
    p.add_argument("--seed", type=int, default=0, help="random seed; default: %(default)s")
    p.add_argument("--out", default="runs", help="parent folder of the run folder")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    p.set_defaults(func=run)


def _check_args(args):
    for name, minimum in (("images", 1), ("test_images", 1), ("epochs", 1), ("batch_size", 1),
                          ("max_objects", 1), ("image_size", 16)):
        value = getattr(args, name)
        if value < minimum:
            raise SystemExit(f"segment: --{name.replace('_', '-')} must be >= {minimum}, "
                             f"got {value}")
    if args.image_size % _SIZE_MULTIPLE:
        raise SystemExit(f"segment: --image-size must be a multiple of {_SIZE_MULTIPLE} "
                         f"(fcn_small downsamples twice), got {args.image_size}")
    if not args.lr > 0:
        raise SystemExit(f"segment: --lr must be > 0, got {args.lr}")


def shapes_arrays(num_images, image_size, max_objects, seed):
    """(images float32 (N, 3, H, W) in [0, 1], masks int64 (N, H, W)) of SyntheticShapes."""
    from ..vision.datasets import SyntheticShapes

    dataset = SyntheticShapes(num_images, image_size, max_objects, seed, task="segmentation")
    samples = [dataset.generate(i)[:2] for i in range(num_images)]
    return (np.stack([image for image, _ in samples]),
            np.stack([mask for _, mask in samples]))


def predict_masks(model, images, batch_size):
    """(N, H, W) argmax class ids of ``model`` in eval mode, a batch at a time."""
    import visiongrad as vg

    model.eval()
    with vg.no_grad():
        return np.concatenate([model(vg.from_numpy(images[i:i + batch_size])).numpy().argmax(1)
                               for i in range(0, len(images), batch_size)])


def run(args):
    import visiongrad as vg
    from ..nn import functional as F
    from ..optim import Adam
    from ..optim.lr_scheduler import CosineAnnealingLR
    from ..train.segmentation_metrics import (mean_iou, per_class_iou, pixel_accuracy,
                                              segmentation_confusion_matrix)
    from ..vision import models
    from ..vision.datasets import SyntheticShapes

    _check_args(args)
    vg.manual_seed(args.seed)
    classes = SyntheticShapes.classes
    x_train, y_train = shapes_arrays(args.images, args.image_size, args.max_objects, args.seed)
    test_seed = args.seed + _TEST_SEED_OFFSET
    x_test, y_test = shapes_arrays(args.test_images, args.image_size, args.max_objects,
                                   test_seed)

    model = models.get("fcn_small", num_classes=len(classes))
    optimizer = Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = -(-args.images // args.batch_size)
    scheduler = CosineAnnealingLR(optimizer, T_max=args.epochs * steps_per_epoch)

    def evaluate():
        matrix = segmentation_confusion_matrix(predict_masks(model, x_test, args.batch_size),
                                               y_test, len(classes))
        return matrix, pixel_accuracy(matrix), mean_iou(matrix)

    # the mIoU of labelling every pixel background: the bar a model has to clear
    background_only = mean_iou(segmentation_confusion_matrix(
        np.zeros_like(y_test), y_test, len(classes)))

    run_dir = RunDir(args.out, "segment")
    config = run_dir.write_config(
        args, model="fcn_small", classes=classes, test_seed=test_seed,
        num_parameters=sum(p.numel() for p in model.parameters()),
        optimizer="adam", schedule="cosine", visiongrad_version=vg.__version__)

    rng = np.random.default_rng(args.seed)
    history = []
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        epoch_start = time.perf_counter()
        model.train()
        batches = range(0, args.images, args.batch_size)
        if not args.no_progress:
            from tqdm.auto import tqdm

            batches = tqdm(batches, desc=f"epoch {epoch}/{args.epochs}", leave=False,
                           dynamic_ncols=True)
        order = rng.permutation(args.images)
        losses, weights = [], []
        for first in batches:
            batch = order[first:first + args.batch_size]
            scores = model(vg.from_numpy(x_train[batch]))
            loss = F.cross_entropy(scores, vg.from_numpy(y_train[batch]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            losses.append(loss.item())
            weights.append(len(batch))
        _, accuracy, miou = evaluate()
        record = {"epoch": epoch, "train_loss": float(np.average(losses, weights=weights)),
                  "test_pixel_accuracy": accuracy, "test_miou": miou,
                  "lr": optimizer.param_groups[0]["lr"],
                  "seconds": time.perf_counter() - epoch_start}
        history.append(record)
        run_dir.log_metrics(record)
        if not args.no_progress:
            print(f"epoch {epoch:3d}  train_loss={record['train_loss']:.4f}  "
                  f"test_pixel_accuracy={accuracy:.4f}  test_miou={miou:.4f}", file=sys.stderr)
    elapsed = time.perf_counter() - start

    matrix, accuracy, miou = evaluate()
    results = {"test_pixel_accuracy": accuracy, "test_miou": miou,
               "per_class_iou": dict(zip(classes, per_class_iou(matrix).tolist())),
               "background_only_miou": background_only, "confusion_matrix": matrix.tolist(),
               "train_seconds": elapsed, "epochs_run": args.epochs}
    run_dir.write_json("results.json", results)
    shown = min(_SHOWN_IMAGES, args.test_images)
    run_dir.save_figure("predictions.png", _plot_masks(
        x_test[:shown], y_test[:shown], predict_masks(model, x_test[:shown], shown), classes))
    run_dir.write_text("report.md", _report(args, config, results, history))
    print(f"run folder: {run_dir.path}")
    print(f"test mIoU: {miou:.4f}")
    return 0


def _plot_masks(images, truths, predictions, classes):
    """A figure with one row per image: the image, its true mask, the predicted mask."""
    from matplotlib.colors import ListedColormap

    from ..viz.interpret import _pyplot

    plt = _pyplot()
    # one fixed colour per class, so the same colour means the same class in every panel
    colours = ListedColormap(["#202020", "#e6194b", "#3cb44b", "#4363d8"][:len(classes)])
    figure, axes = plt.subplots(len(images), 3, figsize=(6, 2 * len(images)), squeeze=False)
    for row, (image, truth, prediction) in enumerate(zip(images, truths, predictions)):
        panels = ((image.transpose(1, 2, 0), {}), (truth, {"cmap": colours}),
                  (prediction, {"cmap": colours}))
        for axis, (picture, style), title in zip(axes[row], panels,
                                                 ("image", "ground truth", "prediction")):
            if style:
                style.update(vmin=0, vmax=len(classes) - 1, interpolation="nearest")
            axis.imshow(picture, **style)
            axis.set_title(title if row == 0 else "")
            axis.axis("off")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours(i)) for i in range(len(classes))]
    figure.legend(handles, classes, loc="lower center", ncol=len(classes), frameon=False)
    return figure


def _report(args, config, results, history):
    lines = ["# visiongrad segment: fcn_small on SyntheticShapes", "",
             f"- test mIoU: **{results['test_miou']:.4f}** (labelling every pixel background "
             f"gives {results['background_only_miou']:.4f})",
             f"- test pixel accuracy: {results['test_pixel_accuracy']:.4f}",
             f"- data: {args.images} training and {args.test_images} test images of "
             f"{args.image_size}×{args.image_size}, up to {args.max_objects} shapes each "
             f"(seeds {args.seed} and {config['test_seed']})",
             f"- parameters: {config['num_parameters']:,}",
             f"- optimizer: Adam, lr {args.lr} with cosine annealing, batch {args.batch_size}, "
             f"{args.epochs} epochs, seed {args.seed}",
             f"- training time: {results['train_seconds']:.1f} s", "",
             "| class | test IoU |", "|---|---|"]
    lines += [f"| {name} | {iou:.4f} |" for name, iou in results["per_class_iou"].items()]
    lines += ["", "| epoch | train loss | test pixel acc | test mIoU | lr |",
              "|---|---|---|---|---|"]
    lines += [f"| {h['epoch']} | {h['train_loss']:.4f} | {h['test_pixel_accuracy']:.4f} | "
              f"{h['test_miou']:.4f} | {h['lr']:.2e} |" for h in history]
    lines += ["", "Test images, true masks and predicted masks:", "",
              "![predictions](predictions.png)", "",
              "Config: `config.json`; per-epoch metrics: `metrics.jsonl`; per-class IoU and "
              "the confusion matrix: `results.json`.", ""]
    return "\n".join(lines)
