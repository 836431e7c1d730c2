"""Edit page: add an incident, change one, delete one; its claims per source; its history,
and undo of a change."""

from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

import ui
from geo.errors import AtlasError, DataError
from geo.escape import esc_markdown
from geo.places import OfflineGeocoder
from geo.records import picker_ids
from geo.schema import SOURCE_KINDS
from geo.store import Change, EditConflict
from geo.store.checks import fill_range_from_claims, unchosen_best, with_claim_sources
from geo.store.edit_rules import (
    NEW_INCIDENT,
    changed_fields,
    clicked_point,
    editable_store,
    opened_after,
    picker_view,
    place_values,
    shown_value,
    version_differences,
)
from geo.webmap import offline_map, pick_map
from ui import session
from ui.data_source import after_write, showing_upload
from ui.editing import incident_form, not_yet_given, who_edits
from ui.messages import show_problems
from ui.session import PLACE_FIELD
from ui.static_files import served

NEW = "(a new incident)"

view = ui.sidebar()
st.title("Edit incidents")
store, where = editable_store(view.table.origin, showing_upload())
if store is None:
    st.info(esc_markdown(where))
    st.stop()
st.caption(esc_markdown(f"Changes are written to {where}, each with who made it and when."))
who = who_edits()


def report(error: Exception, what: str) -> None:
    """A refused change, said in full: every problem of a validation, else the reason."""
    if isinstance(error, DataError) and error.problems:
        show_problems(f"{what}; nothing was written. Fix these and try again:", error)
    elif isinstance(error, OSError):  # the reason, never the server's folders
        name = Path(str(error.filename or "")).name
        st.error(
            esc_markdown(f"{what}: {error.strerror or 'the file cannot be written'} ({name}).")
        )
    else:
        st.error(esc_markdown(f"{what}: {error}"))


def read_store() -> tuple[list[str], list[str]]:
    """The source ids claims can cite, and the history's lines that are skipped (said as a
    warning on every view); a table that cannot be read stops the page with the reason."""
    assert store is not None
    try:
        return sorted(store.source_ids()), [str(p) for p in store.history_problems()]
    except (AtlasError, OSError) as exc:
        report(exc, "Cannot read the table")
        st.stop()
        raise


def done(message: str, incident_id: str | None = None) -> None:
    """After a change: reload the data everywhere, say what happened, open the incident."""
    after_write()
    session.OPENED.clear()  # the next run opens what is stored now
    session.EDIT_FLASH.set(message)
    if incident_id:
        session.EDIT_CHOICE_NEXT.set(incident_id)
    st.rerun()


flash = session.EDIT_FLASH.pop()
if flash:
    st.success(esc_markdown(flash))
sources, skipped = read_store()
if skipped:
    st.warning(
        f"{len(skipped)} line(s) of the history are not changes and are skipped (shown and "
        "undone without them); mend or remove them:"
    )
    more = [f"... and {len(skipped) - 20} more"] if len(skipped) > 20 else []
    st.code("\n".join(skipped[:20] + more), language=None, wrap_lines=True)
find = st.text_input(
    "Find an incident", key="edit_find", max_chars=200,
    placeholder="Words in its place, perpetrator, target or summary",
)  # fmt: skip
listed = picker_ids(view.engine, view.filters, find)
ids = list(listed)
following = session.EDIT_CHOICE_NEXT.pop()
if following is not None and following not in ids and following != NEW:
    ids.insert(0, following)  # after a save, open what was saved
if following in ids or following == NEW:
    session.EDIT_CHOICE.set(following)
total = view.engine.count(view.filters, search=find)
choice = st.selectbox(
    "Incident", [NEW, *ids], key=session.EDIT_CHOICE.key, format_func=lambda i: listed.get(i, i),
    help=f"The first {len(ids):,} of {total:,} incidents the sidebar's filters and the search "
    "keep, by date: narrow them to find one.",
)  # fmt: skip
new = choice == NEW

