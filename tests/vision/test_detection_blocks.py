import numpy as np
import pytest
import torch

import visiongrad as vg
from visiongrad.vision.models.detection import (AnchorGenerator,
                                                BalancedPositiveNegativeSampler, Matcher,
                                                RPNHead, concat_box_prediction_layers,
                                                label_anchors, select_proposals,
                                                sigmoid_focal_loss)
from visiongrad.vision.ops import box_iou


def torchvision_anchors(sizes, aspect_ratios, image_size, grid_sizes):
    """torchvision.models.detection.anchor_utils.AnchorGenerator, transcribed in torch."""
    result = []
    for scales, ratios, (grid_height, grid_width) in zip(sizes, aspect_ratios, grid_sizes):
        scales, ratios = torch.as_tensor(scales, dtype=torch.float32), torch.as_tensor(ratios)
        h_ratios = torch.sqrt(ratios)
        w_ratios = 1 / h_ratios
        ws = (w_ratios[:, None] * scales[None, :]).view(-1)
        hs = (h_ratios[:, None] * scales[None, :]).view(-1)
        base = (torch.stack([-ws, -hs, ws, hs], dim=1) / 2).round()
        stride_height, stride_width = image_size[0] // grid_height, image_size[1] // grid_width
        shifts_x = torch.arange(0, grid_width, dtype=torch.int32) * stride_width
        shifts_y = torch.arange(0, grid_height, dtype=torch.int32) * stride_height
        shift_y, shift_x = torch.meshgrid(shifts_y, shifts_x, indexing="ij")
        shift_x, shift_y = shift_x.reshape(-1), shift_y.reshape(-1)
        shifts = torch.stack((shift_x, shift_y, shift_x, shift_y), dim=1)
        result.append((shifts.view(-1, 1, 4) + base.view(1, -1, 4)).reshape(-1, 4))
    return torch.cat(result).numpy()


def test_anchors_match_torchvision_on_two_levels():
    sizes, ratios = ((32, 64), (128, 256, 512)), ((0.5, 1.0, 2.0), (0.5, 1.0, 2.0))
    generator = AnchorGenerator(sizes, ratios)
    features = [vg.zeros(2, 4, 20, 15), vg.zeros(2, 4, 10, 8)]
    anchors = generator((320, 240), features)
    assert len(anchors) == 2
    assert generator.num_anchors_per_location() == [6, 9]
    # count = Σ H·W·K
    assert anchors[0].shape == (20 * 15 * 6 + 10 * 8 * 9, 4)
    expected = torchvision_anchors(sizes, ratios, (320, 240), [(20, 15), (10, 8)])
    np.testing.assert_array_equal(anchors[0].data, expected)


def test_base_anchors_preserve_area_and_ratio():
    base = AnchorGenerator.generate_anchors((128, 256), (0.5, 1.0, 2.0))
    widths, heights = base[:, 2] - base[:, 0], base[:, 3] - base[:, 1]
    areas = np.array([128, 256] * 3) ** 2
    # rounding each corner to an integer moves the area by well under 2 %
    np.testing.assert_allclose(widths * heights, areas, rtol=0.02)
    np.testing.assert_allclose(heights / widths, np.repeat([0.5, 1.0, 2.0], 2), rtol=0.02)


@pytest.mark.parametrize("offset", [0.0, 0.5])
def test_anchor_centres(offset):
    generator = AnchorGenerator(((32,),), ((1.0,),), offset=offset)
    anchors = generator((64, 96), [vg.zeros(1, 1, 4, 6)])[0].data
    centres = (anchors[:, :2] + anchors[:, 2:]) / 2
    rows, columns = np.divmod(np.arange(24), 6)
    np.testing.assert_array_equal(centres, np.stack([(columns + offset) * 16,
                                                     (rows + offset) * 16], axis=1))


def test_flat_sizes_give_one_level_each():
    generator = AnchorGenerator((32, 64, 128), (0.5, 1.0, 2.0))
    assert generator.num_anchors_per_location() == [3, 3, 3]


