"""Chapter 2: gate gradients, optimizer trajectories, learning-rate schedules."""
import numpy as np


def gates():
    """The notes' two computational-graph examples, differentiated by the engine."""
    import visiongrad as vg

    x, y, z = (vg.tensor(v, dtype=vg.float64, requires_grad=True) for v in (-2.0, 5.0, -4.0))
    f = (x + y) * z
    f.backward()
    sum_mul = {"f": f.item(), "df/dx": x.grad.item(), "df/dy": y.grad.item(),
               "df/dz": z.grad.item()}
    w = vg.tensor([2.0, -3.0, -3.0], dtype=vg.float64, requires_grad=True)
    xs = vg.tensor([-1.0, -2.0], dtype=vg.float64, requires_grad=True)
    g = (w[0] * xs[0] + w[1] * xs[1] + w[2]).sigmoid()
    g.backward()
    sigmoid = {"f": g.item(), "df/dw": w.grad.tolist(), "df/dx": xs.grad.tolist()}
    return {"(x+y)z at (-2,5,-4)": sum_mul, "sigmoid(w0x0+w1x1+w2)": sigmoid}, None


# name -> (optimizer class name, keyword arguments)
_OPTIMIZERS = {
    "SGD": ("SGD", {"lr": 0.012}),
    "SGD+momentum": ("SGD", {"lr": 0.012, "momentum": 0.9}),
    "Nesterov": ("SGD", {"lr": 0.012, "momentum": 0.9, "nesterov": True}),
    "AdaGrad": ("Adagrad", {"lr": 0.5, "eps": 1e-7}),
    "RMSProp": ("RMSprop", {"lr": 0.05, "alpha": 0.99}),
    "Adam (almost)": ("Adam", {"lr": 0.05, "bias_correction": False}),
    "Adam": ("Adam", {"lr": 0.05}),
}


def _quadratic(p):
    return 0.5 * (p[0] ** 2 + 100 * p[1] ** 2)


def _saddle(p):
    return p[0] ** 2 - p[1] ** 2


def _trajectory(name, surface, start, steps):
    import visiongrad as vg
    from visiongrad import optim

    cls_name, kwargs = _OPTIMIZERS[name]
    p = vg.tensor(start, dtype=vg.float64, requires_grad=True)
    opt = getattr(optim, cls_name)([p], **kwargs)
    path = [p.numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        surface(p).backward()
        opt.step()
        path.append(p.numpy().copy())
    return np.array(path)


def optimizers(steps=150):
    """Trajectories of every optimizer of the course on an ill-conditioned quadratic
    f = ½(x² + 100y²) (plain SGD zig-zags along the steep axis; momentum gets there
    sooner) and on the saddle f = x² − y² started next to the ridge (SGD lingers at
    the saddle point, momentum and adaptive methods escape), drawn in one figure."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    results = {}
    figure, axes = plt.subplots(1, 2, figsize=(13, 5))
    problems = [("ill-conditioned quadratic ½(x²+100y²)", _quadratic, [-1.5, 0.15],
                 (-1.7, 0.4, -0.25, 0.25)),
                ("saddle x² − y²", _saddle, [1.0, 1e-3], (-1.2, 1.2, -1.2, 1.2))]
    for axis, (title, surface, start, (x0, x1, y0, y1)) in zip(axes, problems):
        gx, gy = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
        axis.contour(gx, gy, surface(np.stack([gx, gy])), levels=30, cmap="Greys", alpha=0.6)
        results[title] = {}
        for name in _OPTIMIZERS:
            path = _trajectory(name, surface, start, steps)
            axis.plot(path[:, 0], path[:, 1], marker=".", markersize=2, linewidth=1, label=name)
            if surface is _quadratic:
                distance = np.linalg.norm(path, axis=1)
                reached = np.flatnonzero(distance < 1e-3)
                results[title][name] = {
                    "final_loss": float(_quadratic(path[-1])),
                    "steps_to_1e-3": int(reached[0]) if reached.size else None,
                    "y_sign_flips": int(np.sum(np.diff(np.sign(path[:40, 1])) != 0))}
            else:
                escaped = np.flatnonzero(np.abs(path[:, 1]) > 1.0)
                results[title][name] = {
                    "steps_to_escape": int(escaped[0]) if escaped.size else None}
        axis.set_xlim(x0, x1)
        axis.set_ylim(y0, y1)
        axis.set_title(title)
        axis.legend(fontsize=8)
    figure.tight_layout()
    return results, figure


def schedules(epochs=100, base_lr=0.1):
    """The learning-rate schedules of the course, from visiongrad.optim.lr_scheduler:
    step (×0.1 at 30, 60, 90), cosine, linear, inverse square root, and linear warm-up
    followed by cosine."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    import visiongrad as vg
    from visiongrad import optim
    from visiongrad.optim import lr_scheduler as S

    def make(name, opt):
        if name == "step (30/60/90)":
            return S.MultiStepLR(opt, [30, 60, 90], 0.1)
        if name == "cosine":
            return S.CosineAnnealingLR(opt, T_max=epochs)
        if name == "linear":
            return S.LinearLR(opt, start_factor=1.0, end_factor=0.0, total_iters=epochs)
        if name == "inverse sqrt":
            return S.LambdaLR(opt, lambda t: 1 / np.sqrt(t + 1))
        warmup = S.LinearLR(opt, start_factor=0.1, end_factor=1.0, total_iters=5)
        return S.SequentialLR(opt, [warmup, S.CosineAnnealingLR(opt, T_max=epochs - 5)], [5])

    names = ["step (30/60/90)", "cosine", "linear", "inverse sqrt", "warm-up 5 + cosine"]
    curves = {}
    for name in names:
        opt = optim.SGD([vg.zeros(1, requires_grad=True)], lr=base_lr)
        scheduler = make(name, opt)
        lrs = []
        for _ in range(epochs):
            lrs.append(scheduler.get_last_lr()[0])
            opt.step()
            scheduler.step()
        curves[name] = lrs
    figure, axis = plt.subplots(figsize=(7, 4))
    for name, lrs in curves.items():
        axis.plot(lrs, label=name)
    axis.set_xlabel("epoch")
    axis.set_ylabel("learning rate")
    axis.legend()
    axis.grid(alpha=0.3)
    figure.tight_layout()
    results = {name: {"epoch 0": lrs[0], f"epoch {epochs // 2}": lrs[epochs // 2],
                      f"epoch {epochs - 1}": lrs[-1]} for name, lrs in curves.items()}
    return results, figure
