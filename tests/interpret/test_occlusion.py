import numpy as np
import pytest

import visiongrad as vg
from visiongrad import nn
from visiongrad.interpret import occlusion, occlusion_attribution


def _softmax(scores):
    exp = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def _loop_occlusion(model, images, targets, h, w, stride, baseline):
    """One occluded copy at a time, with the window positions written out."""
    N, C, H, W = images.shape
    rows = list(range(0, max(H - h, 0) + stride, stride))
    cols = list(range(0, max(W - w, 0) + stride, stride))
    with vg.no_grad():
        reference = _softmax(model(vg.tensor(images)).numpy())
        result = np.zeros((N, len(rows), len(cols)))
        for n in range(N):
            for i, r in enumerate(rows):
                for j, c in enumerate(cols):
                    occluded = images[n:n + 1].copy()
                    occluded[:, :, r:r + h, c:c + w] = baseline
                    probability = _softmax(model(vg.tensor(occluded)).numpy())
                    result[n, i, j] = reference[n, targets[n]] - probability[0, targets[n]]
    return result


@pytest.mark.parametrize("window, stride, batch_size", [(3, 2, 64), (3, 2, 5), ((2, 4), 3, 1)])
def test_occlusion_matches_loop_reference(relu_net, rng, window, stride, batch_size):
    images = rng.standard_normal((2, 1, 8, 8))
    h, w = (window, window) if isinstance(window, int) else window
    result = occlusion(relu_net, images, [1, 3], window, stride, baseline=0.5,
                       batch_size=batch_size)
    expected = _loop_occlusion(relu_net, images, [1, 3], h, w, stride, 0.5)
    assert result.shape == expected.shape
    np.testing.assert_allclose(result.numpy(), expected, rtol=1e-10, atol=1e-12)


def test_position_count_includes_clipped_border_window(relu_net, rng):
    # (8 − 3) / 2 = 2.5 → ceil + 1 = 4 positions, the last one clipped at the border
    assert occlusion(relu_net, rng.standard_normal((1, 8, 8)), 0, 3, 2).shape == (4, 4)


def test_occluding_the_only_informative_pixel():
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 2)).double()
    model[1].weight.data[...] = 0.0
    model[1].bias.data[...] = 0.0
    model[1].weight.data[0, 5] = 1.0  # only pixel (1, 1) feeds class 0's raw score
    image = np.ones((1, 1, 4, 4))
    drops = occlusion(model, image, 0, window=1, stride=1, softmax=False).numpy()[0]
    expected = np.zeros((4, 4))
    expected[1, 1] = 1.0
    np.testing.assert_array_equal(drops, expected)


def test_per_channel_baseline_and_bad_window(relu_net):
    model = nn.Sequential(nn.Flatten(), nn.Linear(2 * 9, 1)).double()
    image = np.zeros((2, 3, 3))
    model[1].bias.data[...] = 0.0
    drops = occlusion(model, image, 0, window=3, softmax=False,
                      baseline=np.array([1.0, 2.0])[:, None, None]).numpy()
    weight = model[1].weight.data.reshape(2, 3, 3)
    np.testing.assert_allclose(drops, [[-(weight[0].sum() + 2 * weight[1].sum())]])
    with pytest.raises(ValueError, match="window"):
        occlusion(relu_net, np.zeros((1, 8, 8)), 0, window=0)


def test_attribution_of_linear_model_with_one_pixel_windows_is_weight_times_input(rng):
    model = nn.Sequential(nn.Flatten(), nn.Linear(2 * 4 * 4, 3)).double()
    images = rng.standard_normal((2, 2, 4, 4))
    result = occlusion_attribution(model, images, [2, 0], window=1, softmax=False).numpy()
    weight = model[1].weight.data.reshape(3, 2, 4, 4)
    expected = (weight[[2, 0]] * images).sum(axis=1)
    np.testing.assert_allclose(result, expected, rtol=1e-10)


def test_attribution_averages_the_drops_of_covering_windows(relu_net, rng):
    images = rng.standard_normal((1, 1, 8, 8))
    drops = occlusion(relu_net, images, 2, window=3, stride=2).numpy()[0]
    attribution = occlusion_attribution(relu_net, images, 2, window=3, stride=2).numpy()[0]
    # pixel (2, 5) lies in the windows starting at rows 0 and 2, column 4
    np.testing.assert_allclose(attribution[2, 5], drops[[0, 1]][:, [2]].mean())
    # pixel (7, 7) lies only in the clipped last window
    np.testing.assert_allclose(attribution[7, 7], drops[3, 3])
    # pixel (4, 4): rows 2, 4 and columns 2, 4 -> four windows
    np.testing.assert_allclose(attribution[4, 4], drops[1:3, 1:3].mean())
