import numpy as np
import pytest

import visiongrad as vg
from visiongrad.interpret import (class_visualization, clip_small_contribution, clip_small_norm,
                                  gaussian_blur, jitter)
from visiongrad.interpret.class_visualization import l2_penalty_gradient


def test_gaussian_blur_of_an_impulse_is_the_normalised_kernel_per_channel():
    image = np.zeros((2, 21, 21))
    image[0, 10, 10] = 1.0
    blurred = gaussian_blur(image, 1.0)
    offsets = np.arange(-4, 5)  # truncated at 4σ
    kernel = np.exp(-offsets ** 2 / 2)
    kernel /= kernel.sum()
    expected = np.zeros((21, 21))
    expected[6:15, 6:15] = np.outer(kernel, kernel)
    np.testing.assert_allclose(blurred[0], expected, atol=1e-12)
    np.testing.assert_array_equal(blurred[1], 0.0)  # channels are not mixed
    np.testing.assert_allclose(gaussian_blur(np.full((1, 1, 5, 5), 3.0), 2.0), 3.0)


def test_jitter_shifts_with_wraparound_and_inverts(rng):
    image = rng.standard_normal((1, 2, 5, 6))
    shifted = jitter(image, 2, -1)
    assert shifted[0, 1, 2, 0] == image[0, 1, 0, 1]
    np.testing.assert_array_equal(jitter(shifted, -2, 1), image)


def test_clip_small_norm_zeroes_weak_pixels_per_image():
    image = np.zeros((2, 2, 2, 2))
    image[0, :, :, :] = [[[3, 0.1], [1, 2]], [[4, 0.1], [1, 2]]]  # norms 5, .14, 1.4, 2.8
    image[1] = 10 * image[0]
    clipped = clip_small_norm(image, 50)  # the two weakest pixels of each image go
    expected = image.copy()
    expected[:, :, 0, 1] = 0
    expected[:, :, 1, 0] = 0
    np.testing.assert_array_equal(clipped, expected)


def test_clip_small_contribution_uses_abs_channel_sum_of_x_times_gradient():
    image = np.ones((1, 2, 1, 4))
    gradient = np.array([[[[1.0, -3.0, 0.5, 2.0]], [[1.0, 1.0, 0.0, 2.0]]]])
    # contributions |Σ_c x·g| = 2, 2, 0.5, 4: the 25th percentile (1.625) removes pixel 2
    clipped = clip_small_contribution(image, gradient, 25)
    np.testing.assert_array_equal(clipped[0, :, 0], [[1, 1, 0, 1], [1, 1, 0, 1]])


def test_l2_penalty_is_subtracted_e18(rng):
    image = rng.standard_normal((1, 1, 3, 3))
    penalty = lambda x: -0.3 * (x ** 2).sum()  # the objective's term, S_c − λ‖I‖²
    numeric = np.zeros_like(image)
    for index in np.ndindex(image.shape):
        step = np.zeros_like(image)
        step[index] = 1e-6
        numeric[index] = (penalty(image + step) - penalty(image - step)) / 2e-6
    np.testing.assert_allclose(l2_penalty_gradient(image, 0.3), numeric, rtol=1e-6)


def test_plain_ascent_increases_the_score_every_step(trained_cnn):
    result = class_visualization(trained_cnn, 3, (1, 8, 8), steps=20, lr=0.1, l2_reg=0.0)
    assert np.all(np.diff(result.history) > 0)
    assert result.image.shape == (1, 8, 8)


def test_regularised_ascent_raises_the_smoothed_score_and_reaches_the_class(trained_cnn):
    result = class_visualization(trained_cnn, 7, (1, 8, 8), steps=60, lr=0.3, l2_reg=1e-2,
                                 init="noise", blur_every=5, blur_sigma=0.5, max_jitter=1,
                                 clip_norm_percentile=5, clip_contribution_percentile=5,
                                 clamp=(-1.0, 2.0), seed=3)
    smoothed = np.convolve(result.history, np.ones(10) / 10, mode="valid")
    assert smoothed[-1] > smoothed[0] + 1.0
    assert -1.0 <= result.image.numpy().min() and result.image.numpy().max() <= 2.0
    with vg.no_grad():
        assert trained_cnn(result.image.reshape(1, 1, 8, 8)).numpy().argmax() == 7


def test_seeded_runs_repeat_and_seeds_differ(trained_cnn):
    options = dict(steps=8, lr=0.2, init="noise", max_jitter=1, blur_every=3)
    first = class_visualization(trained_cnn, 2, (1, 8, 8), seed=5, **options)
    again = class_visualization(trained_cnn, 2, (1, 8, 8), seed=5, **options)
    other = class_visualization(trained_cnn, 2, (1, 8, 8), seed=6, **options)
    np.testing.assert_array_equal(first.image.numpy(), again.image.numpy())
    assert first.history == again.history
    assert not np.allclose(first.image.numpy(), other.image.numpy())


def test_bad_init_raises(trained_cnn):
    with pytest.raises(ValueError, match="init"):
        class_visualization(trained_cnn, 0, (1, 8, 8), init="ones")
    with pytest.raises(ValueError, match="expected"):
        class_visualization(trained_cnn, 0, (1, 8, 8), init=np.zeros((1, 4, 4)))
