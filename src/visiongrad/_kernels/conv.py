"""2-d convolution as patch extraction plus GEMM, and its two adjoints.

Shapes: input x (N, C, H, W); weight (F, C/groups, KH, KW); output (N, F, OH, OW).
``padding`` is (top, bottom, left, right), zeros; ``stride`` and ``dilation`` are
(height, width) pairs.

The batch is processed in chunks of n samples (and, for large images, blocks of
output rows). A chunk's output is one GEMM ``weight (F, C·KH·KW) @ cols (C·KH·KW,
n·OH·OW)``, where ``cols`` holds the input patches (im2col); the samples sit side by
side in the columns so that late layers with small images (4×4, 8×8) still make wide,
efficient GEMMs. The input gradient is the adjoint: ``weightᵀ @ grad_output`` gives
per-patch gradients that col2im adds back onto the padded input, one strided slice per
kernel offset, so no ``np.add.at`` is needed. The same two functions are the transposed
convolution's forward and input gradient. Patches are rebuilt in the weight gradient
instead of being kept from the forward pass: storing them would multiply the activation
memory by KH·KW.
"""
from .._backend import xp
from .parallel import CHUNK_BYTES, buffer, chunk_size, parallel_chunks


def conv_output_size(size, kernel_size, padding=0, stride=1, dilation=1, strict=False):
    """floor((size + 2·padding − dilation·(kernel_size − 1) − 1) / stride) + 1.

    PyTorch floors, so (7, K=3, P=0, S=3) gives 2 and the last input column is never
    read. The course's rule that (H − K + 2P)/S must be an integer is a design
    guideline; ``strict=True`` enforces it and raises ValueError when windows do not
    tile the padded input exactly."""
    span = size + 2 * padding - dilation * (kernel_size - 1) - 1
    if strict and span % stride != 0:
        raise ValueError(
            f"conv_output_size: (size {size} + 2*padding {padding} - dilation {dilation}"
            f"*(kernel {kernel_size} - 1) - 1) = {span} is not divisible by stride {stride}: "
            f"the last {span % stride} row(s) of the padded input would be ignored")
    return span // stride + 1


def im2col(x_pad, kernel_size, stride, dilation, rows, out_width, out):
    """Patches of an already padded input, for output rows ``range(*rows)``.

    x_pad: (C, n, Hp, Wp) -> out: (C, KH, KW, n, R, OW), R = rows[1] - rows[0];
    ``out[c, i, j, :, r, q] = x_pad[c, :, (rows[0] + r)·sh + i·dh, q·sw + j·dw]``."""
    for i, j, row_slice, col_slice in _offsets(kernel_size, stride, dilation, rows, out_width):
        out[:, i, j] = x_pad[:, :, row_slice, col_slice]
    return out


def col2im(cols, kernel_size, stride, dilation, rows, grad_pad):
    """The adjoint of ``im2col``: adds cols (C, KH, KW, n, R, OW) into the padded
    gradient grad_pad (C, n, Hp, Wp) in place. Within one kernel offset the strided
    slice touches distinct elements, so a plain ``+=`` is exact."""
    for i, j, row_slice, col_slice in _offsets(kernel_size, stride, dilation, rows,
                                               cols.shape[-1]):
        grad_pad[:, :, row_slice, col_slice] += cols[:, i, j]
    return grad_pad


def _offsets(kernel_size, stride, dilation, rows, out_width):
    """(i, j, row slice, column slice) of the padded input read by kernel offset (i, j)
    for output rows ``range(*rows)``."""
    (sh, sw), (dh, dw) = stride, dilation
    r0, r1 = rows
    for i in range(kernel_size[0]):
        top = r0 * sh + i * dh
        row_slice = slice(top, top + (r1 - r0 - 1) * sh + 1, sh)
        for j in range(kernel_size[1]):
            yield i, j, row_slice, slice(j * dw, j * dw + (out_width - 1) * sw + 1, sw)


