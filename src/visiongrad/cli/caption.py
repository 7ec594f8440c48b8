"""``visiongrad caption``: image captioning end to end on a tiny offline task. Trains
CS231n's captioning RNN (vanilla RNN or LSTM) to write "<START> seven <END>" for a
Digits image of a seven, from its 64 flattened pixels as the image feature; reports
the test caption accuracy (the generated caption equals the true one, word for word)
and writes a run folder with the config, per-epoch metrics, a picture of test digits
with their generated captions, and a report."""
import sys
import time

import numpy as np

from .run_dir import RunDir

_SHOWN_IMAGES = 12


def register(subparsers):
    p = subparsers.add_parser(
        "caption", help="train the captioning RNN to name Digits images; report test "
                        "caption accuracy", description=__doc__)
    p.add_argument("--cell", default="rnn", choices=("rnn", "lstm"),
                   help="recurrent cell; default: %(default)s")
    p.add_argument("--epochs", type=int, default=20, help="default: %(default)s")
    p.add_argument("--batch-size", type=int, default=32, help="default: %(default)s")
    p.add_argument("--lr", type=float, default=5e-3,
                   help="Adam learning rate, annealed to 0 by a cosine schedule; "
                        "default: %(default)s")
    p.add_argument("--hidden-dim", type=int, default=64,
                   help="recurrent state width; default: %(default)s")
    p.add_argument("--seed", type=int, default=0, help="random seed; default: %(default)s")
    p.add_argument("--out", default="runs", help="parent folder of the run folder")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    p.set_defaults(func=run)


def _check_args(args):
    for name in ("epochs", "batch_size", "hidden_dim"):
        value = getattr(args, name)
        if value < 1:
            raise SystemExit(f"caption: --{name.replace('_', '-')} must be >= 1, got {value}")
    if not args.lr > 0:
        raise SystemExit(f"caption: --lr must be > 0, got {args.lr}")


def caption_accuracy(model, features, captions, batch_size):
    """(fraction of exact matches, generated caption strings): a generated caption is
    right when its words up to <END> equal the true caption's."""
    import visiongrad as vg
    from ..vision.models.sequence.captioning import decode_captions

    model.eval()
    # as many words as the true captions hold after <START>
    length = captions.shape[1] - 1
    generated = np.concatenate([
        model.sample(vg.from_numpy(features[i:i + batch_size]), max_length=length).numpy()
        for i in range(0, len(features), batch_size)])
    texts = decode_captions(generated)
    # decoding drops <NULL>, so "seven <NULL> ..." reads as "seven": demand the <END>
    ends = (generated == model.config.end_idx).any(axis=1)
    right = np.array(texts) == np.array(decode_captions(captions))
    return float(np.mean(right & ends)), texts


