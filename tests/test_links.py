"""A link's query string is bounded before anything is looked up: a crafted link costs a page
load what an ordinary one does, and says what it left out."""

from __future__ import annotations

import difflib

import pytest

from geo.filters import MAX_QUERY_VALUES, Filters
from tests.apptest import failures, start


def test_thousands_of_names_are_cut_before_any_is_looked_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_fuzzy_search(*args: object, **kwargs: object) -> list[str]:
        raise AssertionError("a link's name was searched for spelling suggestions")

    monkeypatch.setattr(difflib, "get_close_matches", no_fuzzy_search)
    names = ",".join(f"q{i}" for i in range(8000))
    filters, notes = Filters.parse_query({"region": f"Atyrau,{names}", "type": "bombing"})
    assert filters.regions == ("Atyrau",) and filters.types == ("bombing",)
    assert "region: 8,001 values given; only the first 100 are read" in notes
    assert sum("is not a known region" in n for n in notes) == MAX_QUERY_VALUES - 1


def test_repeated_parameters_and_long_values_are_bounded() -> None:
    query = {"year": ["2016"] * 5000, "country": ["K" * 100_000, "kz"]}
    query |= {f"junk{i}": ["1"] for i in range(3000)}
    filters, notes = Filters.parse_query(query)
    assert filters.years == (2016,) and filters.countries == ("KZ",)
    assert "year: 5,000 values given; only the first 100 are read" in notes
    assert any("longer than 200 characters" in n for n in notes)
    unknown = next(n for n in notes if n.startswith("unknown parameter"))
    assert unknown.endswith("and 2,995 more") and len(unknown) < 200


def test_a_crafted_link_loads_the_dashboard_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    names = ",".join(f"q{i}" for i in range(8000))
    at = start(monkeypatch, query={"region": names, "year": "2016"})
    assert not failures(at), failures(at)
    shown = " ".join(w.value.replace("\\", "") for w in at.sidebar.warning)
    assert "8,000 values given; only the first 100 are read" in shown
