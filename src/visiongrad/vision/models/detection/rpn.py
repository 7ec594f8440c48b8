"""Region proposal network pieces with torchvision's names and semantics (Ren et al.,
2015): the RPN head, the anchor ``Matcher``, the balanced anchor sampler, proposal
selection, and RetinaNet's sigmoid focal loss (Lin et al., 2017) for objectness or
class scores.

Matching, sampling and selection are index bookkeeping, computed on arrays outside
autograd, as in torchvision where they run under ``no_grad`` or on detached scores.
"""
import numpy as np

from ...._random import default_generator
from ....creation import from_numpy
from ....nn import Conv2d, Module, ReLU, Sequential, init
from ....nn import functional as F
from ....tensor import cat
from ...ops import box_iou, decode_boxes
from ...ops import boxes as box_ops


def _array(x):
    return np.asarray(getattr(x, "data", x))


class RPNHead(Module):
    """A shared 3×3 conv + ReLU, then 1×1 convs to K objectness logits and 4K box deltas
    per location.

    forward(features): a list of (N, in_channels, H_l, W_l) Tensors → (objectness,
    deltas), lists of (N, K, H_l, W_l) and (N, 4K, H_l, W_l) Tensors. Channel 4k..4k+3 of
    the deltas are (t_x, t_y, t_w, t_h) of anchor k. State-dict keys are torchvision's
    (``conv.0.0``, ``cls_logits``, ``bbox_pred``).
    """

    def __init__(self, in_channels, num_anchors):
        super().__init__()
        self.conv = Sequential(Sequential(Conv2d(in_channels, in_channels, 3, padding=1), ReLU()))
        self.cls_logits = Conv2d(in_channels, num_anchors, 1)
        self.bbox_pred = Conv2d(in_channels, num_anchors * 4, 1)
        # small initial scores and deltas: proposals start at the anchors themselves
        for layer in (self.conv[0][0], self.cls_logits, self.bbox_pred):
            init.normal_(layer.weight, std=0.01)
            init.constant_(layer.bias, 0)

    def forward(self, features):
        if not isinstance(features, (list, tuple)):
            raise TypeError(f"RPNHead: features should be a list of (N, C, H, W) Tensors, "
                            f"one per level, but got {type(features).__name__}")
        objectness, deltas = [], []
        for feature in features:
            t = self.conv(feature)
            objectness.append(self.cls_logits(t))
            deltas.append(self.bbox_pred(t))
        return objectness, deltas


def concat_box_prediction_layers(objectness, deltas):
    """Flatten ``RPNHead``'s per-level outputs into anchor order (image, level, row,
    column, anchor): → objectness (N·A, 1) and deltas (N·A, 4), A = Σ_l H_l·W_l·K_l."""
    flat_objectness, flat_deltas = [], []
    for scores, codes in zip(objectness, deltas):
        N, K, H, W = scores.shape
        flat_objectness.append(scores.reshape(N, K, 1, H, W).permute(0, 3, 4, 1, 2)
                               .reshape(N, -1, 1))  # (N, H·W·K, 1)
        flat_deltas.append(codes.reshape(N, K, 4, H, W).permute(0, 3, 4, 1, 2).reshape(N, -1, 4))
    return cat(flat_objectness, dim=1).reshape(-1, 1), cat(flat_deltas, dim=1).reshape(-1, 4)


