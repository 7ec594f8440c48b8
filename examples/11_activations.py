"""Chapter 2: the activation-function zoo — sigmoid, tanh, ReLU, Leaky ReLU, ELU, SELU,
GELU, SiLU/Swish, Softplus and Maxout — each with the derivative that backward computes.

Run: python examples/11_activations.py   (writes activations.png)
"""
import json

from visiongrad.experiments import activation_zoo

results, figure = activation_zoo()
figure.savefig("activations.png", dpi=110, bbox_inches="tight")
print(json.dumps(results, indent=2, ensure_ascii=False))
print("figure: activations.png")
