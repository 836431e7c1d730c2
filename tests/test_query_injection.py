"""Hostile values in every facet, the search box and a sort reach the database as data.

Each facet's predicate is built with bound parameters (``geo.facets.Bind``): the statement's
text never holds a value, and a value made to break out of a string literal matches nothing
and changes nothing, on DuckDB and on PostGIS alike.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date
from pathlib import Path

import pytest

from geo.facets import FACETS, Bind, fold
from geo.filters import Filters
from geo.query import SqlEngine, open_engine, statements, table_files
from geo.store import postgis
from geo.tables import load_dataset
from tests.pg import pg_server, pg_url  # noqa: F401 - fixtures
from tests.tables import FROZEN_CSV

HOSTILE = [
    "x' OR '1'='1",
    "'); DROP TABLE incidents; --",
    "$p0",
    "%(p0)s",
    "%s",
    "\\'; SELECT pg_sleep(5); --",
    "Atyrau' UNION SELECT * FROM sources --",
    "\x00",
    "ø' || chr(39) || '",
]
SHIPPED = 33


def hostile_filters(value: str) -> list[Filters]:
    """``value`` in every text facet, alone and all together (as the engine would be handed
    them if a caller skipped the URL's and the CLI's checks)."""
    text = [f.name for f in FACETS if f.many and f.name != "years"]
    alone = [Filters(**{name: (value,)}) for name in text]
    everything = Filters(**dict.fromkeys(text, (value,)), search=value)
    return [*alone, Filters(search=value), everything]


def test_no_value_is_ever_part_of_a_statement() -> None:
    for value in HOSTILE:
        for filters in hostile_filters(value):
            bind = Bind("duckdb")
            sql = statements.page(filters, bind, search=value)[0]
            if value != "$p0":  # a placeholder's own name
                assert value not in sql and fold(value) not in sql
            assert value in bind.values.values() or fold(value) in bind.values.values()


def test_every_filters_field_is_a_facet_of_the_registry() -> None:
    assert [f.name for f in fields(Filters)] == [f.name for f in FACETS]


def test_a_sort_column_is_taken_from_the_allow_list_only() -> None:
    with pytest.raises(ValueError, match="not a column"):
        statements.page(Filters(), Bind("duckdb"), order=("place; DROP TABLE incidents", False))
    with pytest.raises(ValueError, match="not a column"):
        statements.value_counts(Filters(), Bind("duckdb"), "country) FROM sources --")


@pytest.fixture(scope="module")
def duck() -> SqlEngine:
    return open_engine(table_files(FROZEN_CSV))


@pytest.fixture
def pg(pg_url: str) -> SqlEngine:  # noqa: F811
    postgis.init_schema(pg_url)
    postgis.import_dataset(pg_url, load_dataset(FROZEN_CSV))
    return open_engine(pg_url)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_match_nothing_and_change_nothing(
    value: str, duck: SqlEngine, pg: SqlEngine, tmp_path: Path
) -> None:
    for engine in (duck, pg):
        if "\x00" in value and engine is pg:
            continue  # PostgreSQL text cannot hold NUL; the URL and the CLI refuse it first
        for filters in hostile_filters(value):
            assert engine.rows(filters).empty
            assert engine.headline(filters).incidents == 0
            assert engine.map_summary(filters, max_cells=50).count == 0
            assert engine.periods(filters, "year").labels == []
            assert engine.facet_values(filters, ("actor1", "assoc_actors")).empty
            for by in ("region", "actor"):
                steps = engine.unit_steps(
                    filters, by=by, period="month", days=(date(2011, 1, 1), date(2016, 12, 31)),
                    steps=(24132, 24203),
                )  # fmt: skip
                assert steps.empty
        assert engine.count(Filters(), search=value) == 0
        dated = replace(Filters(), start=date(2011, 1, 1), end=date(2016, 12, 31))
        assert engine.headline(dated).incidents == SHIPPED  # the table is whole
