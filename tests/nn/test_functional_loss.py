"""Losses beyond the operation table: the course's golden numbers, sanity properties,
error messages, and cases whose gradient is not the true derivative (so no gradcheck)
compared directly with PyTorch."""
import math

import numpy as np
import pytest

import visiongrad as vg
import visiongrad.nn.functional as F
from visiongrad import nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional

# FEATURES.md §4.1: three images (rows) scored for (cat, car, frog)
SCORES = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
LABELS = np.array([0, 1, 2])


def test_golden_multiclass_svm_is_c_times_multi_margin_loss():
    per_example = 3 * F.multi_margin_loss(vg.tensor(SCORES), vg.tensor(LABELS), reduction="none")
    np.testing.assert_allclose(per_example.data, [2.9, 0.0, 12.9], atol=1e-12)
    assert per_example.mean().item() == pytest.approx(5.2667, abs=1e-4)


def test_golden_softmax_loss():
    per_example = F.cross_entropy(vg.tensor(SCORES), vg.tensor(LABELS), reduction="none")
    np.testing.assert_allclose(per_example.data, [2.0404, 0.0791, 6.1565], atol=1e-4)
    assert F.cross_entropy(vg.tensor(SCORES), vg.tensor(LABELS)).item() == pytest.approx(
        2.7587, abs=1e-4)
    probabilities = F.softmax(vg.tensor(SCORES[:1]), dim=1)
    np.testing.assert_allclose(probabilities.data, [[0.130, 0.869, 0.001]], atol=1e-3)


def test_svm_including_correct_class_adds_exactly_one():
    # C1.12: summing over j = y_i too adds max(0, Δ) = 1 per example
    rng = np.random.default_rng(0)
    scores, labels = rng.standard_normal((6, 5)), rng.integers(0, 5, 6)
    x = vg.tensor(scores)
    loss = 5 * F.multi_margin_loss(x, vg.tensor(labels), reduction="none")
    with_correct = (x - x[np.arange(6), labels].unsqueeze(1) + 1).relu().sum(1)
    np.testing.assert_allclose((with_correct - loss).data, 1.0, atol=1e-12)


def test_squared_hinge_is_c_times_p2():
    rng = np.random.default_rng(1)
    scores, labels = rng.standard_normal((4, 3)), rng.integers(0, 3, 4)
    margins = np.maximum(0, scores - scores[np.arange(4), labels][:, None] + 1)
    margins[np.arange(4), labels] = 0
    loss = F.multi_margin_loss(vg.tensor(scores), vg.tensor(labels), p=2, reduction="none")
    np.testing.assert_allclose(3 * loss.data, (margins ** 2).sum(1), atol=1e-12)


def test_initial_losses_with_tiny_weights():
    # C1.10/C1.16/C2.26: W ≈ 0 gives softmax loss ln C and SVM loss C − 1
    vg.manual_seed(0)
    model = nn.Linear(3072, 10)
    with vg.no_grad():
        model.weight.mul_(1e-4)
        model.bias.zero_()
    x, y = vg.randn(64, 3072), vg.randint(0, 10, (64,))
    scores = model(x)
    assert F.cross_entropy(scores, y).item() == pytest.approx(math.log(10), rel=0.01)
    assert 10 * F.multi_margin_loss(scores, y).item() == pytest.approx(9.0, rel=0.01)


def test_svm_loss_is_zero_for_scaled_separating_weights():
    # C1.14: if L(W) = 0 then L(λW) = 0 for λ > 1
    x = vg.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    w, y = vg.tensor([[3.0, 0.0], [0.0, 3.0], [-2.0, -2.0]]), vg.tensor([0, 1, 2])
    for scale in (1.0, 2.0, 10.0):
        assert F.multi_margin_loss(F.linear(x, w * scale), y).item() == 0.0


def test_cross_entropy_on_extreme_scores_is_finite():
    scores = vg.tensor([[1000.0, 1001.0, -1000.0]], requires_grad=True)
    loss = F.cross_entropy(scores, vg.tensor([2]))
    loss.backward()
    assert np.isfinite(loss.item()) and loss.item() == pytest.approx(2001.3133, rel=1e-6)
    assert np.isfinite(scores.grad.data).all()


def test_cross_entropy_all_ignored_is_nan_like_torch():
    x, y = np.zeros((2, 3)), np.array([-100, -100])
    ours = F.cross_entropy(vg.tensor(x), vg.tensor(y)).item()
    theirs = TF.cross_entropy(torch.tensor(x), torch.tensor(y)).item()
    assert math.isnan(ours) and math.isnan(theirs)


