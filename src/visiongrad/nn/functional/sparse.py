"""Index-based layers: ``embedding`` (table lookup) and ``one_hot``."""
import numpy as np

from ... import ops
from ...autograd.grad_mode import no_grad
from ...tensor import Tensor


def _indices(name, input):
    array = input.data if isinstance(input, Tensor) else np.asarray(input)
    if not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name}: expected an integer (int64) index tensor, got dtype "
                        f"{array.dtype}")
    return array


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` (num_embeddings, D) picked by ``input`` (any integer shape)
    → (*input.shape, D).

    ``padding_idx``'s row gets no gradient. ``max_norm`` renormalises, in place and
    unrecorded, every looked-up row whose ``norm_type``-norm exceeds it (PyTorch).
    ``scale_grad_by_freq`` divides each row's gradient by its count in the batch.
    Gradients are always dense: ``sparse=True`` is refused.
    """
    if sparse:
        raise ValueError("embedding: sparse gradients are not supported; use sparse=False")
    indices = _indices("embedding", input)
    num_embeddings = weight.shape[0]
    if indices.size and (indices.min() < 0 or indices.max() >= num_embeddings):
        bad = indices.min() if indices.min() < 0 else indices.max()
        raise ValueError(f"embedding: index {bad} is out of range for an embedding table "
                         f"of {num_embeddings} rows (valid: 0..{num_embeddings - 1})")
    if padding_idx is not None:
        if not -num_embeddings <= padding_idx < num_embeddings:
            raise ValueError(f"embedding: padding_idx {padding_idx} must be within "
                             f"[-{num_embeddings}, {num_embeddings})")
        padding_idx %= num_embeddings
    if max_norm is not None:
        _renorm_rows(weight, np.unique(indices), max_norm, norm_type)
    return ops.Embedding.apply(weight, indices, padding_idx=padding_idx,
                               scale_grad_by_freq=scale_grad_by_freq)


def _renorm_rows(weight, rows, max_norm, norm_type):
    with no_grad():
        picked = weight.data[rows]
        norms = np.linalg.norm(picked, ord=norm_type, axis=1)
        # PyTorch's embedding_renorm_: scale = max_norm / (norm + 1e-7)
        scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight.data[rows] = picked * scale[:, None].astype(weight.dtype)


def one_hot(tensor, num_classes=-1):
    """Integer labels of any shape → int64 (*shape, num_classes); ``num_classes=-1``
    means max label + 1."""
    labels = _indices("one_hot", tensor)
    if labels.size and labels.min() < 0:
        raise ValueError(f"one_hot: labels must be non-negative, got {labels.min()}")
    if num_classes == -1:
        if labels.size == 0:
            raise ValueError("one_hot: cannot infer num_classes from an empty tensor")
        num_classes = int(labels.max()) + 1
    elif labels.size and labels.max() >= num_classes:
        raise ValueError(f"one_hot: label {labels.max()} is out of range for "
                         f"num_classes={num_classes} (valid: 0..{num_classes - 1})")
    out = np.zeros(labels.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, labels[..., None].astype(np.int64), 1, axis=-1)
    return Tensor._wrap(out)


__all__ = ["embedding", "one_hot"]
