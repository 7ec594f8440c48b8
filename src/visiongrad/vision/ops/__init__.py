"""Detection operators with torchvision.ops's names and conventions: box geometry, NMS,
RoI Pool / RoI Align, and Faster R-CNN's box coder."""
from .box_coder import decode_boxes, encode_boxes
from .boxes import (batched_nms, box_area, box_convert, box_iou, clip_boxes_to_image, nms,
                    remove_small_boxes)
from .roi import RoIAlign, RoIPool, roi_align, roi_pool

__all__ = ["RoIAlign", "RoIPool", "batched_nms", "box_area", "box_convert", "box_iou",
           "clip_boxes_to_image", "decode_boxes", "encode_boxes", "nms", "remove_small_boxes",
           "roi_align", "roi_pool"]