def test_kl_relations():
    # C1.18: H(p, q) = H(p) + KL(p‖q); KL ≥ 0; KL(p‖p) = 0
    rng = np.random.default_rng(2)
    p, q = rng.dirichlet(np.ones(6), 4), rng.dirichlet(np.ones(6), 4)
    kl = F.kl_div(vg.tensor(np.log(q)), vg.tensor(p), reduction="sum").item()
    cross_entropy = F.cross_entropy(vg.tensor(np.log(q)), vg.tensor(p), reduction="sum").item()
    entropy = -(p * np.log(p)).sum()
    assert cross_entropy == pytest.approx(entropy + kl, abs=1e-12)
    assert kl > 0
    assert F.kl_div(vg.tensor(np.log(p)), vg.tensor(p), reduction="sum").item() == \
        pytest.approx(0.0, abs=1e-12)


def test_kl_div_zero_target_contributes_zero():
    log_q = vg.tensor(np.log([[0.5, 0.25, 0.25]]), requires_grad=True)
    p = vg.tensor([[1.0, 0.0, 0.0]])
    loss = F.kl_div(log_q, p, reduction="batchmean")
    loss.backward()
    assert loss.item() == pytest.approx(math.log(2))
    np.testing.assert_array_equal(log_q.grad.data, [[-1.0, 0.0, 0.0]])


def test_binary_cross_entropy_saturated_inputs_stay_finite_like_torch():
    x = np.array([0.0, 1.0, 1.0, 0.0, 0.5])
    y = np.array([0.0, 1.0, 0.0, 1.0, 1.0])
    ours_x = vg.tensor(x, requires_grad=True)
    theirs_x = torch.tensor(x, requires_grad=True)
    ours = F.binary_cross_entropy(ours_x, vg.tensor(y), reduction="sum")
    theirs = TF.binary_cross_entropy(theirs_x, torch.tensor(y), reduction="sum")
    ours.backward()
    theirs.backward()
    assert ours.item() == pytest.approx(theirs.item()) and ours.item() == pytest.approx(
        200 + math.log(2))
    np.testing.assert_allclose(ours_x.grad.data, theirs_x.grad.numpy())


def test_bce_with_logits_large_logits_stay_finite():
    x = vg.tensor([[800.0, -800.0, 30.0]], requires_grad=True)
    y = vg.tensor([[0.0, 1.0, 1.0]])
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    loss.sum().backward()
    np.testing.assert_allclose(loss.data, [[800.0, 800.0, math.log1p(math.exp(-30))]],
                               rtol=1e-6)
    np.testing.assert_allclose(x.grad.data, [[1.0, -1.0, 0.0]], atol=1e-6)


def test_cosine_similarity_below_eps_matches_torch():
    # the eps clamp changes the value only; the gradient flows through the true norm
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((3, 4)) * 0.05, rng.standard_normal((3, 4))
    a[0] = 0.0  # the zero vector: value 0, no NaN in the gradient
    ours = [vg.tensor(v, requires_grad=True) for v in (a, b)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (a, b)]
    out = F.cosine_similarity(*ours, eps=0.5)
    ref = TF.cosine_similarity(*theirs, eps=0.5)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12)
    out.sum().backward()
    ref.sum().backward()
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("kwargs", [{"padding_idx": 2}, {"scale_grad_by_freq": True},
                                    {"padding_idx": -1, "scale_grad_by_freq": True}])
def test_embedding_gradient_options_match_torch(kwargs):
    rng = np.random.default_rng(4)
    w, idx = rng.standard_normal((6, 3)), np.array([[0, 2, 5], [2, 1, 1]])
    g = rng.standard_normal((2, 3, 3))
    ours_w, theirs_w = vg.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    (F.embedding(vg.tensor(idx), ours_w, **kwargs) * vg.tensor(g)).sum().backward()
    (TF.embedding(torch.tensor(idx), theirs_w, **kwargs) * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(ours_w.grad.data, theirs_w.grad.numpy(), rtol=1e-12)


def test_embedding_max_norm_renormalises_rows_like_torch():
    rng = np.random.default_rng(5)
    w, idx = rng.standard_normal((5, 4)) * 3, np.array([0, 3, 3])
    ours_w, theirs_w = vg.tensor(w.copy()), torch.tensor(w.copy())
    out = F.embedding(vg.tensor(idx), ours_w, max_norm=1.5)
    ref = TF.embedding(torch.tensor(idx), theirs_w, max_norm=1.5)
    np.testing.assert_allclose(out.data, ref.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours_w.data, theirs_w.numpy(), rtol=1e-12)
    assert np.array_equal(ours_w.data[1], w[1])  # rows not looked up are untouched


def test_one_hot():
    out = F.one_hot(vg.tensor([[0, 2], [1, 2]]))
    assert out.dtype == np.int64 and out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out.data, TF.one_hot(torch.tensor([[0, 2], [1, 2]])).numpy())
    assert F.one_hot(vg.tensor([1]), num_classes=4).shape == (1, 4)
    with pytest.raises(ValueError, match="label 4 is out of range for num_classes=4"):
        F.one_hot(vg.tensor([4]), num_classes=4)
    with pytest.raises(TypeError, match="integer"):
        F.one_hot(vg.tensor([1.0]))


