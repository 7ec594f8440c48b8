"""Occlusion sensitivity (Zeiler & Fergus 2014; course C4.27)."""
import math

import numpy as np

from ..autograd.grad_mode import no_grad
from ..creation import from_numpy
from ..nn import functional as F
from ._inputs import as_image_batch, as_targets


def _pair(value, name):
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and v > 0 for v in pair):
        raise ValueError(f"{name} must be a positive int or a pair of them, got {value!r}")
    return pair


def _window_starts(size, window, stride):
    # captum's count, ceil((size - window) / stride) + 1: the last window may hang over
    # the border (it is clipped), so every pixel is covered at least once
    count = math.ceil(max(size - window, 0) / stride) + 1
    return [i * stride for i in range(count)]


def occlusion(model, images, target, window, stride=1, baseline=0.0, batch_size=64,
              softmax=True):
    """Drop in the target class's probability when a window of the image is replaced
    by ``baseline``, for every window position.

    images: (N, C, H, W) or (C, H, W); target: an int or N ints; window, stride: an
    int or (h, w), the window covers all channels; baseline: a number or an array
    broadcastable to (C, H, W) (e.g. the per-channel mean for a "grey" patch);
    softmax=False measures the drop in the raw score instead.
    Returns a Tensor (N, P, Q) (or (P, Q) unbatched) with P = ceil((H − h)/s_h) + 1
    positions down and Q across; entry (p, q) is f(image) − f(image with rows
    p·s_h ... p·s_h + h − 1 and the matching columns occluded), windows clipped at the
    border. Large values mark regions the prediction depends on.

    At most ``batch_size`` occluded copies exist at a time, so memory stays bounded
    for any number of window positions.
    """
    data, unbatched = as_image_batch(images)
    targets = as_targets(target, len(data))
    N, C, H, W = data.shape
    (h, w), (s_h, s_w) = _pair(window, "window"), _pair(stride, "stride")
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    fill = np.broadcast_to(np.asarray(baseline, dtype=data.dtype), (C, H, W))
    rows, cols = _window_starts(H, h, s_h), _window_starts(W, w, s_w)
    positions = [(r, c) for r in rows for c in cols]

    def target_output(batch, label):
        with no_grad():
            scores = model(from_numpy(batch))
            if softmax:
                scores = F.softmax(scores, dim=1)
        return scores.data[:, label]

    drops = np.empty((N, len(positions)), dtype=data.dtype)
    for n in range(N):
        reference = target_output(data[n:n + 1], targets[n])[0]
        for start in range(0, len(positions), batch_size):
            chunk = positions[start:start + batch_size]
            batch = np.repeat(data[n:n + 1], len(chunk), axis=0)
            for k, (r, c) in enumerate(chunk):
                batch[k, :, r:r + h, c:c + w] = fill[:, r:r + h, c:c + w]
            drops[n, start:start + len(chunk)] = reference - target_output(batch, targets[n])
    drops = drops.reshape(N, len(rows), len(cols))
    return from_numpy(drops[0] if unbatched else drops)


def occlusion_attribution(model, images, target, window, stride=1, baseline=0.0,
                          batch_size=64, softmax=True):
    """Per-pixel occlusion attribution as ``captum.attr.Occlusion`` computes it: each
    pixel gets the mean of the ``occlusion`` drops of all windows that cover it.

    Arguments as for ``occlusion``. Returns a Tensor (N, H, W) (or (H, W) unbatched);
    captum's (N, C, H, W) result for a window spanning all channels repeats it over C.
    With a 1×1 window, stride 1, baseline 0 and softmax=False, a linear model's
    attribution is w_c ⊙ x summed over channels.
    """
    data, unbatched = as_image_batch(images)
    drops = occlusion(model, data, target, window, stride, baseline, batch_size,
                      softmax).data
    N, C, H, W = data.shape
    (h, w), (s_h, s_w) = _pair(window, "window"), _pair(stride, "stride")
    total = np.zeros((N, H, W), dtype=drops.dtype)
    count = np.zeros((H, W), dtype=drops.dtype)
    # a loop over window positions, not pixels: each adds one slab at once
    for i, r in enumerate(_window_starts(H, h, s_h)):
        for j, c in enumerate(_window_starts(W, w, s_w)):
            total[:, r:r + h, c:c + w] += drops[:, i, j, None, None]
            count[r:r + h, c:c + w] += 1
    attribution = total / count
    return from_numpy(attribution[0] if unbatched else attribution)
