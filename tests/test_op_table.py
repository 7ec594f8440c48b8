"""Every row of the operation table: float64 gradient check and PyTorch parity of the
forward output and of every input gradient, in float64 and float32."""
import numpy as np
import pytest

import visiongrad as vg
from visiongrad.testing import all_ops, make_inputs

torch = pytest.importorskip("torch")

OPS = all_ops()
IDS = [op.name for op in OPS]


def _outputs(result):
    return list(result) if isinstance(result, (tuple, list)) else [result]


def test_table_names_are_unique():
    assert len(IDS) == len(set(IDS))


@pytest.mark.parametrize("op", OPS, ids=IDS)
def test_gradcheck(op):
    inputs = make_inputs(op, np.random.default_rng(0))
    assert vg.autograd.gradcheck(op.fn, inputs, atol=op.grad_atol, rtol=op.grad_rtol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("op", [op for op in OPS if op.ref is not None],
                         ids=[op.name for op in OPS if op.ref is not None])
def test_matches_torch(op, dtype):
    inputs = make_inputs(op, np.random.default_rng(1), dtype=dtype)
    torch_inputs = [torch.tensor(x.data, requires_grad=x.requires_grad) for x in inputs]
    outs = _outputs(op.fn(*inputs))
    refs = _outputs(op.ref(torch, *torch_inputs))
    atol, rtol = (op.atol64, op.rtol64) if dtype == np.float64 else (op.atol32, op.rtol32)
    assert len(outs) == len(refs)
    rng = np.random.default_rng(2)
    grad_outputs = []
    for out, ref in zip(outs, refs):
        assert out.shape == tuple(ref.shape), f"{op.name}: shape {out.shape} vs {tuple(ref.shape)}"
        np.testing.assert_allclose(out.data, ref.detach().numpy(), atol=atol, rtol=rtol)
        grad_outputs.append(rng.standard_normal(out.shape).astype(dtype))
    differentiable = [(o, r, g) for o, r, g in zip(outs, refs, grad_outputs) if o.requires_grad]
    if not differentiable or not op.check_grad_ref:
        return
    total = sum((o * vg.tensor(g)).sum() for o, _, g in differentiable)
    total.backward()
    torch_total = sum((r * torch.tensor(g)).sum() for _, r, g in differentiable)
    torch_total.backward()
    for i, (x, tx) in enumerate(zip(inputs, torch_inputs)):
        if not x.requires_grad:
            continue
        expected = tx.grad.numpy() if tx.grad is not None else np.zeros(x.shape)
        actual = x.grad.data if x.grad is not None else np.zeros(x.shape)
        assert actual.dtype == x.dtype
        np.testing.assert_allclose(actual, expected, atol=10 * atol, rtol=10 * rtol,
                                   err_msg=f"{op.name}: gradient of input {i}")