@pytest.mark.parametrize("fn", [F.cross_entropy, F.nll_loss, F.multi_margin_loss])
def test_label_out_of_range_names_value_and_class_count(fn):
    x = vg.randn(3, 10)
    with pytest.raises(ValueError,
                       match=r"label 12 is out of range for 10 classes \(expected 0..9"):
        fn(x, vg.tensor([1, 12, 3]))
    with pytest.raises(ValueError, match="label -3 is out of range"):
        fn(x, vg.tensor([1, -3, 3]))


def test_ignore_index_is_not_a_bad_label():
    x = vg.randn(3, 4)
    F.cross_entropy(x, vg.tensor([1, -100, 3]))
    with pytest.raises(ValueError, match="or ignore_index=7"):
        F.cross_entropy(x, vg.tensor([1, 9, 3]), ignore_index=7)


def test_target_shape_and_dtype_errors():
    x = vg.randn(4, 3)
    with pytest.raises(ValueError, match=r"must have shape \(4,\), got \(5,\)"):
        F.cross_entropy(x, vg.tensor([0, 1, 2, 0, 1]))
    with pytest.raises(TypeError, match="integer class indices.*float32"):
        F.cross_entropy(x, vg.tensor([0.0, 1.0, 2.0, 0.0]))
    with pytest.raises(TypeError, match="class probabilities.*int64"):
        F.cross_entropy(x, vg.zeros(4, 3, dtype=vg.int64))
    with pytest.raises(ValueError, match=r"weight must have shape \(3,\)"):
        F.cross_entropy(x, vg.tensor([0, 1, 2, 0]), vg.ones(4))
    for fn in (F.mse_loss, F.l1_loss, F.smooth_l1_loss, F.huber_loss,
               F.binary_cross_entropy_with_logits):
        with pytest.raises(ValueError,
                           match=r"target shape \(4,\) must equal input shape \(4, 3\)"):
            fn(x, vg.zeros(4))
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(x * 10, vg.zeros(4, 3))
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.mse_loss(x, x, reduction="avg")
    with pytest.raises(ValueError, match="only p == 1 and p == 2"):
        F.multi_margin_loss(x, vg.tensor([0, 1, 2, 0]), p=3)
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, vg.tensor([0, 1, 2, 0]), label_smoothing=1.5)


def test_linear_shape_and_dtype_errors():
    with pytest.raises(ValueError, match=r"input of shape \(2, 3\).*weight of shape \(4, 5\)"):
        F.linear(vg.randn(2, 3), vg.randn(4, 5))
    with pytest.raises(TypeError, match="same dtype"):
        F.linear(vg.randn(2, 3, dtype=vg.float64), vg.randn(4, 3))


def _loss_modules(lib, weight):
    return [
        (lib.CrossEntropyLoss(weight, ignore_index=1, label_smoothing=0.1), "labels"),
        (lib.NLLLoss(weight, reduction="sum"), "labels"),
        (lib.MultiMarginLoss(2, 0.5, weight), "labels"),
        (lib.MSELoss(reduction="sum"), "values"),
        (lib.L1Loss(), "values"),
        (lib.SmoothL1Loss(beta=0.5), "values"),
        (lib.HuberLoss("sum", 0.7), "values"),
        (lib.BCELoss(weight), "probabilities"),
        (lib.BCEWithLogitsLoss(weight, pos_weight=weight * 2), "values"),
        (lib.KLDivLoss(reduction="batchmean", log_target=True), "values"),
    ]


def test_loss_modules_match_torch():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((5, 3))
    targets = {"labels": rng.integers(0, 3, 5), "values": rng.standard_normal((5, 3)),
               "probabilities": rng.uniform(0, 1, (5, 3))}
    inputs = {"labels": x, "values": x, "probabilities": 1 / (1 + np.exp(-x))}
    weight = np.array([0.5, 1.0, 2.0])
    ours = _loss_modules(nn, vg.tensor(weight))
    theirs = _loss_modules(torch.nn, torch.tensor(weight))
    for (module, kind), (reference, _) in zip(ours, theirs):
        value = module(vg.tensor(inputs[kind]), vg.tensor(targets[kind])).item()
        expected = reference(torch.tensor(inputs[kind]), torch.tensor(targets[kind])).item()
        assert value == pytest.approx(expected, rel=1e-12), type(module).__name__
        assert list(module.state_dict()) == list(reference.state_dict())
        assert repr(module) == repr(reference)
