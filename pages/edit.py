"""Edit page: add an incident, change one, delete one; see its history and undo a change."""

import pandas as pd
import streamlit as st

import ui
from geo.errors import AtlasError, DataError
from geo.escape import esc_markdown
from geo.places.geocode import geocode_place
from geo.store.edits import EditConflict
from ui.editing import editable_store, incident_form, who_edits

view = ui.sidebar()
st.title("Edit incidents")
store, where = editable_store(view.dataset.origin, st.session_state.get("good_upload") is not None)
if store is None:
    st.info(esc_markdown(where))
    st.stop()
who = who_edits()
st.caption(esc_markdown(f"Changes are written to {where}, each with who made it and when."))

flash = st.session_state.pop("edit_flash", None)
if flash:
    st.success(esc_markdown(flash))
ids = list(view.dataset.incidents["incident_id"])
following = st.session_state.pop("edit_choice_next", None)
if following in ids:  # after adding an incident, open it
    st.session_state["edit_choice"] = following
choice = st.selectbox(
    "Incident", ["(a new incident)", *ids], key="edit_choice", help="Pick one to change it."
)
new = choice == "(a new incident)"

if new:
    name = st.text_input("Find a place (offline)", key="edit_find", placeholder="Alma-Ata")
    found = None
    if name.strip():
        try:
            found = geocode_place(name)
        except AtlasError as exc:
            st.warning(esc_markdown(str(exc)))
    if found:
        st.caption(
            esc_markdown(
                f"{found['name']}, {found['region'] or ''} {found['country']}: "
                f"{found['lat']:.4f}, {found['lon']:.4f} ({found['precision']})"
            )
        )
    values = {
        "incident_id": "",
        "date_start": pd.Timestamp.today().strftime("%Y-%m-%d"),
        "date_end": pd.Timestamp.today().strftime("%Y-%m-%d"),
        "date_precision": "day",
        "place": name,
        "lat": found["lat"] if found else 0.0,
        "lon": found["lon"] if found else 0.0,
        "country": found["country"] if found else "",
        "geo_precision": found["precision"] if found else "city",
        "event_type": "armed_attack",
    }
    version = None
else:
    try:
        record = store.open(choice)
    except DataError as exc:
        st.error(esc_markdown(str(exc)))
        st.stop()
    values, version = record.values, record.version
    st.caption(f"Version {version}")

conflict_key = f"conflict_{choice}"
typed = incident_form(values, new=new, key=f"{choice}_{version}")
if typed is not None:
    if not who:
        st.error("Set your name in the sidebar first: every change records who made it.")
    else:
        try:
            change = store.save(typed, version=version, who=who)
        except EditConflict as exc:
            st.session_state[conflict_key] = (exc, typed)
        except DataError as exc:
            st.error("Not saved; nothing was written. Fix these and press Save again:")
            st.code("\n".join(str(p) for p in exc.problems), language=None, wrap_lines=True)
        except (AtlasError, OSError) as exc:
            st.error(esc_markdown(f"Not saved: {exc}"))
        else:
            st.session_state.pop(conflict_key, None)
            st.cache_resource.clear()
            st.session_state["edit_flash"] = f"Saved {change.incident_id} ({change.action})."
            st.session_state["edit_choice_next"] = change.incident_id
            st.rerun()

if conflict_key in st.session_state:
    conflict, mine = st.session_state[conflict_key]
    st.warning(esc_markdown(str(conflict)))
    left, right = st.columns(2)
    left.markdown("**Theirs (stored now)**")
    left.dataframe(pd.Series(conflict.theirs or {}, name="value").astype(str))
    right.markdown("**Yours (not saved)**")
    right.dataframe(pd.Series(mine, name="value").astype(str))
    if st.button("Save mine over theirs", key=f"overwrite_{choice}"):
        try:
            store.save(mine, version=conflict.version, who=who)
        except (AtlasError, OSError) as exc:
            st.error(esc_markdown(f"Not saved: {exc}"))
        else:
            st.session_state.pop(conflict_key, None)
            st.cache_resource.clear()
            st.rerun()

if not new:
    with st.expander("Delete this incident"):
        sure = st.checkbox("Yes, delete it (the history keeps it, and it can be undone)")
        if st.button("Delete", disabled=not (sure and who), key=f"delete_{choice}"):
            try:
                store.delete(choice, version=version or 0, who=who)
            except (AtlasError, OSError) as exc:
                st.error(esc_markdown(f"Not deleted: {exc}"))
            else:
                st.cache_resource.clear()
                st.rerun()
    history = store.history(choice)
    st.subheader("History")
    if not history:
        st.text("No changes recorded yet.")
    for change in reversed(history):
        cols = st.columns([3, 2, 2, 1])
        cols[0].text(f"{change.at} {change.action}")
        cols[1].text(change.who)
        changed = sorted(
            k for k in (change.new or {}) if (change.old or {}).get(k) != (change.new or {}).get(k)
        )
        cols[2].text(", ".join(changed[:4]) + ("…" if len(changed) > 4 else ""))
        if cols[3].button("Undo", key=f"undo_{change.change_id}", disabled=not who):
            try:
                store.undo(change.change_id, who=who)
            except (AtlasError, OSError) as exc:
                st.error(esc_markdown(f"Not undone: {exc}"))
            else:
                st.cache_resource.clear()
                st.rerun()