if new:
    values = dict(NEW_INCIDENT)
    record = None
    version = None
    key = f"new_{session.EDIT_NEW_ROUND.get_or(0)}"
else:
    # The record as it was opened: kept until it is saved, so a colleague's save in between is
    # a conflict shown side by side, never a form silently refilled with their values.
    opened = session.OPENED(choice)
    if not opened.is_set():
        try:
            opened.set(store.open(choice))
        except (AtlasError, OSError) as exc:
            report(exc, "Cannot open it")
            st.stop()
    record = opened.get()
    assert record is not None
    values, version = record.values, record.version
    key = f"{choice}_{version}"
    st.caption(f"Version {version} (as you opened it)")

# Where it happened: a place found in the offline gazetteer, or a point clicked on the map.
with st.expander("Place it: find a name offline, or click the map", expanded=new):
    name = st.text_input("Find a place", key=f"find_{key}", placeholder="Alma-Ata")
    candidates = []
    if name.strip():
        try:
            found = (
                OfflineGeocoder().geocode(
                    name, exactly_one=False, prefer=view.engine.overview().countries
                )
                or []
            )
            candidates = [c.raw for c in found][:10]
        except AtlasError as exc:
            st.warning(esc_markdown(str(exc)))
        if not candidates:
            st.caption(esc_markdown(f"Nothing called {name!r} in the offline gazetteer."))
    if candidates:
        labels = [
            f"{c['name']}, {c['region'] or '-'}, {c['country']} ({c['precision']}; "
            f"{c['lat']:.4f}, {c['lon']:.4f})"
            for c in candidates
        ]
        picked = st.radio("Candidates", range(len(labels)), format_func=labels.__getitem__)
        if st.button("Use this place", key=f"use_{key}"):
            typed_place = str(PLACE_FIELD(key, "place").get() or "")
            for field, value in place_values(candidates[picked], typed_place).items():
                PLACE_FIELD(key, field).set(value)
    # The form fills these keys further down: on a record's first run, its own point.
    given = (
        PLACE_FIELD(key, "lat").get_or(values.get("lat")),
        PLACE_FIELD(key, "lon").get_or(values.get("lon")),
    )
    lat, lon, zoom, marker = picker_view(*given)
    files = served()
    picker = offline_map(
        pick_map(lat, lon, basemap_url=files.basemap_url, zoom=zoom, marker=marker,
                 country=str(PLACE_FIELD(key, "country").get() or "")),
        base_url=files.assets_url,
    )  # fmt: skip
    clicked = st_folium(
        picker, key=f"pick_{key}", height=320, use_container_width=True,
        returned_objects=["last_clicked"],
    )  # fmt: skip
    point = (clicked or {}).get("last_clicked")
    if point and point != session.CLICKED(key).get():
        session.CLICKED(key).set(point)
        lat, lon = clicked_point(point["lat"], point["lng"])
        PLACE_FIELD(key, "lat").set(lat)
        PLACE_FIELD(key, "lon").set(lon)
        st.rerun()
    st.caption("A click on the map sets the point below; the region is then the one it lies in.")

claims = record.claims if record is not None else []
typed = incident_form(values, claims, sources, new=new, key=key)
conflict = session.CONFLICT(choice)
if typed is not None:
    mine, my_claims, fill = typed
    mine = with_claim_sources(mine, my_claims)
    if fill:
        mine = fill_range_from_claims(mine, my_claims)
    undecided = unchosen_best(mine)
    lacking = not_yet_given(mine)
    if not who:
        st.error("Set your name above first: every change records who made it.")
    elif lacking:
        st.error(lacking)
    elif undecided:
        st.error(esc_markdown(undecided))
    else:
        try:
            change = store.save(
                mine,
                version=version,
                who=who,
                claims=my_claims,
                opened=None if record is None else record.values,
            )
        except EditConflict as exc:
            conflict.set((exc, mine, my_claims))
        except (AtlasError, OSError) as exc:
            report(exc, "Not saved")
        else:
            conflict.pop()
            if new:
                session.EDIT_NEW_ROUND.set(session.EDIT_NEW_ROUND.get_or(0) + 1)
            done(f"Saved {change.incident_id} ({change.action}).", change.incident_id)

