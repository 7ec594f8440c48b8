"""Chapter 4: activation statistics of a 6-layer, 4096-unit tanh net under W = 0.01·randn
(collapse), W = 0.05·randn (saturation) and Xavier, and of a 50-layer ReLU net under
Xavier (shrinks by √2 per layer) and Kaiming (constant); then a 50-layer SELU net that
normalises itself, and dead ReLU units that never update.

Run: python examples/10_initialization.py   (writes init_statistics.png, selu.png,
dead_relu.png; the 4096-unit nets take a minute)
"""
from visiongrad.experiments import dead_relu, init_statistics, selu_self_normalizing

results, figure = init_statistics()
figure.savefig("init_statistics.png", dpi=110, bbox_inches="tight")
for scheme, stats in results["tanh"].items():
    print(f"tanh {scheme:>6}: std per layer " + " ".join(f"{s:.3g}" for s in stats["std"])
          + f"; |a| > 0.99 in layer 6: {stats['saturated'][-1]:.0%}")
for scheme, stats in results["relu"].items():
    print(f"ReLU {scheme:>7}: mean per-layer ratio of the second moment "
          f"{stats['mean_layer_ratio']:.3f}, layer {results['relu_depth']}: "
          f"{stats['second_moment'][-1]:.3g}")

results, figure = selu_self_normalizing()
figure.savefig("selu.png", dpi=110, bbox_inches="tight")
print(f"SELU over {results['depth']} layers: |mean| ≤ {results['selu']['max_abs_mean']:.3f}, "
      f"|var − 1| ≤ {results['selu']['max_abs_var_error']:.3f}")

results, figure = dead_relu()
figure.savefig("dead_relu.png", dpi=110, bbox_inches="tight")
print(f"dead units {results['measured_dead_units']}: gradient norms "
      f"{[round(g, 3) for g in results['grad_norm_per_unit']]}, largest parameter change "
      f"{results['max_change_dead']} (live units: at least {results['min_change_alive']:.3f})")
print("figures: init_statistics.png, selu.png, dead_relu.png")
