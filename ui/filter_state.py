"""The filter widgets' state: kept across pages, set from the URL, turned into one ``Filters``.

Streamlit forgets a widget's value on a run that does not draw it, and each page draws its own
sidebar: every change is kept under a second key and restored before the widgets are drawn.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from geo.facets import BY_NAME, FACETS, Facet
from geo.filters import Filters
from geo.places import regions_of
from geo.query import Overview
from geo.schema import EVENT_TYPES
from ui.session import (
    DATE_BOUNDS,
    FILTER_WIDGET,
    FILTERS_FROM_URL,
    KEPT,
    PENDING_FILTER,
    URL_NOTES,
    URL_WRITTEN,
    Slot,
)


def widget_key(facet: Facet) -> str:
    """The session-state key of the widget that sets ``facet`` (both date facets share the
    time slider, ``f_dates``)."""
    if facet.widget == "dates":
        return FILTER_WIDGET("dates").key
    return FILTER_WIDGET("exact" if facet.name == "exact_only" else facet.name).key


FILTER_KEYS = tuple(dict.fromkeys(widget_key(f) for f in FACETS))
DATES_KEY = widget_key(BY_NAME["start"])
REGIONS_KEY = widget_key(BY_NAME["regions"])


def _widget(key: str) -> Slot[Any]:
    return FILTER_WIDGET.by_key(key)


def widget_value(facet: Facet, default: Any) -> Any:
    """The value of the widget that sets ``facet``, or ``default`` before it is drawn."""
    return _widget(widget_key(facet)).get_or(default)


def pick_filter(facet_name: str, value: str | list[str]) -> None:
    """Ask for a filter a page picked (a region clicked, an actor chosen): the sidebar sets it
    on the next run, before its widgets are drawn (they cannot change after)."""
    PENDING_FILTER.set((widget_key(BY_NAME[facet_name]), value))


def reset_filters() -> None:
    """Forget every filter (and the URL's), as when another data set is loaded."""
    for key in FILTER_KEYS:
        _widget(key).pop()
        KEPT(key).pop()
    st.query_params.clear()
    URL_WRITTEN.pop()
    FILTERS_FROM_URL.set(False)
    URL_NOTES.pop()


def date_bounds(overview: Overview) -> tuple[date, date]:
    if overview.first is None or overview.last is None:
        today = date.today()
        return today, today
    return overview.first, overview.last


def _url_query() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def init_from_url(overview: Overview) -> None:
    """Set the filter widgets from the URL's query string on a session's first run, and when
    the URL is not the one the session last wrote: the browser's Back or Forward button went
    to an earlier or later view (every change of the filters is a step in its history)."""
    now = _url_query()
    written = URL_WRITTEN.get()
    if FILTERS_FROM_URL.get() and (written is None or now == written):
        return
    FILTERS_FROM_URL.set(True)
    URL_WRITTEN.set(now)
    wanted, notes = Filters.parse_query(now)
    lo, hi = date_bounds(overview)
    start = max(min(wanted.start or lo, hi), lo)
    end = min(max(wanted.end or hi, lo), hi)
    if start > end:
        notes.append("the start date is after the end date: the two are swapped")
    set_value(DATES_KEY, (min(start, end), max(start, end)))
    options = filter_options(overview)
    for facet in FACETS:
        chosen = getattr(wanted, facet.name)
        if facet.widget == "multi":
            offered = set(options[facet.name])
            missing = [v for v in chosen if v not in offered]
            notes.extend(f"{facet.key}={v!r}: no incident of this table has it" for v in missing)
            set_value(widget_key(facet), [v for v in chosen if v in offered])
        elif facet.widget == "toggle":
            set_value(widget_key(facet), bool(chosen))
        elif facet.widget in ("values", "ids"):
            set_value(widget_key(facet), list(chosen))
        elif facet.widget in ("text", "area", "within"):
            set_value(widget_key(facet), facet.text(chosen) if chosen else "")
    URL_NOTES.set(notes)


def write_url(filters: Filters) -> None:
    """Show ``filters`` in the URL (the browser adds a step to its history when it changes)."""
    query = filters.to_query()
    st.query_params.from_dict(query)
    URL_WRITTEN.set(query)


def restore_kept() -> None:
    """Give the filter widgets their values back, also after a page switch.

    Streamlit forgets a widget's value when a run does not draw it, and each page draws its own
    copy of the sidebar; each change is kept under another key (``keep``) and restored here.
    """
    for key in FILTER_KEYS:
        if KEPT(key).is_set():
            _widget(key).set(KEPT(key).get())


def keep(key: str) -> None:
    """Keep a filter widget's value (its ``on_change``)."""
    KEPT(key).set(_widget(key).get())


def set_value(key: str, value: object) -> None:
    """Set a filter widget's value, and keep it."""
    _widget(key).set(value)
    KEPT(key).set(value)


def follow_bounds(lo: date, hi: date) -> None:
    """Keep the time range on the data when the data's own range changes (an incident added
    on the Edit page, a colleague's import): an end that was at the data's old first or last
    day moves with it, and a range is kept inside the new one."""
    old = DATE_BOUNDS.get()
    DATE_BOUNDS.set((lo, hi))
    chosen = _widget(DATES_KEY).get()
    if old is None or old == (lo, hi) or not chosen or len(chosen) != 2:
        return
    start, end = chosen
    start = lo if start == old[0] else start
    end = hi if end == old[1] else end
    start, end = min(max(start, lo), hi), max(min(end, hi), lo)
    set_value(DATES_KEY, (min(start, end), max(start, end)))


def apply_pending() -> None:
    """Apply a filter a page picked (``pending_filter``: a widget's key and its new value: a
    region or a box on the map, an actor, a unit on the Trends page) before the widgets are
    drawn (they cannot change after)."""
    picked = PENDING_FILTER.pop()
    if picked is not None and picked[0] in FILTER_KEYS:
        set_value(picked[0], picked[1])


def filter_options(overview: Overview) -> dict[str, list[Any]]:
    """The choices each multiselect facet offers for this table, in the order it lists them.

    Regions: those holding incidents, grouped by country, alphabetically, and any chosen
    already (a click on an empty region of the map); the table's own names come first where
    it has them ("Atacora" joins Atakora: the label is the region's, see ``geo.places.admin``).
    """
    countries = set(overview.countries)
    present = {r for r, _c in overview.regions} - {""}
    chosen = set(_widget(REGIONS_KEY).get_or(())) - present
    listed = [r for r in regions_of(countries) if r in present | chosen]
    from geo.places import country_names

    names = country_names()
    return {
        "years": list(overview.years),
        "regions": [*listed, *sorted((present | chosen) - set(listed))],
        "types": [t for t in EVENT_TYPES if t in set(overview.types)],
        "countries": sorted(countries, key=lambda c: names.get(c, c)),
    }


def filters_from_widgets(lo: date, hi: date) -> Filters:
    """The filters the widgets hold; a time range at the data's own bounds is no restriction."""
    start, end = _widget(DATES_KEY).get_or((lo, hi))
    values: dict[str, Any] = {
        "start": start if start > lo else None,
        "end": end if end < hi else None,
    }
    for facet in FACETS:
        if facet.widget in ("multi", "values", "ids"):
            values[facet.name] = tuple(widget_value(facet, ()))
        elif facet.widget == "toggle":
            values[facet.name] = bool(widget_value(facet, False))
        elif facet.widget in ("text", "area", "within"):
            values[facet.name] = facet.parse(str(widget_value(facet, "")))
    return Filters(**values)
