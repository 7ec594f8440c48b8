"""Table rows for convolution, pooling, normalization and resampling."""
OPS = []
