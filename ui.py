"""Streamlit glue shared by every page: cached loading, the sidebar filters and the URL.

Every page starts with ``view = ui.sidebar()``: one function draws the same sidebar on each page
(its widgets keep their state across pages) and returns the data set and the active filters.
Nothing here parses files or does geometry (``geo`` does); it only reads widgets and remembers
state.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.errors import DataError
from geo.escape import esc_markdown
from geo.filters import Filters, filter_mask, hidden_by_precision
from geo.paths import INCIDENTS_CSV, default_incidents_path, default_layer
from geo.places.regions import region_names
from geo.schema import EVENT_TYPES
from geo.tables import Dataset, load_dataset, sibling_paths
from geo.vector_files import LayerChoiceError

UPLOAD_TYPES = ["csv", "geojson", "json", "gpkg"]
UNEXPECTED = (
    "Something went wrong while drawing this page; the problem has been logged on the server. "
    "Try other filters, or reload the page."
)
"""What a user sees of an unexpected error: one plain sentence, never a traceback or a path."""
log = logging.getLogger("incident_atlas")
FILTER_KEYS = ("f_dates", "f_years", "f_regions", "f_types", "f_countries", "f_exact")


@dataclass
class View:
    """What every page shows: the data set, the active filters and the rows they keep."""

    dataset: Dataset
    filters: Filters
    incidents: pd.DataFrame
    hidden: int
    label: str


def _without_geometry(dataset: Dataset) -> Dataset:
    """The data set as the dashboard caches it: the incident table without its point geometry.

    No page or export reads the geometry (they use ``lon``/``lat``), and ``st.cache_data``
    unpickles the cached table on every rerun: 100,000 shapely points took 0.12 s of each slider
    move, the rest of the table 5 ms.
    """
    incidents = pd.DataFrame(dataset.incidents.drop(columns="geometry", errors="ignore"))
    return replace(dataset, incidents=incidents)


@st.cache_data(show_spinner="Loading incidents…")
def _load_path(path: str, layer: str | None, mtimes: tuple[float, float, float]) -> Dataset:
    return _without_geometry(load_dataset(path, layer=layer))


@st.cache_data(show_spinner="Checking your table…", max_entries=4)
def _load_upload(name: str, digest: str, data: bytes, layer: str | None = None) -> Dataset:
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            dataset = load_dataset(path, layer=layer)
        except LayerChoiceError as exc:
            raise LayerChoiceError(Path(name), exc.layers, layer) from None
        except DataError as exc:
            # Name the user's file in every message, not the temporary copy.
            raise DataError([replace(p, file=name) for p in exc.problems]) from None
    dataset.path = name
    return _without_geometry(dataset)


def _mtime(path: Path) -> float:
    """When a file last changed; -1 when it cannot be looked at (the load then says why)."""
    try:
        return path.stat().st_mtime
    except OSError:
        return -1.0


def shipped_dataset() -> Dataset:
    """The configured table, reloaded when it or its claims or sources file changes."""
    path = default_incidents_path()
    claims, sources = sibling_paths(path)
    return _load_path(str(path), default_layer(), (_mtime(path), _mtime(claims), _mtime(sources)))


def _show_problems(title: str, error: DataError, *, folder: Path | None = None) -> None:
    """A title and every problem, as plain text; ``folder`` (where the configured table lives
    on the server) is left out of what visitors see."""
    st.error(esc_markdown(title))
    # Plain text, never markdown or HTML: file names and cell values come from the user.
    text = "\n".join(str(p) for p in error.problems[:100])
    if folder is not None:
        text = text.replace(f"{folder}/", "")
    st.code(text, language=None, wrap_lines=True)


def _take_upload(name: str, data: bytes) -> None:
    """Check a new upload once: keep it as the good upload, or show why it was refused.

    A GeoPackage with several layers is read once the user picks a layer in the sidebar.
    """
    file_digest = hashlib.sha256(data).hexdigest()
    layer = None
    asked = st.session_state.get("upload_layers")
    if asked is not None and asked[0] == file_digest:
        layer = st.sidebar.selectbox(
            "Your GeoPackage has several layers: which one?",
            asked[1],
            index=None,
            key=f"upload_layer_{file_digest[:12]}",
            placeholder="Choose a layer",
        )
        if layer is None:
            st.sidebar.info(
                esc_markdown(
                    f"Choose a layer to load {name}; until then the map shows the data it "
                    "showed before."
                )
            )
            return
    digest = file_digest if layer is None else f"{file_digest}:{layer}"
    rejected = st.session_state.get("rejected_upload")
    if rejected is not None and rejected[0] == digest:
        error = rejected[1]  # checked already: do not read a bad file again on every rerun
    elif digest in (st.session_state.get("dropped_upload"), st.session_state.get("upload_digest")):
        return
    else:
        try:
            dataset = _load_upload(name, digest, data, layer)
        except LayerChoiceError as exc:
            if layer is None:
                st.session_state["upload_layers"] = (file_digest, exc.layers)
                st.rerun()
            st.session_state["rejected_upload"] = (digest, exc)
            error = exc
        except DataError as exc:
            st.session_state["rejected_upload"] = (digest, exc)
            error = exc
        else:
            st.session_state["good_upload"] = dataset
            st.session_state["upload_digest"] = digest
            _reset_filters()
            return
    with st.sidebar:
        _show_problems("This table was not loaded; the map keeps the last good data.", error)


def _dataset_from_sidebar() -> tuple[Dataset, str]:
    """The data set to show: the last good upload, else the configured table."""
    upload = st.sidebar.file_uploader(
        "Your own incident table",
        type=UPLOAD_TYPES,
        key="upload",
        help="CSV, GeoJSON or GeoPackage with the columns of data/SCHEMA.md. It is checked like "
        "the shipped table; nothing in data/ is changed. Limit: 150 MB.",
    )
    if upload is not None:
        _take_upload(upload.name, upload.getvalue())
    good = st.session_state.get("good_upload")
    if good is not None:
        if st.sidebar.button("Back to the configured data", key="drop_upload"):
            del st.session_state["good_upload"]
            # The file stays in the uploader: remember not to load it again.
            st.session_state["dropped_upload"] = st.session_state.pop("upload_digest", None)
            _reset_filters()
            st.rerun()
        return good, f"your table {good.path}"
    try:
        dataset = shipped_dataset()
    except DataError as exc:
        last = st.session_state.get("last_good_table")
        path = default_incidents_path()
        with st.sidebar:
            _show_problems(
                f"The incident table {path.name} has problems"
                + ("; showing its last good version." if last is not None else "."),
                exc,
                folder=path.resolve().parent,
            )
        if last is None:
            st.error(
                "The incident table could not be loaded, so there is nothing to show yet. "
                "The sidebar lists what is wrong with it; fix the file, or upload a table there."
            )
            st.stop()
        return last, "the last good version of the configured table"
    st.session_state["last_good_table"] = dataset
    return dataset, "the shipped data set" if default_incidents_path() == INCIDENTS_CSV else (
        f"the table {default_incidents_path().name}"
    )


def _reset_filters() -> None:
    """Forget every filter (and the URL's), as when another data set is loaded."""
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)
        st.session_state.pop(f"kept_{key}", None)
    st.query_params.clear()
    st.session_state["filters_from_url"] = False
    st.session_state.pop("url_notes", None)


