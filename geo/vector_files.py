"""GeoJSON and GeoPackage tables, opened only by the GDAL driver their suffix names.

GDAL picks a driver from a file's content, not its name: an OGR VRT (XML) saved as ``.geojson``
would be opened as a VRT and could read any file on the server or fetch a URL. So each file is
checked for its format's signature first (GeoJSON is a JSON object; a GeoPackage is SQLite with
the ``GPKG`` application id), then opened with the driver fixed by a ``GeoJSON:`` / ``GPKG:``
prefix, and GDAL itself is configured for this process so that it never reaches the network or
files other than the one named (see :data:`GDAL_LOCKDOWN`).
"""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geo.errors import DataError, LayerChoiceError, Problem
from geo.schema import CRS, MAX_COLUMNS

GDAL_LOCKDOWN = {
    # /vsicurl/ and every network file system read only files with this suffix, so none.
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".incident-atlas-no-network",
    # Any HTTP request GDAL still tried would go to a closed local port and fail at once.
    "GDAL_HTTP_PROXY": "127.0.0.1:9",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_MAX_RETRY": "0",
    # No Python code in VRTs, no SQLite views or virtual tables over other data sources.
    "GDAL_VRT_ENABLE_PYTHON": "NO",
    "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",
    # Do not list the folder a table is in.
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
}
"""GDAL configuration set for the whole process when this module is imported."""

DRIVERS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG"}
"""The one GDAL driver each vector suffix is read with."""

_GPKG_APPLICATION_IDS = (b"GPKG", b"GP10", b"GP11")


def lock_down_gdal() -> None:
    """Apply :data:`GDAL_LOCKDOWN` (idempotent); PROJ's network grids are turned off too."""
    pyogrio.set_gdal_config_options(GDAL_LOCKDOWN)
    os.environ.setdefault("PROJ_NETWORK", "OFF")


lock_down_gdal()


def _fail(path: Path, message: str, *, row: int | None = None, column: str | None = None) -> None:
    raise DataError(Problem(path.name, row, column, message))


def check_signature(path: Path, head: bytes) -> str:
    """The GDAL driver for ``path`` after checking that ``head`` (its first bytes) fits it."""
    driver = DRIVERS[path.suffix.lower()]
    if driver == "GPKG":
        if not head.startswith(b"SQLite format 3\x00") or len(head) < 72:
            _fail(path, "not a GeoPackage (no SQLite header)")
        if head[68:72] not in _GPKG_APPLICATION_IDS:
            _fail(path, "an SQLite file but not a GeoPackage (no GPKG application id)")
    else:
        text = head.lstrip(b"\xef\xbb\xbf").lstrip()
        if not text.startswith(b"{"):
            _fail(path, "not GeoJSON: the file does not start with a JSON object ('{')")
    return driver


def _gdal_path(path: Path, driver: str) -> str:
    text = str(path.resolve())
    if text.startswith("/vsi") or not path.is_file():
        _fail(path, "not a regular file")
    if driver == "GPKG" and ":" in text:
        # GDAL reads "GPKG:folder/a:b.gpkg" as the table "b.gpkg" of the file "folder/a".
        _fail(path, "a GeoPackage's path must not contain ':'; rename the file or its folder")
    return f"{driver}:{text}"


def layer_names(path: Path, driver: str) -> list[str]:
    """The names of the vector layers in a file already checked by :func:`check_signature`."""
    source = _gdal_path(path, driver)
    if driver == "GPKG":
        return _stored_tables(path)
    try:
        layers = pyogrio.list_layers(source)
    except Exception as exc:  # pyogrio raises several unrelated types for unreadable files
        raise DataError(Problem(path.name, None, None, f"cannot read as {driver}: {exc}")) from None
    return [str(name) for name in layers[:, 0]] if len(layers) else []


