"""Plots of a hyperparameter search: the objective against each searched
hyperparameter (log axes, coloured by the objective, diverged trials marked) and the
loss curves of the learning-rate finder."""
import math

from .training import _pyplot

_STAGE_MARKERS = {"coarse": "o", "fine": "^"}


def plot_search(results, params=("lr", "weight_decay"), objective="val_accuracy"):
    """One panel per hyperparameter in ``params``: ``objective`` against its value on a
    log axis, each trial coloured by ``objective`` (markers by stage: circles coarse,
    triangles fine), diverged trials as red crosses along the bottom; then, for two
    parameters, one panel of the first against the second, coloured the same way (where
    the good region lies).

    ``results``: the dicts returned by ``run_search`` (``config``, ``metrics``,
    ``status``, ``stage``); configs lacking a parameter are skipped in its panel.
    """
    plt = _pyplot()
    def ok(result):
        return (result["status"] == "ok"
                and math.isfinite(result["metrics"].get(objective, math.nan)))

    finished = [r for r in results if ok(r)]
    diverged = [r for r in results if not ok(r)]
    scores = [r["metrics"][objective] for r in finished]
    low, high = (min(scores), max(scores)) if scores else (0.0, 1.0)
    panels = len(params) + (1 if len(params) == 2 else 0)
    figure, axes = plt.subplots(1, panels, figsize=(4.2 * panels, 3.6), squeeze=False,
                                layout="constrained")
    image = None
    for axis, param in zip(axes[0], params):
        for stage in sorted({r.get("stage", "search") for r in finished}):
            points = [r for r in finished if r.get("stage", "search") == stage
                      and param in r["config"]]
            image = axis.scatter([r["config"][param] for r in points],
                                 [r["metrics"][objective] for r in points],
                                 c=[r["metrics"][objective] for r in points], cmap="viridis",
                                 vmin=low, vmax=high, marker=_STAGE_MARKERS.get(stage, "s"),
                                 edgecolors="black", linewidths=0.4, label=stage)
        failed = [r["config"][param] for r in diverged if param in r["config"]]
        if failed:
            axis.scatter(failed, [low] * len(failed), marker="x", color="red",
                         label="diverged")
        axis.set_xscale("log")
        axis.set_xlabel(param)
        axis.set_ylabel(objective)
        axis.grid(alpha=0.3, which="both")
        axis.legend(fontsize=8)
    if len(params) == 2:
        axis = axes[0][-1]
        both = [r for r in finished if all(p in r["config"] for p in params)]
        image = axis.scatter([r["config"][params[0]] for r in both],
                             [r["config"][params[1]] for r in both],
                             c=[r["metrics"][objective] for r in both], cmap="viridis",
                             vmin=low, vmax=high, edgecolors="black", linewidths=0.4)
        failed = [r for r in diverged if all(p in r["config"] for p in params)]
        if failed:
            axis.scatter([r["config"][params[0]] for r in failed],
                         [r["config"][params[1]] for r in failed], marker="x", color="red")
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel(params[0])
        axis.set_ylabel(params[1])
        axis.grid(alpha=0.3, which="both")
    if image is not None:
        figure.colorbar(image, ax=list(axes[0]), label=objective)
    return figure


def plot_lr_finder(curves, chosen=None):
    """The training loss per iteration for each candidate learning rate (``curves``:
    ``{lr: [loss, ...]}`` as in ``find_lr``'s details); the chosen one drawn thicker."""
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6, 3.8))
    for lr, losses in curves.items():
        finite = [loss if math.isfinite(loss) else math.nan for loss in losses]
        axis.plot(range(1, len(finite) + 1), finite, label=f"lr={lr:g}",
                  linewidth=2.5 if lr == chosen else 1.0)
    axis.set_xlabel("iteration")
    axis.set_ylabel("training loss")
    axis.set_yscale("log")
    axis.grid(alpha=0.3, which="both")
    axis.legend(fontsize=8)
    axis.set_title("learning-rate finder")
    figure.tight_layout()
    return figure
