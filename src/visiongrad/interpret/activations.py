"""Activation maps of intermediate layers, captured with forward hooks (C4.25)."""
from ..autograd.grad_mode import no_grad
from ..creation import from_numpy
from ._inputs import as_image_batch


def activation_maps(model, layer_names, images):
    """Outputs of the named submodules for ``images``, from one forward pass.

    layer_names: a dotted name as in ``model.named_modules()`` (e.g. ``"features.0"``)
    or a list of them; images: (N, C, H, W) or (C, H, W).
    Returns the layer's output Tensor (e.g. (N, C', H', W') for a conv layer) for one
    name, or a dict name -> Tensor for a list. A module called several times in one
    forward keeps its last output. Outputs are detached (computed under no_grad).
    """
    single = isinstance(layer_names, str)
    names = [layer_names] if single else list(layer_names)
    modules = dict(model.named_modules())
    unknown = [name for name in names if name not in modules]
    if unknown:
        available = ", ".join(repr(name) for name in modules if name)
        raise KeyError(f"no layer named {', '.join(map(repr, unknown))}; "
                       f"the model has {available}")
    data, unbatched = as_image_batch(images)
    captured = {}
    handles = []
    for name in names:
        def capture(module, args, output, name=name):
            captured[name] = output
        handles.append(modules[name].register_forward_hook(capture))
    try:
        with no_grad():
            model(from_numpy(data))
    finally:
        for handle in handles:
            handle.remove()
    silent = [name for name in names if name not in captured]
    if silent:
        raise RuntimeError(f"layer(s) {', '.join(map(repr, silent))} did not run in the "
                           "model's forward pass")
    if unbatched:
        captured = {name: output[0] for name, output in captured.items()}
    return captured[names[0]] if single else {name: captured[name] for name in names}
