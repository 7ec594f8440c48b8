"""Chapter 4: weight initialisation and activation statistics (EECS 498 lecture 10,
CS231n lecture 6), and two chapter-2 companions: the self-normalising SELU net and the
dead ReLU."""
import math

import numpy as np

# key -> (figure label, weight std as a function of Din). The slides' "Xavier" is
# std = 1/√Din (erratum E15), not nn.init.xavier_normal_'s √(2/(fan_in + fan_out));
# the two agree only for square layers such as these.
_TANH_SCHEMES = {
    "0.01": ("tanh, W = 0.01·randn", lambda fan_in: 0.01),
    "0.05": ("tanh, W = 0.05·randn", lambda fan_in: 0.05),
    "xavier": ("tanh, Xavier std = 1/√Din", lambda fan_in: 1 / math.sqrt(fan_in)),
}
_RELU_SCHEMES = {
    "xavier": ("ReLU, Xavier std = 1/√Din", lambda fan_in: 1 / math.sqrt(fan_in)),
    "kaiming": ("ReLU, Kaiming std = √(2/Din)", lambda fan_in: math.sqrt(2 / fan_in)),
}
# |a| above this counts as saturated: tanh's local gradient 1 − a² is then below 0.02
_SATURATION = 0.99


def _tanh_mean_field(gain, depth, points=101):
    """Infinite-width prediction for a tanh net on unit-Gaussian input whose weights
    have std = gain/√Din: the pre-activations of layer l are N(0, gain²·q_{l−1}) with q
    the previous layer's second moment, so q_l = E[tanh²(gain·√q_{l−1}·g)], g ~ N(0, 1)
    (Gauss–Hermite quadrature). Returns per-layer (std, fraction with |a| > 0.99)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(points)
    weights = weights / weights.sum()
    second_moment, stds, saturated = 1.0, [], []
    for _ in range(depth):
        pre_std = gain * math.sqrt(second_moment)
        second_moment = float(weights @ np.tanh(pre_std * nodes) ** 2)
        stds.append(math.sqrt(second_moment))
        saturated.append(math.erfc(math.atanh(_SATURATION) / (pre_std * math.sqrt(2))))
    return stds, saturated


def _shown_layers(depth, columns):
    """1-based indices of at most ``columns`` layers spread evenly from first to last."""
    return [int(i) for i in np.unique(np.linspace(1, depth, min(depth, columns)).round())]


def init_statistics(width=4096, depth=6, relu_depth=50, num_samples=16, seed=0):
    """Activation statistics of deep MLPs on unit-Gaussian input, the slides' histograms.

    tanh, ``depth`` layers of ``width`` units (the slides: 6 × 4096, 16 samples):

    - W = 0.01·randn (zero mean; the notes' "mean 1" is erratum E13): each layer
      multiplies the std by about 0.01·√Din < 1, so activations collapse towards 0. At
      4096 units that factor is 0.64 and layer 6 still has std ≈ 0.046; the "layer-6
      std < 1e-3" of C4.03 needs 0.01·√Din ≲ 0.3, i.e. Din ≲ 1000 (≈ 1.2e-4 at 500
      units).
    - W = 0.05·randn: the factor is 3.2 at 4096 units, tanh saturates: deep-layer std ≈
      0.85 and a third of the units have |a| > 0.99 (local gradient < 0.02). C4.04's
      "> 50 % above 0.99" does not hold at this width: the infinite-width fixed point
      gives 33 %. At 500 units the factor is 1.1 and nothing saturates.
    - Xavier std = 1/√Din: the std decays slowly, 0.63, 0.49, 0.41, 0.36, 0.32, 0.295
      — layer 6 sits just under C4.05's lower bound of 0.3, at any width.

    ReLU, ``relu_depth`` layers: Xavier halves the second moment at every layer (std
    shrinks by √2), Kaiming std = √(2/Din) (erratum E14) keeps it constant in
    expectation: the mean per-layer ratio q_l/q_{l−1} of the second moment is 1. One
    finite-width net drifts as a multiplicative random walk (Var log q_L ≈ 5·L/Din,
    Hanin & Rolnick 2018), so C4.06's "constant ± 20 % over 50 layers" is a matter of
    luck: at 4096 units seed 0 stays within 0.89–1.14 but four of seeds 1–6 leave the
    band; at 500 units seed 0 wanders over 0.28–1.13.

    All schemes scale the same standard-normal draw of each layer, so the rows differ by
    the scale (and the nonlinearity) alone; with ReLU's positive homogeneity that makes
    the Kaiming activations exactly 2^{l/2} times the Xavier ones.

    Returns per-layer means, stds and saturated fractions of each tanh scheme with their
    infinite-width predictions (``_tanh_mean_field``), per-layer means, stds and second
    moments of each ReLU scheme, and a figure with one row of histograms per scheme.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    import visiongrad as vg

    vg.manual_seed(seed)
    x = vg.randn(num_samples, width)
    tanh = {key: [x] for key in _TANH_SCHEMES}
    relu = {key: [x] for key in _RELU_SCHEMES}
    with vg.no_grad():
        for layer in range(max(depth, relu_depth)):
            w = vg.randn(width, width)
            # x·(s·W) = s·(x·W): scaling the (N, Dout) product is cheaper than the weight
            if layer < depth:
                for key, (_, std) in _TANH_SCHEMES.items():
                    tanh[key].append(((tanh[key][-1] @ w) * std(width)).tanh())
            if layer < relu_depth:
                for key, (_, std) in _RELU_SCHEMES.items():
                    relu[key].append(((relu[key][-1] @ w) * std(width)).relu())
    tanh = {key: [h.numpy() for h in hs[1:]] for key, hs in tanh.items()}
    relu = {key: [h.numpy() for h in hs[1:]] for key, hs in relu.items()}

    results = {"width": width, "depth": depth, "relu_depth": relu_depth,
               "num_samples": num_samples, "tanh": {}, "relu": {}}
    for key, (_, std) in _TANH_SCHEMES.items():
        predicted_std, predicted_saturated = _tanh_mean_field(std(width) * math.sqrt(width),
                                                              depth)
        results["tanh"][key] = {
            "mean": [float(a.mean()) for a in tanh[key]],
            "std": [float(a.std()) for a in tanh[key]],
            "saturated": [float(np.mean(np.abs(a) > _SATURATION)) for a in tanh[key]],
            "predicted_std": predicted_std, "predicted_saturated": predicted_saturated}
    for key in _RELU_SCHEMES:
        second_moments = [float(np.mean(a.astype(np.float64) ** 2)) for a in relu[key]]
        # the input's second moment is 1 (unit Gaussian)
        ratios = np.array(second_moments) / np.array([1.0] + second_moments[:-1])
        results["relu"][key] = {
            "mean": [float(a.mean()) for a in relu[key]],
            "std": [float(a.std()) for a in relu[key]],
            "second_moment": second_moments,
            "second_moment_range": [min(second_moments), max(second_moments)],
            "mean_layer_ratio": float(ratios.mean())}

    tanh_layers = _shown_layers(depth, 6)
    relu_layers = _shown_layers(relu_depth, 6)
    # one x-range for both ReLU rows, so that Xavier's collapse shows against Kaiming
    relu_range = (0.0, float(np.quantile(relu["kaiming"][0], 0.999)))
    # (label, activations, layers shown, histogram range, drop exact zeros)
    rows = ([(label, tanh[key], tanh_layers, (-1.0, 1.0), False)
             for key, (label, _) in _TANH_SCHEMES.items()]
            + [(label, relu[key], relu_layers, relu_range, True)
               for key, (label, _) in _RELU_SCHEMES.items()])
    columns = max(len(tanh_layers), len(relu_layers))
    figure, axes = plt.subplots(len(rows), columns, figsize=(2.6 * columns, 2.3 * len(rows)),
                                squeeze=False)
    for row, (label, activations, layers, value_range, nonzero_only) in enumerate(rows):
        for column in range(columns):
            axis = axes[row, column]
            if column >= len(layers):
                axis.axis("off")
                continue
            a = activations[layers[column] - 1]
            # half of every ReLU layer is exactly 0; that spike would hide the rest
            shown = a[a > 0] if nonzero_only else a.ravel()
            axis.hist(shown, bins=50, range=value_range, histtype="stepfilled", color=f"C{row}")
            axis.set_yticks([])
            axis.set_title(f"layer {layers[column]}: mean {a.mean():+.2f}\nstd {a.std():.3g}",
                           fontsize=8)
            axis.tick_params(labelsize=7)
        axes[row, 0].set_ylabel(label, fontsize=8)
    figure.suptitle(f"activation histograms, {width}-unit layers, {num_samples} unit-Gaussian "
                    f"inputs (ReLU rows: non-zero values)", fontsize=10)
    figure.tight_layout()
    return results, figure


