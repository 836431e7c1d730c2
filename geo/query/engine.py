"""The query engine's interface, and what both back ends share: they differ only in how a
statement is run (:meth:`SqlEngine._frame`); every question is the same SQL
(:mod:`geo.query.statements`), so DuckDB and PostGIS give the same answers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TypeVar

import numpy as np
import pandas as pd

from geo.facets import Bind
from geo.filters import Filters
from geo.query import statements as q
from geo.schema import COLUMNS
from geo.schema_dtypes import with_schema_dtypes
from geo.stats import PERIODS, Headline, period_label
from geo.symbology import precision_classes
from geo.webmap.grid_counts import MapSummary, merge_cells

MEMO_ANSWERS = 64
"""Answers an engine keeps (headline figures, maps, periods), the least recently used going."""
SAMPLED_ABOVE = 50_000
"""Above this many kept incidents the map's cell size is narrowed down on a sample first."""
T = TypeVar("T")
BATCH_ROWS = 100_000
"""Rows per batch when an export streams the kept incidents."""


@dataclass(frozen=True)
class Overview:
    """The whole table at a glance: what the sidebar offers, whatever the filters."""

    count: int
    first: date | None
    last: date | None
    years: tuple[int, ...]
    countries: tuple[str, ...]
    regions: tuple[tuple[str, str], ...]
    """(region label, country code) pairs present in the table."""
    types: tuple[str, ...]
    fields: tuple[str, ...] = ()
    """The dataset's own columns that have a value in some incident (``statements.OFFERED``)."""
    spellings: tuple[tuple[str, str], ...] = ()
    """(region label, the dataset's own name for it: its ``admin1``, the most frequent one),
    where that is spelt otherwise than the label ("Atacora" for Atakora)."""


@dataclass(frozen=True)
class Periods:
    """Counts per period and type, and killed per period, with every period on the axis."""

    labels: list[str]
    counts: pd.DataFrame
    """Rows: period labels (index ``period``); columns: event types present."""
    killed: pd.DataFrame
    """Rows: period labels; columns ``low``, ``best``, ``high``."""


