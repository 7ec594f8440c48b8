"""Object-detection building blocks: anchors and the region proposal network's head,
matcher, sampler and proposal selection, and the focal loss."""
from .anchors import AnchorGenerator
from .rpn import (BalancedPositiveNegativeSampler, Matcher, RPNHead,
                  concat_box_prediction_layers, label_anchors, select_proposals,
                  sigmoid_focal_loss)

__all__ = ["AnchorGenerator", "BalancedPositiveNegativeSampler", "Matcher", "RPNHead",
           "concat_box_prediction_layers", "label_anchors", "select_proposals",
           "sigmoid_focal_loss"]
