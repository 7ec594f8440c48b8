"""Chapter 2: SGD, momentum, Nesterov, AdaGrad, RMSProp and Adam (with and without bias
correction) on an ill-conditioned quadratic and on a saddle, drawn in one figure.

Run: python examples/02_optimizers.py   (writes optimizers.png)
"""
import json

from visiongrad.experiments import optimizers

results, figure = optimizers()
figure.savefig("optimizers.png", dpi=110)
print(json.dumps(results, indent=2))
print("figure: optimizers.png")
