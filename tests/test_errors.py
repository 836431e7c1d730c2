"""How a problem reads (``geo.errors``)."""

from __future__ import annotations

from geo.errors import DataError, Problem


def test_a_problem_names_where_it_is_and_says_no_empty_place() -> None:
    assert str(Problem("incidents.csv", 4, "lat", "not a number")) == (
        "incidents.csv, row 4, column 'lat': not a number"
    )
    assert str(Problem("incidents.csv", None, None, "no rows")) == "incidents.csv: no rows"
    # A problem of no file (an incident asked for by id) reads as its message alone.
    assert str(DataError("no incident 'x' in the table")) == "no incident 'x' in the table"
