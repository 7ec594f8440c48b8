"""Chapter 1: sanity checks of the linear classifiers' losses."""
import numpy as np


def initial_loss(num_classes=10, num_samples=500, dim=784, weight_scale=1e-4, seed=0):
    """With tiny random weights every score is ≈ 0, so the softmax loss is ≈ ln C and
    the multiclass SVM loss (margin 1, averaged over examples) is ≈ C − 1. The notes'
    "N×(C−1)" (erratum E2) is the un-averaged sum."""
    import visiongrad as vg
    from visiongrad.nn import functional as F

    vg.manual_seed(seed)
    x = vg.randn(num_samples, dim)
    y = vg.randint(0, num_classes, (num_samples,))
    w = vg.randn(dim, num_classes) * weight_scale
    scores = x @ w
    softmax = F.cross_entropy(scores, y).item()
    # PyTorch's multi_margin_loss divides by C; the course's SVM loss does not
    svm = num_classes * F.multi_margin_loss(scores, y).item()
    results = {"num_classes": num_classes, "softmax_loss": softmax,
               "expected_softmax": float(np.log(num_classes)), "svm_loss": svm,
               "expected_svm": num_classes - 1.0}
    return results, None
