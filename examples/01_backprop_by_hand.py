"""Chapter 2: a computational graph and its backward pass, checked numerically.

Run: python examples/01_backprop_by_hand.py
"""
import visiongrad as vg

x, y, z = (vg.tensor(v, dtype=vg.float64, requires_grad=True) for v in (-2.0, 5.0, -4.0))
q = x + y          # add gate: distributes the gradient
f = q * z          # mul gate: swaps its inputs
f.backward()
print(f"f = {f.item()}, df/dx = {x.grad.item()}, df/dy = {y.grad.item()}, df/dz = {z.grad.item()}")

w = vg.tensor([2.0, -3.0, -3.0], dtype=vg.float64, requires_grad=True)
inputs = vg.tensor([-1.0, -2.0], dtype=vg.float64, requires_grad=True)


def neuron(w, inputs):
    return (w[0] * inputs[0] + w[1] * inputs[1] + w[2]).sigmoid()


out = neuron(w, inputs)
out.backward()
print(f"sigmoid neuron: f = {out.item():.4f}, df/dw = {w.grad.numpy().round(4)}, "
      f"df/dx = {inputs.grad.numpy().round(4)}")
print("gradcheck:", vg.autograd.gradcheck(neuron, [w.detach().requires_grad_(),
                                                  inputs.detach().requires_grad_()]))
