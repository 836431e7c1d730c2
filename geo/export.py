"""Exports of the filtered incidents: CSV, GeoJSON (with claims and sources), offline HTML,
snapshots and time-lapses.

Every export asks the table's query engine (``geo.query``) for what the page shows, with the
page's own ``Filters``: the same statement, so the same incidents. The HTML map is drawn as
the screen draws it (the same shading and country outlines, grouped into cells above
``MAX_SYMBOLS`` incidents, which the engine adds up).
"""

from __future__ import annotations

import io
import json
import shlex
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.errors import FilterError, UsageError
from geo.files import write_atomic, write_bytes_atomic
from geo.filters import Filters
from geo.hxl import hashtag_row
from geo.query import Table, table_of
from geo.schema import CLAIM_COLUMNS, COLUMNS, SOURCE_COLUMNS
from geo.snapshot.frame import MapFrame
from geo.tables import Dataset, csv_text
from geo.webmap.assets import standalone_html
from geo.webmap.build import MapOptions
from geo.webmap.view import map_of

if TYPE_CHECKING:
    from geo.timelapse import Progress

EXPORT_FORMATS = ("csv", "geojson", "html")
"""Data exports: the incidents as a table, as points, or as the interactive map."""
MIME_TYPES = {
    "csv": "text/csv",
    "geojson": "application/geo+json",
    "html": "text/html",
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "gif": "image/gif",
    "zip": "application/zip",
}


@dataclass(frozen=True)
class ExportOptions:
    """How a picture or page is made; data exports ignore what does not apply to them."""

    size: str = "a4-landscape"
    dpi: int = 300
    extent: str = "data"
    title: str = ""
    freq: str = "year"
    """The time-lapse's step: year, quarter or month."""
    progress: Progress | None = None
    """Told (frames done, frames in all) while a time-lapse is drawn."""
    map: MapOptions | None = None
    """How the HTML map is drawn: the page's own options (shading metric, countries)."""

    def frame(self) -> MapFrame:
        """The page of a snapshot (``UsageError`` or ``ValueError`` if it cannot be drawn)."""
        return MapFrame(size=self.size, dpi=self.dpi, extent=self.extent, title=self.title or None)


def export(
    table: Table | Dataset, filters: Filters, fmt: str, options: ExportOptions | None = None
) -> bytes:
    """The incidents ``filters`` keep, in ``fmt`` (one of ``MIME_TYPES``), as bytes.

    The one entry point of every export, for the dashboard and the command line alike; a
    ``Dataset`` in memory is opened in the embedded engine first. ``FilterError`` when no
    incident matches; ``UsageError`` for an unknown format, size or extent.
    """
    table = table if isinstance(table, Table) else table_of(table)
    options = options or ExportOptions()
    if fmt not in MIME_TYPES:
        raise UsageError(f"unknown export format {fmt!r}; use one of {', '.join(MIME_TYPES)}")
    filters = filters.normalised()
    if fmt == "html":
        return incidents_html(table, filters, options).encode("utf-8")
    if fmt in EXPORT_FORMATS:
        return "".join(data_chunks(table, filters, fmt)).encode("utf-8")
    if fmt == "zip":
        return table_zip(table, filters)
    incidents = select(table, filters)
    if fmt == "gif":
        return timelapse_bytes(incidents, filters, freq=options.freq, progress=options.progress)
    return snapshot_bytes(incidents, filters, fmt=fmt, frame=options.frame())


def data_chunks(table: Table, filters: Filters, fmt: str, *, hxl: bool = False) -> Iterator[str]:
    """A CSV or GeoJSON export as text in pieces, one batch of incidents (``BATCH_ROWS``) and
    its claims at a time: a table of millions is written without being held whole. With
    ``hxl``, a CSV's second row holds each column's HXL hashtag (``geo.hxl``).

    ``FilterError`` (before anything is given) when no incident matches."""
    engine = table.engine
    sources = engine.sources() if fmt == "geojson" else pd.DataFrame()
    started = False
    for batch in engine.batches(filters):
        claims = engine.claims_of_ids(batch["incident_id"].tolist())
        if fmt == "csv":
            text = incidents_csv(batch, claims)
            head, _, body = text.partition("\n")
            if started:
                yield body
            elif hxl:  # HXL's hashtags under the column names
                yield head + "\n" + ",".join(hashtag_row(head.split(","))) + "\n" + body
            else:
                yield text
        else:
            features = geojson_features(batch, claims, sources)
            head = '{"type": "FeatureCollection", "features": [\n' if not started else ",\n"
            yield head + ",\n".join(json.dumps(f, ensure_ascii=False) for f in features)
        started = True
    if not started:
        raise FilterError(f"no incident matches the filters ({filters.describe()})")
    if fmt == "geojson":
        yield "\n]}\n"


