"""The widgets of the sidebar every page draws: page links, URL notes and the filters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from geo.escape import esc_markdown
from geo.facets import FACETS, MAX_SEARCH_CHARS, Facet
from geo.filters import Filters
from geo.places import country_names, region_countries
from geo.query import Overview, SqlEngine
from geo.symbology import type_label
from ui import filter_state as state
from ui.session import URL_NOTES

PAGES = [
    ("pages/map.py", "Map", ":material/map:"),
    ("pages/timeline.py", "Timeline", ":material/timeline:"),
    ("pages/incidents.py", "Incidents", ":material/table:"),
    ("pages/actors.py", "Actors", ":material/groups:"),
    ("pages/trends.py", "Trends", ":material/trending_up:"),
    ("pages/edit.py", "Edit", ":material/edit:"),
    ("pages/review.py", "Review", ":material/fact_check:"),
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
    notes = URL_NOTES.get() or []
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


def _with_country(label: str, country_of: dict[str, str], names: dict[str, str]) -> str:
    """A region as the filter lists it: "Atyrau · Kazakhstan" (a label naming its country
    already stays as it is)."""
    code = country_of.get(label)
    if code is None or "," in label:
        return label
    return f"{label} · {names.get(code, code)}"


def _format(facet: Facet, overview: Overview) -> Callable[[Any], str]:
    """How a multiselect facet shows its values (a region with the dataset's own name for it
    where that is spelt otherwise: "Atakora · Benin (Atacora)")."""
    names = country_names()
    if facet.name == "regions":
        country_of = region_countries()
        spelt = dict(overview.spellings)
        return lambda r: (
            _with_country(str(r), country_of, names) + (f" ({spelt[r]})" if r in spelt else "")
        )
    if facet.name == "types":
        return type_label
    if facet.name == "countries":
        return lambda c: f"{names[c]} ({c})" if c in names else str(c)
    return str


def _values_widget(facet: Facet, engine: SqlEngine, filters: Filters) -> None:
    """A facet of the dataset's own names: its most frequent values among the incidents the
    other filters keep, each with its count, and any value chosen already."""
    key = state.widget_key(facet)
    others = replace(filters, **{facet.name: ()})  # type: ignore[arg-type]
    counts = engine.facet_values(others, facet.offered, VALUES_OFFERED)
    chosen = [v for v in state.widget_value(facet, []) if v not in counts.index]
    options = [*counts.index, *chosen]
    _multiselect(
        facet.label,
        options,
        key,
        facet.placeholder,
        lambda v: f"{v} ({int(counts[v]):,})" if v in counts.index else f"{v} (0)",
    )


def filter_widgets(
    overview: Overview, lo: date, hi: date, engine: SqlEngine, filters: Filters
) -> None:
    """One widget per facet of the registry (``geo.facets``), with the choices the data
    offers; a facet of the dataset's own names only where the table has some."""
    sb = st.sidebar
    options = state.filter_options(overview)
    drawn: set[str] = set()
    for facet in FACETS:
        key = state.widget_key(facet)
        if key in drawn:
            continue
        drawn.add(key)
        if facet.widget == "dates" and lo < hi:
            sb.slider(
                facet.label, min_value=lo, max_value=hi, key=key, on_change=state.keep,
                args=(key,), format="YYYY-MM-DD",
                help="An incident is shown when its date range overlaps this one.",
            )  # fmt: skip
        elif facet.widget == "multi":
            _multiselect(
                facet.label, options[facet.name], key, facet.placeholder, _format(facet, overview)
            )
        elif facet.widget == "toggle":
            sb.toggle(facet.label, key=key, on_change=state.keep, args=(key,), help=TOGGLE_HELP)
        elif facet.widget == "values" and set(facet.offered) & set(overview.fields):
            _values_widget(facet, engine, filters)
        elif facet.widget == "text":
            sb.text_input(
                facet.label, key=key, on_change=state.keep, args=(key,),
                placeholder=facet.placeholder, max_chars=MAX_SEARCH_CHARS,
                help="Case and accents are ignored; the map, figures, tables and exports "
                "all follow it.",
            )  # fmt: skip
        elif facet.widget == "area":
            _area_widget(facet)
        elif facet.widget == "within":
            _within_widget(facet)
        elif facet.widget == "ids":
            _ids_widget(facet)
    if sb.button("Reset filters", key="reset"):
        state.reset_filters()
        st.rerun()


def _ids_widget(facet: Facet) -> None:
    """Incidents opened by their id (a popup's link): said, with a way back to all of them."""
    key = state.widget_key(facet)
    ids = list(state.widget_value(facet, []))
    if not ids:
        return
    shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5:,} more" if len(ids) > 5 else "")
    st.sidebar.caption(esc_markdown(f"{facet.label}: {shown}"))
    if st.sidebar.button("Show every incident again", key="clear_ids"):
        state.set_value(key, [])
        st.rerun()


def _within_widget(facet: Facet) -> None:
    """An area drawn on the map (or linked): said, with one click to clear it."""
    key = state.widget_key(facet)
    rings = facet.parse(str(state.widget_value(facet, "")))
    if not rings:
        return
    points = sum(len(ring) for ring in rings)
    st.sidebar.caption(esc_markdown(f"{facet.label} ({points} points): only the incidents in it"))
    if st.sidebar.button("Clear the drawn area", key="clear_within"):
        state.set_value(key, "")
        st.rerun()


def _area_widget(facet: Facet) -> None:
    """The area: a box typed or pasted as west,south,east,north (a link or ``--bbox`` gives
    the same); a box that is not one is said, and ignored."""
    key = state.widget_key(facet)
    st.sidebar.text_input(
        facet.label, key=key, on_change=state.keep, args=(key,), max_chars=100,
        placeholder="west,south,east,north (degrees)",
        help="Only incidents inside this box, e.g. 46,40,56,49 for the north Caspian. "
        "West above east crosses the 180th meridian. Empty: anywhere.",
    )  # fmt: skip
    text = str(state.widget_value(facet, "")).strip()
    if text and facet.parse(text) is None:
        st.sidebar.caption(esc_markdown(f"Not an area, ignored: {text}"))


VALUES_OFFERED = 300
"""The most values a facet of the dataset's own names lists (the search box finds others)."""
TOGGLE_HELP = (
    "Hides incidents that the sources place only in a district or area (pale symbols with a "
    "solid outline), a region or a country (hollow dashed symbols)."
)