@dataclass
class SqlEngine:
    """Answers every page's questions with SQL; a back end says how a statement runs."""

    dialect: q.Dialect
    _overview: Overview | None = field(default=None, init=False, repr=False)
    _columns: tuple[str, ...] | None = field(default=None, init=False, repr=False)
    _memo: OrderedDict[tuple[object, ...], object] = field(
        default_factory=OrderedDict, init=False, repr=False
    )
    _memo_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    remembers: bool = field(default=True, init=False)
    """Whether answers are kept (until the table changes): a back end whose table changes
    without it knowing (PostGIS asked directly) keeps none."""

    def _remembered(self, key: tuple[object, ...], answer: Callable[[], T]) -> T:
        """The answer to a question asked before (the last ``MEMO_ANSWERS`` are kept: the
        default view, a page revisited, another visitor's same filters), else ``answer()``."""
        if not self.remembers:
            return answer()
        with self._memo_lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]  # type: ignore[return-value]
        found = answer()
        with self._memo_lock:
            self._memo[key] = found
            while len(self._memo) > MEMO_ANSWERS:
                self._memo.popitem(last=False)
        return found

    def _frame(self, sql: str, bind: Bind) -> pd.DataFrame:
        """Run one statement; its rows as a DataFrame (column names as the statement says)."""
        raise NotImplementedError

    def _bind(self) -> Bind:
        return Bind(self.dialect.style)

    def overview(self) -> Overview:
        """The table's dates, years, countries, regions and types (kept until :meth:`refresh`)."""
        if self._overview is None:
            bind = self._bind()
            frame = self._frame(q.overview(self.dialect), bind)
            frame.columns = ["part", "a", "b", "n"]
            given = self._frame(q.present(), bind).iloc[0]
            fields = tuple(c for c, n in zip(q.OFFERED, given, strict=True) if int(n))
            self._overview = replace(_overview_of(frame), fields=fields)
        return self._overview

    def columns(self) -> tuple[str, ...]:
        """The incident table's columns of the schema (optional ones may be absent)."""
        if self._columns is None:
            bind = self._bind()
            names = set(self._frame("SELECT * FROM incidents LIMIT 0", bind).columns)
            self._columns = tuple(c for c in COLUMNS if c in names)
        return self._columns

    def refresh(self) -> None:
        """Forget what was kept about the table: it has changed."""
        self._overview = None
        with self._memo_lock:
            self._memo.clear()

    def changed(self) -> None:
        """Told that the table was written: the next question sees the change."""
        self.refresh()

    def headline(self, filters: Filters) -> Headline:
        """Incidents, toll ranges and regions of the kept incidents; ``hidden`` counts those the
        precision switch hides."""
        return self._remembered(("headline", filters), lambda: self._headline(filters))

    def _headline(self, filters: Filters) -> Headline:
        bind = self._bind()
        row = self._frame(q.headline(filters, bind), bind).iloc[0].to_numpy()
        v = [0 if pd.isna(x) else int(x) for x in row]
        return Headline(
            incidents=v[1],
            killed_low=v[2],
            killed_best=v[3],
            killed_high=v[4],
            wounded_low=v[5],
            wounded_best=v[6],
            wounded_high=v[7],
            regions=v[8],
            wounded_given=v[9],
            killed_given=v[10],
            hidden=v[0] - v[1],
        )

    def count(self, filters: Filters, search: str = "") -> int:
        bind = self._bind()
        return int(self._frame(q.page(filters, bind, search=search)[1], bind).iloc[0, 0])

    def rows(
        self,
        filters: Filters,
        *,
        search: str = "",
        order: tuple[str, bool] = ("date_start", False),
        columns: tuple[str, ...] = tuple(COLUMNS),
        limit: int | None = None,
        offset: int = 0,
        last: tuple[object, str] | None = None,
    ) -> pd.DataFrame:
        """The kept incidents (matching ``search``, after ``last`` in the export's order), in
        ``order``, typed as a validated table; a column the table lacks (an optional one)
        comes back empty."""
        bind = self._bind()
        present = tuple(c for c in columns if c in self.columns())
        sql = q.page(
            filters, bind, search=search, order=order, columns=present, limit=limit,
            offset=offset, last=last,
        )[0]  # fmt: skip
        frame = self._frame(sql, bind)
        for column in columns:
            if column not in present:
                frame[column] = pd.NA if column in q.TOLLS else ""
        return typed(frame[list(columns)])

    def batches(self, filters: Filters, size: int = BATCH_ROWS) -> Iterator[pd.DataFrame]:
        """The kept incidents by date and id, ``size`` rows at a time (exports stream them):
        each batch starts after the last row of the one before."""
        last: tuple[object, str] | None = None
        while True:
            batch = self.rows(filters, limit=size, last=last)
            if len(batch):
                yield batch
            if len(batch) < size:
                return
            end = batch.iloc[-1]
            last = (end["date_start"].to_pydatetime(), str(end["incident_id"]))

    def _cells(self, statement: Callable[[Bind], str]) -> pd.DataFrame:
        """A statement's rows as text cells ("" for none), as in a claims or sources file."""
        bind = self._bind()
        frame = self._frame(statement(bind), bind)
        return frame.astype(object).where(frame.notna(), "").astype(str)

    def claims_of_ids(self, ids: list[str]) -> pd.DataFrame:
        """The per-source claims of the incidents ``ids``."""
        return self._cells(lambda bind: q.claims_of_ids(ids, bind))

    def claims(self, filters: Filters) -> pd.DataFrame:
        """The per-source claims of the kept incidents."""
        return self._cells(lambda bind: q.claims_of_kept(filters, bind))

    def claims_of(self, incident_id: str) -> pd.DataFrame:
        """One incident's per-source claims."""
        return self._cells(lambda bind: q.claims_of(incident_id, bind))

    def sources(self) -> pd.DataFrame:
        """Every source the table's claims cite, by id."""
        return self._cells(lambda _bind: q.SOURCES)

    def value_counts(self, filters: Filters, column: str) -> pd.Series:
        """How many kept incidents have each value of ``column``, most frequent first."""
        bind = self._bind()
        frame = self._frame(q.value_counts(filters, bind, column), bind)
        return pd.Series(frame["n"].to_numpy(dtype=np.int64), index=frame[column].to_numpy())

    def facet_values(
        self, filters: Filters, columns: tuple[str, ...], limit: int = 300
    ) -> pd.Series:
        """The values of ``columns`` among the kept incidents with how many have each, most
        frequent first (at most ``limit``): what a facet's widget offers."""

        def answer() -> pd.Series:
            bind = self._bind()
            sql = q.facet_values(filters, bind, self.dialect, columns, limit)
            frame = self._frame(sql, bind)
            return pd.Series(frame["n"].to_numpy(dtype=np.int64), index=frame["v"].to_numpy())

        return self._remembered(("values", filters, columns, limit), answer)

    def actors(self, filters: Filters, limit: int = 100) -> pd.DataFrame:
        """The actors of the kept incidents, most incidents first (``limit`` of them): events,
        killed low/best/high, first and last day, the country and region most often theirs."""

        def answer() -> pd.DataFrame:
            bind = self._bind()
            frame = self._frame(q.actors(filters, bind, self.dialect, limit), bind)
            frame.columns = [
                "actor", "events", "killed_low", "killed_best", "killed_high", "first", "last",
                "country", "region", "there",
            ]  # fmt: skip
            return frame

        return self._remembered(("actors", filters, limit), answer)

    def actor_years(
        self, filters: Filters, names: list[str], *, monthly: bool = False
    ) -> pd.DataFrame:
        """Incidents per year (``monthly``: per month, numbered 12 * year + month - 1) of each
        actor of ``names`` (columns actor, step, n)."""
        if not names:
            return pd.DataFrame(columns=["actor", "step", "n"])
        bind = self._bind()
        frame = self._frame(q.actor_years(filters, bind, self.dialect, names, monthly), bind)
        frame.columns = ["actor", "step", "n"]
        return frame

    def unit_steps(
        self,
        filters: Filters,
        *,
        by: str,
        period: str,
        days: tuple[date, date],
        steps: tuple[int, int],
    ) -> pd.DataFrame:
        """Incidents and killed (low, best, high) per unit and period step of the kept
        incidents (``geo.trends``): columns unit, step, n, low, best, high."""
        from geo.trends.sql import unit_steps

        def answer() -> pd.DataFrame:
            bind = self._bind()
            sql = unit_steps(
                filters, bind, self.dialect, by=by, period=period, days=days, steps=steps
            )
            frame = self._frame(sql, bind)
            frame.columns = ["unit", "step", "n", "low", "best", "high"]
            return frame.astype({"unit": object, **dict.fromkeys(frame.columns[1:], "int64")})

        return self._remembered(("unit_steps", filters, by, period, days, steps), answer)

    def dataset_spans(self) -> pd.DataFrame:
        """Each dataset's first and last day of its incidents dated to the day and of all,
        and its incidents (columns dataset, first_day, last_day, first_any, last_any, n;
        ``''`` for rows that name none): what the data covers."""
        from geo.trends.sql import dataset_spans

        def answer() -> pd.DataFrame:
            bind = self._bind()
            frame = self._frame(dataset_spans(self.dialect), bind)
            frame.columns = ["dataset", "first_day", "last_day", "first_any", "last_any", "n"]
            return frame

        return self._remembered(("dataset_spans",), answer)

    def periods(self, filters: Filters, period: str) -> Periods:
        """Incidents per period and type and killed per period, every period from the first
        kept incident's (by its date's middle) to the last's on the axis."""

        def answer() -> Periods:
            bind = self._bind()
            frame = self._frame(q.per_period(filters, bind, self.dialect, period), bind)
            return periods_of(frame, period)

        return self._remembered(("periods", filters, period), answer)

    def middle_span(self, filters: Filters) -> tuple[date, date] | None:
        """The first and last middle day of the kept incidents; ``None`` when none is kept."""
        bind = self._bind()
        first, last = self._frame(q.middle_span(filters, bind, self.dialect), bind).iloc[0]
        start, end = _day(first), _day(last)
        return None if start is None or end is None else (start, end)

    def map_summary(
        self,
        filters: Filters,
        *,
        max_cells: int,
        bounds: tuple[float, ...] | None = None,
        count: int | None = None,
    ) -> MapSummary:
        """The kept incidents (within ``bounds``) as grid cells, region sums and kinds.

        Above ``SAMPLED_ABOVE`` incidents, a sample first rules out the cell sizes that are
        surely too fine (a million incidents over the world occupy half a million of the
        finest cells; counting them was most of the map's time)."""
        key = ("map", filters, max_cells, bounds)
        return self._remembered(key, lambda: self._map_summary(filters, max_cells, bounds, count))

    def _map_summary(
        self,
        filters: Filters,
        max_cells: int,
        bounds: tuple[float, ...] | None,
        count: int | None,
    ) -> MapSummary:
        start = 0
        if count is None or count > SAMPLED_ABOVE:
            bind = self._bind()
            rows = self.overview().count
            sample = self._frame(q.sampled_levels(filters, bind, self.dialect, rows), bind)
            over = [k for k, n in enumerate(sample.iloc[0]) if int(n) > max_cells]
            start = max(over) + 1 if over else 0
        parts = []
        for statement in (
            lambda b: q.map_cells(filters, b, self.dialect, level=start, bounds=bounds),
            lambda b: q.map_regions(filters, b, bounds=bounds),
            lambda b: q.map_kinds(filters, b, bounds=bounds),
        ):  # three plain groupings: a third of the time of one with grouping sets
            bind = self._bind()
            parts.append(self._frame(statement(bind), bind))
        return summary_of(*parts, max_cells=max_cells, level=start)