def selu_self_normalizing(width=1024, depth=50, num_samples=256, seed=0):
    """A ``depth``-layer SELU MLP with LeCun-normal weights (std = 1/√Din, i.e.
    ``kaiming_normal_(nonlinearity='linear')``) keeps its activations at mean ≈ 0 ± 0.1
    and variance ≈ 1 ± 0.2 at every layer (C2.33): (0, 1) is an attracting fixed point
    of the map from one layer's moments to the next (Klambauer et al., 2017). The same
    weights under plain ELU (α = λ = 1) lose variance layer after layer, which shows
    that α ≈ 1.6733, λ ≈ 1.0507 are what does it."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    import visiongrad as vg
    from visiongrad import nn
    from visiongrad.nn import functional as F

    vg.manual_seed(seed)
    x = vg.randn(num_samples, width)
    activations = {"selu": [x], "elu": [x]}
    with vg.no_grad():
        for _ in range(depth):
            w = nn.init.kaiming_normal_(vg.empty(width, width), nonlinearity="linear")
            activations["selu"].append(F.selu(F.linear(activations["selu"][-1], w)))
            activations["elu"].append(F.elu(F.linear(activations["elu"][-1], w)))
    results = {"width": width, "depth": depth}
    for name, hs in activations.items():
        means = [float(h.numpy().mean()) for h in hs[1:]]
        variances = [float(h.numpy().var()) for h in hs[1:]]
        results[name] = {"mean": means, "var": variances,
                         "max_abs_mean": max(abs(m) for m in means),
                         "max_abs_var_error": max(abs(v - 1) for v in variances)}

    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    layers = np.arange(1, depth + 1)
    for axis, statistic, target, tolerance in ((axes[0], "mean", 0.0, 0.1),
                                               (axes[1], "var", 1.0, 0.2)):
        axis.axhspan(target - tolerance, target + tolerance, color="0.9",
                     label=f"{target:g} ± {tolerance:g}")
        axis.plot(layers, results["selu"][statistic], marker=".", label="SELU")
        axis.plot(layers, results["elu"][statistic], marker=".", label="ELU (same weights)")
        axis.set_xlabel("layer")
        axis.set_ylabel(f"activation {statistic}")
        axis.legend()
    figure.suptitle(f"{depth}-layer, {width}-unit MLP with LeCun-normal weights")
    figure.tight_layout()
    return results, figure


def dead_relu(num_samples=200, hidden=8, dead_units=(1, 4, 6), steps=50, lr=0.1, seed=0):
    """A dead ReLU unit — one whose pre-activation w·x + b is negative for every input
    — outputs 0 and passes back 0, so its incoming weights, its bias and its outgoing
    weight all get exactly zero gradient and never update (C2.30).

    A Linear(2, ``hidden``)–ReLU–Linear(``hidden``, 1) net regresses ‖x‖ on a 2-D
    Gaussian cloud. The biases of ``dead_units`` are set so that their hyperplanes
    w·x + b = 0 miss the cloud, as one oversized update can do; after ``steps`` of SGD
    those units' parameters are bit-for-bit unchanged while the live ones have moved.
    The figure draws the cloud and each unit's hyperplane (CS231n lecture 6)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    import visiongrad as vg
    from visiongrad import nn, optim
    from visiongrad.nn import functional as F

    vg.manual_seed(seed)
    x = vg.randn(num_samples, 2, dtype=vg.float64)
    target = (x * x).sum(1, keepdim=True).sqrt()
    layer1 = nn.Linear(2, hidden, dtype=vg.float64)
    layer2 = nn.Linear(hidden, 1, dtype=vg.float64)
    dead = list(dead_units)
    # put each chosen unit's hyperplane 0.5 beyond the cloud's farthest point along w
    reach = (x.numpy() @ layer1.weight.data[dead].T).max(axis=0)
    layer1.bias.data[dead] = -reach - 0.5
    parameters = [layer1.weight, layer1.bias, layer2.weight, layer2.bias]
    initial = [p.numpy().copy() for p in parameters]
    # plain SGD: weight decay would shrink dead units' weights without any gradient
    opt = optim.SGD(parameters, lr=lr)
    losses = []
    for step in range(steps):
        pre_activation = layer1(x)
        loss = F.mse_loss(layer2(pre_activation.relu()), target)
        opt.zero_grad()
        loss.backward()
        if step == 0:
            unit_grad_norms = np.sqrt((layer1.weight.grad.numpy() ** 2).sum(1)
                                      + layer1.bias.grad.numpy() ** 2
                                      + layer2.weight.grad.numpy()[0] ** 2)
            measured_dead = np.flatnonzero((pre_activation.numpy() <= 0).all(axis=0))
        opt.step()
        losses.append(loss.item())
    # per unit: largest change of its incoming weights, bias and outgoing weight
    change = np.max([np.abs(layer1.weight.numpy() - initial[0]).max(1),
                     np.abs(layer1.bias.numpy() - initial[1]),
                     np.abs(layer2.weight.numpy()[0] - initial[2][0])], axis=0)
    alive = [j for j in range(hidden) if j not in dead]
    results = {"dead_units": dead,
               "measured_dead_units": measured_dead.tolist(),
               "grad_norm_per_unit": unit_grad_norms.tolist(),
               "max_change_dead": float(change[dead].max()),
               "min_change_alive": float(change[alive].min()),
               "loss_first": losses[0], "loss_last": losses[-1]}

    figure, axis = plt.subplots(figsize=(6, 6))
    points = x.numpy()
    axis.scatter(points[:, 0], points[:, 1], s=6, color="0.5")
    w, b = layer1.weight.numpy(), layer1.bias.numpy()
    limit = max(np.abs(points).max(), (np.abs(b) / np.linalg.norm(w, axis=1)).max()) + 0.5
    t = np.linspace(-limit, limit, 2)
    for j in range(hidden):
        # the line w·x + b = 0, parametrised by its distance along the direction ⟂ w
        normal = w[j] / np.linalg.norm(w[j])
        foot = -b[j] / np.linalg.norm(w[j]) * normal
        line = foot + t[:, None] * np.array([-normal[1], normal[0]])
        is_dead = j in dead
        axis.plot(line[:, 0], line[:, 1], linestyle="--" if is_dead else "-",
                  color="C3" if is_dead else "C2",
                  label=("dead unit" if is_dead else "active unit")
                  if j in (dead[0], alive[0]) else None)
    axis.set_xlim(-limit, limit)
    axis.set_ylim(-limit, limit)
    axis.set_aspect("equal")
    axis.legend(loc="upper right")
    axis.set_title(f"hyperplanes w·x + b = 0 after {steps} SGD steps\n"
                   f"dead units (dashed) never moved")
    figure.tight_layout()
    return results, figure