PICTURE_COLUMNS = (
    "incident_id", "date_start", "date_end", "date_precision", "place", "country", "region",
    "lat", "lon", "geo_precision", "event_type", "killed_low", "killed_best", "killed_high",
    "sources", "dataset",
)  # fmt: skip
"""What a snapshot or a time-lapse draws from (the long texts are left in the table); the
dataset names whose data it is in the footer."""
DASHBOARD_ROWS = {"csv": 100_000, "zip": 100_000, "geojson": 100_000, "png": 1_000_000,
                  "svg": 1_000_000, "pdf": 1_000_000, "gif": 1_000_000}  # fmt: skip
"""The most incidents a dashboard download makes in the server (a few seconds' work); more
are exported on the command line, which writes them as it reads them."""


def table_argument(table: Table) -> str:
    """The table as a command line for a visitor names it: its file's name (the server's
    folders are not shown), or the team store's URL without its password."""
    return table.path if table.database else Path(table.path).name


FORMAT_NAMES = {"csv": "CSV", "zip": "ZIP", "geojson": "GeoJSON", "html": "HTML", "png": "PNG",
                "svg": "SVG", "pdf": "PDF", "gif": "GIF"}  # fmt: skip


def too_many_to_download(filters: Filters, fmt: str, count: int, data: str = "") -> str | None:
    """Why the dashboard does not make this download (too many incidents), with the command
    that does, on the table ``data`` (as users know it: its file or the store's URL); ``None``
    when it does."""
    limit = DASHBOARD_ROWS.get(fmt)
    if limit is None or count <= limit:
        return None
    verb = "export" if fmt in EXPORT_FORMATS else "timelapse" if fmt == "gif" else "snapshot"
    out = f"{filters.file_stem()}.{fmt}"
    table = ["--data", data] if data else []
    command = shlex.join(["python", "-m", "geo", verb, *table, *filters.to_cli(), "--out", out])
    return (
        f"{count:,} incidents are more than the dashboard makes into a {FORMAT_NAMES[fmt]} "
        f"({limit:,}); on the command line, with the same filters: {command}"
    )


def select(table: Table, filters: Filters) -> pd.DataFrame:
    """The incidents ``filters`` keep, with what a picture draws; ``FilterError`` when none
    do (no empty files)."""
    chosen = table.engine.rows(filters.normalised(), columns=PICTURE_COLUMNS)
    if chosen.empty:
        raise FilterError(f"no incident matches the filters ({filters.describe()})")
    return chosen


def claims_by_incident(claims: pd.DataFrame) -> dict[str, list[dict[str, str]]]:
    """Each incident's claims as plain records, in one pass over the claims (a table of a
    million claims is grouped in about a second; a DataFrame per incident took minutes)."""
    grouped: dict[str, list[dict[str, str]]] = {}
    for record in claims.to_dict("records"):
        grouped.setdefault(str(record["incident_id"]), []).append(record)
    return grouped


def claims_texts(claims: pd.DataFrame) -> pd.Series:
    """Each incident's claims as the CSV export's one cell ("src para 4: 5 killed, 2 wounded
    (note) | ..."), by incident id, made a column at a time (a claim per row, in order)."""
    if claims.empty:
        return pd.Series(dtype=object)
    c = claims.reindex(columns=CLAIM_COLUMNS).astype(object).fillna("").astype(str)
    killed = c["killed"].where(c["killed"].str.strip() == "", c["killed"] + " killed")
    wounded = c["wounded"].where(c["wounded"].str.strip() == "", c["wounded"] + " wounded")
    killed = killed.where(c["killed"].str.strip() != "", "")
    wounded = wounded.where(c["wounded"].str.strip() != "", "")
    both = (killed != "") & (wounded != "")
    figures = (killed + np.where(both, ", ", "") + wounded).replace("", "no figure")
    where = ("" + " para " + c["paragraph"]).where(c["paragraph"].str.strip() != "", "")
    note = (" (" + c["note"] + ")").where(c["note"].str.strip() != "", "")
    parts = c["source"] + where + ": " + figures + note
    return parts.groupby(c["incident_id"], sort=False).agg(" | ".join)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet runs a cell that starts with one of these as a formula (OWASP, CSV injection)."""


def spreadsheet_safe(text: str) -> str:
    """``text`` with a ``'`` put before it when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