def _overview_of(frame: pd.DataFrame) -> Overview:
    def part(name: str) -> pd.DataFrame:
        return frame[frame["part"] == name]

    span = part("span").iloc[0]
    spans = part("years")
    years = sorted(
        {y for a, b in zip(spans["a"], spans["b"]) if a and b for y in range(int(a), int(b) + 1)}
    )
    regions = part("region")
    return Overview(
        count=int(span["n"]),
        first=_day(span["a"]),
        last=_day(span["b"]),
        years=tuple(years),
        countries=tuple(sorted(c for c in part("country")["a"] if c)),
        regions=tuple(sorted((str(r), str(c)) for r, c in zip(regions["a"], regions["b"]) if r)),
        types=tuple(sorted(t for t in part("type")["a"] if t)),
        spellings=_spellings(part("admin1")),
    )


def _spellings(named: pd.DataFrame) -> tuple[tuple[str, str], ...]:
    """Each region's most frequent ``admin1`` that joins it by name (``geo.places.admin``),
    where it is not spelt as the label's own name (cut at ``SPELLING_SHOWN`` characters)."""
    from geo.places.admin import admin1_label
    from geo.places.names import fold_name
    from geo.places.regions import region_countries

    of = region_countries()
    out: dict[str, str] = {}
    for region, group in named.groupby("a"):
        country = of.get(str(region), "")
        joins = [admin1_label(str(b), country) == region for b in group["b"]]
        own = group[joins]
        if own.empty:
            continue
        top = str(own.sort_values(["n", "b"], ascending=[False, True])["b"].iloc[0])
        if fold_name(top) != fold_name(str(region).split(", ")[0]):
            cut = top if len(top) <= SPELLING_SHOWN else top[: SPELLING_SHOWN - 1] + "…"
            out[str(region)] = cut
    return tuple(sorted(out.items()))


