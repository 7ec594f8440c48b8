"""Batch-norm folding into the convolution before it (C3.22)."""
import numpy as np
import pytest

import visiongrad as vg
import visiongrad.nn as nn
from visiongrad.nn.fusion import fuse_conv_bn_eval


def _trained_pair(rng, conv_bias):
    conv = nn.Conv2d(3, 5, 3, padding=1, bias=conv_bias)
    bn = nn.BatchNorm2d(5)
    bn.weight.data[...] = rng.uniform(0.5, 2, 5)
    bn.bias.data[...] = rng.standard_normal(5)
    for _ in range(5):  # non-trivial running statistics
        bn(conv(vg.tensor(rng.standard_normal((4, 3, 6, 6)).astype(np.float32) * 3 + 1)))
    return conv.eval(), bn.eval()


@pytest.mark.parametrize("conv_bias", [True, False])
def test_fused_conv_equals_conv_then_eval_batch_norm(rng, conv_bias):
    conv, bn = _trained_pair(rng, conv_bias)
    fused = fuse_conv_bn_eval(conv, bn)
    x = vg.tensor(rng.standard_normal((2, 3, 7, 7)).astype(np.float32))
    expected = bn(conv(x)).data
    np.testing.assert_allclose(fused(x).data, expected, rtol=1e-5, atol=1e-5)
    assert fused.bias is not None and fused.weight.dtype == np.float32
    assert (conv.bias is None) == (not conv_bias)  # the original is untouched


def test_fusion_needs_eval_mode_and_matching_channels(rng):
    conv, bn = _trained_pair(rng, True)
    with pytest.raises(ValueError, match="eval mode"):
        fuse_conv_bn_eval(conv.train(), bn)
    with pytest.raises(ValueError, match=r"num_features \(4\) must equal conv.out_channels \(5\)"):
        fuse_conv_bn_eval(conv.eval(), nn.BatchNorm2d(4).eval())