refused = conflict.get()
if refused is not None:
    theirs, mine, my_claims = refused
    st.warning(esc_markdown(str(theirs)))
    left, right = st.columns(2)
    st.dataframe(version_differences(theirs.theirs, mine), width="stretch")
    a, b = st.columns(2)
    if a.button("Save mine over theirs", key=f"overwrite_{choice}", disabled=not who):
        try:
            change = store.save(mine, version=theirs.version, who=who, claims=my_claims)
        except (AtlasError, OSError) as exc:
            report(exc, "Not saved")
        else:
            conflict.pop()
            done(f"Saved {change.incident_id} over the other version.", change.incident_id)
    if b.button("Keep theirs (drop mine)", key=f"drop_{choice}"):
        conflict.pop()
        done("Kept the stored version; your changes were dropped.", choice)
    st.caption("Or change the form above and save again: it stays as you typed it.")

with st.expander("Add a source (an article or report that claims can cite)"):
    with st.form(key="add_source"):
        a, b = st.columns(2)
        source = {
            "source_id": a.text_input("Id (a stable slug)"),
            "title": b.text_input("Title"),
            "outlet": a.text_input("Outlet"),
            "published": b.text_input("Published (YYYY-MM-DD)"),
            "kind": a.selectbox("Kind", sorted(SOURCE_KINDS)),
            "published_note": b.text_input("Note on the date"),
        }
        if st.form_submit_button("Add source"):
            if not who:
                st.error("Set your name in the sidebar first: every change records who made it.")
            else:
                try:
                    store.add_source(source, who=who)
                except (AtlasError, OSError) as exc:
                    report(exc, "Source not added")
                else:
                    done(f"Added source {source['source_id']}; claims can now cite it.")


def history_row(change: Change) -> None:
    """One recorded change: when, who, what it changed from and to, and its undo button."""
    assert store is not None
    old, new_values = change.old or {}, change.new or {}
    changed = changed_fields(old, new_values)
    when = change.at.replace("T", " ")[:16] + " UTC"
    title = f"#{change.change_id} · {when} · {change.action} · {change.incident_id} · "
    title += f"{change.who or 'unknown'} · {len(changed)} field(s)"
    with st.expander(esc_markdown(title)):
        rows = [
            {"field": k, "before": shown_value(old.get(k)), "after": shown_value(new_values.get(k))}
            for k in changed
        ]
        st.dataframe(pd.DataFrame(rows, columns=["field", "before", "after"]), hide_index=True)
        if not who:
            st.caption("Set your name above to undo.")
        if st.button("Undo this change", key=f"undo_{change.change_id}", disabled=not who):
            try:
                undone = store.undo(change.change_id, who=who)
            except (AtlasError, OSError) as exc:
                report(exc, "Not undone")
            else:
                done(f"Undid change {change.change_id}.", opened_after(undone) or NEW)


if not new:
    with st.expander("Delete this incident"), st.form(key=f"delete_{key}"):
        st.caption(f"Its {len(claims)} claim(s) go with it; the history keeps both for undo.")
        sure = st.checkbox("Yes, delete it")
        if st.form_submit_button("Delete", disabled=not who) and sure:
            try:
                store.delete(choice, version=version or 0, who=who)
            except (AtlasError, OSError) as exc:
                report(exc, "Not deleted")
            else:
                done(f"Deleted {choice}; undo it from the history below.", NEW)
st.subheader("History")
try:
    history = store.history(choice if not new else None)
except (AtlasError, OSError) as exc:
    report(exc, "Cannot read the history")
    history = []
shown = 10 if new else 50  # new: recent changes anywhere, deletions among them
if len(history) > shown and not new:
    st.caption(f"The latest {shown} of {len(history):,} changes:")
if not history:
    st.text("No changes recorded yet.")
for past in reversed(history[-shown:]):
    history_row(past)