def _date_bounds(incidents: pd.DataFrame) -> tuple[date, date]:
    if incidents.empty:
        today = date.today()
        return today, today
    return incidents["date_start"].min().date(), incidents["date_end"].max().date()


def _init_from_url(incidents: pd.DataFrame) -> None:
    """On a session's first run, set the filter widgets from the URL query string."""
    if st.session_state.get("filters_from_url"):
        return
    st.session_state["filters_from_url"] = True
    wanted, notes = Filters.parse_query(
        st.query_params.to_dict() | {k: st.query_params.get_all(k) for k in st.query_params}
    )
    st.session_state["url_notes"] = notes
    lo, hi = _date_bounds(incidents)
    start = max(min(wanted.start or lo, hi), lo)
    end = min(max(wanted.end or hi, lo), hi)
    _set("f_dates", (min(start, end), max(start, end)))
    _set("f_years", list(wanted.years))
    _set("f_regions", list(wanted.regions))
    _set("f_types", list(wanted.types))
    _set("f_countries", list(wanted.countries))
    _set("f_exact", wanted.exact_only)


def _restore_kept() -> None:
    """Give the filter widgets their values back, also after a page switch.

    Streamlit forgets a widget's value when a run does not draw it, and each page draws its own
    copy of the sidebar; each change is kept under another key (``_keep``) and restored here.
    """
    for key in FILTER_KEYS:
        if f"kept_{key}" in st.session_state:
            st.session_state[key] = st.session_state[f"kept_{key}"]


def _keep(key: str) -> None:
    st.session_state[f"kept_{key}"] = st.session_state[key]


def _set(key: str, value: object) -> None:
    st.session_state[key] = value
    st.session_state[f"kept_{key}"] = value


def _apply_pending() -> None:
    """Apply a region picked on the map before the widgets are drawn (they cannot change after)."""
    pending = st.session_state.pop("pending_region", None)
    if pending is not None:
        _set("f_regions", [pending] if pending else [])


def _years(incidents: pd.DataFrame) -> list[int]:
    """Every year some incident's date range touches (each distinct range looked at once)."""
    spans = pd.DataFrame(
        {"s": incidents["date_start"].dt.year, "e": incidents["date_end"].dt.year}
    ).drop_duplicates()
    return sorted({y for s, e in spans.itertuples(index=False) for y in range(s, e + 1)})