def test_rpn_head_shapes_and_flatten_order():
    vg.manual_seed(0)
    head = RPNHead(512, 9)
    objectness, deltas = head([vg.randn(2, 512, 20, 15)])
    assert objectness[0].shape == (2, 9, 20, 15) and deltas[0].shape == (2, 36, 20, 15)
    assert {"conv.0.0.weight", "cls_logits.weight", "bbox_pred.bias"} <= set(head.state_dict())
    flat_objectness, flat_deltas = concat_box_prediction_layers(objectness, deltas)
    assert flat_objectness.shape == (2 * 20 * 15 * 9, 1) and flat_deltas.shape == (2 * 2700, 4)
    # anchor index (row, column, k) of image 1 ↔ channel k at (row, column)
    n, row, column, k = 1, 7, 3, 5
    flat = n * 2700 + (row * 15 + column) * 9 + k
    assert flat_objectness.data[flat, 0] == objectness[0].data[n, k, row, column]
    np.testing.assert_array_equal(flat_deltas.data[flat],
                                  deltas[0].data[n, 4 * k:4 * k + 4, row, column])


def random_boxes(rng, n, size=100.0):
    corners = rng.uniform(0, size, size=(n, 2))
    return np.concatenate([corners, corners + rng.uniform(5, 40, size=(n, 2))], axis=1)


def loop_matcher(quality, high, low):
    M, N = quality.shape
    matches = []
    for j in range(N):
        best = max(range(M), key=lambda i: (quality[i, j], -i))
        value = quality[best, j]
        matches.append(best if value >= high else -1 if value < low else -2)
    for i in range(M):
        best_value = quality[i].max()
        for j in range(N):
            if quality[i, j] == best_value:
                matches[j] = max(range(M), key=lambda g: (quality[g, j], -g))
    return np.array(matches)


def torchvision_matcher(quality, high, low):
    """torchvision.models.detection._utils.Matcher, transcribed in torch."""
    quality = torch.as_tensor(quality)
    matched_vals, matches = quality.max(dim=0)
    all_matches = matches.clone()
    matches[matched_vals < low] = -1
    matches[(matched_vals >= low) & (matched_vals < high)] = -2
    highest_quality_foreach_gt, _ = quality.max(dim=1)
    pred_inds_to_update = torch.where(quality == highest_quality_foreach_gt[:, None])[1]
    matches[pred_inds_to_update] = all_matches[pred_inds_to_update]
    return matches.numpy()


@pytest.mark.parametrize("seed", range(5))
def test_matcher_equals_references_on_random_boxes(seed):
    rng = np.random.default_rng(seed)
    ground_truth, anchors = random_boxes(rng, 6), random_boxes(rng, 300)
    quality = box_iou(vg.tensor(ground_truth), vg.tensor(anchors)).data
    matches = Matcher(0.7, 0.3, allow_low_quality_matches=True)(quality).data
    np.testing.assert_array_equal(matches, loop_matcher(quality, 0.7, 0.3))
    np.testing.assert_array_equal(matches, torchvision_matcher(quality, 0.7, 0.3))
    assert {-1, -2} <= set(matches.tolist()) and (matches >= 0).any()


def test_low_quality_matches_rescue_every_ground_truth():
    # ground truth 1 overlaps anchor 2 only at IoU 0.25, below the low threshold
    quality = np.array([[0.9, 0.5, 0.1], [0.0, 0.1, 0.25]])
    np.testing.assert_array_equal(Matcher(0.7, 0.3, False)(quality).data, [0, -2, -1])
    np.testing.assert_array_equal(Matcher(0.7, 0.3, True)(quality).data, [0, -2, 1])
    with pytest.raises(ValueError, match="ground-truth"):
        Matcher()(np.zeros((0, 3)))


def test_label_anchors():
    anchors = np.array([[0, 0, 10, 10], [0, 0, 10, 6], [50, 50, 60, 60]], dtype=np.float32)
    labels, matched = label_anchors(anchors, np.array([[0, 0, 10, 10]], np.float32), Matcher())
    np.testing.assert_array_equal(labels.data, [1, -1, 0])  # IoU 1, 0.6, 0
    np.testing.assert_array_equal(matched.data[0], [0, 0, 10, 10])
    labels, _ = label_anchors(anchors, np.zeros((0, 4), np.float32), Matcher())
    np.testing.assert_array_equal(labels.data, [0, 0, 0])