class Matcher:
    """Assign each prediction (anchor) to the ground truth it overlaps most.

    ``matcher(match_quality_matrix)``, matrix (M ground truths, N predictions) of IoUs →
    int64 (N,) Tensor: the matched ground-truth index where the best IoU ≥
    ``high_threshold``, ``BELOW_LOW_THRESHOLD`` (−1, negative) where it is below
    ``low_threshold`` and ``BETWEEN_THRESHOLDS`` (−2, ignored) in between. With
    ``allow_low_quality_matches``, every prediction tied for the highest IoU of some
    ground truth gets its best match back, so that no ground truth is left without an
    anchor (Faster R-CNN's second positive rule). Same as torchvision's ``Matcher`` and
    detectron2's ``Matcher([low, high], [0, -1, 1])``, whose labels are 0 for −1, −1 for
    −2 and 1 for a match.
    """

    BELOW_LOW_THRESHOLD = -1
    BETWEEN_THRESHOLDS = -2

    def __init__(self, high_threshold=0.7, low_threshold=0.3, allow_low_quality_matches=True):
        if low_threshold > high_threshold:
            raise ValueError(f"Matcher: low_threshold {low_threshold} is above "
                             f"high_threshold {high_threshold}")
        self.high_threshold, self.low_threshold = high_threshold, low_threshold
        self.allow_low_quality_matches = allow_low_quality_matches

    def __call__(self, match_quality_matrix):
        quality = _array(match_quality_matrix)
        if quality.ndim != 2:
            raise ValueError(f"Matcher: match_quality_matrix should be (M, N), "
                             f"but got shape {quality.shape}")
        if quality.shape[0] == 0:
            raise ValueError("Matcher: no ground-truth boxes available for one of the images")
        if quality.shape[1] == 0:
            raise ValueError("Matcher: no proposal boxes available for one of the images")
        all_matches = quality.argmax(axis=0)  # first ground truth on ties, as torch.max
        matched_values = quality[all_matches, np.arange(quality.shape[1])]
        matches = all_matches.copy()
        matches[matched_values < self.low_threshold] = self.BELOW_LOW_THRESHOLD
        between = (matched_values >= self.low_threshold) & (matched_values < self.high_threshold)
        matches[between] = self.BETWEEN_THRESHOLDS
        if self.allow_low_quality_matches:
            best_per_ground_truth = quality.max(axis=1, keepdims=True)
            predictions = np.nonzero(quality == best_per_ground_truth)[1]
            matches[predictions] = all_matches[predictions]
        return from_numpy(matches.astype(np.int64))


class BalancedPositiveNegativeSampler:
    """Sample ``batch_size_per_image`` anchors per image, at most ``positive_fraction`` of
    them positive; negatives fill the rest (RPN: 256 and 0.5; RoI head: 512 and 0.25).

    ``sampler(labels)``: one int (A,) array or Tensor per image, 1 = positive (or any
    value ≥ 1), 0 = negative, −1 = ignore → (pos_masks, neg_masks), lists of uint8 (A,)
    Tensors. Draws from the global generator, so ``manual_seed`` fixes the sample.
    """

    def __init__(self, batch_size_per_image=256, positive_fraction=0.5):
        if not 0 <= positive_fraction <= 1:
            raise ValueError(f"BalancedPositiveNegativeSampler: positive_fraction should lie "
                             f"in [0, 1], but got {positive_fraction}")
        self.batch_size_per_image = batch_size_per_image
        self.positive_fraction = positive_fraction

    def __call__(self, matched_idxs):
        generator = default_generator()
        pos_masks, neg_masks = [], []
        for labels in matched_idxs:
            labels = _array(labels)
            positive, negative = np.nonzero(labels >= 1)[0], np.nonzero(labels == 0)[0]
            num_pos = min(positive.size, int(self.batch_size_per_image * self.positive_fraction))
            num_neg = min(negative.size, self.batch_size_per_image - num_pos)
            masks = []
            for candidates, count in ((positive, num_pos), (negative, num_neg)):
                mask = np.zeros(labels.shape, dtype=np.uint8)
                mask[candidates[generator.permutation(candidates.size)[:count]]] = 1
                masks.append(from_numpy(mask))
            pos_masks.append(masks[0])
            neg_masks.append(masks[1])
        return pos_masks, neg_masks


