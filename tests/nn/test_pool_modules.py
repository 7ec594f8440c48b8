"""The pooling layers: PyTorch's constructor arguments, outputs and repr."""
import numpy as np
import pytest

import visiongrad as vg
import visiongrad.nn as nn

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("cls, kwargs", [
    ("MaxPool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("MaxPool2d", dict(kernel_size=2, return_indices=True)),
    ("AvgPool2d", dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ("AvgPool2d", dict(kernel_size=2, divisor_override=3)),
    ("AdaptiveAvgPool2d", dict(output_size=(3, None))),
    ("AdaptiveMaxPool2d", dict(output_size=3, return_indices=True)),
])
def test_pool_modules_match_torch(cls, kwargs, rng):
    x = rng.standard_normal((2, 3, 7, 8)).astype(np.float32)
    result = getattr(nn, cls)(**kwargs)(vg.tensor(x))
    expected = getattr(torch.nn, cls)(**kwargs)(torch.tensor(x))
    results = result if isinstance(result, tuple) else (result,)
    expecteds = expected if isinstance(expected, tuple) else (expected,)
    for r, e in zip(results, expecteds):
        np.testing.assert_allclose(r.data, e.numpy(), rtol=1e-6, atol=1e-6)
    assert list(getattr(nn, cls)(**kwargs).parameters()) == []


def test_max_unpool_module_inverts_max_pool_module(rng):
    x = rng.standard_normal((1, 2, 6, 6)).astype(np.float32)
    out, idx = nn.MaxPool2d(2, return_indices=True)(vg.tensor(x))
    restored = nn.MaxUnpool2d(2)(out, idx)
    t_out, t_idx = torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(x))
    np.testing.assert_array_equal(restored.data, torch.nn.MaxUnpool2d(2)(t_out, t_idx).numpy())
    assert nn.MaxUnpool2d(2)(out, idx, output_size=(7, 7)).shape == (1, 2, 7, 7)


def test_reprs_name_the_arguments():
    assert repr(nn.MaxPool2d(2)) == ("MaxPool2d(kernel_size=2, stride=2, padding=0, "
                                     "dilation=1, ceil_mode=False)")
    assert repr(nn.AdaptiveAvgPool2d(1)) == "AdaptiveAvgPool2d(output_size=1)"