_FORMULA = "^[" + "".join("\\" + c if c in "-+" else c for c in FORMULA_STARTS) + "]"


def spreadsheet_safe_column(values: pd.Series) -> pd.Series:
    """:func:`spreadsheet_safe` of every text cell of a column at once (other cells as
    they are)."""
    text = values.astype("string")
    risky = text.str.contains(_FORMULA, regex=True, na=False).to_numpy(dtype=bool)
    if not risky.any():
        return values
    out = values.astype(object).copy()
    out[risky] = "'" + text[risky].astype(str)
    return out


def incidents_csv(incidents: pd.DataFrame, claims: pd.DataFrame) -> str:
    """CSV text: the schema's columns plus ``claims``, each source's figures in one cell.

    Text cells that a spreadsheet would run as a formula get a leading ``'``
    (:func:`spreadsheet_safe`); numbers and dates are written as they are.
    """
    table = incidents[COLUMNS].copy()
    for column in ("date_start", "date_end"):
        table[column] = table[column].dt.strftime("%Y-%m-%d")
    texts = claims_texts(claims).astype(object)
    table["claims"] = table["incident_id"].astype(str).map(texts).astype(object).fillna("")
    for column in table.columns:
        if pd.api.types.is_object_dtype(table[column]) or pd.api.types.is_string_dtype(
            table[column]
        ):
            if column == "sources":
                table[column] = [_safe_ids(v) if isinstance(v, str) else v for v in table[column]]
            else:
                table[column] = spreadsheet_safe_column(table[column])
    return csv_text(table)


def _safe_ids(text: str) -> str:
    """A ``;``-separated list of source ids, each made safe as a single id would be (so that
    each still matches the ``source_id`` written beside the export)."""
    return ";".join(spreadsheet_safe(part.strip()) for part in text.split(";"))


def _properties(incidents: pd.DataFrame) -> list[dict[str, object]]:
    """Each incident's properties as JSON values, converted a column at a time: dates as
    YYYY-MM-DD, missing figures as null, numbers as numbers."""
    frame = incidents[[c for c in COLUMNS if c not in ("lat", "lon")]].copy()
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            shown = values.dt.strftime("%Y-%m-%d")
            frame[column] = shown.astype(object).where(values.notna(), None)
        elif pd.api.types.is_numeric_dtype(values):
            frame[column] = [
                None if pd.isna(v) else getattr(v, "item", lambda v=v: v)()
                for v in values.to_numpy(object)
            ]
        else:
            frame[column] = values.astype(object).where(values.notna(), None)
    return list(frame.to_dict("records"))


def geojson_features(
    incidents: pd.DataFrame, claims: pd.DataFrame, sources_table: pd.DataFrame
) -> list[dict[str, object]]:
    """One GeoJSON Point feature per incident, with its ``claims`` and cited ``sources``."""
    grouped = claims_by_incident(claims)
    sources = sources_table.set_index("source_id").to_dict("index") if len(sources_table) else {}
    features: list[dict[str, object]] = []
    for row, props in zip(
        incidents[["incident_id", "lat", "lon", "sources"]].to_dict("records"),
        _properties(incidents),
        strict=True,
    ):
        props["claims"] = [
            {k: (v if str(v).strip() else None) for k, v in c.items() if k != "incident_id"}
            for c in grouped.get(str(row["incident_id"]), [])
        ]
        props["cited_sources"] = [
            {"source_id": s, **dict(sources.get(s, {}).items())}
            for s in str(row["sources"]).split(";")
            if s.strip()
        ]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                "properties": props,
            }
        )
    return features


def incidents_html(table: Table, filters: Filters, options: ExportOptions) -> str:
    """One self-contained HTML page with the interactive map of the kept incidents, drawn as
    the dashboard draws it; works offline."""
    engine = table.engine
    count = engine.headline(filters).incidents
    if count == 0:
        raise FilterError(f"no incident matches the filters ({filters.describe()})")
    map_options = options.map or MapOptions(countries=engine.overview().countries)
    # A file carries its basemap: the dashboard's address for it is not there when it is opened.
    map_options = replace(map_options, basemap_url=None, view=None)
    fmap = map_of(engine, filters, map_options, count=count)
    return standalone_html(fmap, title=options.title or f"Incident Atlas: {filters.describe()}")


