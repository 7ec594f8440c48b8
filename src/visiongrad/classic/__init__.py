"""Chapter 1 of the course: classifiers before neural networks. k-nearest neighbours
(``knn``), linear classifiers with the multiclass SVM and softmax losses (``linear``)
and hand-made image features (``features``)."""
from .knn import KNearestNeighbor, cross_validate_knn, select_k
from .linear import LinearClassifier, append_bias, linear_loss, softmax_loss, svm_loss
from .features import (BagOfVisualWords, color_histogram_hsv, extract_features, hog_features,
                       kmeans, kmeans_plusplus, rgb_to_hsv)

__all__ = ["BagOfVisualWords", "KNearestNeighbor", "LinearClassifier", "append_bias",
           "color_histogram_hsv", "cross_validate_knn", "extract_features", "hog_features",
           "kmeans", "kmeans_plusplus", "linear_loss", "rgb_to_hsv", "select_k", "softmax_loss",
           "svm_loss"]
