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

import pandas as pd
import streamlit as st

from geo.escape import esc_markdown
from geo.filters import Filters, filter_mask, hidden_by_precision, rows_kept
from geo.sandbox import also_preload
from geo.tables import Dataset

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
    """What every page shows: the data set, the active filters and the rows they keep."""

    dataset: Dataset
    filters: Filters
    incidents: pd.DataFrame
    hidden: int
    label: str


def sidebar() -> View:
    """Set up the page, draw the navigation, data and filter widgets, and return the view.

    Every page calls it first, once per run.
    """
    from ui import filter_state as state
    from ui.data_source import dataset_from_sidebar, show_origin, show_warnings
    from ui.widgets import filter_widgets, navigation, page_links, url_notes

    links = navigation()
    dataset, label = dataset_from_sidebar()
    show_origin(dataset)
    show_warnings(dataset)
    incidents = dataset.incidents
    state.init_from_url(incidents)
    state.restore_kept()
    state.apply_pending()
    lo, hi = state.date_bounds(incidents)
    state.follow_bounds(lo, hi)
    st.sidebar.subheader("Filters")
    url_notes()
    filter_widgets(incidents, lo, hi)
    filters = state.filters_from_widgets(lo, hi)
    state.write_url(filters)
    page_links(links, filters.to_query())
    st.sidebar.caption(esc_markdown(f"Showing {label}."))
    shown = rows_kept(incidents, filter_mask(incidents, filters))
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
    killed = Headline.span(h.killed_low, h.killed_high)
    wounded = Headline.span(h.wounded_low, h.wounded_high)
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
    cols[3].metric("Regions affected", f"{h.regions}")
    cols[4].metric(
        "Hidden by precision",
        f"{view.hidden}",
        help="Incidents located only to a district, a region or a country, hidden by the switch.",
    )
