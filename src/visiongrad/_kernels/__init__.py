"""Pure array kernels, no autograd: convolution as patches plus GEMM, pooling windows.

Each kernel takes and returns arrays of the backend's module (``_backend.xp``) and has a
slow loop twin in ``tests/_kernels`` that defines what it computes.
"""
