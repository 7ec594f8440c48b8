import numpy as np
import pytest

from visiongrad.viz.interpret import filter_grid, plot_filters, plot_heatmaps

from conftest import small_cnn


def test_filter_grid_tiles_each_filter_rescaled_to_unit_range(rng):
    weight = rng.standard_normal((5, 3, 2, 2))
    weight[4] = 7.0  # a constant filter
    grid = filter_grid(weight, padding=1)
    assert grid.shape == (2 * 3 - 1, 3 * 3 - 1, 3)  # 5 filters: 2 rows of 3
    assert grid.min() == 0.0 and grid.max() == 1.0
    tile = grid[3:5, 0:2]  # filter 3: second row, first column
    low, high = weight[3].min(), weight[3].max()
    np.testing.assert_allclose(tile, ((weight[3] - low) / (high - low)).transpose(1, 2, 0))
    assert grid[2].max() == 0.0  # a padding row
    np.testing.assert_array_equal(grid[3:5, 3:5], 0.0)  # filter 4 is constant


def test_first_layer_of_a_model_and_plots(rng):
    first = small_cnn()[0].weight
    assert filter_grid(first).shape == (3 * 4 - 1, 3 * 4 - 1, 1)
    assert plot_filters(first).axes
    assert plot_heatmaps(rng.random((2, 1, 8, 8)), rng.random((2, 4, 4))).axes
    with pytest.raises(ValueError, match="1 or 3"):
        filter_grid(rng.standard_normal((4, 2, 3, 3)))