def select_proposals(anchors, objectness, deltas, image_size, pre_nms_top_n=2000,
                     post_nms_top_n=300, nms_thresh=0.7, min_size=1e-3, score_thresh=0.0):
    """One image's proposals from its anchors and RPN outputs.

    anchors: (A, 4) xyxy; objectness: (A,) logits; deltas: (A, 4) (t_x, t_y, t_w, t_h);
    image_size: (height, width). Keeps the ``pre_nms_top_n`` highest logits, decodes and
    clips them to the image, drops boxes narrower or shorter than ``min_size`` and scores
    (sigmoid probabilities) below ``score_thresh``, runs NMS at ``nms_thresh`` and keeps
    ``post_nms_top_n`` → (boxes (K, 4), scores (K,)), K ≤ post_nms_top_n, by decreasing
    score. Detached, as torchvision's proposals (no gradient flows through selection).
    torchvision takes the top-k per feature level and runs NMS per level; this takes them
    over all anchors at once, which is the same for one level.
    """
    anchors, objectness, deltas = _array(anchors), _array(objectness), _array(deltas)
    if objectness.shape != (anchors.shape[0],) or deltas.shape != anchors.shape:
        raise ValueError(f"select_proposals: expected anchors (A, 4), objectness (A,), deltas "
                         f"(A, 4), but got {anchors.shape}, {objectness.shape}, {deltas.shape}")
    top = np.argsort(-objectness, kind="stable")[:pre_nms_top_n]
    boxes = decode_boxes(from_numpy(deltas[top]), from_numpy(anchors[top]))
    boxes = box_ops.clip_boxes_to_image(boxes, image_size)
    # sigmoid as 1 / (1 + exp(-x)) overflows harmlessly to 0 for very negative logits
    with np.errstate(over="ignore"):
        scores = 1 / (1 + np.exp(-objectness[top]))
    keep = _array(box_ops.remove_small_boxes(boxes, min_size))
    keep = keep[scores[keep] >= score_thresh]
    boxes, scores = boxes.data[keep], scores[keep]
    keep = _array(box_ops.nms(from_numpy(boxes), from_numpy(scores), nms_thresh))[:post_nms_top_n]
    return from_numpy(boxes[keep]), from_numpy(scores[keep])


def sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
    """RetinaNet's focal loss, torchvision.ops.sigmoid_focal_loss:
    α_t (1 − p_t)^γ · BCE(σ(x), y), with p_t = p·y + (1 − p)(1 − y) and
    α_t = α·y + (1 − α)(1 − y) (no weighting when α < 0). The (1 − p_t)^γ factor shrinks
    the loss of the many easy negatives so that they do not swamp the rare positives.

    inputs: logits, any shape; targets: same shape, 0/1 floats; reduction 'none' | 'mean'
    | 'sum'. Differentiable in ``inputs``.
    """
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"sigmoid_focal_loss: invalid reduction {reduction!r}; "
                         f"should be 'none', 'mean' or 'sum'")
    p = inputs.sigmoid()
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def label_anchors(anchors, ground_truth_boxes, matcher):
    """Faster R-CNN's RPN labels of one image: anchors (A, 4) and ground_truth_boxes
    (G, 4) xyxy → (labels (A,) float32: 1 positive, 0 negative, −1 ignored; matched
    ground-truth boxes (A, 4), those of non-positives being ground truth 0, unused).
    With no ground truth every anchor is negative."""
    anchors, ground_truth_boxes = _array(anchors), _array(ground_truth_boxes)
    if ground_truth_boxes.shape[0] == 0:
        return (from_numpy(np.zeros(anchors.shape[0], dtype=np.float32)),
                from_numpy(np.zeros_like(anchors, dtype=np.float32)))
    matches = _array(matcher(box_iou(from_numpy(ground_truth_boxes), from_numpy(anchors))))
    labels = (matches >= 0).astype(np.float32)
    labels[matches == Matcher.BETWEEN_THRESHOLDS] = -1
    matched_boxes = ground_truth_boxes[np.maximum(matches, 0)].astype(np.float32)
    return from_numpy(labels), from_numpy(matched_boxes)
