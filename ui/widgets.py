"""The widgets of the sidebar every page draws: page links, URL notes and the filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from geo.escape import esc_markdown
from geo.places.regions import region_names
from geo.schema import EVENT_TYPES
from geo.symbology import type_label
from ui import filter_state as state

PAGES = [
    ("pages/map.py", "Map", ":material/map:"),
    ("pages/timeline.py", "Timeline", ":material/timeline:"),
    ("pages/incidents.py", "Incidents", ":material/table:"),
    ("pages/about.py", "About the data", ":material/info:"),
]


def navigation() -> DeltaGenerator:
    """The page set-up and a place for the page links (drawn by :func:`page_links`)."""
    st.set_page_config(page_title="Incident Atlas", layout="wide")
    st.sidebar.title("Incident Atlas")
    return st.sidebar.container()


def page_links(place: DeltaGenerator, query: dict[str, list[str]]) -> None:
    """A link to every page, carrying the filters in its query string: the page opened shows
    the same incidents, and its address is a link to that view."""
    for path, label, icon in PAGES:
        place.page_link(path, label=label, icon=icon, query_params=query)


def url_notes() -> None:
    """Say which parts of the URL's query string were left out, and why."""
    notes = st.session_state.get("url_notes") or []
    if notes:
        more = f"; and {len(notes) - 10} more" if len(notes) > 10 else ""
        st.sidebar.warning(
            esc_markdown("Parts of the link were left out: " + "; ".join(notes[:10]) + more + ".")
        )


def _multiselect(
    label: str,
    options: list[object],
    key: str,
    placeholder: str,
    format_func: Callable[[Any], str] = str,
) -> None:
    st.sidebar.multiselect(
        label,
        options,
        key=key,
        on_change=state.keep,
        args=(key,),
        placeholder=placeholder,
        format_func=format_func,
    )


def filter_widgets(incidents: pd.DataFrame, lo: date, hi: date) -> None:
    """One widget per filter facet, with the choices the data offers."""
    sb = st.sidebar
    if lo < hi:
        sb.slider(
            "Time range",
            min_value=lo,
            max_value=hi,
            key="f_dates",
            on_change=state.keep,
            args=("f_dates",),
            format="YYYY-MM-DD",
            help="An incident is shown when its date range overlaps this one.",
        )
    _multiselect("Year", list(state.years_touched(incidents)), "f_years", "All years")
    # Every region of the layer, so a click on any region of the map can select it.
    present = set(incidents["region"].unique())
    regions = region_names() + sorted(present - set(region_names()) - {""})
    _multiselect("Region", list(regions), "f_regions", "All regions")
    present_types = set(incidents["event_type"].unique())
    types = [t for t in EVENT_TYPES if t in present_types]
    _multiselect(
        "Event type",
        list(types),
        "f_types",
        "All types",
        format_func=type_label,
    )
    countries = sorted(c for c in incidents["country"].unique() if c)
    _multiselect("Country", list(countries), "f_countries", "All countries")
    sb.toggle(
        "Only incidents located to the city or better",
        key="f_exact",
        on_change=state.keep,
        args=("f_exact",),
        help="Hides incidents that the sources place only in a district or area (pale symbols "
        "with a solid outline), a region or a country (hollow dashed symbols).",
    )
    if sb.button("Reset filters", key="reset"):
        state.reset_filters()
        st.rerun()