def export_text(table: Table | Dataset, filters: Filters, fmt: str, *, title: str = "") -> str:
    """:func:`export` of a data format (csv, geojson or html), as text."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    return export(table, filters, fmt, ExportOptions(title=title)).decode("utf-8")


def write_export(
    table: Table | Dataset, filters: Filters, out: Path, *, title: str = "", hxl: bool = False
) -> int:
    """Write the export whose format the file suffix names; return the number of incidents."""
    fmt = out.suffix.lower().lstrip(".")
    fmt = "geojson" if fmt == "json" else fmt
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"{out.name}: unknown export type; name the file .csv, .geojson or .html")
    table = table if isinstance(table, Table) else table_of(table)
    if fmt == "html":
        write_bytes_atomic(out, export(table, filters, fmt, ExportOptions(title=title)))
    else:  # written as it is read: an export of millions is never held whole

        def write(tmp: Path) -> None:
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                for chunk in data_chunks(table, filters.normalised(), fmt, hxl=hxl):
                    fh.write(chunk)

        write_atomic(out, write)
    return table.engine.headline(filters.normalised()).incidents


def beside_frames(table: Table, filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The kept incidents' claims and the table's sources as a CSV export writes them beside
    itself: text a spreadsheet would run made safe as in the export (an id the same way
    wherever it is written, so that references still match)."""
    claims = table.engine.claims(filters.normalised()).reindex(columns=CLAIM_COLUMNS)
    sources = table.engine.sources().reindex(columns=SOURCE_COLUMNS)
    safe = []
    for frame in (claims, sources):
        frame = frame.astype(object).where(frame.notna(), "")
        for column in frame.columns:
            frame[column] = spreadsheet_safe_column(frame[column])
        safe.append(frame)
    return safe[0], safe[1]


def write_claims_beside(table: Table, filters: Filters, out: Path) -> list[Path]:
    """Beside a CSV export ``out``, the kept incidents' claims and the table's sources, named
    as a table's own are (``NAME.claims.csv``, ``NAME.sources.csv``; :func:`beside_frames`):
    read back, the export is a table with every source's claim (where there are none, no such
    file is left). Returns the files written."""
    from geo.table_files import sibling_paths
    from geo.tables import write_csv

    written = []
    for frame, path in zip(beside_frames(table, filters), sibling_paths(out), strict=True):
        if frame.empty:  # a file an earlier export left there would be read with this one
            path.unlink(missing_ok=True)
            continue
        write_csv(frame, path)
        written.append(path)
    return written


def table_zip(table: Table, filters: Filters) -> bytes:
    """The dashboard's "table with claims": a ZIP of ``incidents.csv`` (the CSV export) with
    its ``claims.csv`` and ``sources.csv``, the files of a table of the project's own (unzipped,
    ``--data incidents.csv`` reads it back with every claim)."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("incidents.csv", "".join(data_chunks(table, filters.normalised(), "csv")))
        for frame, name in zip(
            beside_frames(table, filters), ("claims.csv", "sources.csv"), strict=True
        ):
            if not frame.empty:
                archive.writestr(name, csv_text(frame))
    return buffer.getvalue()


def snapshot_bytes(
    incidents: pd.DataFrame, filters: Filters, *, fmt: str = "png", frame: MapFrame | None = None
) -> bytes:
    """A static map of the (already filtered) incidents as PNG, SVG or PDF bytes."""
    from geo.snapshot import render_snapshot

    if incidents.empty:
        raise FilterError(f"no incident matches the filters ({filters.describe()})")
    buffer = io.BytesIO()
    render_snapshot(incidents, out=buffer, frame=frame, fmt=fmt, filters=filters)
    return buffer.getvalue()


def timelapse_bytes(
    incidents: pd.DataFrame,
    filters: Filters,
    *,
    freq: str = "year",
    progress: Progress | None = None,
) -> bytes:
    """An animated GIF of the (already filtered) incidents, one frame per period."""
    from geo.timelapse import render_timelapse

    if incidents.empty:
        raise FilterError(f"no incident matches the filters ({filters.describe()})")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "timelapse.gif"
        render_timelapse(incidents, out=out, freq=freq, filters=filters, progress=progress)
        return out.read_bytes()
