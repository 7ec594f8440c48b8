"""Chapter 2: the activation-function zoo (CS231n lecture 6, EECS 498 lecture 10), each
function drawn with the derivative the engine's backward computes for it."""
import numpy as np

# the two linear pieces of the 1-D Maxout sketch, (w, b) each: max(x, −0.3x − 0.6)
_MAXOUT_PIECES = ((1.0, 0.0), (-0.3, -0.6))


def _zoo():
    """name -> function of a float64 Tensor, in the slides' order."""
    import visiongrad as vg
    from visiongrad import nn
    from visiongrad.nn import functional as F

    maxout = nn.Maxout(1, 1, pool_size=2, dtype=vg.float64)
    maxout.weight.data[:, 0] = [w for w, _ in _MAXOUT_PIECES]
    maxout.bias.data[:] = [b for _, b in _MAXOUT_PIECES]
    return {
        "sigmoid": F.sigmoid,
        "tanh": F.tanh,
        "ReLU": F.relu,
        "Leaky ReLU (0.1)": lambda x: F.leaky_relu(x, 0.1),
        "ELU": F.elu,
        "SELU": F.selu,
        "GELU": F.gelu,
        "SiLU / Swish": F.silu,
        "Softplus": F.softplus,
        "Maxout (sketch)": lambda x: maxout(x.reshape(-1, 1)).reshape(-1),
    }


def _value_and_derivative(function, points):
    """f(x) and f'(x) at ``points`` (1-D), the derivative from backward: every zoo
    function is elementwise, so the gradient of Σ f(x_i) is f'(x_i)."""
    import visiongrad as vg

    x = vg.tensor(points, dtype=vg.float64, requires_grad=True)
    y = function(x)
    y.sum().backward()
    return y.numpy().copy(), x.grad.numpy().copy()


def activation_zoo(x_range=5.0, num_points=1001, num_samples=100_000, seed=0):
    """The zoo: sigmoid, tanh, ReLU, Leaky ReLU (0.1), ELU, SELU, GELU, SiLU/Swish,
    Softplus and a two-piece Maxout, on [−``x_range``, ``x_range``] with their
    derivatives from backward.

    Claims measured: sigmoid saturates, σ'(10) ≈ 4.5e-5 < 5e-5, and σ' = σ(1 − σ) ≤ 0.25
    everywhere (C2.28); its outputs are not zero-centred (mean 0.5 on N(0, 1) input),
    tanh's are; ELU's mean output on N(0, 1) input (≈ 0.16) is closer to 0 than ReLU's
    (1/√(2π) ≈ 0.40) (C2.32); and without a nonlinearity two layers collapse into one,
    W2(W1x) = (W2W1)x to 1e-12 (C2.27).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    import visiongrad as vg

    vg.manual_seed(seed)
    zoo = _zoo()
    # an odd number of points puts one exactly at x = 0, where σ' peaks
    grid = np.linspace(-x_range, x_range, num_points)
    curves = {name: _value_and_derivative(f, grid) for name, f in zoo.items()}
    samples = vg.randn(num_samples, dtype=vg.float64)
    sigmoid, sigmoid_derivative = curves["sigmoid"]
    _, sigmoid_derivative_at_10 = _value_and_derivative(zoo["sigmoid"], [10.0])

    # weights with std 1/√Din keep every output O(1), so 1e-12 is absolute and relative
    x = vg.randn(32, 100, dtype=vg.float64)
    w1 = vg.randn(64, 32, dtype=vg.float64) / np.sqrt(32)
    w2 = vg.randn(10, 64, dtype=vg.float64) / np.sqrt(64)
    collapse_error = float(np.abs((w2 @ (w1 @ x) - (w2 @ w1) @ x).numpy()).max())

    with vg.no_grad():
        mean_output = {name: float(f(samples).numpy().mean()) for name, f in zoo.items()}
    results = {
        "sigmoid'(10)": float(sigmoid_derivative_at_10[0]),
        "max derivative": {name: float(d.max()) for name, (_, d) in curves.items()},
        "sigmoid' - sigmoid(1 - sigmoid), max abs": float(
            np.abs(sigmoid_derivative - sigmoid * (1 - sigmoid)).max()),
        "mean output on N(0,1)": mean_output,
        "linear collapse W2(W1x) - (W2W1)x, max abs": collapse_error,
    }

    figure, axes = plt.subplots(2, 5, figsize=(16, 6.5))
    for axis, (name, (value, derivative)) in zip(axes.ravel(), curves.items()):
        axis.axhline(0, color="0.8", linewidth=0.8)
        axis.axvline(0, color="0.8", linewidth=0.8)
        if name == "Maxout (sketch)":
            for w, b in _MAXOUT_PIECES:
                axis.plot(grid, w * grid + b, color="0.6", linestyle=":", linewidth=1)
        axis.plot(grid, value, label="f(x)")
        axis.plot(grid, derivative, linestyle="--", label="f'(x) by backward")
        axis.set_title(name)
        axis.set_xlim(-x_range, x_range)
        axis.set_ylim(-2.0, 3.0)
    axes[0, 0].legend(fontsize=8, loc="upper left")
    figure.tight_layout()
    return results, figure
