"""Transfer learning: reuse a network trained on a large dataset for a new task.

Freeze the pretrained layers (``freeze``), put a fresh last layer for the new classes
on top (``replace_head``) and train what is left (``finetune``). How much to retrain
depends on the new data, the course's table (``RECIPES``):

    |                     | very similar dataset         | very different dataset       |
    |---------------------|------------------------------|------------------------------|
    | very little data    | linear classifier on the top | trouble: try linear          |
    |                     | layer                        | classifiers from other stages|
    | quite a lot of data | fine-tune a few layers       | fine-tune a larger number of |
    |                     |                              | layers                       |
"""
from ..autograd.grad_mode import no_grad
from ..nn import Linear, Sequential
from ..nn import functional as F
from ..optim import SGD

# (dataset similarity, amount of data) -> what to retrain
RECIPES = {
    ("very similar", "very little data"): "freeze everything; train a linear classifier on "
                                          "the top layer",
    ("very different", "very little data"): "trouble: try linear classifiers on features "
                                            "from different stages",
    ("very similar", "quite a lot of data"): "fine-tune a few layers",
    ("very different", "quite a lot of data"): "fine-tune a larger number of layers",
}


def freeze(module, trainable=()):
    """Stop gradients (``requires_grad = False``) for every parameter of ``module``
    except those under the submodules named in ``trainable`` (dotted names, e.g.
    ``("fc",)`` to train the head only, ``("layer4", "fc")`` to fine-tune more), which
    are switched on. Returns ``module``."""
    trainable = [trainable] if isinstance(trainable, str) else list(trainable)
    for name in trainable:
        module.get_submodule(name)  # an unknown name raises here, not silently trains nothing
    for name, param in module.named_parameters():
        param.requires_grad = any(name.startswith(prefix + ".") for prefix in trainable)
    return module


def _head_location(model):
    """(parent module, attribute name) of the layer ``replace_head`` swaps."""
    for name in ("fc", "classifier"):
        head = getattr(model, name, None)
        if head is not None:
            if isinstance(head, Sequential) and len(head):
                return head, str(len(head) - 1)
            return model, name
    linears = [name for name, module in model.named_modules() if isinstance(module, Linear)]
    if not linears:
        raise ValueError(f"replace_head: {type(model).__name__} has no fc or classifier "
                         "attribute and no Linear layer")
    parent, _, name = linears[-1].rpartition(".")
    return model.get_submodule(parent), name


def replace_head(model, num_classes):
    """Replace the model's last layer by a fresh ``Linear(in_features, num_classes)``
    with PyTorch's default initialization and gradients on, and return it. The last
    layer is ``model.fc`` (ResNet, GoogLeNet), the last layer of ``model.classifier``
    (VGG, AlexNet, MobileNet; DenseNet's is a Linear itself), or else the last Linear
    layer of the model (e.g. the small CNN of ``visiongrad train``)."""
    parent, name = _head_location(model)
    last = getattr(parent, name)
    if not isinstance(last, Linear):
        raise TypeError(f"replace_head: the last layer of {type(model).__name__} should be a "
                        f"Linear layer, got {type(last).__name__}")
    new = Linear(last.in_features, num_classes, bias=last.bias is not None,
                 dtype=last.weight.dtype)
    setattr(parent, name, new)
    return new


def train_unfrozen(model):
    """Training mode for the modules with trainable parameters; evaluation mode for
    those whose parameters are all frozen, so a frozen batch norm keeps normalizing with
    (and no longer updates) its running statistics, as the pretrained layers expect.
    Parameter-free modules such as Dropout stay in training mode."""
    model.train()
    for module in model.modules():
        own = list(module.parameters(recurse=False))
        if own and not any(p.requires_grad for p in own):
            module.eval()
    return model


def finetune(model, loader, epochs, lr=0.01, momentum=0.9, weight_decay=0.0, loss_fn=None):
    """Train the parameters of ``model`` that require gradients with SGD (momentum) for
    ``epochs`` passes over ``loader`` (batches ``(x, y)``), frozen layers in evaluation
    mode (``train_unfrozen``). Frozen parameters receive no gradient and stay
    bit-identical. Returns the mean training loss of each epoch; leaves the model in
    evaluation mode."""
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("finetune: every parameter of the model is frozen; replace the head "
                         "or unfreeze some layers first")
    loss_fn = loss_fn or F.cross_entropy
    optimizer = SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    losses = []
    for _ in range(epochs):
        train_unfrozen(model)
        total, count = 0.0, 0
        for x, y in loader:
            loss = loss_fn(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total, count = total + loss.item() * len(y), count + len(y)
        losses.append(total / max(count, 1))
    model.eval()
    return losses


def evaluate_accuracy(model, x, y, batch_size=256):
    """Top-1 accuracy of ``model`` (evaluation mode) on images x: (N, C, H, W) and
    labels y: (N,), both NumPy arrays."""
    from ..tensor import Tensor

    model.eval()
    correct = 0
    with no_grad():
        for start in range(0, len(y), batch_size):
            scores = model(Tensor._wrap(x[start:start + batch_size])).data
            correct += int((scores.argmax(axis=1) == y[start:start + batch_size]).sum())
    return correct / len(y)
