"""Chapter 4: a correlated 2-D Gaussian cloud zero-centred and normalised, and
decorrelated and whitened with PCA (visiongrad.vision.preprocessing).

Run: python examples/12_preprocessing.py   (writes preprocessing.png)
"""
import json

from visiongrad.experiments import data_preprocessing

results, figure = data_preprocessing()
figure.savefig("preprocessing.png", dpi=110, bbox_inches="tight")
print(json.dumps(results, indent=2))
print("figure: preprocessing.png")
