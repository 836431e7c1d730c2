"""Points from well-known binary (WKB), decoded with numpy: no geometry library sees the bytes.

A WKB point is a byte order (0 big-endian, 1 little-endian), a 32-bit type and the coordinates:
type 1 (ISO 1001, 2001, 3001 with Z, M or both; EWKB with the high flag bits, and an SRID after
the type when its flag is set). Anything else is named (``a Polygon``) or said to be unreadable,
without reading further: a value's length must be exactly a point's.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

_KINDS = {
    2: "a LineString",
    3: "a Polygon",
    4: "a MultiPoint",
    5: "a MultiLineString",
    6: "a MultiPolygon",
    7: "a GeometryCollection",
}
_EWKB_Z, _EWKB_M, _EWKB_SRID = 0x80000000, 0x40000000, 0x20000000
UNREADABLE = "not a WKB geometry that can be read"


def _binary_parts(values: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(valid, starts, lengths) of each value and the bytes they index (``data``)."""
    if pa.types.is_binary_view(values.type):
        values = values.cast(pa.large_binary())
    n = len(values)
    valid = np.asarray(values.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    buffers = values.buffers()
    width = np.int64 if pa.types.is_large_binary(values.type) else np.int32
    offsets = np.frombuffer(buffers[1], dtype=width)[values.offset : values.offset + n + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0)
    starts = offsets[:-1].astype(np.int64)
    lengths = np.diff(offsets).astype(np.int64)
    lengths[~valid] = 0
    return valid, np.stack([starts, lengths]), data.astype(np.uint8, copy=False)


def _read(data: np.ndarray, at: np.ndarray, size: int, little: np.ndarray) -> np.ndarray:
    """``size`` bytes at each offset of ``at`` as unsigned integers of that size (4) or floats
    (8), each in its own byte order."""
    raw = data[at[:, None] + np.arange(size)]
    raw = np.where(little[:, None], raw, raw[:, ::-1])
    kind = "<u4" if size == 4 else "<f8"
    return np.ascontiguousarray(raw).view(kind).ravel()


def decode_points(values: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(lon, lat, problems)`` of WKB values: NaN where a value is null or an empty point;
    ``problems`` holds, for a value that is no point, what it is (``a Polygon``,
    ``UNREADABLE``), else ``None``."""
    n = len(values)
    lon, lat = np.full(n, np.nan), np.full(n, np.nan)
    problems = np.full(n, None, dtype=object)
    valid, (starts, lengths), data = _binary_parts(values)
    problems[valid & (lengths < 5)] = UNREADABLE
    head = np.flatnonzero(valid & (lengths >= 5))
    if not len(head):
        return lon, lat, problems
    order = data[starts[head]]
    little = order == 1
    problems[head[order > 1]] = UNREADABLE
    head, little = head[order <= 1], little[order <= 1]
    code = _read(data, starts[head] + 1, 4, little)
    base = code & 0x0FFFFFFF
    kind = base % 1000
    dims = base // 1000
    z = ((code & _EWKB_Z) != 0) | (dims == 1) | (dims == 3)
    m = ((code & _EWKB_M) != 0) | (dims == 2) | (dims == 3)
    srid = (code & _EWKB_SRID) != 0
    size = 5 + 4 * srid + 8 * (2 + z.astype(np.int64) + m.astype(np.int64))
    named = np.array([_KINDS.get(int(k), UNREADABLE) for k in kind], dtype=object)
    point = (kind == 1) & (dims <= 3) & (lengths[head] == size)
    problems[head[~point]] = np.where(kind[~point] == 1, UNREADABLE, named[~point])
    at = starts[head[point]] + 5 + 4 * srid[point]
    x = _read(data, at, 8, little[point])
    y = _read(data, at + 8, 8, little[point])
    lon[head[point]], lat[head[point]] = x, y
    return lon, lat, problems


def encode_points(lon: np.ndarray, lat: np.ndarray) -> pa.Array:
    """Little-endian 2D WKB points (21 bytes each) as a binary array; null where a coordinate
    is NaN."""
    n = len(lon)
    record = np.dtype([("order", "u1"), ("type", "<u4"), ("x", "<f8"), ("y", "<f8")])
    packed = np.zeros(n, dtype=record)  # numpy packs a structured dtype without padding
    packed["order"], packed["type"], packed["x"], packed["y"] = 1, 1, lon, lat
    offsets = np.arange(0, 21 * (n + 1), 21, dtype=np.int32)
    missing = ~(np.isfinite(lon) & np.isfinite(lat))
    validity = None if not missing.any() else pa.array(~missing).buffers()[1]
    return pa.Array.from_buffers(
        pa.binary(),
        n,
        [validity, pa.py_buffer(offsets), pa.py_buffer(packed.tobytes())],
        null_count=int(missing.sum()),
    )


__all__ = ["UNREADABLE", "decode_points", "encode_points"]
