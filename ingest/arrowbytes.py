"""Numpy views of the buffers of Arrow string arrays, for byte-level checks without copies."""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def is_text_array(values: object) -> bool:
    """A string or large_string ``pa.Array`` (not chunked): what the views below can read."""
    return isinstance(values, pa.Array) and (
        pa.types.is_string(values.type) or pa.types.is_large_string(values.type)
    )


def offsets(values: pa.Array) -> np.ndarray:
    """The ``len(values) + 1`` offsets of a string or large_string array (slices included)."""
    dtype = np.int64 if pa.types.is_large_string(values.type) else np.int32
    return np.frombuffer(
        values.buffers()[1], dtype, len(values) + 1, values.offset * np.dtype(dtype).itemsize
    )


def data(values: pa.Array) -> np.ndarray:
    """The whole character buffer as bytes (a slice's values are a part of it)."""
    buffer = values.buffers()[2]
    return np.frombuffer(buffer, np.uint8) if buffer is not None else np.empty(0, np.uint8)
