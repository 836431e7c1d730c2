"""Exports of the filtered incidents: CSV, GeoJSON (with claims and sources) and offline HTML.

Every export takes the rows the dashboard shows (``geo.filters``), never a second selection.
"""

from __future__ import annotations

import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from geo.errors import FilterError, UsageError
from geo.files import write_bytes_atomic
from geo.filters import Filters, filter_incidents
from geo.schema import COLUMNS
from geo.snapshot.frame import MapFrame
from geo.tables import Dataset, csv_text
from geo.webmap.assets import standalone_html
from geo.webmap.build import build_map

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

    def frame(self) -> MapFrame:
        """The page of a snapshot (``UsageError`` or ``ValueError`` if it cannot be drawn)."""
        return MapFrame(size=self.size, dpi=self.dpi, extent=self.extent, title=self.title or None)


def export(
    dataset: Dataset, filters: Filters, fmt: str, options: ExportOptions | None = None
) -> bytes:
    """The incidents ``filters`` keep, in ``fmt`` (one of ``MIME_TYPES``), as bytes.

    The one entry point of every export, for the dashboard and the command line alike: the rows
    are selected once, here. ``FilterError`` when no incident matches; ``UsageError`` for an
    unknown format, size or extent.
    """
    options = options or ExportOptions()
    if fmt not in MIME_TYPES:
        raise UsageError(f"unknown export format {fmt!r}; use one of {', '.join(MIME_TYPES)}")
    incidents = select(dataset, filters)
    if fmt in EXPORT_FORMATS:
        return _render(dataset, incidents, filters, fmt, title=options.title).encode("utf-8")
    if fmt == "gif":
        return timelapse_bytes(incidents, filters, freq=options.freq, progress=options.progress)
    return snapshot_bytes(incidents, filters, fmt=fmt, frame=options.frame())


def select(dataset: Dataset, filters: Filters) -> pd.DataFrame:
    """The incidents ``filters`` keep; ``FilterError`` when none do (no empty files)."""
    chosen = filter_incidents(dataset.incidents, filters.normalised())
    if chosen.empty:
        raise FilterError(f"no incident matches the filters ({filters.describe()})")
    return chosen


def _claims_text(claims: pd.DataFrame) -> str:
    parts = []
    for claim in claims.itertuples(index=False):
        figures = [
            f"{v} {w}"
            for v, w in ((claim.killed, "killed"), (claim.wounded, "wounded"))
            if str(v).strip()
        ]
        note = f" ({claim.note})" if str(claim.note).strip() else ""
        parts.append(
            f"{claim.source} para {claim.paragraph}: {', '.join(figures) or 'no figure'}{note}"
        )
    return " | ".join(parts)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet runs a cell that starts with one of these as a formula (OWASP, CSV injection)."""


def spreadsheet_safe(text: str) -> str:
    """``text`` with a ``'`` put before it when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def incidents_csv(dataset: Dataset, incidents: pd.DataFrame) -> str:
    """CSV text: the schema's columns plus ``claims``, each source's figures in one cell.

    Text cells that a spreadsheet would run as a formula get a leading ``'``
    (:func:`spreadsheet_safe`); numbers and dates are written as they are.
    """
    table = incidents[COLUMNS].copy()
    for column in ("date_start", "date_end"):
        table[column] = table[column].dt.strftime("%Y-%m-%d")
    grouped = dict(tuple(dataset.claims.groupby("incident_id"))) if len(dataset.claims) else {}
    table["claims"] = [
        _claims_text(grouped[i]) if i in grouped else "" for i in table["incident_id"]
    ]
    for column in table.columns:
        if pd.api.types.is_object_dtype(table[column]) or pd.api.types.is_string_dtype(
            table[column]
        ):
            table[column] = [
                spreadsheet_safe(v) if isinstance(v, str) else v for v in table[column]
            ]
    return csv_text(table)


def incidents_geojson(dataset: Dataset, incidents: pd.DataFrame) -> str:
    """GeoJSON text: one Point feature per incident, with its ``claims`` and cited ``sources``."""
    grouped = dict(tuple(dataset.claims.groupby("incident_id"))) if len(dataset.claims) else {}
    sources = (
        dataset.sources.set_index("source_id").to_dict("index") if len(dataset.sources) else {}
    )
    features = []
    for row in incidents[COLUMNS].to_dict("records"):
        props: dict[str, object] = {}
        for key, value in row.items():
            if key in ("lat", "lon"):
                continue
            if isinstance(value, pd.Timestamp):
                value = value.strftime("%Y-%m-%d")
            elif pd.isna(value):
                value = None
            elif hasattr(value, "item"):
                value = value.item()
            props[key] = value
        claims = grouped.get(row["incident_id"])
        props["claims"] = (
            []
            if claims is None
            else [
                {k: (v if str(v).strip() else None) for k, v in c.items() if k != "incident_id"}
                for c in claims.to_dict("records")
            ]
        )
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
    return json.dumps(
        {"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1
    )


def incidents_html(dataset: Dataset, incidents: pd.DataFrame, *, title: str) -> str:
    """One self-contained HTML page with the interactive map of ``incidents``; works offline."""
    fmap = build_map(incidents, claims=dataset.claims, sources=dataset.sources)
    return standalone_html(fmap, title=title)


def export_text(dataset: Dataset, filters: Filters, fmt: str, *, title: str = "") -> str:
    """:func:`export` of a data format (csv, geojson or html), as text."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    return export(dataset, filters, fmt, ExportOptions(title=title)).decode("utf-8")


def _render(
    dataset: Dataset, incidents: pd.DataFrame, filters: Filters, fmt: str, *, title: str
) -> str:
    if fmt == "csv":
        return incidents_csv(dataset, incidents)
    if fmt == "geojson":
        return incidents_geojson(dataset, incidents)
    if fmt == "html":
        return incidents_html(
            dataset, incidents, title=title or f"Incident Atlas: {filters.describe()}"
        )
    raise UsageError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")


def write_export(dataset: Dataset, filters: Filters, out: Path, *, title: str = "") -> int:
    """Write the export whose format the file suffix names; return the number of incidents."""
    fmt = out.suffix.lower().lstrip(".")
    fmt = "geojson" if fmt == "json" else fmt
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"{out.name}: unknown export type; name the file .csv, .geojson or .html")
    write_bytes_atomic(out, export(dataset, filters, fmt, ExportOptions(title=title)))
    return len(filter_incidents(dataset.incidents, filters.normalised()))


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
