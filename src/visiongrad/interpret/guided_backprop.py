"""Guided backpropagation (Springenberg et al. 2015; course C4.30)."""
from ..creation import from_numpy
from ..ops import Relu
from ._inputs import as_image_batch, as_targets, frozen, image_leaf, select_scores


def _relu_nodes(root):
    """Every ``Relu`` node of the recorded graph that ends in ``root`` (a grad_fn).

    Reads ``Context._inputs``, the engine's own record of graph edges: contexts have
    no public way to list their inputs (PyTorch's ``next_functions``)."""
    found, seen, stack = [], {id(root)}, [root]
    while stack:
        node = stack.pop()
        if node.function is Relu:
            found.append(node)
        # an input is None, a leaf tensor, or (producing node, output index)
        for source in node._inputs:
            if isinstance(source, tuple) and id(source[0]) not in seen:
                seen.add(id(source[0]))
                stack.append(source[0])
    return found


def _positive_part(grad_output):
    return grad_output.clamp(min=0)


def guided_backprop(model, images, target):
    """Input gradient of the class score where every ReLU passes gradient back only
    where its input > 0 (the ordinary ReLU rule) AND the upstream gradient > 0.

    images: (N, C, H, W) or (C, H, W); target: an int or N ints.
    Returns a Tensor shaped like ``images``.

    The rule is attached to the recorded graph, not to modules: after the forward pass
    every ``Relu`` node between the score and the image gets a gradient hook on its
    output that keeps the positive part of the upstream gradient, after which the
    ReLU's own backward applies the input > 0 mask. So ``nn.ReLU`` modules,
    ``F.relu`` / ``Tensor.relu`` calls and a ReLU module reused several times are all
    guided, each call on its own. Other activations (leaky ReLU, GELU, ...) keep
    their plain gradient, as in captum's ``GuidedBackprop``. Call ``model.eval()`` first.
    """
    data, unbatched = as_image_batch(images)
    targets = as_targets(target, len(data))
    x = image_leaf(data)
    with frozen(model):
        objective = select_scores(model(x), targets).sum()
        for node in _relu_nodes(objective.grad_fn):
            # what Tensor.register_hook does for a tensor we hold; the ReLU outputs
            # inside the model are reachable only through their nodes
            node._hooks.setdefault(0, []).append(_positive_part)
        objective.backward()
    gradient = x.grad.data
    return from_numpy(gradient[0] if unbatched else gradient)
