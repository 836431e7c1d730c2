"""Every page of the one page list renders on the frozen seed data, and begins with its title: no
stray string (a bare docstring Streamlit's magic would draw) comes before it."""

from __future__ import annotations

import pytest

from tests.apptest import failures, start
from ui.widgets import PAGES


@pytest.mark.parametrize(("path", "label"), [(path, label) for path, label, _ in PAGES])
def test_every_page_renders_and_begins_with_its_title(
    monkeypatch: pytest.MonkeyPatch, path: str, label: str
) -> None:
    at = start(monkeypatch)
    at.switch_page(path).run()
    assert not failures(at), failures(at)
    first = at.main.children[0]
    while first.type in ("flex_container", "vertical", "block") and first.children:
        first = next(iter(first.children.values()))
    assert first.type == "title", (path, first.type, getattr(first, "value", ""))
