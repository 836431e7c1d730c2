"""The session's typed state (``ui.session``), run inside a real Streamlit script run."""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path

from streamlit.testing.v1 import AppTest


def _script() -> None:
    import streamlit as st

    from ui import session

    # A slot reads None, or the default it is given, until it is set; get_or stores nothing.
    st.write(f"empty: {session.EDIT_FLASH.get()!r} {session.EDIT_NEW_ROUND.get_or(3)}")
    st.write(f"still unset: {session.EDIT_NEW_ROUND.is_set()}")
    session.EDIT_FLASH.set("saved")
    st.write(f"key: {st.session_state['edit_flash']}; popped: {session.EDIT_FLASH.pop()}")
    st.write(f"after pop: {session.EDIT_FLASH.is_set()}")
    # A family's entries are prefix + names joined by "_"; clear() forgets only its own.
    session.OPENED("a-1").set("one")  # type: ignore[arg-type]
    session.OPENED("b-2").set("two")  # type: ignore[arg-type]
    session.CLICKED("a-1").set({"lat": 1.0})
    st.write(f"form key: {session.PLACE_FIELD('new_0', 'lat').key}")
    session.OPENED.clear()
    left = sorted(str(k) for k in st.session_state if not str(k).startswith("upload"))
    st.write(f"left: {left}")
    # The upload's state is one object, changed in place across runs.
    session.upload_state().digest = "abc"
    st.write(f"digest: {session.upload_state().digest}")
    try:
        session.KEPT.by_key("f_regions")
    except KeyError:
        st.write("refused: a key outside the family")


def test_slots_read_set_pop_and_clear_under_their_own_keys(tmp_path: Path) -> None:
    # A script file of its own (AppTest.from_function leaves its script as __main__, which the
    # sandbox's worker processes would then try to run).
    body = inspect.getsource(_script).split("\n", 1)[1]
    script = tmp_path / "session_script.py"
    script.write_text(textwrap.dedent(body), encoding="utf-8")
    at = AppTest.from_file(str(script)).run()
    assert not at.exception
    said = [m.value for m in at.markdown]
    assert said == [
        "empty: None 3",
        "still unset: False",
        "key: saved; popped: saved",
        "after pop: False",
        "form key: form_new_0_lat",
        "left: ['clicked_a-1']",
        "digest: abc",
        "refused: a key outside the family",
    ]