def test_sampler_counts_and_seeding():
    labels = np.full(2000, -1)
    labels[:300] = 1
    labels[300:1500] = 0
    few_positives = np.zeros(1000)
    few_positives[:20] = 1
    sampler = BalancedPositiveNegativeSampler(256, 0.5)
    vg.manual_seed(0)
    pos, neg = sampler([labels, few_positives])
    assert int(pos[0].data.sum()) == 128 and int(neg[0].data.sum()) == 128
    assert int(pos[1].data.sum()) == 20 and int(neg[1].data.sum()) == 236
    assert (labels[pos[0].data == 1] == 1).all() and (labels[neg[0].data == 1] == 0).all()
    vg.manual_seed(0)
    again, _ = sampler([labels, few_positives])
    np.testing.assert_array_equal(pos[0].data, again[0].data)
    vg.manual_seed(1)
    other, _ = sampler([labels, few_positives])
    assert not np.array_equal(pos[0].data, other[0].data)


def test_select_proposals_sorted_clipped_at_most_k():
    rng = np.random.default_rng(0)
    anchors = AnchorGenerator(((16, 32),), ((0.5, 1.0, 2.0),))((64, 80), [vg.zeros(1, 1, 8, 10)])[0]
    A = anchors.shape[0]
    objectness, deltas = rng.normal(size=A), rng.normal(scale=0.2, size=(A, 4))
    boxes, scores = select_proposals(anchors, objectness, deltas, (64, 80), pre_nms_top_n=200,
                                     post_nms_top_n=30, nms_thresh=0.7)
    boxes, scores = boxes.data, scores.data
    assert 0 < len(boxes) <= 30 and scores.shape == (len(boxes),)
    assert (np.diff(scores) <= 0).all()
    assert boxes[:, [0, 2]].min() >= 0 and boxes[:, [0, 2]].max() <= 80
    assert boxes[:, [1, 3]].min() >= 0 and boxes[:, [1, 3]].max() <= 64
    iou = box_iou(vg.tensor(boxes), vg.tensor(boxes)).data
    assert (iou[np.triu_indices(len(boxes), 1)] <= 0.7).all()
    # the best-scoring anchor's proposal comes first
    assert scores[0] == pytest.approx(1 / (1 + np.exp(-objectness.max())))


def torchvision_focal_loss(inputs, targets, alpha, gamma, reduction):
    """torchvision.ops.sigmoid_focal_loss, transcribed."""
    p = torch.sigmoid(inputs)
    ce_loss = torch.nn.functional.binary_cross_entropy_with_logits(inputs, targets,
                                                                   reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


@pytest.mark.parametrize("alpha, gamma, reduction", [
    (0.25, 2.0, "none"), (0.25, 2.0, "mean"), (-1, 1.5, "sum"), (0.5, 0.0, "sum"),
])
def test_sigmoid_focal_loss_matches_torchvision(alpha, gamma, reduction):
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3, size=(6, 5))
    targets = (rng.uniform(size=(6, 5)) < 0.3).astype(np.float64)
    x = vg.tensor(logits, requires_grad=True)
    loss = sigmoid_focal_loss(x, vg.tensor(targets), alpha, gamma, reduction)
    x_torch = torch.tensor(logits, requires_grad=True)
    expected = torchvision_focal_loss(x_torch, torch.tensor(targets), alpha, gamma, reduction)
    np.testing.assert_allclose(loss.data, expected.detach().numpy(), rtol=1e-7, atol=1e-12)
    loss.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(x.grad.data, x_torch.grad.numpy(), rtol=1e-6, atol=1e-12)


def test_sigmoid_focal_loss_rejects_unknown_reduction():
    with pytest.raises(ValueError, match="reduction"):
        sigmoid_focal_loss(vg.zeros(2), vg.zeros(2), reduction="batchmean")
