"""The IDX file format of the MNIST database: a big-endian header (two zero bytes, a
type code, the number of dimensions, then each dimension as uint32) followed by the
array in C order, big-endian. Files may be gzip-compressed."""
import gzip
import struct

import numpy as np

_DTYPE_OF_CODE = {0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8),
                  0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
                  0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_CODE_OF_DTYPE = {dtype.newbyteorder("="): code for code, dtype in _DTYPE_OF_CODE.items()}
_GZIP_MAGIC = b"\x1f\x8b"


def read_idx(path):
    """Read an IDX file (plain or gzip, detected from its first bytes) into a NumPy
    array of native byte order, e.g. (N, 28, 28) uint8 images or (N,) uint8 labels."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == _GZIP_MAGIC:
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"read_idx: {path} is not an IDX file (expected two zero bytes, "
                         f"a type code and a dimension count; got {raw[:4]!r})")
    code, ndim = raw[2], raw[3]
    if code not in _DTYPE_OF_CODE:
        raise ValueError(f"read_idx: {path} has unknown type code 0x{code:02X}; expected "
                         f"one of {', '.join(f'0x{c:02X}' for c in _DTYPE_OF_CODE)}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"read_idx: {path} is truncated inside its header "
                         f"({len(raw)} bytes for {ndim} dimensions)")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = _DTYPE_OF_CODE[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(f"read_idx: {path} should hold {expected} data bytes for shape "
                         f"{shape} and dtype {dtype.newbyteorder('=')}, but holds "
                         f"{len(raw) - header}")
    array = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def write_idx(path, array):
    """Write ``array`` (uint8, int8, int16, int32, float32 or float64) as an IDX file,
    gzip-compressed when ``path`` ends with ``.gz``."""
    array = np.asarray(array)
    native = array.dtype.newbyteorder("=")
    if native not in _CODE_OF_DTYPE:
        raise TypeError(f"write_idx: dtype {array.dtype} cannot be stored in IDX; expected "
                        f"one of {', '.join(str(d) for d in _CODE_OF_DTYPE)}")
    if array.ndim > 255:
        raise ValueError(f"write_idx: IDX stores at most 255 dimensions, got {array.ndim}")
    header = bytes([0, 0, _CODE_OF_DTYPE[native], array.ndim])
    header += struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + np.ascontiguousarray(array, dtype=native.newbyteorder(">")).tobytes()
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(payload)