def run(args):
    import visiongrad as vg
    from ..optim import Adam
    from ..optim.lr_scheduler import CosineAnnealingLR
    from ..vision.datasets import Digits
    from ..vision.models.sequence.captioning import (DIGIT_VOCAB, CaptioningConfig,
                                                     CaptioningRNN, digit_captions)

    _check_args(args)
    vg.manual_seed(args.seed)
    train, test = Digits(train=True), Digits(train=False)
    x_train = train.data.reshape(len(train.data), -1).astype(np.float32) / 255.0
    x_test = test.data.reshape(len(test.data), -1).astype(np.float32) / 255.0
    mean, std = float(x_train.mean()), float(x_train.std())  # training statistics only
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    c_train, c_test = digit_captions(train.targets), digit_captions(test.targets)

    config = CaptioningConfig(vocab_size=len(DIGIT_VOCAB), input_dim=x_train.shape[1],
                              hidden_dim=args.hidden_dim, cell=args.cell)
    model = CaptioningRNN(config)
    optimizer = Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = -(-len(x_train) // args.batch_size)
    scheduler = CosineAnnealingLR(optimizer, T_max=args.epochs * steps_per_epoch)

    run_dir = RunDir(args.out, "caption")
    run_config = run_dir.write_config(
        args, model="captioning_rnn", vocab=list(DIGIT_VOCAB),
        train_size=len(x_train), test_size=len(x_test),
        normalization={"mean": mean, "std": std},
        num_parameters=sum(p.numel() for p in model.parameters()),
        optimizer="adam", schedule="cosine", visiongrad_version=vg.__version__)

    rng = np.random.default_rng(args.seed)
    history = []
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        epoch_start = time.perf_counter()
        model.train()
        batches = range(0, len(x_train), args.batch_size)
        if not args.no_progress:
            from tqdm.auto import tqdm

            batches = tqdm(batches, desc=f"epoch {epoch}/{args.epochs}", leave=False,
                           dynamic_ncols=True)
        order = rng.permutation(len(x_train))
        losses, weights = [], []
        for first in batches:
            batch = order[first:first + args.batch_size]
            loss = model.loss(vg.from_numpy(x_train[batch]), vg.from_numpy(c_train[batch]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            losses.append(loss.item())
            weights.append(len(batch))
        accuracy, _ = caption_accuracy(model, x_test, c_test, args.batch_size)
        record = {"epoch": epoch, "train_loss": float(np.average(losses, weights=weights)),
                  "test_caption_accuracy": accuracy, "lr": optimizer.param_groups[0]["lr"],
                  "seconds": time.perf_counter() - epoch_start}
        history.append(record)
        run_dir.log_metrics(record)
        if not args.no_progress:
            print(f"epoch {epoch:3d}  train_loss={record['train_loss']:.4f}  "
                  f"test_caption_accuracy={accuracy:.4f}", file=sys.stderr)
    elapsed = time.perf_counter() - start

    accuracy, texts = caption_accuracy(model, x_test, c_test, args.batch_size)
    results = {"test_caption_accuracy": accuracy, "train_loss": history[-1]["train_loss"],
               "train_seconds": elapsed, "epochs_run": args.epochs,
               "examples": [{"label": int(label), "caption": text}
                            for label, text in zip(test.targets[:_SHOWN_IMAGES], texts)]}
    run_dir.write_json("results.json", results)
    run_dir.save_figure("captions.png", _plot_captions(test.data[:_SHOWN_IMAGES],
                                                       test.targets[:_SHOWN_IMAGES], texts))
    run_dir.write_text("report.md", _report(args, run_config, results, history))
    print(f"run folder: {run_dir.path}")
    print(f"test caption accuracy: {accuracy:.4f}")
    return 0


def _plot_captions(images, labels, texts):
    """A grid of digits titled with their generated captions; a wrong one is red and
    names the true word."""
    from ..vision.models.sequence.captioning import DIGIT_WORDS
    from ..viz.interpret import _pyplot

    plt = _pyplot()
    columns = min(6, len(images))
    rows = -(-len(images) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(1.6 * columns, 1.9 * rows),
                                squeeze=False)
    for axis in axes.ravel():
        axis.axis("off")
    for axis, image, label, text in zip(axes.ravel(), images, labels, texts):
        axis.imshow(image, cmap="gray_r")
        truth = DIGIT_WORDS[label]
        if text == truth:
            axis.set_title(f'"{text}"', fontsize=9)
        else:
            axis.set_title(f'"{text}"\n(true: {truth})', fontsize=9, color="red")
    return figure


def _report(args, config, results, history):
    lines = [f"# visiongrad caption: captioning RNN ({args.cell}) on Digits", "",
             f"- test caption accuracy: **{results['test_caption_accuracy']:.4f}** "
             f"({config['test_size']} images; a caption counts when every word up to <END> "
             "matches; guessing one digit word gets about 0.1)",
             f"- final train loss: {results['train_loss']:.4f}",
             f"- features: the 64 flattened pixels, standardized with the training mean and "
             f"std; {config['train_size']} training images",
             f"- parameters: {config['num_parameters']:,} (hidden {args.hidden_dim})",
             f"- optimizer: Adam, lr {args.lr} with cosine annealing, batch {args.batch_size}, "
             f"{args.epochs} epochs, seed {args.seed}",
             f"- training time: {results['train_seconds']:.1f} s", "",
             "| epoch | train loss | test caption acc | lr |", "|---|---|---|---|"]
    lines += [f"| {h['epoch']} | {h['train_loss']:.4f} | {h['test_caption_accuracy']:.4f} | "
              f"{h['lr']:.2e} |" for h in history]
    lines += ["", "Test digits with their generated captions (red: wrong, with the true word):",
              "",
              "![captions](captions.png)", "",
              "Config: `config.json`; per-epoch metrics: `metrics.jsonl`; example captions: "
              "`results.json`.", ""]
    return "\n".join(lines)