SPELLING_SHOWN = 40


def _day(value: object) -> date | None:
    """A day written as ISO text (``None``, or NaN from an empty table, for none)."""
    if value is None or pd.isna(value) or not str(value):  # type: ignore[call-overload]
        return None
    return date.fromisoformat(str(value)[:10])


def periods_of(frame: pd.DataFrame, period: str) -> Periods:
    """The per-period rows of :func:`geo.query.statements.per_period` on a full time axis."""
    frame.columns = ["y", "k", "event_type", "n", "low", "best", "high"]
    if frame.empty:
        empty = pd.DataFrame(columns=["low", "best", "high"])
        return Periods([], pd.DataFrame(), empty)
    freq = PERIODS[period]
    when = [_period(int(y), int(k), period) for y, k in zip(frame["y"], frame["k"])]
    frame = frame.assign(when=pd.PeriodIndex(when, freq=freq))
    axis = pd.period_range(frame["when"].min(), frame["when"].max(), freq=freq)
    labels = [period_label(p, period) for p in axis]
    counts = frame.pivot_table(
        index="when", columns="event_type", values="n", aggfunc="sum", fill_value=0
    ).reindex(axis, fill_value=0)
    killed = frame.groupby("when")[["low", "best", "high"]].sum().reindex(axis, fill_value=0)
    for table in (counts, killed):
        table.index = pd.Index(labels, name="period")
    counts.columns.name = None
    return Periods(labels, counts.astype("int64"), killed.astype("int64"))


def _period(year: int, k: int, period: str) -> pd.Period:
    if period == "year":
        return pd.Period(year=year, freq="Y")
    if period == "quarter":
        return pd.Period(year=year, quarter=k, freq="Q")
    return pd.Period(year=year, month=k, freq="M")


def summary_of(
    cells: pd.DataFrame,
    regions: pd.DataFrame,
    kinds: pd.DataFrame,
    *,
    max_cells: int,
    level: int = 0,
) -> MapSummary:
    """A :class:`MapSummary` from the rows of :func:`geo.query.statements.map_cells` (counted
    at cell size ``level``), ``map_regions`` and ``map_kinds``."""
    cells.columns = [
        "iy", "ix", "event_type", "n", "killed_low", "killed", "killed_high", "lat_sum",
        "lon_sum", "imprecise",
    ]  # fmt: skip
    cells = cells.astype({"iy": "int64", "ix": "int64", "event_type": object})
    cells["event_type"] = cells["event_type"].fillna("")
    regions.columns = ["region", "incidents", "killed_low", "killed_best", "killed_high"]
    regions = regions[regions["region"].notna() & (regions["region"] != "")]
    regions = regions.set_index("region").astype("int64")
    kinds.columns = ["geo_precision", "country"]
    kinds = kinds.fillna("")
    return MapSummary(
        count=int(cells["n"].sum()),
        cells=merge_cells(cells, max_cells=max_cells, given_level=level),
        regions=regions,
        classes=tuple(sorted(set(precision_classes(kinds["geo_precision"].to_numpy())))),
        countries=tuple(sorted(set(kinds["country"].astype(str)) - {""})),
    )


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows as a validated table has them (``geo.schema_dtypes``), numbered from 0."""
    return with_schema_dtypes(frame).reset_index(drop=True)


__all__ = ["BATCH_ROWS", "Overview", "Periods", "SqlEngine", "periods_of", "summary_of", "typed"]
