"""torchvision checkpoints into visiongrad models.

visiongrad models use torchvision's attribute names, so a torchvision state_dict maps
onto a visiongrad one key for key: ``layer1.0.conv1.weight`` is the same parameter in
both, with the same shape. A checkpoint is read from ``.safetensors`` with visiongrad
alone, or from a ``.pth`` pickle with PyTorch (imported only then, with
``weights_only=True`` so no code in the file runs).
"""
import os

import numpy as np

from ...serialization import atomic_write_bytes, load
from ...tensor import Tensor

_CONVERT_HINT = ("convert it to .safetensors with visiongrad.vision.models."
                 "convert_torch_checkpoint(pth_path, safetensors_path) where PyTorch is "
                 "installed")


def _read_pth(path):
    """A .pth state_dict as {name: NumPy array}."""
    try:
        import torch
    except ImportError as error:
        raise ImportError(f"reading .pth files needs PyTorch; {_CONVERT_HINT}") from error
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises several types for a corrupt or foreign file
        raise ValueError(f"{path} is not a readable PyTorch checkpoint "
                         f"({type(error).__name__}: {error})") from error
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError(f"{path} does not hold a state_dict (a flat mapping from names to "
                         f"tensors); got {type(state).__name__}")
    # NumPy has no bfloat16
    return {key: (value.float() if value.dtype == torch.bfloat16 else value).detach().numpy()
            for key, value in state.items()}


def read_checkpoint(path):
    """{name: NumPy array} from a ``.safetensors`` or ``.pth``/``.pt`` state_dict file."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such checkpoint file: {path}")
    if path.endswith(".safetensors"):
        state = load(path)
        if not isinstance(state, dict) or not all(isinstance(v, (Tensor, np.ndarray))
                                                  for v in state.values()):
            raise ValueError(f"{path} does not hold a state_dict (a flat mapping from names "
                             f"to tensors)")
        return {key: np.asarray(value.data if isinstance(value, Tensor) else value)
                for key, value in state.items()}
    if path.endswith((".pth", ".pt")):
        return _read_pth(path)
    raise ValueError(f"unknown checkpoint format for {path}: expected a .safetensors, .pth "
                     "or .pt file")


def load_torchvision_weights(model, path, strict=True):
    """Load a torchvision checkpoint (``.safetensors``, or ``.pth`` with PyTorch) into
    ``model``, key for key, keeping the model's dtype.

    With ``strict`` every missing and unexpected key is an error; a mis-shaped key
    always is; all of them are reported at once (``Module.load_state_dict``). One
    exception, as in PyTorch: files saved before PyTorch 0.4.1 (the first torchvision
    releases) have no batch-norm ``num_batches_tracked`` counters, and those keep the
    model's values. Returns ``(missing_keys, unexpected_keys)``.
    """
    state = read_checkpoint(path)
    own = model.state_dict()
    counters = [key for key in own if key.endswith("num_batches_tracked")]
    if not any(key in state for key in counters):
        state.update((key, own[key].numpy()) for key in counters)
    return model.load_state_dict(state, strict=strict)


def convert_torch_checkpoint(pth_path, safetensors_path):
    """Rewrite a PyTorch ``.pth`` state_dict as a plain ``.safetensors`` file (readable
    by ``load_torchvision_weights`` without PyTorch, and by safetensors' own loaders).
    Returns the number of tensors written."""
    from safetensors.numpy import save

    state = _read_pth(os.fspath(pth_path))
    # safetensors stores C-ordered buffers; np.ascontiguousarray would make 0-d arrays 1-d
    arrays = {key: value if value.flags.c_contiguous else np.array(value, order="C")
              for key, value in state.items()}
    atomic_write_bytes(safetensors_path, save(arrays))
    return len(arrays)
