"""What a browser session keeps between runs: every entry of ``st.session_state`` the app
uses, named and typed here and nowhere else.

Streamlit keeps a session's widget values, and whatever a page stores, under string keys; a
misspelt key reads as a silent ``None``. Each entry is a `Slot` with the type of its value;
entries kept once per incident, form or widget are a `Slots` family. A widget whose value a
page reads or sets has its slot here, and the widget is drawn with ``key=SLOT.key``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import streamlit as st

if TYPE_CHECKING:
    from geo.errors import DataError
    from geo.ingest.write import Article
    from geo.query import Table, TableFiles
    from geo.store import EditConflict, Record

T = TypeVar("T")


class Slot(Generic[T]):
    """One entry of the session's state: its key and the type of its value."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __repr__(self) -> str:
        return f"Slot({self.key!r})"

    def get(self) -> T | None:
        """Its value, or None when the session has none yet."""
        value: T | None = st.session_state.get(self.key)
        return value

    def get_or(self, default: T) -> T:
        """Its value, or ``default`` when the session has none yet (nothing is stored)."""
        value: T = st.session_state.get(self.key, default)
        return value

    def setdefault(self, default: T) -> T:
        """Its value, first storing ``default`` when the session has none yet."""
        value: T = st.session_state.setdefault(self.key, default)
        return value

    def set(self, value: T) -> None:
        st.session_state[self.key] = value

    def pop(self) -> T | None:
        """Its value, removed from the session."""
        value: T | None = st.session_state.pop(self.key, None)
        return value

    def is_set(self) -> bool:
        return self.key in st.session_state


class Slots(Generic[T]):
    """A family of entries, one per name (an incident, a form, a widget), under one prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __call__(self, *names: object) -> Slot[T]:
        return Slot(self.prefix + "_".join(str(n) for n in names))

    def by_key(self, key: str) -> Slot[T]:
        """The entry of the family whose whole key is ``key``."""
        if not key.startswith(self.prefix):
            raise KeyError(f"{key!r} is not an entry of {self.prefix}*")
        return Slot(key)

    def clear(self) -> None:
        """Forget every entry of the family."""
        for key in [k for k in st.session_state if str(k).startswith(self.prefix)]:
            del st.session_state[key]


@dataclass
class UploadState:
    """The sidebar upload's state, kept across runs so a file is read once."""

    good: TableFiles | None = None
    """The last upload that was read and checked: shown instead of the configured table."""
    digest: str | None = None
    """Its file's SHA-256 (``digest:layer`` for a GeoPackage layer)."""
    dropped: str | None = None
    """An upload the user went back from: not loaded again while it stays in the uploader."""
    rejected: tuple[str, DataError] | None = None
    """The last refused upload's digest and why: a bad file is not read again on every run."""
    layers: tuple[str, list[str]] | None = None
    """A GeoPackage with several layers: its file's digest and the layers to choose from."""


# The data shown (ui.data_source).
UPLOAD: Slot[UploadState] = Slot("upload_state")
LAST_GOOD_TABLE: Slot[Table] = Slot("last_good_table")
"""The configured table as last read without error: shown while it cannot be read."""

# The sidebar's filters (ui.filter_state, ui.widgets).
FILTER_WIDGET: Slots[Any] = Slots("f_")
"""A filter widget's value, by the name ``ui.filter_state.widget_key`` gives it."""
KEPT: Slots[Any] = Slots("kept_")
"""A widget's value kept under a second key: Streamlit forgets it on a page not drawing it."""
DATE_BOUNDS: Slot[tuple[date, date]] = Slot("time_slider_bounds")
"""The data's first and last day when the time slider was last drawn."""
URL_WRITTEN: Slot[dict[str, list[str]]] = Slot("url_written")
"""The query string this session last wrote to the URL."""
FILTERS_FROM_URL: Slot[bool] = Slot("filters_from_url")
"""Whether the filters were set from the URL already (on the session's first run)."""
URL_NOTES: Slot[list[str]] = Slot("url_notes")
"""The parts of the URL's query string that were left out, and why."""
PENDING_FILTER: Slot[tuple[str, str | list[str]]] = Slot("pending_filter")
"""A filter a page picked (a region clicked, an actor chosen): a widget key and its value,
set before the widgets are next drawn."""

# Editing (ui.editing, pages/edit.py, pages/review.py).
EDITOR_NAME: Slot[str] = Slot("editor_name")
PLACE_FIELD: Slots[Any] = Slots("form_")
"""A place widget of an incident form, by form key and field (``form_<key>_lat``)."""
OPENED: Slots[Record] = Slots("opened_")
"""An incident as the Edit page opened it, kept until it is saved: a colleague's save in
between is a conflict, never a form silently refilled."""
CONFLICT: Slots[tuple[EditConflict, dict[str, Any], list[dict[str, Any]]]] = Slots("conflict_")
"""A save refused because the incident changed since it was opened: the conflict, and the
values and claims typed."""
CLICKED: Slots[dict[str, float]] = Slots("clicked_")
"""The last point clicked on a form's picker map (a click is applied once)."""
EDIT_FLASH: Slot[str] = Slot("edit_flash")
"""What the last change on the Edit page did, said on the next run."""
EDIT_CHOICE: Slot[str] = Slot("edit_choice")
"""The incident picked on the Edit page."""
EDIT_CHOICE_NEXT: Slot[str] = Slot("edit_choice_next")
"""The incident to pick on the next run (the one just saved)."""
EDIT_NEW_ROUND: Slot[int] = Slot("edit_new_round")
"""How many new incidents were saved: each gets a fresh, empty form."""
REVIEW_ARTICLES: Slot[list[tuple[Article, list[Any]]]] = Slot("review_articles")
"""The articles read on the Review page, with their paragraphs."""
REVIEW_DONE: Slot[dict[str, str]] = Slot("review_done")
"""What was decided for each candidate: accepted, accepted (edited) or rejected."""
REVIEW_FLASH: Slot[str] = Slot("review_flash")

# The Map and Trends pages.
MAP: Slot[dict[str, Any]] = Slot("map")
"""What the main map returned last (its bounds, the last shape clicked or drawn)."""
MAP_FRAME: Slot[Any] = Slot("map_frame")
"""The view the live map's layers were last drawn for."""
MAP_LAST_CLICK: Slot[dict[str, Any]] = Slot("map_last_click")
TREND_LAST_CLICK: Slot[dict[str, Any]] = Slot("trend_last_click")
TREND_BACK: Slot[int] = Slot("trend_back")
"""How many periods back the Trends page compares with."""
LAPSE_MADE: Slot[tuple[Any, bytes]] = Slot("lapse_made")
"""The last time-lapse GIF made, with what it was made for (labels, filters, step)."""


def upload_state() -> UploadState:
    """This session's upload state (made on first use)."""
    return UPLOAD.setdefault(UploadState())
