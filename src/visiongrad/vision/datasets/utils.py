"""Helpers for dataset files: checksums, downloads (only when a dataset is asked to
download) and a restricted unpickler for the CIFAR python batches."""
import codecs
import hashlib
import os
import pickle
import urllib.request

import numpy as np

try:
    from numpy._core import multiarray as _multiarray
    from numpy._core import numeric as _numeric
except ImportError:  # NumPy < 2
    from numpy.core import multiarray as _multiarray
    from numpy.core import numeric as _numeric


def calculate_md5(path, chunk_size=1 << 20):
    """The MD5 hex digest of a file (the checksum official dataset pages publish)."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_integrity(path, md5=None):
    """True if ``path`` is a file and, when ``md5`` is given, has that checksum."""
    return os.path.isfile(path) and (md5 is None or calculate_md5(path) == md5)


def download_url(url, path, md5=None, timeout=60):
    """Download ``url`` to the file ``path`` (written under a temporary name, then
    renamed, so an interrupted download leaves no half file) and verify ``md5``."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    partial = f"{path}.part"
    with urllib.request.urlopen(url, timeout=timeout) as response, open(partial, "wb") as f:
        for chunk in iter(lambda: response.read(1 << 20), b""):
            f.write(chunk)
    if md5 is not None and calculate_md5(partial) != md5:
        actual = calculate_md5(partial)
        os.remove(partial)
        raise RuntimeError(f"download_url: {url} has MD5 {actual}, expected {md5}; "
                           f"the file was not kept")
    os.replace(partial, path)


def _latin1_encode(text, encoding):
    # Python 3 pickles bytes in protocols 0-2 as _codecs.encode(text, "latin1")
    if encoding != "latin1":
        raise pickle.UnpicklingError(f"restricted_load: refusing _codecs.encode with "
                                     f"encoding {encoding!r}; only 'latin1' is allowed")
    return codecs.encode(text, "latin1")


# Everything a NumPy array inside a pickle may need, under the module names NumPy 1
# and NumPy 2 write; lists, dicts, str, bytes and numbers need no globals at all.
_ALLOWED_GLOBALS = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("numpy.core.multiarray", "_reconstruct"): _multiarray._reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _multiarray._reconstruct,
    ("numpy.core.multiarray", "scalar"): _multiarray.scalar,
    ("numpy._core.multiarray", "scalar"): _multiarray.scalar,
    ("numpy.core.numeric", "_frombuffer"): _numeric._frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _numeric._frombuffer,
    ("_codecs", "encode"): _latin1_encode,
}


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that builds only Python containers, numbers, strings and NumPy
    arrays. A pickle can run any function it names; refusing every other global keeps a
    tampered dataset file from executing code."""

    def find_class(self, module, name):
        allowed = _ALLOWED_GLOBALS.get((module, name))
        if allowed is None:
            raise pickle.UnpicklingError(
                f"restricted_load: refusing to load global {module}.{name}; dataset "
                f"pickles may only contain containers, numbers, strings and NumPy arrays "
                f"(the file may have been tampered with)")
        return allowed


def restricted_load(path):
    """Load a pickle file with ``RestrictedUnpickler``. Python 2 strings are decoded as
    latin-1 (as torchvision does for the CIFAR batches), which also keeps NumPy's
    Python 2 array pickles readable."""
    with open(path, "rb") as f:
        return RestrictedUnpickler(f, encoding="latin1").load()