def _plan(N, row_bytes, rows):
    """(samples per chunk, output rows per block) keeping one chunk's patch matrix near
    CHUNK_BYTES: several samples when one is small, balanced row blocks when one is
    large (a 224×224 layer would otherwise need a 100 MB patch matrix per sample)."""
    sample_bytes = row_bytes * rows
    if sample_bytes <= CHUNK_BYTES:
        return chunk_size(N, sample_bytes), rows
    blocks = -(-sample_bytes // CHUNK_BYTES)
    return 1, -(-rows // blocks)


def _merge_rows(block):
    """(F, R, W) full-width rows as (F, R·W): a view whenever the rows are evenly
    spaced, which always holds for the arrays this module allocates and writes into; a
    copy otherwise (inputs with unusual strides are only read)."""
    F, R, W = block.shape
    s = block.strides
    if R == 1 or W == 1 or s[1] == W * s[2]:
        step = s[2] if W > 1 else s[1]
        return xp.lib.stride_tricks.as_strided(block, (F, R * W), (s[0], step))
    return xp.ascontiguousarray(block).reshape(F, R * W)


def _channels_first(block, name):
    """A chunk (n, F, R, W) as the (F, n·R·W) matrix the GEMMs use: a view for one
    sample, else a transposed copy into scratch."""
    n, F, R, W = block.shape
    if n == 1:
        return _merge_rows(block[0])
    out = buffer(name, (F, n, R, W), block.dtype)
    out[...] = block.transpose(1, 0, 2, 3)
    return out.reshape(F, n * R * W)


def _matmul_into(a, b, block, groups):
    """a (groups, M, K) @ b (groups, K, n·R·W) stored into block (n, groups·M, R, W):
    straight into it for one sample, through scratch and a transposed copy otherwise."""
    n, F, R, W = block.shape
    if n == 1:
        xp.matmul(a, b, out=_merge_rows(block[0]).reshape(groups, F // groups, R * W))
        return
    result = xp.matmul(a, b, out=buffer("conv_result", (groups, F // groups, n * R * W),
                                         block.dtype))
    block[...] = result.reshape(F, n, R, W).transpose(1, 0, 2, 3)


def _padded(x, padding, size, name):
    """x (n, C, H, W) as (C, n, Hp, Wp) with zero borders, (Hp, Wp) = ``size``, at
    offset (top, left): a view for one unpadded sample, else a copy into scratch."""
    top, _, left, _ = padding
    n, C, H, W = x.shape
    if n == 1 and size == (H, W):
        return x[0][:, None]
    out = buffer(name, (C, n) + size, x.dtype)
    if size != (H, W):
        out[:, :, :top] = 0
        out[:, :, top + H:] = 0
        out[:, :, top:top + H, :left] = 0
        out[:, :, top:top + H, left + W:] = 0
    out[:, :, top:top + H, left:left + W] = x.transpose(1, 0, 2, 3)
    return out


def _padded_size(in_size, padding, kernel_size, stride, dilation, out_size):
    # large enough for both the padded input and every window the output reads (a
    # transposed convolution's output_padding can ask for rows past the bottom padding)
    return tuple(max(n + lo + hi, (o - 1) * s + d * (k - 1) + 1)
                 for n, lo, hi, k, s, d, o in zip(in_size, padding[::2], padding[1::2],
                                                  kernel_size, stride, dilation, out_size))


def _is_pointwise(kernel_size, stride, padding):
    return kernel_size == (1, 1) and stride == (1, 1) and not any(padding)


def _patches(x, a, b, rows, geometry):
    """The (C·KH·KW, n·R·OW) patch matrix of samples a:b and output rows ``rows``; for
    a 1×1 stride-1 convolution the input itself."""
    kernel, stride, padding, dilation, pad_size, OW = geometry
    x_pad = _padded(x[a:b], padding, pad_size, "conv_x")
    C, n = x_pad.shape[:2]
    if _is_pointwise(kernel, stride, padding):
        if n == 1:
            return _merge_rows(x_pad[:, 0, rows[0]:rows[1]])
        return x_pad.reshape(C, -1)  # whole samples, already copied channels-first
    cols = buffer("conv_cols", (C,) + kernel + (n, rows[1] - rows[0], OW), x.dtype)
    im2col(x_pad, kernel, stride, dilation, rows, OW, cols)
    return cols.reshape(C * kernel[0] * kernel[1], -1)


def conv2d(x, weight, bias=None, stride=(1, 1), padding=(0, 0, 0, 0), dilation=(1, 1),
           groups=1):
    """Cross-correlation. x (N, C, H, W), weight (F, C/groups, KH, KW), bias (F,) or
    None -> (N, F, OH, OW)."""
    N, C, H, W = x.shape
    F, Cg, KH, KW = weight.shape
    OH = conv_output_size(H + padding[0] + padding[1], KH, 0, stride[0], dilation[0])
    OW = conv_output_size(W + padding[2] + padding[3], KW, 0, stride[1], dilation[1])
    out = xp.empty((N, F, OH, OW), dtype=x.dtype)
    if out.size == 0:
        return out
    w = weight.reshape(groups, F // groups, Cg * KH * KW)
    pad_size = _padded_size((H, W), padding, (KH, KW), stride, dilation, (OH, OW))
    geometry = ((KH, KW), stride, padding, dilation, pad_size, OW)
    chunk, rows = _plan(N, C * KH * KW * OW * x.itemsize, OH)

    def work(chunks):
        for a, b in chunks:
            for r0 in range(0, OH, rows):
                r1 = min(r0 + rows, OH)
                cols = _patches(x, a, b, (r0, r1), geometry)
                _matmul_into(w, cols.reshape(groups, Cg * KH * KW, -1), out[a:b, :, r0:r1],
                             groups)
            if bias is not None:
                out[a:b] += bias.reshape(F, 1, 1)  # while the chunk is still in cache

    parallel_chunks(work, N, chunk)
    return out


def conv2d_input_grad(grad_output, weight, input_size, stride=(1, 1), padding=(0, 0, 0, 0),
                      dilation=(1, 1), groups=1):
    """Gradient of ``conv2d`` with respect to x: grad_output (N, F, OH, OW), weight
    (F, C/groups, KH, KW) -> (N, C, H, W) with (H, W) = input_size. This is also the
    transposed convolution of grad_output."""
    N, F, OH, OW = grad_output.shape
    _, Cg, KH, KW = weight.shape
    kernel = (KH, KW)
    C = Cg * groups
    H, W = input_size
    grad_x = xp.empty((N, C, H, W), dtype=grad_output.dtype)
    if grad_x.size == 0:
        return grad_x
    if OH * OW == 0:
        grad_x.fill(0)
        return grad_x
    w_t = weight.reshape(groups, F // groups, Cg * KH * KW).transpose(0, 2, 1)
    pad_size = _padded_size((H, W), padding, kernel, stride, dilation, (OH, OW))
    top, left = padding[0], padding[2]
    chunk, rows = _plan(N, C * KH * KW * OW * grad_output.itemsize, OH)

    def work(chunks):
        for a, b in chunks:
            n = b - a
            if _is_pointwise(kernel, stride, padding):
                g = _channels_first(grad_output[a:b], "conv_grad_out")
                _matmul_into(w_t, g.reshape(groups, F // groups, -1), grad_x[a:b], groups)
                continue
            grad_pad = buffer("conv_grad_pad", (C, n) + pad_size, grad_output.dtype)
            grad_pad.fill(0)
            for r0 in range(0, OH, rows):
                r1 = min(r0 + rows, OH)
                g = _channels_first(grad_output[a:b, :, r0:r1], "conv_grad_out")
                cols = buffer("conv_cols", (C, KH, KW, n, r1 - r0, OW), grad_output.dtype)
                xp.matmul(w_t, g.reshape(groups, F // groups, -1),
                          out=cols.reshape(groups, Cg * KH * KW, -1))
                col2im(cols, kernel, stride, dilation, (r0, r1), grad_pad)
            grad_x[a:b] = grad_pad[:, :, top:top + H, left:left + W].transpose(1, 0, 2, 3)

    parallel_chunks(work, N, chunk)
    return grad_x


def conv2d_weight_grad(x, grad_output, kernel_size, stride=(1, 1), padding=(0, 0, 0, 0),
                       dilation=(1, 1), groups=1, with_bias=False):
    """Gradient of ``conv2d`` with respect to the weight (and the bias when
    ``with_bias``): x (N, C, H, W), grad_output (N, F, OH, OW) -> grad_weight
    (F, C/groups, KH, KW), or (grad_weight, grad_bias (F,))."""
    N, C, H, W = x.shape
    _, F, OH, OW = grad_output.shape
    KH, KW = kernel = tuple(kernel_size)
    Cg, Fg = C // groups, F // groups
    pad_size = _padded_size((H, W), padding, kernel, stride, dilation, (OH, OW))
    geometry = (kernel, stride, padding, dilation, pad_size, OW)
    chunk, rows = _plan(N, C * KH * KW * OW * x.itemsize, OH)

    def work(chunks):
        grad_w = xp.zeros((groups, Fg, Cg * KH * KW), dtype=x.dtype)
        grad_b = xp.zeros((groups, Fg), dtype=x.dtype)
        partial = buffer("conv_grad_w", grad_w.shape, x.dtype)
        for a, b in chunks:
            for r0 in range(0, OH, rows):
                r1 = min(r0 + rows, OH)
                cols = _patches(x, a, b, (r0, r1), geometry)
                g = _channels_first(grad_output[a:b, :, r0:r1], "conv_grad_out")
                g = g.reshape(groups, Fg, -1)
                grad_w += xp.matmul(g, cols.reshape(groups, Cg * KH * KW, -1).swapaxes(1, 2),
                                    out=partial)
                if with_bias:
                    grad_b += g.sum(axis=2)
        return grad_w, grad_b

    parts = parallel_chunks(work, N if OH * OW > 0 else 0, chunk)
    grad_w = sum(p[0] for p in parts[1:]) + parts[0][0]
    grad_w = grad_w.reshape(F, Cg, KH, KW)
    if not with_bias:
        return grad_w
    grad_b = sum(p[1] for p in parts[1:]) + parts[0][1]
    return grad_w, grad_b.reshape(F)
