"""Chapter 1: k-nearest neighbours with k chosen by 5-fold cross-validation, and linear
SVM / softmax classifiers trained on the engine, on scikit-learn's digits.

Run: python examples/04_knn_and_linear.py
"""
import numpy as np

from visiongrad.classic import KNearestNeighbor, LinearClassifier, cross_validate_knn, select_k
from visiongrad.vision.datasets import Digits
from visiongrad.vision.preprocessing import Standardize

train, test = Digits(train=True), Digits(train=False)
x_train = np.asarray(train.data, np.float64).reshape(len(train.targets), -1)
x_test = np.asarray(test.data, np.float64).reshape(len(test.targets), -1)
y_train, y_test = np.asarray(train.targets), np.asarray(test.targets)

accuracies = cross_validate_knn(x_train, y_train, ks=[1, 3, 5, 7, 10], num_folds=5)
best_k = select_k(accuracies)
knn = KNearestNeighbor().fit(x_train, y_train)
print(f"k-NN: best k = {best_k}, test accuracy {knn.score(x_test, y_test, k=best_k):.4f}")

scaler = Standardize().fit(x_train)
features_train = scaler.transform(x_train).astype(np.float32)
features_test = scaler.transform(x_test).astype(np.float32)
for loss in ("svm", "softmax"):
    model = LinearClassifier(loss, reg=1e-3).fit(features_train, y_train, lr=1.0, epochs=20,
                                                  batch_size=200)
    print(f"linear {loss}: test accuracy {model.score(features_test, y_test):.4f}")
