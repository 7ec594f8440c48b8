"""Convolution and transposed convolution: PyTorch parity on randomized geometries,
the course's worked examples, adjoint identities and argument errors."""
import numpy as np
import pytest

import visiongrad as vg
import visiongrad.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _random_geometry(rng, transposed):
    groups = int(rng.choice([1, 1, 2, 3]))
    depthwise = not transposed and rng.random() < 0.25
    if depthwise:
        groups = int(rng.integers(2, 5))
        c_in, c_out = groups, groups * int(rng.integers(1, 3))
    else:
        c_in, c_out = groups * int(rng.integers(1, 4)), groups * int(rng.integers(1, 4))
    kernel = tuple(int(k) for k in rng.integers(1, 5, 2))
    stride = tuple(int(s) for s in rng.integers(1, 4, 2))
    dilation = tuple(int(d) for d in rng.integers(1, 3, 2))
    padding = tuple(int(p) for p in rng.integers(0, 3, 2))
    size = tuple(int(n) for n in rng.integers(5, 12, 2))
    return dict(N=int(rng.integers(1, 4)), c_in=c_in, c_out=c_out, groups=groups,
                kernel=kernel, stride=stride, dilation=dilation, padding=padding, size=size)


def _compare(fn, torch_fn, arrays, dtype, rtol, atol):
    tensors = [vg.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    torch_tensors = [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    out, expected = fn(*tensors), torch_fn(*torch_tensors)
    assert out.shape == tuple(expected.shape)
    assert out.dtype == dtype
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=rtol, atol=atol)
    grad = np.random.default_rng(1).standard_normal(out.shape).astype(dtype)
    out.backward(vg.tensor(grad))
    expected.backward(torch.tensor(grad))
    for t, tt in zip(tensors, torch_tensors):
        assert t.grad.dtype == dtype
        np.testing.assert_allclose(t.grad.data, tt.grad.numpy(), rtol=rtol, atol=atol)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("dtype, rtol, atol", [(np.float64, 1e-10, 1e-10),
                                               (np.float32, 1e-5, 1e-4)],
                         ids=["float64", "float32"])
def test_conv2d_matches_torch_on_random_geometries(seed, dtype, rtol, atol):
    rng = np.random.default_rng(seed)
    g = _random_geometry(rng, transposed=False)
    padding = g["padding"] if seed % 4 else "same"
    stride = (1, 1) if padding == "same" else g["stride"]
    size = tuple(max(n, d * (k - 1) + 1) for n, k, d in zip(g["size"], g["kernel"],
                                                             g["dilation"]))
    x = rng.standard_normal((g["N"], g["c_in"]) + size)
    w = rng.standard_normal((g["c_out"], g["c_in"] // g["groups"]) + g["kernel"])
    b = rng.standard_normal(g["c_out"])
    kwargs = dict(stride=stride, padding=padding, dilation=g["dilation"], groups=g["groups"])
    _compare(lambda x, w, b: F.conv2d(x, w, b, **kwargs),
             lambda x, w, b: TF.conv2d(x, w, b, **kwargs), [x, w, b], dtype, rtol, atol)


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("dtype, rtol, atol", [(np.float64, 1e-10, 1e-10),
                                               (np.float32, 1e-5, 1e-4)],
                         ids=["float64", "float32"])
def test_conv_transpose2d_matches_torch_on_random_geometries(seed, dtype, rtol, atol):
    rng = np.random.default_rng(100 + seed)
    g = _random_geometry(rng, transposed=True)
    output_padding = tuple(int(rng.integers(0, max(s, d))) for s, d in
                           zip(g["stride"], g["dilation"]))
    size = tuple(n // 2 for n in g["size"])
    x = rng.standard_normal((g["N"], g["c_in"]) + size)
    w = rng.standard_normal((g["c_in"], g["c_out"] // g["groups"]) + g["kernel"])
    b = rng.standard_normal(g["c_out"])
    padding = tuple(min(p, (n - 1) * s + d * (k - 1)) // 2 for p, n, s, d, k in
                    zip(g["padding"], size, g["stride"], g["dilation"], g["kernel"]))
    kwargs = dict(stride=g["stride"], padding=padding, output_padding=output_padding,
                  groups=g["groups"], dilation=g["dilation"])
    _compare(lambda x, w, b: F.conv_transpose2d(x, w, b, **kwargs),
             lambda x, w, b: TF.conv_transpose2d(x, w, b, **kwargs), [x, w, b], dtype, rtol,
             atol)


def test_conv1d_and_unbatched_inputs_match_torch(rng):
    x, w, b = rng.standard_normal((2, 3, 9)), rng.standard_normal((4, 3, 4)), rng.standard_normal(4)
    _compare(lambda x, w, b: F.conv1d(x, w, b, padding="same", dilation=2),
             lambda x, w, b: TF.conv1d(x, w, b, padding="same", dilation=2), [x, w, b],
             np.float64, 1e-10, 1e-10)
    x, w = rng.standard_normal((3, 6, 5)), rng.standard_normal((2, 3, 3, 3))
    _compare(lambda x, w: F.conv2d(x, w, stride=2, padding=1),
             lambda x, w: TF.conv2d(x, w, stride=2, padding=1), [x, w], np.float64, 1e-10, 1e-10)
    _compare(lambda x, w: F.conv_transpose2d(x[:2], w, stride=2),
             lambda x, w: TF.conv_transpose2d(x[:2], w, stride=2), [x, w], np.float64, 1e-10,
             1e-10)


def test_strided_conv_downsamples_4x4_to_2x2(rng):
    x, w = rng.standard_normal((1, 2, 4, 4)), rng.standard_normal((3, 2, 3, 3))
    out = F.conv2d(vg.tensor(x), vg.tensor(w), stride=2, padding=1)
    assert out.shape == (1, 3, 2, 2)
    np.testing.assert_allclose(out.data, TF.conv2d(torch.tensor(x), torch.tensor(w), stride=2,
                                                   padding=1).numpy(), atol=1e-12)


def test_transposed_conv_output_padding_e22():
    # 3x3, stride 2, padding 1 maps 2x2 to (2-1)*2 - 2 + 3 = 3x3; output_padding=1 gives 4x4
    x, w = vg.randn(1, 1, 2, 2), vg.randn(1, 1, 3, 3)
    assert F.conv_transpose2d(x, w, stride=2, padding=1).shape == (1, 1, 3, 3)
    assert F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1).shape == (1, 1, 4, 4)
    # and the 4x4 -> 2x2 strided convolution it inverts the shape of
    assert F.conv2d(vg.randn(1, 1, 4, 4), w, stride=2, padding=1).shape == (1, 1, 2, 2)


def test_transposed_conv_1d_example():
    # [a, b] transposed-convolved with [x, y, z] at stride 2 = [ax, ay, az + bx, by, bz]
    a, b, x, y, z = 2.0, 3.0, 5.0, 7.0, 11.0
    out = F.conv_transpose2d(vg.tensor([[[[a, b]]]], dtype=vg.float64),
                             vg.tensor([[[[x, y, z]]]], dtype=vg.float64), stride=(1, 2))
    np.testing.assert_array_equal(out.data.ravel(), [a * x, a * y, a * z + b * x, b * y, b * z])


@pytest.mark.parametrize("stride, padding, dilation, groups", [
    (2, 1, 1, 1), ((2, 3), (0, 2), (1, 2), 2), (1, 0, 2, 4), (3, 1, 1, 1)])
def test_conv_transpose_is_the_adjoint_of_conv(stride, padding, dilation, groups, rng):
    x = vg.tensor(rng.standard_normal((2, 4, 11, 10)))
    w = vg.tensor(rng.standard_normal((8, 4 // groups, 3, 3)))
    y = F.conv2d(x, w, stride=stride, padding=padding, dilation=dilation, groups=groups)
    target = vg.tensor(rng.standard_normal(y.shape))
    # output_padding recovers the input rows the strided convolution skipped
    s, p, d = (np.broadcast_to(v, 2) for v in (stride, padding, dilation))
    output_padding = tuple(int(n + 2 * pi - di * 2 - 1) % si for n, pi, di, si in
                           zip(x.shape[2:], p, d, s))
    back = F.conv_transpose2d(target, w, stride=stride, padding=padding,
                              output_padding=output_padding, groups=groups, dilation=dilation)
    assert back.shape == x.shape
    np.testing.assert_allclose(float((y * target).sum().item()),
                               float((x * back).sum().item()), rtol=1e-12)


def _conv_matrix(w, size, stride, padding):
    """The explicit (out·out, in·in) matrix of a single-channel 2-d convolution:
    row (oh, ow) holds the kernel at the input positions its window covers."""
    K = w.shape[0]
    out = (size + 2 * padding - K) // stride + 1
    M = np.zeros((out * out, size * size))
    for oh in range(out):
        for ow in range(out):
            for i in range(K):
                for j in range(K):
                    h, c = oh * stride - padding + i, ow * stride - padding + j
                    if 0 <= h < size and 0 <= c < size:
                        M[oh * out + ow, h * size + c] = w[i, j]
    return M, out


def test_convolution_as_matrix_multiply(rng):
    w, x = rng.standard_normal((3, 3)), rng.standard_normal((5, 5))
    M, out = _conv_matrix(w, 5, stride=2, padding=1)
    conv = F.conv2d(vg.tensor(x[None, None]), vg.tensor(w[None, None]), stride=2, padding=1)
    np.testing.assert_allclose(conv.data.ravel(), M @ x.ravel(), atol=1e-13)
    y = rng.standard_normal((out, out))
    transposed = F.conv_transpose2d(vg.tensor(y[None, None]), vg.tensor(w[None, None]),
                                    stride=2, padding=1)
    np.testing.assert_allclose(transposed.data.ravel(), M.T @ y.ravel(), atol=1e-13)


def test_1x1_convolution_is_a_per_pixel_linear_map(rng):
    x = vg.tensor(rng.standard_normal((1, 64, 56, 56)).astype(np.float32))
    w = vg.tensor(rng.standard_normal((32, 64, 1, 1)).astype(np.float32))
    b = vg.tensor(rng.standard_normal(32).astype(np.float32))
    out = F.conv2d(x, w, b)
    assert out.shape == (1, 32, 56, 56)
    per_pixel = F.linear(x.permute(0, 2, 3, 1), w.reshape(32, 64), b).permute(0, 3, 1, 2)
    np.testing.assert_allclose(out.data, per_pixel.data, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("layers, expected", [
    ([(3, 1)] * 3, 7),               # 1 + L(k - 1)
    ([(3, 2), (3, 1)], 7),           # r_2 = r_1 + (k_2 - 1)·s_1 = 3 + 2·2
    ([(5, 2), (3, 2), (3, 1)], 17),  # 5 + 2·2 + 2·4
])
def test_receptive_field_is_the_support_of_the_input_gradient(layers, expected):
    x = vg.zeros(1, 1, 41, 41, dtype=vg.float64, requires_grad=True)
    y = x
    for k, s in layers:
        y = F.conv2d(y, vg.ones(1, 1, k, k, dtype=vg.float64), stride=s)
    centre = y.shape[-1] // 2
    y[0, 0, centre, centre].backward()
    rows, cols = np.nonzero(x.grad.data[0, 0])
    assert (rows.max() - rows.min() + 1, cols.max() - cols.min() + 1) == (expected, expected)


def test_gradients_flow_without_bias_and_with_frozen_inputs(rng):
    x = vg.tensor(rng.standard_normal((2, 3, 6, 6)))
    w = vg.tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True)
    b = vg.tensor(rng.standard_normal(4), requires_grad=True)
    F.conv2d(x, w, b).sum().backward()
    assert x.grad is None
    np.testing.assert_allclose(b.grad.data, np.full(4, 2 * 4 * 4))
    tx, tw = torch.tensor(x.data), torch.tensor(w.data, requires_grad=True)
    TF.conv2d(tx, tw).sum().backward()
    np.testing.assert_allclose(w.grad.data, tw.grad.numpy(), rtol=1e-12)
    # a frozen weight: only the input's gradient
    x.requires_grad = True
    frozen = vg.tensor(w.data)
    for fn, torch_fn in ((F.conv2d, TF.conv2d), (F.conv_transpose2d, TF.conv_transpose2d)):
        x.grad = None
        weight = frozen if fn is F.conv2d else vg.tensor(w.data.transpose(1, 0, 2, 3))
        fn(x, weight, stride=2).sum().backward()
        tx = torch.tensor(x.data, requires_grad=True)
        torch_fn(tx, torch.tensor(weight.data), stride=2).sum().backward()
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-12)


def test_conv_helper_in_functional():
    assert F.conv_output_size(32, 5, 0, 1) == 28
    assert F.conv_output_size(7, 3, 0, 3) == 2
    with pytest.raises(ValueError):
        F.conv_output_size(7, 3, 0, 3, strict=True)


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.conv2d(vg.randn(1, 4, 5, 5), vg.randn(16, 3, 3, 3)), ValueError,
     r"conv2d: expected input with 3 channels \(weight \(16, 3, 3, 3\), groups=1\), got 4"),
    (lambda: F.conv2d(vg.randn(1, 3, 2, 2), vg.randn(16, 3, 5, 5)), ValueError,
     "output of size -2x-2; input 2x2 is too small for kernel 5 with padding 0"),
    (lambda: F.conv2d(vg.randn(1, 3, 4, 3), vg.randn(2, 3, 3, 3), dilation=(1, 2)), ValueError,
     "output of size 2x-1; input 4x3 is too small for kernel \\(3, 5\\)"),
    (lambda: F.conv2d(vg.randn(2, 3, 5), vg.randn(2, 3, 3, 3)[0]), ValueError,
     "expected a 4-D weight"),
    (lambda: F.conv2d(vg.randn(3, 5), vg.randn(2, 3, 3, 3)), ValueError, "3-D .* or 4-D"),
    (lambda: F.conv2d(vg.randn(1, 3, 5, 5), vg.randn(2, 3, 3, 3), stride=2, padding="same"),
     ValueError, "padding='same' is not supported for strided"),
    (lambda: F.conv2d(vg.randn(1, 3, 5, 5), vg.randn(2, 3, 3, 3), padding="full"), ValueError,
     "padding must be"),
    (lambda: F.conv2d(vg.randn(1, 4, 5, 5), vg.randn(3, 2, 3, 3), groups=2), ValueError,
     "weight dim 0 \\(3\\) must be divisible by groups=2"),
    (lambda: F.conv2d(vg.randn(1, 3, 5, 5), vg.randn(2, 3, 3, 3), vg.randn(3)), ValueError,
     r"expected bias of shape \(2,\)"),
    (lambda: F.conv2d(vg.randn(1, 3, 5, 5), vg.randn(2, 3, 3, 3, dtype=vg.float64)), TypeError,
     "same dtype"),
    (lambda: F.conv2d(vg.randn(1, 3, 5, 5), vg.randn(2, 3, 3, 3), stride=0), ValueError,
     "stride must be positive"),
    (lambda: F.conv2d(vg.randn(1, 3, 5, 5), vg.randn(2, 3, 3, 3), padding=(1, 2, 3)), TypeError,
     "padding must be an int or a pair"),
    (lambda: F.conv_transpose2d(vg.randn(1, 3, 5, 5), vg.randn(3, 2, 3, 3), stride=2,
                                output_padding=2), ValueError,
     "output_padding must be smaller than either stride or dilation"),
    (lambda: F.conv_transpose2d(vg.randn(1, 2, 5, 5), vg.randn(3, 2, 3, 3)), ValueError,
     "expected input with 3 channels"),
    (lambda: F.conv_transpose2d(vg.randn(1, 3, 1, 1), vg.randn(3, 2, 3, 3), padding=2),
     ValueError, "would give an output of size -1x-1"),
])
def test_argument_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
