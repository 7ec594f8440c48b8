"""RoI Pool and RoI Align as differentiable primitives, with torchvision's functional
and Module front ends. The array work is in ``_kernels.roi``."""
import numpy as np

from ...autograd.function import Function
from ...nn.module import Module
from ...tensor import Tensor
from ..._kernels import roi as kernels


class RoIPoolFunction(Function):
    """x: (N, C, H, W), rois: (K, 5) → (K, C, PH, PW); gradient for x only, as
    torchvision (the snapped box coordinates are piecewise constant)."""

    @staticmethod
    def forward(ctx, x, rois, *, output_size, spatial_scale):
        out, argmax = kernels.roi_pool(x, rois, output_size, spatial_scale)
        ctx.input_shape = x.shape
        ctx.save_for_backward(rois, argmax)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        rois, argmax = ctx.saved_tensors
        return kernels.roi_pool_backward(grad_output, rois, argmax, ctx.input_shape), None


class RoIAlignFunction(Function):
    """x: (N, C, H, W), rois: (K, 5) → (K, C, PH, PW); gradient for x only, as
    torchvision."""

    @staticmethod
    def forward(ctx, x, rois, *, output_size, spatial_scale, sampling_ratio, aligned, pool):
        out, argmax = kernels.roi_align(x, rois, output_size, spatial_scale, sampling_ratio,
                                        aligned, pool)
        ctx.input_shape = x.shape
        ctx.params = (output_size, spatial_scale, sampling_ratio, aligned)
        ctx.save_for_backward(rois, argmax)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        rois, argmax = ctx.saved_tensors
        grad_input = kernels.roi_align_backward(grad_output, rois, ctx.input_shape, *ctx.params,
                                                argmax=argmax)
        return grad_input, None


def _pair(output_size, fn):
    pair = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and v > 0 for v in pair):
        raise ValueError(f"{fn}: output_size should be a positive int or a pair of them, "
                         f"but got {output_size!r}")
    return int(pair[0]), int(pair[1])


def _rois(input, boxes, fn):
    """torchvision's two box formats → a (K, 5) array [batch_index, x1, y1, x2, y2] of
    the input's dtype."""
    if not isinstance(input, Tensor) or input.ndim != 4:
        shape = tuple(input.shape) if isinstance(input, Tensor) else type(input).__name__
        raise ValueError(f"{fn}: input should be a (N, C, H, W) Tensor, but got {shape}")
    if isinstance(boxes, Tensor):
        if boxes.ndim != 2 or boxes.shape[1] != 5:
            raise ValueError(f"{fn}: boxes as a Tensor should have shape (K, 5) "
                             f"[batch_index, x1, y1, x2, y2], but got {tuple(boxes.shape)}")
        rois = boxes.data.astype(input.dtype)
    elif isinstance(boxes, (list, tuple)) and all(isinstance(b, Tensor) for b in boxes):
        for i, b in enumerate(boxes):
            if b.ndim != 2 or b.shape[1] != 4:
                raise ValueError(f"{fn}: boxes[{i}] should have shape (K_i, 4), "
                                 f"but got {tuple(b.shape)}")
        # one (K_i, 4) Tensor per image: its position in the list is the batch index
        rois = np.concatenate(
            [np.zeros((0, 5), dtype=input.dtype)]
            + [np.concatenate([np.full((len(b), 1), i), b.data], axis=1).astype(input.dtype)
               for i, b in enumerate(boxes)])
    else:
        raise TypeError(f"{fn}: boxes should be a Tensor (K, 5) or a list of Tensors (K_i, 4), "
                        f"but got {type(boxes).__name__}")
    # torchvision truncates the batch index to an integer (kernels.roi_* do the same)
    batch = rois[:, 0].astype(np.int64)
    if len(rois) and (batch.min() < 0 or batch.max() >= input.shape[0]):
        raise ValueError(f"{fn}: batch indices of boxes should be in [0, {input.shape[0]}), "
                         f"but got {np.unique(batch).tolist()}")
    return rois


def roi_pool(input, boxes, output_size, spatial_scale=1.0):
    """RoI Pool (Fast R-CNN), as ``torchvision.ops.roi_pool``.

    input: (N, C, H, W); boxes: (K, 5) [batch_index, x1, y1, x2, y2] or a list of N
    (K_i, 4) xyxy, in image coordinates; output_size: int or (PH, PW); spatial_scale:
    feature-map size over image size → (K, C, PH, PW). Box corners are rounded to
    feature cells, split into bins of floor/ceil edges, and each bin takes its maximum
    (0 if the bin lies outside the map).
    """
    rois = _rois(input, boxes, "roi_pool")
    return RoIPoolFunction.apply(input, rois, output_size=_pair(output_size, "roi_pool"),
                                 spatial_scale=float(spatial_scale))


def roi_align(input, boxes, output_size, spatial_scale=1.0, sampling_ratio=-1, aligned=False,
              pool="avg"):
    """RoI Align (Mask R-CNN), as ``torchvision.ops.roi_align``.

    input: (N, C, H, W); boxes: (K, 5) [batch_index, x1, y1, x2, y2] or a list of N
    (K_i, 4) xyxy, in image coordinates; output_size: int or (PH, PW) → (K, C, PH, PW).
    Each bin is sampled bilinearly on a sampling_ratio × sampling_ratio grid (adaptive
    ceil(roi_size / output_size) when sampling_ratio <= 0) and pooled. ``aligned=True``
    shifts boxes by -0.5 pixel, the correct alignment; False is the legacy behaviour.
    ``pool`` is a visiongrad extension: 'avg' (torchvision, the paper) or 'max' (the
    EECS slides' description, MMCV's pool_mode='max').
    """
    if pool not in ("avg", "max"):
        raise ValueError(f"roi_align: pool should be 'avg' or 'max', but got {pool!r}")
    rois = _rois(input, boxes, "roi_align")
    return RoIAlignFunction.apply(input, rois, output_size=_pair(output_size, "roi_align"),
                                  spatial_scale=float(spatial_scale),
                                  sampling_ratio=int(sampling_ratio), aligned=bool(aligned),
                                  pool=pool)


class RoIPool(Module):
    """``roi_pool`` with fixed output_size and spatial_scale."""

    def __init__(self, output_size, spatial_scale):
        super().__init__()
        self.output_size, self.spatial_scale = output_size, spatial_scale

    def forward(self, input, rois):
        return roi_pool(input, rois, self.output_size, self.spatial_scale)

    def extra_repr(self):
        return f"output_size={self.output_size}, spatial_scale={self.spatial_scale}"


class RoIAlign(Module):
    """``roi_align`` with fixed arguments."""

    def __init__(self, output_size, spatial_scale, sampling_ratio, aligned=False, pool="avg"):
        super().__init__()
        self.output_size, self.spatial_scale = output_size, spatial_scale
        self.sampling_ratio, self.aligned, self.pool = sampling_ratio, aligned, pool

    def forward(self, input, rois):
        return roi_align(input, rois, self.output_size, self.spatial_scale,
                         self.sampling_ratio, self.aligned, self.pool)

    def extra_repr(self):
        return (f"output_size={self.output_size}, spatial_scale={self.spatial_scale}, "
                f"sampling_ratio={self.sampling_ratio}, aligned={self.aligned}, pool={self.pool!r}")
