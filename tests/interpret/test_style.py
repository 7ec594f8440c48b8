import numpy as np
import pytest
import torch

import visiongrad as vg
from visiongrad import nn
from visiongrad.interpret import (content_loss, deep_dream, deep_dream_gradient,
                                  extract_features, feature_inversion, gram_matrix, style_loss,
                                  style_targets, style_transfer, texture_synthesis, tv_loss)


@pytest.fixture
def cnn():
    """A tiny random-weight feature extractor: fast, and its Gram matrices still
    describe textures (random conv features suffice for texture synthesis)."""
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2),
                         nn.Conv2d(8, 16, 3, padding=1), nn.ReLU())


@pytest.fixture
def brick():
    """A 16×16 patch of scikit-image's brick texture, in [0, 1], shape (1, 1, 16, 16)."""
    import skimage.data

    patch = skimage.data.brick()[:64:4, :64:4]
    return (patch / 255.0).astype(np.float32)[None, None]


def test_gram_matrix_equals_einsum_reference_and_is_symmetric_psd(rng):
    features = rng.standard_normal((2, 5, 3, 4))
    gram = gram_matrix(vg.tensor(features)).numpy()
    expected = np.einsum("nchw,ndhw->ncd", features, features) / (5 * 3 * 4)
    np.testing.assert_allclose(gram, expected, rtol=1e-12)
    np.testing.assert_array_equal(gram, gram.transpose(0, 2, 1))
    assert np.linalg.eigvalsh(gram).min() > -1e-12
    raw = gram_matrix(vg.tensor(features), normalize=False).numpy()
    np.testing.assert_allclose(raw, expected * 60, rtol=1e-12)


def test_losses_match_hand_formulas_and_torch_gradients(rng):
    features, target = rng.standard_normal((2, 1, 4, 3, 3))
    assert content_loss(vg.tensor(features), vg.tensor(target), 0.7).item() == \
        pytest.approx(0.7 * ((features - target) ** 2).sum(), rel=1e-12)

    image = rng.standard_normal((2, 3, 4, 5))
    expected_tv = 0.2 * (((image[:, :, 1:] - image[:, :, :-1]) ** 2).sum()
                         + ((image[:, :, :, 1:] - image[:, :, :, :-1]) ** 2).sum())
    x = vg.tensor(image, requires_grad=True)
    loss = tv_loss(x, 0.2)
    assert loss.item() == pytest.approx(expected_tv, rel=1e-12)
    loss.backward()
    reference = torch.tensor(image, requires_grad=True)
    (0.2 * (((reference[:, :, 1:] - reference[:, :, :-1]) ** 2).sum()
            + ((reference[:, :, :, 1:] - reference[:, :, :, :-1]) ** 2).sum())).backward()
    np.testing.assert_allclose(x.grad.numpy(), reference.grad.numpy(), rtol=1e-12)

    layers = [rng.standard_normal((1, 3, 4, 4)), rng.standard_normal((1, 2, 2, 2))]
    targets = [rng.standard_normal((1, 3, 3)), rng.standard_normal((1, 2, 2))]

    def gram(f):
        flat = f.reshape(f.shape[1], -1)
        return flat @ flat.T / f.size

    expected_style = sum(w * ((gram(f) - t[0]) ** 2).sum()
                         for f, t, w in zip(layers, targets, [2.0, 0.5]))
    result = style_loss([vg.tensor(f) for f in layers], [vg.tensor(t) for t in targets],
                        [2.0, 0.5])
    assert result.item() == pytest.approx(expected_style, rel=1e-12)
    with pytest.raises(ValueError, match="one weight per"):
        style_loss([vg.tensor(f) for f in layers], [vg.tensor(t) for t in targets], [1.0])


def test_blended_style_targets_are_the_weighted_average_of_grams(cnn, rng):
    first, second = rng.random((2, 1, 1, 8, 8)).astype(np.float32)
    extractor = lambda x: extract_features(x, cnn)
    single = [style_targets(extractor, s, [1, 5]) for s in (first, second)]
    blended = style_targets(extractor, [first, second], [1, 5], blend=[0.3, 0.7])
    for layer in range(2):
        np.testing.assert_allclose(
            blended[layer].numpy(),
            0.3 * single[0][layer].numpy() + 0.7 * single[1][layer].numpy(), rtol=1e-5)
    only_first = style_targets(extractor, [first, second], [1, 5], blend=[1.0, 0.0])
    np.testing.assert_allclose(only_first[0].numpy(), single[0][0].numpy(), rtol=1e-6)


def test_texture_synthesis_cuts_the_gram_loss_by_90_percent(cnn, brick):
    result = texture_synthesis(lambda x: extract_features(x, cnn), brick, layers=[1, 3, 6],
                               steps=150, lr=0.05, model=cnn)
    assert result.image.shape == (1, 1, 16, 16)
    assert result.history[-1] <= 0.1 * result.history[0]
    assert all(p.grad is None for p in cnn.parameters())


def test_style_transfer_total_loss_decreases_and_matches_its_terms(cnn, brick, rng):
    content = rng.random((1, 1, 16, 16)).astype(np.float32)
    extractor = lambda x: extract_features(x, cnn)
    options = dict(content_layer=3, style_layers=[1, 6], style_weights=[50.0, 20.0],
                   content_weight=0.1, tv_weight=0.01)
    result = style_transfer(content, brick, extractor, steps=40, lr=0.02, model=cnn,
                            **options)
    assert result.history[-1] < 0.5 * result.history[0]
    # the first recorded loss is the objective at the content image, term by term
    with vg.no_grad():
        features = extractor(vg.tensor(content))
        grams = style_targets(extractor, brick, [1, 6])
        expected = (tv_loss(vg.tensor(content), 0.01).item()
                    + style_loss([features[1], features[6]], grams, [50.0, 20.0]).item())
    assert result.history[0] == pytest.approx(expected, rel=1e-5)


def test_feature_inversion_matches_the_features(cnn, brick):
    result = feature_inversion(lambda x: extract_features(x, cnn), brick, layer=3,
                               tv_weight=0.0, steps=150, lr=0.05, model=cnn)
    assert result.history[-1] <= 0.1 * result.history[0]


def test_deep_dream_gradient_equals_gradient_of_half_squared_activation(cnn, rng):
    image = rng.random((1, 1, 8, 8)).astype(np.float32)
    gradient, objective = deep_dream_gradient(lambda x: extract_features(x, cnn), image, 3)
    x = vg.tensor(image, requires_grad=True)
    activation = extract_features(x, cnn)[3]
    explicit = 0.5 * (activation ** 2).sum()
    explicit.backward()
    np.testing.assert_allclose(gradient, x.grad.numpy(), rtol=1e-5, atol=1e-7)
    assert objective == pytest.approx(explicit.item(), rel=1e-5)


def test_deep_dream_raises_the_layer_energy(cnn, rng):
    image = rng.random((1, 8, 8)).astype(np.float32)
    result = deep_dream(lambda x: extract_features(x, cnn), image, 3, steps=10, lr=0.01,
                        max_jitter=1, model=cnn)
    assert result.history[-1] > result.history[0]
    assert all(p.grad is None for p in cnn.parameters())
    assert result.image.shape == (1, 1, 8, 8)
