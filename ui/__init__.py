"""Streamlit glue shared by every page: the data source, the sidebar filters and the URL.

Every page starts with ``view = ui.sidebar()``: one function draws the same sidebar on each page
(its widgets keep their state across pages) and returns the data set and the active filters.
Nothing here parses files or does geometry (``geo`` does); it only reads widgets and remembers
state. ``data_source`` picks the data set, ``filter_state`` keeps the widgets' values and the
URL in step, ``widgets`` draws.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import streamlit as st

from geo.escape import esc_markdown
from geo.filters import Filters
from geo.query import SqlEngine, Table
from geo.sandbox import also_preload
from geo.stats import Headline

# Uploads and articles are read in limited children (geo.sandbox), each of which runs the main
# script again: under `streamlit run` that script imports Streamlit's launcher.
also_preload("streamlit.web.cli")

UNEXPECTED = (
    "Something went wrong while drawing this page; the problem has been logged on the server. "
    "Try other filters, or reload the page."
)
"""What a user sees of an unexpected error: one plain sentence, never a traceback or a path."""
log = logging.getLogger("incident_atlas")


@dataclass
class View:
    """What every page shows: the table, the active filters and their headline figures.

    Pages ask ``view.engine`` for what they draw; none holds the table's rows.
    """

    table: Table
    filters: Filters
    headline: Headline
    label: str

    @property
    def engine(self) -> SqlEngine:
        return self.table.engine

    @property
    def count(self) -> int:
        """How many incidents the filters keep."""
        return self.headline.incidents


def sidebar() -> View:
    """Set up the page, draw the navigation, data and filter widgets, and return the view.

    Every page calls it first, once per run.
    """
    from ui import filter_state as state
    from ui.data_source import show_origin, show_warnings, table_from_sidebar
    from ui.widgets import filter_widgets, navigation, page_links, url_notes

    links = navigation()
    table, label = table_from_sidebar()
    show_origin(table)
    show_warnings(table)
    overview = table.engine.overview()
    state.init_from_url(overview)
    state.restore_kept()
    state.apply_pending()
    lo, hi = state.date_bounds(overview)
    state.follow_bounds(lo, hi)
    st.sidebar.subheader("Filters")
    url_notes()
    filter_widgets(overview, lo, hi, table.engine, state.filters_from_widgets(lo, hi))
    filters = state.filters_from_widgets(lo, hi)
    state.write_url(filters)
    page_links(links, filters.to_query())
    st.sidebar.caption(esc_markdown(f"Showing {label}."))
    return View(table, filters, table.engine.headline(filters), label)


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
    h = view.headline
    cols = st.columns(5)
    cols[0].metric("Incidents", f"{h.incidents:,}")
    killed = Headline.span(h.killed_low, h.killed_high)
    wounded = Headline.span(h.wounded_low, h.wounded_high)
    if h.incidents and h.killed_given == 0:
        cols[1].metric("Killed", "no figure", help="None of these incidents has a killed figure.")
    else:
        cols[1].metric(
            "Killed",
            Headline.short_span(h.killed_low, h.killed_high),
            help=f"Sum of the lowest to sum of the highest figure any source gives: {killed}.",
        )
    if h.incidents and not h.wounded_given:
        cols[2].metric(
            "Wounded",
            "no figure",
            help="None of these incidents has a wounded figure (ACLED, for one, gives none).",
        )
    else:
        cols[2].metric(
            "Wounded",
            Headline.short_span(h.wounded_low, h.wounded_high),
            help=f"Likewise: {wounded}.",
        )
    cols[3].metric("Regions affected", f"{h.regions:,}")
    cols[4].metric(
        "Hidden by precision",
        f"{h.hidden:,}",
        help="Incidents located only to a district, a region or a country, hidden by the switch.",
    )
