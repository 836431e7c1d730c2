"""Which table the dashboard shows: the configured one, an upload, or the last good one.

A table is checked once and opened in the query engine (``geo.query``); the check is keyed on
the files' modification times, so an edited table is checked again; a table that breaks while
the app runs leaves open sessions on its last good version; an upload is checked once, and a
GeoPackage with several layers waits for a layer choice. No session holds a table's rows.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import streamlit as st

from geo.errors import DataError, LayerChoiceError, LimitError, Problem
from geo.escape import esc_markdown
from geo.paths import INCIDENTS_CSV, default_database, default_incidents_path, default_layer
from geo.query import Table, TableFiles, open_table, table_files
from geo.store.postgis import StoreError
from geo.table_cache import first_check_note, has_entry
from geo.table_files import sibling_files
from geo.tables import ReadOptions
from geo.uploads import read_upload
from ui import session
from ui.filter_state import reset_filters
from ui.messages import show_problems

UPLOAD_TYPES = ["csv", "gz", "zip", "xlsx", "geojson", "json", "gpkg", "parquet"]
"""What the sidebar accepts: tables of the project's schema (CSV, Parquet or GeoParquet,
GeoJSON, GeoPackage), and ACLED, GTD and UCDP GED exports as CSV, gzipped CSV (``.csv.gz``), a
zip holding one CSV, or an Excel workbook."""


def upload_limit_mb() -> int:
    """The largest upload, in MB: Streamlit's ``server.maxUploadSize`` (``.streamlit/config.toml``
    or ``STREAMLIT_SERVER_MAX_UPLOAD_SIZE``); the loader applies the same limit."""
    return int(st.get_option("server.maxUploadSize"))


_OPENED: set[tuple[str, str | None, tuple[float, ...]]] = set()
"""The configured tables (path, layer, modification times) this process has opened."""


@st.cache_resource(show_spinner=False, max_entries=2)
def _files_of(path: str, layer: str | None, mtimes: tuple[float, ...]) -> TableFiles:
    """The configured table's validated files: read and checked once, in a child process
    (``geo.query.tables``), then found in the cache folder by every later run."""
    return table_files(path, ReadOptions(layer=layer))


@st.cache_resource(max_entries=8)
def _engine_of(incidents: str, claims: str, sources: str, database: str) -> Table:
    """One engine per validated table, shared by every session that shows it."""
    files = TableFiles(Path(incidents), Path(claims), Path(sources), incidents)
    return open_table(replace(files, database=Path(database) if database else None))


def _opened(files: TableFiles) -> Table:
    database = str(files.database or "")
    table = _engine_of(str(files.incidents), str(files.claims), str(files.sources), database)
    # The engine is shared; the name, warnings and origin are this entry's.
    return Table(table.engine, files.path, files.warnings, files.origin)


def _load_upload(name: str, data: bytes, layer: str | None = None) -> TableFiles:
    """An upload, read in a limited worker (``geo.uploads``) that keeps it as Parquet for the
    engine: the session holds where it is, not the table."""
    with st.spinner("Checking your table…"):
        return read_upload(name, data, layer=layer, max_bytes=upload_limit_mb() * 2**20)


def _mtime(path: Path) -> float:
    """When a file last changed; -1 when it cannot be looked at (the load then says why)."""
    try:
        return path.stat().st_mtime
    except OSError:
        return -1.0


@st.cache_resource(max_entries=2)
def _team_store(url: str) -> Table:
    """The team store's engine: a columnar copy of it, read again whenever the store's data
    has changed (checked at most every second), so colleagues' imports and edits show."""
    return open_table(url, mirror=True)


def after_write() -> None:
    """After the Edit or Review page wrote a change: the next run shows it. A file's checked
    copy is keyed on its modification time and is made again; the team store's copy is told to
    look at the store's data version at once."""
    url = default_database()
    if url:
        _team_store(url).engine.changed()


def showing_upload() -> bool:
    """Whether this session shows an upload rather than the configured table."""
    return session.upload_state().good is not None


def shipped_table() -> Table:
    """The configured table, checked again when it or its claims or sources file changes; the
    team store when ``INCIDENT_ATLAS_DATA`` is a ``postgresql://`` URL."""
    url = default_database()
    if url:
        table = _team_store(url)
        table.engine.overview()  # reach the store now: an unreachable one is said at once
        return table
    path = default_incidents_path()
    key = (str(path), default_layer(), tuple(_mtime(p) for p in (path, *sibling_files(path))))
    # Asked once per table as it is (not on every rerun): is its checked copy there already?
    if key in _OPENED or has_entry(path, ReadOptions(layer=key[1])):
        files = _files_of(*key)
    else:
        with st.spinner(esc_markdown(first_check_note(path))):
            files = _files_of(*key)
    _OPENED.add(key)
    return _opened(files)


