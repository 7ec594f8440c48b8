"""Stateless neural-network functions (``import visiongrad.nn.functional as F``), one
module per concept, with PyTorch's names, arguments and defaults."""
from .activation import (elu, gelu, hardsigmoid, hardswish, hardtanh, leaky_relu, log_softmax,
                         prelu, relu, relu6, selu, sigmoid, silu, softmax, softmin, softplus,
                         tanh)
from .distance import cosine_similarity, normalize, pairwise_distance
from .dropout import dropout, dropout2d
from .linear import bilinear, linear
from .loss import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                   huber_loss, kl_div, l1_loss, mse_loss, multi_margin_loss, nll_loss,
                   smooth_l1_loss)
from .sparse import embedding, one_hot
from .normalization import (batch_norm, group_norm, instance_norm, layer_norm,
                            local_response_norm)
from .regularization import drop_connect, fractional_max_pool2d, stochastic_depth
from .resample import bed_of_nails_unpool, grid_sample, interpolate, pad
from .conv import conv1d, conv2d, conv_output_size, conv_transpose2d
from .pooling import (adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool1d, avg_pool2d,
                      max_pool1d, max_pool2d, max_unpool2d)
from .attention import scaled_dot_product_attention