def read_vector(
    path: Path, head: bytes, *, layer: str | None, max_rows: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """Read a GeoJSON or GeoPackage table as strings, with the feature number of each row.

    Point geometries fill ``lon``/``lat`` when the table has no such columns; any other geometry
    is refused with its feature number. A table with more than ``max_rows`` features is refused
    after reading at most one more than that.
    """
    driver = check_signature(path, head)
    layers = layer_names(path, driver)
    if layer is not None and layer not in layers:
        raise LayerChoiceError(path, layers, layer)
    if layer is None:
        if len(layers) > 1:
            raise LayerChoiceError(path, layers, None)
        layer = layers[0] if layers else None
    if layer is None:
        _fail(path, "holds no table")
    assert layer is not None
    source = _gdal_path(path, driver)
    try:
        fields = len(pyogrio.read_info(source, layer=layer)["fields"])
    except Exception as exc:  # pyogrio raises several unrelated types for unreadable files
        raise DataError(Problem(path.name, None, None, f"cannot read as {driver}: {exc}")) from None
    if fields > MAX_COLUMNS:
        _fail(path, f"{fields:,} columns; the limit is {MAX_COLUMNS:,}")
    try:
        # Through Arrow, in batches: nothing is set aside for rows that are not there, and the
        # rows are counted as they are read, not taken from the count the file states.
        frame = pyogrio.read_dataframe(
            source, layer=layer, max_features=max_rows + 1, use_arrow=True
        )
    except Exception as exc:  # pyogrio raises several unrelated types for unreadable files
        raise DataError(Problem(path.name, None, None, f"cannot read as {driver}: {exc}")) from None
    if len(frame) > max_rows:
        _fail(path, f"more than {max_rows:,} features; the limit is {max_rows:,}")
    return _as_strings(path, frame), np.arange(1, len(frame) + 1)


MAX_LAYERS = 100
"""The most layers a GeoPackage may list."""
MAX_SCHEMA_ENTRIES = 2_000
"""The most tables, indexes and triggers a GeoPackage may hold (one layer needs about ten)."""
CHECK_SECONDS = 5.0
"""How long the read-only look at a GeoPackage may take before the file is refused."""


def _stored_tables(path: Path) -> list[str]:
    """The layers of a GeoPackage, after a read-only look with SQLite before GDAL opens it.

    GDAL runs SQL when it opens a GeoPackage (its metadata tables, then the layer): a view, a
    virtual table or a generated column computes its rows then, and a file of a few kilobytes
    could spend hours of CPU or gigabytes of memory. So a GeoPackage is read only when it holds
    no view, no virtual table but spatial indexes (``rtree``) and no generated column anywhere,
    and at most ``MAX_LAYERS`` layers. The look itself is bounded by ``CHECK_SECONDS``; every
    name from the file is passed to SQLite as a bound parameter.
    """
    uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
    deadline = time.monotonic() + CHECK_SECONDS
    try:
        with closing(sqlite3.connect(uri, uri=True)) as db:
            db.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
            schema = db.execute(
                "SELECT type, name, sql FROM sqlite_master LIMIT ?", (MAX_SCHEMA_ENTRIES + 1,)
            ).fetchall()
            if len(schema) > MAX_SCHEMA_ENTRIES:
                _fail(path, f"holds more than {MAX_SCHEMA_ENTRIES:,} tables, indexes and triggers")
            _refuse_computed(path, db, schema)
            names = [
                str(name)
                for (name,) in db.execute(
                    "SELECT table_name FROM gpkg_contents "
                    "WHERE data_type IN ('features', 'attributes') ORDER BY table_name LIMIT ?",
                    (MAX_LAYERS + 1,),
                )
            ]
    except sqlite3.Error as exc:
        raise DataError(Problem(path.name, None, None, f"cannot read as GPKG: {exc}")) from None
    if len(names) > MAX_LAYERS:
        _fail(path, f"lists more than {MAX_LAYERS} layers")
    tables = {str(name).lower() for kind, name, _ in schema if kind == "table"}
    missing = [name for name in names if name.lower() not in tables]
    if missing:
        _fail(path, f"lists layers that are not stored tables: {', '.join(map(repr, missing))}")
    return names


def _refuse_computed(path: Path, db: sqlite3.Connection, schema: list[tuple[str, ...]]) -> None:
    """Refuse a file with a view, a virtual table (other than an R*Tree spatial index) or a
    generated column: reading any of them runs SQL the file brings along."""
    found = []
    for kind, name, sql in schema:
        text = " ".join(str(sql or "").split()).upper()
        if kind == "view":
            found.append(f"a view {name!r}")
        elif kind == "table" and text.startswith("CREATE VIRTUAL TABLE"):
            if " USING RTREE(" not in text and " USING RTREE (" not in text:
                found.append(f"a virtual table {name!r}")
        elif kind == "table":
            hidden = db.execute("SELECT hidden FROM pragma_table_xinfo(?)", (name,)).fetchall()
            if any(h in (2, 3) for (h,) in hidden):
                found.append(f"generated (computed) columns in {name!r}")
    if found:
        _fail(path, f"holds {', '.join(found[:5])}; only stored tables are read")


def _as_strings(path: Path, frame: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(frame, gpd.GeoDataFrame):  # a table without geometry: lat/lon columns
        return _text(pd.DataFrame(frame))
    table = pd.DataFrame(frame.drop(columns=[frame.geometry.name]))
    geom = frame.geometry
    kinds = geom.geom_type.to_numpy(dtype=object)
    present = geom.notna().to_numpy() & ~geom.is_empty.to_numpy()
    wrong = present & (kinds != "Point")
    if wrong.any():
        raise DataError(
            [
                Problem(
                    path.name,
                    int(j) + 1,
                    "geometry",
                    f"geometry is a {kinds[j]}; only points can be mapped",
                )
                for j in np.flatnonzero(wrong)[:200]
            ]
        )
    if "lat" not in table or "lon" not in table:
        if geom.crs is not None and not geom.crs.equals(CRS):
            try:
                geom = geom.to_crs(CRS)
            except Exception as exc:  # pyproj raises several types for CRSs it cannot convert
                _fail(
                    path,
                    f"its coordinates ({geom.crs.name}) cannot be turned into "
                    f"longitude and latitude: {exc}",
                )
        table["lon"] = np.where(present, geom.x.where(present), np.nan)
        table["lat"] = np.where(present, geom.y.where(present), np.nan)
    return _text(table)


def _text(table: pd.DataFrame) -> pd.DataFrame:
    for column in table.columns:
        if pd.api.types.is_datetime64_any_dtype(table[column]):
            table[column] = table[column].dt.strftime("%Y-%m-%d")
    return table.astype(object).where(table.notna(), "").astype(str)


__all__ = ["DRIVERS", "GDAL_LOCKDOWN", "LayerChoiceError", "check_signature", "read_vector"]