PAGES = [
    ("pages/map.py", "Map", ":material/map:"),
    ("pages/timeline.py", "Timeline", ":material/timeline:"),
    ("pages/incidents.py", "Incidents", ":material/table:"),
    ("pages/about.py", "About the data", ":material/info:"),
]


def sidebar() -> View:
    """Set up the page, draw the navigation, data and filter widgets, and return the view.

    Every page calls it first, once per run.
    """
    st.set_page_config(page_title="Incident Atlas", layout="wide")
    st.sidebar.title("Incident Atlas")
    for path, label, icon in PAGES:
        st.sidebar.page_link(path, label=label, icon=icon)
    dataset, label = _dataset_from_sidebar()
    incidents = dataset.incidents
    _init_from_url(incidents)
    _restore_kept()
    _apply_pending()
    lo, hi = _date_bounds(incidents)
    sb = st.sidebar
    sb.subheader("Filters")
    notes = st.session_state.get("url_notes") or []
    if notes:
        sb.warning(
            esc_markdown(
                "Parts of the link were left out: "
                + "; ".join(notes[:10])
                + (f"; and {len(notes) - 10} more" if len(notes) > 10 else "")
                + "."
            )
        )
    if lo < hi:
        sb.slider(
            "Time range",
            min_value=lo,
            max_value=hi,
            key="f_dates",
            on_change=_keep,
            args=("f_dates",),
            format="YYYY-MM-DD",
            help="An incident is shown when its date range overlaps this one.",
        )
    years = _years(incidents)
    sb.multiselect(
        "Year", years, key="f_years", on_change=_keep, args=("f_years",), placeholder="All years"
    )
    # Every region of the layer, so a click on any region of the map can select it.
    present = set(incidents["region"].unique())
    regions = region_names() + sorted(present - set(region_names()) - {""})
    sb.multiselect(
        "Region",
        regions,
        key="f_regions",
        on_change=_keep,
        args=("f_regions",),
        placeholder="All regions",
    )
    present_types = set(incidents["event_type"].unique())
    types = [t for t in EVENT_TYPES if t in present_types]
    sb.multiselect(
        "Event type",
        types,
        key="f_types",
        on_change=_keep,
        args=("f_types",),
        placeholder="All types",
        format_func=lambda t: t.replace("_", " "),
    )
    countries = sorted(c for c in incidents["country"].unique() if c)
    sb.multiselect(
        "Country",
        countries,
        key="f_countries",
        on_change=_keep,
        args=("f_countries",),
        placeholder="All countries",
    )
    sb.toggle(
        "Only incidents located at least to the city",
        key="f_exact",
        on_change=_keep,
        args=("f_exact",),
        help="Hides incidents that the sources place only in a region or a country.",
    )
    if sb.button("Reset filters", key="reset"):
        _reset_filters()
        st.query_params.clear()
        st.rerun()

    start, end = st.session_state.get("f_dates", (lo, hi))
    filters = Filters(
        start=start if start > lo else None,
        end=end if end < hi else None,
        years=tuple(st.session_state["f_years"]),
        regions=tuple(st.session_state["f_regions"]),
        types=tuple(st.session_state["f_types"]),
        countries=tuple(st.session_state["f_countries"]),
        exact_only=bool(st.session_state["f_exact"]),
    )
    st.query_params.from_dict(filters.to_query())
    sb.caption(esc_markdown(f"Showing {label}."))
    shown = incidents[filter_mask(incidents, filters)]
    return View(dataset, filters, shown, hidden_by_precision(incidents, filters), label)


@contextmanager
def unexpected_errors() -> Iterator[None]:
    """Log an unexpected error with its traceback on the server; show the user ``UNEXPECTED``.

    Streamlit's own stop and rerun signals are not ``Exception``s and pass through.
    """
    try:
        yield
    except Exception:
        log.exception("a page failed")
        st.error(UNEXPECTED)


def headline_metrics(view: View) -> None:
    """The headline figures for the current filter, as a row of metrics."""
    from geo.stats import Headline, headline

    h = headline(view.incidents)
    cols = st.columns(5)
    cols[0].metric("Incidents", f"{h.incidents:,}")
    cols[1].metric(
        "Killed",
        Headline.span(h.killed_low, h.killed_high),
        help="Sum of the lowest to sum of the highest figure any source gives.",
    )
    cols[2].metric("Wounded", Headline.span(h.wounded_low, h.wounded_high))
    cols[3].metric("Regions affected", f"{h.regions}")
    cols[4].metric(
        "Hidden by precision",
        f"{view.hidden}",
        help="Incidents located only to a region or country, hidden by the switch.",
    )
