"""``visiongrad visualize RUN``: look inside a model trained by ``visiongrad train``.
Draws its first-layer filters, saliency maps, guided backprop and occlusion maps for
test images, one class-visualization image per class, and a fooling image, into
``RUN/visualize/``."""
import os

import numpy as np

from .run_dir import RunDir


def register(subparsers):
    p = subparsers.add_parser("visualize", help="saliency, occlusion, filters and class "
                                                "visualizations of a trained run",
                              description=__doc__)
    p.add_argument("run", help="a run folder written by `visiongrad train`")
    p.add_argument("--images", type=int, default=6, help="test images to explain")
    p.add_argument("--steps", type=int, default=100,
                   help="gradient-ascent steps of the class visualizations")
    p.set_defaults(func=run)


def load_run(folder):
    """(model with its best weights in eval mode, config, normalized test images,
    test labels) of a ``visiongrad train`` run folder."""
    import json

    import visiongrad as vg
    from ..train.search import build_model
    from .train import load_arrays, resize_images

    config_path = os.path.join(folder, "config.json")
    weights_path = os.path.join(folder, "best.safetensors")
    for path in (config_path, weights_path):
        if not os.path.exists(path):
            raise SystemExit(f"visualize: {folder} is not a finished train run: {path} is "
                             "missing")
    with open(config_path) as f:
        config = json.load(f)
    _, _, x_test, y_test = load_arrays(config["dataset"], config.get("data_root"))
    stats = config["normalization"]
    x_test = resize_images((x_test - stats["mean"]) / stats["std"], config["input_size"])
    model = build_model(config["model_spec"], x_test.shape[1:], config["num_classes"])
    model.load_state_dict(vg.load(weights_path))
    model.eval()
    return model, config, x_test, y_test


def _first_conv_weight(model):
    from ..nn import Conv2d

    for module in model.modules():
        if isinstance(module, Conv2d) and module.in_channels in (1, 3):
            return module.weight
    return None


def run(args):
    import visiongrad as vg
    from .. import interpret
    from ..viz.interpret import plot_filters, plot_heatmaps, _pyplot

    if args.images < 1:
        raise SystemExit(f"visualize: --images must be >= 1, got {args.images}")
    model, config, x_test, y_test = load_run(args.run)
    out = RunDir(args.run, "visualize", name="visualize")
    # one image per class first, so the pictures cover different digits
    picks = [int(np.flatnonzero(y_test == c)[0]) for c in np.unique(y_test)][:args.images]
    images, labels = x_test[picks], y_test[picks]
    shown = (images - images.min()) / (images.max() - images.min())
    names = [f"class {c}" for c in labels]

    weight = _first_conv_weight(model)
    if weight is not None:
        print(f"filters: {out.save_figure('filters.png', plot_filters(weight))}")
    saliency = interpret.saliency_map(model, vg.from_numpy(images), labels.tolist())
    print(f"saliency: {out.save_figure('saliency.png', plot_heatmaps(shown, saliency, names))}")
    guided = interpret.guided_backprop(model, vg.from_numpy(images), labels.tolist())
    guided = np.abs(guided.numpy()).max(axis=1)
    print(f"guided backprop: "
          f"{out.save_figure('guided_backprop.png', plot_heatmaps(shown, guided, names))}")
    size = images.shape[-1]
    window = max(2, size // 7)
    drops = interpret.occlusion(model, vg.from_numpy(images), labels.tolist(), window=window,
                                stride=max(1, window // 2))
    print(f"occlusion: {out.save_figure('occlusion.png', plot_heatmaps(shown, drops, names))}")

    plt = _pyplot()
    classes = config["num_classes"]
    figure, axes = plt.subplots(1, classes, figsize=(1.6 * classes, 2), squeeze=False)
    for c in range(classes):
        result = interpret.class_visualization(model, c, images.shape[1:], steps=args.steps,
                                               lr=1.0, l2_reg=1e-3, blur_every=10,
                                               max_jitter=1, seed=c)
        picture = result.image.numpy().reshape(images.shape[1:])
        picture = (picture - picture.min()) / (np.ptp(picture) or 1)
        axes[0, c].imshow(picture.transpose(1, 2, 0)[..., 0] if picture.shape[0] == 1
                          else picture.transpose(1, 2, 0), cmap="gray")
        axes[0, c].set_title(str(c))
        axes[0, c].axis("off")
    figure.suptitle("class visualization: argmax S_c(I) − λ‖I‖²")
    print(f"class visualization: {out.save_figure('class_visualization.png', figure)}")

    target = int((labels[0] + 1) % classes)
    fooled, steps = interpret.fooling_image(model, images[0], target)
    fooled = fooled.numpy().reshape(images.shape[1:])
    with vg.no_grad():
        predicted = int(model(vg.from_numpy(fooled[None])).argmax(1).item())
    figure, axes = plt.subplots(1, 3, figsize=(6, 2.4))
    for axis, picture, title in zip(axes, (images[0], fooled, fooled - images[0]),
                                    (f"class {labels[0]}", f"predicted {predicted}",
                                     f"difference ({steps} steps)")):
        axis.imshow(picture[0], cmap="gray")
        axis.set_title(title)
        axis.axis("off")
    print(f"fooling image: {out.save_figure('fooling_image.png', figure)}")
    print(f"run folder: {out.path}")
    return 0