def _take_upload(name: str, data: bytes) -> None:
    """Check a new upload once: keep it as the good upload, or show why it was refused.

    A GeoPackage with several layers is read once the user picks a layer in the sidebar.
    """
    state = session.upload_state()
    file_digest = hashlib.sha256(data).hexdigest()
    layer = None
    if state.layers is not None and state.layers[0] == file_digest:
        layer = st.sidebar.selectbox(
            "Your GeoPackage has several layers: which one?",
            state.layers[1],
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
    if state.rejected is not None and state.rejected[0] == digest:
        error = state.rejected[1]  # checked already: do not read a bad file again on every rerun
    elif digest in (state.dropped, state.digest):
        return
    else:
        try:
            files = _load_upload(name, data, layer)
        except LayerChoiceError as exc:
            if layer is None:
                state.layers = (file_digest, exc.layers)
                st.rerun()
            error = exc
        except DataError as exc:
            error = exc
        except LimitError as exc:
            error = DataError(Problem(name, None, None, str(exc)))
        else:
            state.good, state.digest = files, digest
            reset_filters()
            return
        state.rejected = (digest, error)
    with st.sidebar:
        show_problems("This table was not loaded; the map keeps the last good data.", error)


def show_origin(table: Table) -> None:
    """Which dataset's export the table was, and how many rows were converted and skipped."""
    if table.origin:
        st.sidebar.info(esc_markdown(f"{Path(table.path).name}: {table.origin}."))


def show_warnings(table: Table) -> None:
    """What the table's check found that did not stop it loading, folded in the sidebar."""
    if not table.warnings:
        return
    from geo.validate.collector import rows_to_look_at

    rows = rows_to_look_at(table.warnings)
    label = f"{rows:,} row(s) to look at" if rows else f"{len(table.warnings):,} note(s)"
    with st.sidebar.expander(label, icon="⚠️"):
        st.code("\n".join(str(w) for w in table.warnings[:100]), language=None, wrap_lines=True)


def table_from_sidebar() -> tuple[Table, str]:
    """The data set to show: the last good upload, else the configured table."""
    upload = st.sidebar.file_uploader(
        "Your own incident table",
        type=UPLOAD_TYPES,
        key="upload",
        help="A table with the columns of data/SCHEMA.md (CSV, Parquet, GeoJSON or "
        "GeoPackage), or an ACLED, GTD or UCDP GED export as it comes (CSV, .csv.gz, .zip "
        "or .xlsx), converted on the way in. It is checked like the shipped table; nothing "
        "in data/ is changed. "
        f"Limit: {upload_limit_mb()} MB (a larger table: INCIDENT_ATLAS_DATA or "
        "python -m geo import).",
    )
    state = session.upload_state()
    if state.good is not None and not all(p.exists() for p in state.good.engine_files()):
        # Its checked copy was cleared from the cache folder: check the file again.
        state.good = state.digest = None
    if upload is not None:
        _take_upload(upload.name, upload.getvalue())
    good = state.good
    if good is not None:
        if st.sidebar.button("Back to the configured data", key="drop_upload"):
            # The file stays in the uploader: remember not to load it again.
            state.good, state.dropped, state.digest = None, state.digest, None
            reset_filters()
            st.rerun()
        return _opened(good), f"your table {good.path}"
    return _configured_table()


def _configured_table() -> tuple[Table, str]:
    """The configured table (or team store), else the last good one read, with the reason in
    the sidebar; the page stops where there is none."""
    try:
        table = shipped_table()
    except StoreError as exc:
        last = session.LAST_GOOD_TABLE.get()
        with st.sidebar:
            show_problems(
                "The team store cannot be read"
                + ("; showing the last data read from it." if last is not None else "."),
                DataError(str(exc)),
            )
        if last is None:
            st.error("The team store could not be read; the sidebar says why.")
            st.stop()
        return last, "the last data read from the team store"
    except (DataError, LimitError) as exc:
        last = session.LAST_GOOD_TABLE.get()
        path = default_incidents_path()
        if isinstance(exc, LimitError):
            exc = DataError(Problem(path.name, None, None, str(exc)))
        with st.sidebar:
            show_problems(
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
    session.LAST_GOOD_TABLE.set(table)
    if default_database():
        return table, "the team store"
    return table, "the shipped data set" if default_incidents_path() == INCIDENTS_CSV else (
        f"the table {default_incidents_path().name}"
    )
