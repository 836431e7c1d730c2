"""The filter widgets' state: kept across pages, set from the URL, turned into one ``Filters``.

Streamlit forgets a widget's value on a run that does not draw it, and each page draws its own
sidebar: every change is kept under a second key and restored before the widgets are drawn.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from geo.filters import Filters
from geo.places.regions import country_names, regions_of
from geo.schema import EVENT_TYPES

FILTER_KEYS = ("f_dates", "f_years", "f_regions", "f_types", "f_countries", "f_exact")


def reset_filters() -> None:
    """Forget every filter (and the URL's), as when another data set is loaded."""
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)
        st.session_state.pop(f"kept_{key}", None)
    st.query_params.clear()
    st.session_state.pop("url_written", None)
    st.session_state["filters_from_url"] = False
    st.session_state.pop("url_notes", None)


def date_bounds(incidents: pd.DataFrame) -> tuple[date, date]:
    if incidents.empty:
        today = date.today()
        return today, today
    return incidents["date_start"].min().date(), incidents["date_end"].max().date()


def _url_query() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def init_from_url(incidents: pd.DataFrame) -> None:
    """Set the filter widgets from the URL's query string on a session's first run, and when
    the URL is not the one the session last wrote: the browser's Back or Forward button went
    to an earlier or later view (every change of the filters is a step in its history)."""
    now = _url_query()
    written = st.session_state.get("url_written")
    if st.session_state.get("filters_from_url") and (written is None or now == written):
        return
    st.session_state["filters_from_url"] = True
    st.session_state["url_written"] = now
    wanted, notes = Filters.parse_query(now)
    lo, hi = date_bounds(incidents)
    start = max(min(wanted.start or lo, hi), lo)
    end = min(max(wanted.end or hi, lo), hi)
    if start > end:
        notes.append("the start date is after the end date: the two are swapped")
    set_value("f_dates", (min(start, end), max(start, end)))
    options = filter_options(incidents)
    for key, chosen in (
        ("year", wanted.years),
        ("region", wanted.regions),
        ("type", wanted.types),
        ("country", wanted.countries),
    ):
        offered = set(options[key])
        missing = [v for v in chosen if v not in offered]
        notes.extend(f"{key}={v!r}: no incident of this table has it" for v in missing)
        set_value(
            f"f_{key}s" if key != "country" else "f_countries", [v for v in chosen if v in offered]
        )
    st.session_state["url_notes"] = notes
    set_value("f_exact", wanted.exact_only)


def write_url(filters: Filters) -> None:
    """Show ``filters`` in the URL (the browser adds a step to its history when it changes)."""
    query = filters.to_query()
    st.query_params.from_dict(query)
    st.session_state["url_written"] = query


def restore_kept() -> None:
    """Give the filter widgets their values back, also after a page switch.

    Streamlit forgets a widget's value when a run does not draw it, and each page draws its own
    copy of the sidebar; each change is kept under another key (``keep``) and restored here.
    """
    for key in FILTER_KEYS:
        if f"kept_{key}" in st.session_state:
            st.session_state[key] = st.session_state[f"kept_{key}"]


def keep(key: str) -> None:
    st.session_state[f"kept_{key}"] = st.session_state[key]


def set_value(key: str, value: object) -> None:
    st.session_state[key] = value
    st.session_state[f"kept_{key}"] = value


def follow_bounds(lo: date, hi: date) -> None:
    """Keep the time range on the data when the data's own range changes (an incident added
    on the Edit page, a colleague's import): an end that was at the data's old first or last
    day moves with it, and a range is kept inside the new one."""
    old = st.session_state.get("f_dates_bounds")
    st.session_state["f_dates_bounds"] = (lo, hi)
    chosen = st.session_state.get("f_dates")
    if old is None or old == (lo, hi) or not chosen or len(chosen) != 2:
        return
    start, end = chosen
    start = lo if start == old[0] else start
    end = hi if end == old[1] else end
    start, end = min(max(start, lo), hi), max(min(end, hi), lo)
    set_value("f_dates", (min(start, end), max(start, end)))


def apply_pending() -> None:
    """Apply a region picked on the map before the widgets are drawn (they cannot change after)."""
    pending = st.session_state.pop("pending_region", None)
    if pending is not None:
        set_value("f_regions", [pending] if pending else [])


def filter_options(incidents: pd.DataFrame) -> dict[str, list[Any]]:
    """The choices each filter widget offers for this table, in the order it lists them.

    Regions: every region of the table's countries (a click on any region of the map can
    select it), grouped by country, alphabetically, then any others the table names.
    """
    countries = {str(c) for c in incidents["country"].unique() if c}
    regions = regions_of(countries)
    present = set(incidents["region"].unique()) - set(regions) - {""}
    names = country_names()
    present_types = set(incidents["event_type"].unique())
    return {
        "year": list(years_touched(incidents)),
        "region": [*regions, *sorted(present)],
        "type": [t for t in EVENT_TYPES if t in present_types],
        "country": sorted(countries, key=lambda c: names.get(c, c)),
    }


def years_touched(incidents: pd.DataFrame) -> list[int]:
    """Every year some incident's date range touches (each distinct range looked at once)."""
    spans = pd.DataFrame(
        {"s": incidents["date_start"].dt.year, "e": incidents["date_end"].dt.year}
    ).drop_duplicates()
    return sorted({y for s, e in spans.itertuples(index=False) for y in range(s, e + 1)})


def filters_from_widgets(lo: date, hi: date) -> Filters:
    """The filters the widgets hold; a time range at the data's own bounds is no restriction."""
    start, end = st.session_state.get("f_dates", (lo, hi))
    return Filters(
        start=start if start > lo else None,
        end=end if end < hi else None,
        years=tuple(st.session_state["f_years"]),
        regions=tuple(st.session_state["f_regions"]),
        types=tuple(st.session_state["f_types"]),
        countries=tuple(st.session_state["f_countries"]),
        exact_only=bool(st.session_state["f_exact"]),
    )
