"""Chapter 3: the degradation problem that residual connections solve."""
import numpy as np

from ..train.callbacks import Callback


class _StepLosses(Callback):
    """Collects the training loss of every step."""

    def __init__(self):
        self.losses = []

    def on_batch_end(self, trainer, step, logs):
        self.losses.append(logs["loss"])


def degradation(depth=20, width=8, epochs=4, train_size=1000, batch_size=50, lr=0.05, seed=0):
    """He et al. (2015) §4.2 on the embedded MNIST subset: a deep "plain" network (the
    same layers, no shortcuts) reaches a higher training loss than the residual network
    of the same depth in the same number of steps; the problem is optimization, not
    overfitting, so it shows on the training set.

    Both networks are the CIFAR-style ResNet of ``depth`` = 6n + 2 layers with stages of
    ``width``, 2·``width`` and 4·``width`` channels and parameter-free (option A)
    shortcuts, so they have the same parameters, start from the same weights (the same
    seed) and see the same batches; only the shortcuts differ. SGD with momentum 0.9 on
    ``train_size`` training images. Returns the mean training loss of each epoch for
    both, and a figure of their losses step by step.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    import visiongrad as vg
    from visiongrad import optim
    from visiongrad.train import Trainer
    from visiongrad.utils.data import DataLoader, TensorDataset
    from visiongrad.vision.datasets import MNIST
    from visiongrad.vision.models.classification import BasicBlock, CifarResNet

    if depth < 8 or (depth - 2) % 6:
        raise ValueError(f"degradation: depth must be 6n + 2 with n >= 1 (8, 14, 20, ...), "
                         f"got {depth}")
    blocks = (depth - 2) // 6
    mnist = MNIST(train=True)
    keep = np.random.default_rng(seed).permutation(len(mnist.targets))[:train_size]
    # the embedded subset's pixel mean and standard deviation
    x = (mnist.data[keep, None].astype(np.float32) / 255.0 - 0.1307) / 0.3081
    dataset = TensorDataset(vg.tensor(x), vg.tensor(mnist.targets[keep]))
    results, curves = {}, {}
    for name, plain in (("plain", True), ("residual", False)):
        vg.manual_seed(seed)
        model = CifarResNet(BasicBlock, [blocks] * 3, (width, 2 * width, 4 * width),
                            num_classes=10, in_channels=1, plain=plain)
        steps = _StepLosses()
        trainer = Trainer(model, optim.SGD(model.parameters(), lr=lr, momentum=0.9),
                          callbacks=[steps], progress=False)
        history = trainer.fit(DataLoader(dataset, batch_size=batch_size, shuffle=True),
                              epochs=epochs)
        curves[name] = steps.losses
        results[name] = {"epoch_train_loss": [h["train_loss"] for h in history],
                         "final_train_accuracy": history[-1]["train_accuracy"]}
    results["setup"] = {"depth": depth, "width": width, "blocks_per_stage": blocks,
                        "train_images": len(keep), "steps": len(curves["plain"])}
    figure, axis = plt.subplots(figsize=(7, 4))
    for name, losses in curves.items():
        axis.plot(np.arange(1, len(losses) + 1), losses, label=f"{name}-{depth}", alpha=0.8)
    axis.set_xlabel("step")
    axis.set_ylabel("training loss")
    axis.set_yscale("log")
    axis.set_title(f"degradation: {depth} layers with and without shortcuts (MNIST)")
    axis.legend()
    axis.grid(alpha=0.3)
    figure.tight_layout()
    return results, figure
