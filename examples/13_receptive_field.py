"""Chapter 3: the receptive field of one output unit, measured as the support of its
input gradient: 1 + L(k − 1) for L stride-1 k×k convolutions, and the general formula
with strides and pooling.

Run: python examples/13_receptive_field.py   (writes receptive_field.png)
"""
import json

from visiongrad.experiments import receptive_fields

results, figure = receptive_fields()
figure.savefig("receptive_field.png", dpi=110, bbox_inches="tight")
print(json.dumps(results, indent=2, ensure_ascii=False))
print("figure: receptive_field.png")
