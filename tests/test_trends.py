"""Trends (``geo.trends``) on a table with planted patterns, from DuckDB, PostGIS and the
dashboard's copy of PostGIS, and from the command line.

Every expected figure is worked out by hand from ``PLANTED`` (comments give the working).
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.filters import Filters
from geo.query import MirrorEngine, PostgisEngine, SqlEngine, open_engine, table_files
from geo.store import postgis
from geo.tables import load_dataset
from geo.trends import Thresholds, Trend, trends
from geo.trends.compare import compare
from geo.trends.periods import step_end, step_label, step_of, step_start
from tests.pg import pg_server, pg_url  # noqa: F401 - fixtures
from tests.tables import HEADER, write_csv

POINTS = {
    "Atyrau": ("47.10", "51.88"), "Aktobe": ("50.28", "57.21"), "Mangystau": ("43.65", "51.16"),
    "Astana": ("51.13", "71.43"), "East Kazakhstan": ("49.95", "82.61"),
    "Almaty City": ("43.25", "76.91"),
}  # fmt: skip
# Incidents per month of 2021, January to May (each on the 10th; each of Atyrau's in May
# killed 2, every other incident none).
PLANTED = {
    "Atyrau": (2, 2, 2, 2, 5),  # baseline 2, now 5: +150%, a surge
    "Aktobe": (3, 3, 3, 3, 3),  # steady
    "Mangystau": (4, 4, 4, 4, 2),  # -50%: a decrease
    "Astana": (0, 0, 0, 0, 1),  # new
    "East Kazakhstan": (3, 3, 3, 3, 0),  # quiet
    "Almaty City": (4, 4, 4, 4, 5),  # +25%: an increase
}
MAY = {  # unit: (incidents, baseline, change %, flag), against January-April
    "Atyrau": (5, 2.0, 150.0, "surge"),
    "Aktobe": (3, 3.0, 0.0, "steady"),
    "Mangystau": (2, 4.0, -50.0, "decrease"),
    "Astana": (1, 0.0, None, "new"),
    "East Kazakhstan": (0, 3.0, -100.0, "quiet"),
    "Almaty City": (5, 4.0, 25.0, "increase"),
}


@pytest.fixture(scope="module")
def table_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = []
    for region, months in PLANTED.items():
        lat, lon = POINTS[region]
        for month, n in enumerate(months, start=1):
            for k in range(n):
                day = f"2021-{month:02d}-10"
                killed = "2" if region == "Atyrau" and month == 5 else "0"
                rows.append([
                    f"{region[:4]}-{month}-{k}", day, day, "day", region, "KZ", "", lat, lon,
                    "city", "armed_attack", killed, killed, killed, "", "", "", "", "", "",
                    "src1",
                ])  # fmt: skip
    folder = tmp_path_factory.mktemp("trends")
    write_csv(folder / "sources.csv", ["source_id", "title", "outlet", "published",
              "published_note", "kind"], [["src1", "One", "", "", "", "news"]])  # fmt: skip
    return write_csv(folder / "incidents.csv", HEADER, rows)


@pytest.fixture(scope="module")
def duck(table_path: Path) -> SqlEngine:
    return open_engine(table_files(table_path))


@pytest.fixture
def engines(pg_url: str, table_path: Path, duck: SqlEngine) -> list[SqlEngine]:  # noqa: F811
    postgis.init_schema(pg_url)
    postgis.import_dataset(pg_url, load_dataset(table_path))
    pg = open_engine(pg_url)
    assert isinstance(pg, PostgisEngine)
    return [duck, pg, MirrorEngine(pg.url)]


def _by_unit(table: pd.DataFrame) -> dict[str, tuple[object, ...]]:
    return {
        r.unit: (r.incidents, r.baseline, None if pd.isna(r.change_pct) else r.change_pct, r.flag)
        for r in table.itertuples()
    }


def test_the_planted_patterns_are_flagged_on_every_engine(engines: list[SqlEngine]) -> None:
    for engine in engines:
        found = trends(engine, Filters(), Trend(by="region", period="month", baseline=4))
        assert found.latest == "2021-05"
        assert found.partial  # the data ends on 10 May
        assert _by_unit(found.table) == MAY
        atyrau = found.table.set_index("unit").loc["Atyrau"]
        assert (atyrau["killed"], atyrau["line"][-5:]) == (10, [2, 2, 2, 2, 5])


def test_periods_before_the_data_are_gaps_not_zeros(duck: SqlEngine) -> None:
    # Six months before May reach back to November 2020, which the data does not cover: the
    # mean is still over January-April. Counted as zeros, Atyrau's would be 8 / 6.
    found = trends(duck, Filters(), Trend(by="region", period="month", baseline=6))
    assert _by_unit(found.table) == MAY
    # May 2020 is not covered at all: no baseline, no flag
    year = trends(duck, Filters(), Trend(by="region", period="month", baseline="year")).table
    assert set(year["flag"]) == {""} and year["baseline"].isna().all()


def test_quarters_by_country_and_the_filters_apply(duck: SqlEngine) -> None:
    # KZ, first quarter: Atyrau 6 + Aktobe 9 + Mangystau 12 + East Kazakhstan 9 + Almaty
    # City 12 = 48; second (April, May): 7 + 6 + 6 + Astana 1 + 3 + 9 = 32: -33.3%.
    found = trends(duck, Filters(), Trend(by="country", period="quarter", baseline=1))
    assert found.latest == "2021-Q2"
    assert _by_unit(found.table) == {"KZ": (32, 48.0, -33.3, "decrease")}
    # Atyrau alone, by the measure killed: 0 in April, 10 in May: new
    alone = Filters(regions=("Atyrau",))
    killed = trends(duck, alone, Trend(by="region", period="month", baseline=1, measure="killed"))
    assert _by_unit(killed.table) == {"Atyrau": (5, 0.0, None, "new")}


def test_thresholds_and_floor_are_the_users(duck: SqlEngine) -> None:
    # A surge at +200% makes Atyrau's +150% an increase; a floor of 6 makes every change
    # under 6 both now and before steady (Almaty City's 5 against 4, Mangystau's 2 against
    # 4, Atyrau's 5 against 2, East Kazakhstan's 0 against 3); a newcomer stays new
    strict = Thresholds(surge=200, floor=6)
    found = trends(duck, Filters(), Trend(by="region", baseline=4, thresholds=strict)).table
    flags = dict(zip(found["unit"], found["flag"], strict=True))
    assert flags == {
        "Atyrau": "steady", "Aktobe": "steady", "Mangystau": "steady", "Astana": "new",
        "East Kazakhstan": "steady", "Almaty City": "steady",
    }  # fmt: skip
    lenient = trends(duck, Filters(), Trend(baseline=4, thresholds=Thresholds(surge=200))).table
    assert dict(zip(lenient["unit"], lenient["flag"], strict=True))["Atyrau"] == "increase"


def test_weeks_are_numbered_as_iso_8601_across_a_year_end() -> None:
    # 1 January 2021 is a Friday of 2020-W53; 30 December 2024 a Monday of 2025-W01
    assert step_label(step_of(date(2021, 1, 1), "week"), "week") == "2020-W53"
    assert step_label(step_of(date(2021, 1, 4), "week"), "week") == "2021-W01"
    assert step_of(date(2021, 1, 4), "week") == step_of(date(2021, 1, 3), "week") + 1
    assert step_label(step_of(date(2024, 12, 30), "week"), "week") == "2025-W01"
    week = step_of(date(2021, 1, 1), "week")
    assert (step_start(week, "week"), step_end(week, "week")) == (
        date(2020, 12, 28), date(2021, 1, 3)
    )  # fmt: skip
    assert step_label(step_of(date(2021, 12, 31), "month"), "month") == "2021-12"
    assert step_label(step_of(date(2021, 12, 31), "quarter"), "quarter") == "2021-Q4"
    assert step_of(date(2022, 1, 1), "quarter") == step_of(date(2021, 12, 31), "quarter") + 1


def test_a_week_trend_compares_across_the_year_end(tmp_path: Path) -> None:
    # Two incidents in 2020-W53 (28 and 31 December), three in 2021-W01: +50% by week.
    days = ["2020-12-28", "2020-12-31", "2021-01-04", "2021-01-05", "2021-01-10"]
    rows = [
        [f"w{k}", d, d, "day", "Atyrau", "KZ", "", "47.10", "51.88", "city", "armed_attack",
         "", "", "", "", "", "", "", "", "", "src1"]
        for k, d in enumerate(days)
    ]  # fmt: skip
    engine = open_engine(table_files(write_csv(tmp_path / "w.csv", HEADER, rows)))
    found = trends(engine, Filters(), Trend(by="region", period="week", baseline=1))
    assert found.latest == "2021-W01"
    # 3 now reaches the floor (3); +50% is past an increase (25%), short of a surge (100%)
    assert _by_unit(found.table) == {"Atyrau": (3, 2.0, 50.0, "increase")}


def test_highest_deaths_in_years_where_the_data_reaches_back() -> None:
    # Monthly steps of one unit: deaths 5 in some month of each of three years before, 9
    # now. Covered from 3 years back: the highest in 3 years; covered from 2: in 2 years.
    now = step_of(date(2024, 6, 1), "month")
    rows = [("A", now - 35, 1, 5), ("A", now - 20, 1, 5), ("A", now - 2, 1, 5), ("A", now, 1, 9)]
    steps = pd.DataFrame(
        [(u, s, n, k, k, k) for u, s, n, k in rows],
        columns=["unit", "step", "n", "low", "best", "high"],
    )
    kwargs = {"period": "month", "baseline": 1, "measure": "killed", "targets": (now, now)}
    lo = now - 40
    axis = np.arange(lo, now + 1)

    def since(first: int) -> np.ndarray:
        return axis >= first

    three = compare(steps, covered=since(now - 40), lo=lo, **kwargs)  # type: ignore[arg-type]
    two = compare(steps, covered=since(now - 24), lo=lo, **kwargs)  # type: ignore[arg-type]
    assert three["highest_in"].tolist() == [3] and two["highest_in"].tolist() == [2]
    # 9 is not above an earlier 9 (30 months back): the highest in 2 years only
    again = pd.concat([steps, steps.assign(step=now - 30)], ignore_index=True)
    found = compare(again, covered=since(lo), lo=lo, **kwargs)  # type: ignore[arg-type]
    assert found["highest_in"].tolist() == [2]
    # a gap of coverage 20 months back: the data does not cover 2 or 3 years whole
    holed = since(lo) & (axis != now - 20)
    found = compare(steps, covered=holed, lo=lo, **kwargs)  # type: ignore[arg-type]
    assert found["highest_in"].tolist() == [1]


def test_the_command_line_writes_every_period(table_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "trends.csv"
    done = subprocess.run(
        [sys.executable, "-m", "geo", "trends", "--data", str(table_path), "--by", "region",
         "--period", "month", "--baseline", "4", "--out", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == [
        "unit", "period", "incidents", "killed", "killed_low", "killed_high", "baseline",
        "change", "change_pct", "flag", "highest_in", "partial",
    ]  # fmt: skip
    may = {r["unit"]: (r["incidents"], r["baseline"], r["change_pct"], r["flag"])
           for r in rows if r["period"] == "2021-05"}  # fmt: skip
    assert may["Atyrau"] == ("5", "2.0", "150.0", "surge")
    # the data ends on 10 May: May is partial, April whole
    assert {r["period"]: r["partial"] for r in rows if r["unit"] == "Atyrau"}["2021-05"] == "yes"
    assert {r["period"]: r["partial"] for r in rows if r["unit"] == "Atyrau"}["2021-04"] == ""
    assert may["Astana"] == ("1", "0.0", "", "new")
    # January has nothing before it in the data: no baseline, no flag; February's is January
    january = [r for r in rows if r["period"] == "2021-01"]
    assert len(january) == 5 and {r["flag"] for r in january} == {""}
    feb = {r["unit"]: r["flag"] for r in rows if r["period"] == "2021-02"}
    assert feb["Atyrau"] == "steady" and "Astana" not in feb
    assert len(rows) == 5 + 5 + 5 + 5 + 6  # units with something now or in the baseline


def test_a_unit_name_a_spreadsheet_would_run_is_quoted(tmp_path: Path) -> None:
    header = [*HEADER, "actor1"]
    cells = ["x1", "2021-01-10", "2021-01-10", "day", "Atyrau", "KZ", "", "47.10", "51.88",
             "city", "armed_attack", *[""] * 9, "src1"]  # fmt: skip
    rows = [[*cells, '=HYPERLINK("http://x")']]
    path = write_csv(tmp_path / "h.csv", header, rows)
    out = tmp_path / "t.csv"
    subprocess.run(
        [sys.executable, "-m", "geo", "trends", "--data", str(path), "--by", "actor", "--out",
         str(out)], check=True, capture_output=True,
    )  # fmt: skip
    with out.open(encoding="utf-8") as fh:
        assert next(csv.DictReader(fh))["unit"] == '\'=HYPERLINK("http://x")'


def test_a_bad_trend_is_refused_with_what_is_expected() -> None:
    with pytest.raises(ValueError, match="not a unit"):
        Trend(by="region; DROP TABLE incidents")
    with pytest.raises(ValueError, match="a number of months from 1 to 36"):
        Trend(baseline=0)
    no_baseline = Thresholds().flag(np.array([1.0]), np.array([np.nan]), np.array([np.nan]))
    assert no_baseline.tolist() == [""]


def test_the_trends_page_flags_the_planted_units_and_a_pick_filters(
    monkeypatch: pytest.MonkeyPatch, table_path: Path
) -> None:
    from tests.apptest import failures, start

    at = start(monkeypatch, data=table_path)
    at.switch_page("pages/trends.py").run()
    assert not failures(at), failures(at)
    metrics = {m.label: m.value for m in at.metric}
    # one unit of each flag (MAY), against the 4 months before by default
    assert [metrics[f] for f in ("Surge", "Increase", "Steady", "Decrease", "New", "Quiet")] == [
        "1", "1", "1", "1", "1", "1"
    ]  # fmt: skip
    shown = at.dataframe[0].value
    assert list(shown["Region"])[:2] == ["Almaty City", "Atyrau"]  # 5 each, then by name
    assert dict(zip(shown["Region"], shown["Flag"], strict=True))["Astana"] == "new"
    # a year earlier: May 2020 is not in the data, so no unit has a baseline
    at.radio(key="trend_kind").set_value("year").run()
    assert {m.label: m.value for m in at.metric}["Surge"] == "0"
    assert set(at.dataframe[0].value["Flag"]) == {"no baseline"}
    # by country, per quarter: KZ down 33.3% (see test_quarters_by_country...)
    at.radio(key="trend_kind").set_value("before").run()
    at.selectbox(key="trend_by").set_value("country").run()
    at.selectbox(key="trend_period").set_value("quarter").run()
    at.number_input(key="trend_back").set_value(1).run()
    row = at.dataframe[0].value.iloc[0]
    assert (row["Country"], row["Incidents"], row["Change %"], row["Flag"]) == (
        "Kazakhstan (KZ)", 32, "-33.3%", "decrease"
    )  # fmt: skip
    # what a pick (a row's button, a click on the change map) hands the sidebar: Atyrau's
    # 2 + 2 + 2 + 2 + 5 incidents
    at.session_state["pending_filter"] = ("f_regions", ["Atyrau"])
    at.run()
    assert {m.label: m.value for m in at.metric}["Incidents"] == "13"
    assert at.query_params.get("region") == "Atyrau"
    assert not failures(at), failures(at)


def _datasets_table(folder: Path) -> Path:
    # GTD: 10 June 1992 and 10 March 1994 (GTD declares 1993 missing); ACLED: 1 February 2020
    header = [*HEADER, "dataset"]
    rows = [
        [f"d{k}", day, day, "day", "Atyrau", "KZ", "", "47.10", "51.88", "city", "armed_attack",
         *[""] * 9, "src1", dataset]
        for k, (day, dataset) in enumerate(
            [("1992-06-10", "GTD"), ("1994-03-10", "GTD"), ("2020-02-01", "ACLED")]
        )
    ]  # fmt: skip
    return write_csv(folder / "mixed.csv", header, rows)


def test_coverage_is_each_datasets_span_less_its_declared_gaps(tmp_path: Path) -> None:
    from geo.trends.coverage import covered_spans, gap_labels, rolling_mean

    engine = open_engine(table_files(_datasets_table(tmp_path)))
    spans = covered_spans(engine)
    assert spans == [
        (date(1992, 6, 10), date(1992, 12, 31)),
        (date(1994, 1, 1), date(1994, 3, 10)),
        (date(2020, 2, 1), date(2020, 2, 1)),
    ]
    years = [str(y) for y in range(1992, 2021)]
    # 1993, and 1995 to 2019: 1 + 25 years
    assert gap_labels(spans, years, "year") == ["1993", *map(str, range(1995, 2020))]
    assert gap_labels(spans, ["1994 Q1", "1994 Q2"], "quarter") == ["1994 Q2"]
    assert gap_labels(spans, ["1992-05", "1992-06"], "month") == ["1992-05"]
    values = pd.Series([3, 0, 6, 0], index=["1992", "1993", "1994", "1995"])
    # 1993 and 1995 are gaps: 1994's mean is over 1992 and 1994 only, (3 + 6) / 2
    mean = rolling_mean(values, ["1993", "1995"])
    assert mean.isna().tolist() == [False, True, False, True]
    assert (mean["1992"], mean["1994"]) == (3.0, 4.5)


def test_the_timeline_shades_the_periods_the_data_does_not_cover(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests.apptest import failures, start

    at = start(monkeypatch, data=_datasets_table(tmp_path))
    at.switch_page("pages/timeline.py").run()
    assert not failures(at), failures(at)
    said = " ".join(c.value for c in at.caption)
    assert "Grey: 26 years the data does not cover" in said
    at.toggle(key="timeline_rolling").set_value(True).run()
    assert not failures(at), failures(at)


def test_breakdowns_and_the_pivot_are_the_planted_counts(duck: SqlEngine) -> None:
    from geo.trends.tables import as_csv, as_xlsx, breakdown, by_period, pivot

    # By region: Almaty City 21, Mangystau 18, Aktobe 15, Atyrau 13 (killed 10), East
    # Kazakhstan 12, Astana 1
    regions = breakdown(duck, Filters(), "region")
    assert list(zip(regions["unit"], regions["incidents"], regions["killed"], strict=True)) == [
        ("Almaty City", 21, 0), ("Mangystau", 18, 0), ("Aktobe", 15, 0), ("Atyrau", 13, 10),
        ("East Kazakhstan", 12, 0), ("Astana", 1, 0),
    ]  # fmt: skip
    # By month: 16 (January-April: 2+3+4+3+4 each), May 5+3+2+1+0+5 = 16
    months = by_period(duck, Filters(), "month")
    assert list(zip(months["period"], months["incidents"], strict=True)) == [
        ("2021-01", 16), ("2021-02", 16), ("2021-03", 16), ("2021-04", 16), ("2021-05", 16)
    ]  # fmt: skip
    table = pivot(duck, Filters(), "region", "quarter")
    assert list(table.columns) == ["2021-Q1", "2021-Q2", "total"]
    assert table.loc["Atyrau"].tolist() == [6, 7, 13]
    assert table.loc["Astana"].tolist() == [0, 1, 1]
    killed = pivot(duck, Filters(), "region", "month", "killed")
    assert killed.loc["Atyrau"].tolist() == [0, 0, 0, 0, 10, 10]
    text = as_csv(table).decode("utf-8").splitlines()
    assert text[0] == "region,2021-Q1,2021-Q2,total" and "Atyrau,6,7,13" in text
    assert as_xlsx(table)[:2] == b"PK"  # a workbook is a zip


def test_a_pivot_of_too_many_periods_is_refused_and_two_periods_are_compared(
    tmp_path: Path, duck: SqlEngine, table_path: Path
) -> None:
    from geo.query import open_table
    from geo.trends.tables import pivot
    from geo.trends.two_periods import side_by_side, two_periods

    # 1992 to 2020 by week: about 1,500 columns
    mixed = open_engine(table_files(_datasets_table(tmp_path)))
    with pytest.raises(ValueError, match="more than 400 columns"):
        pivot(mixed, Filters(), "region", "week")
    # January (14) against May (16), of the planted table
    table = open_table(table_files(table_path))
    pair = two_periods(
        table, Filters(regions=("Atyrau",)), (date(2021, 1, 1), date(2021, 1, 31)),
        (date(2021, 5, 1), date(2021, 5, 31)),
    )  # fmt: skip
    assert (pair.figures_a.incidents, pair.figures_b.incidents) == (2, 5)
    assert pair.change() == "5 incidents against 2 (+150%)"
    picture = side_by_side(table, pair, dpi=40)
    assert picture[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_brief_says_what_the_latest_period_holds_and_is_the_same_each_time(
    table_path: Path, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    out = tmp_path / "brief.pdf"
    done = subprocess.run(
        [sys.executable, "-m", "geo", "brief", "--data", str(table_path), "--period", "month",
         "--baseline", "4", "--out", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    reader = PdfReader(out)
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    # May 2021: 5 + 3 + 2 + 1 + 0 + 5 = 16 incidents, Atyrau's 10 killed
    assert "Situation brief: 2021-05" in text
    assert "16 incidents, 10 killed in 2021-05" in text
    # rises: the surge first, then the newcomer, then the increase
    surge = text.index("Atyrau: surge")
    assert surge < text.index("Astana: new") < text.index("Almaty City: increase")
    assert "5 incidents, 10 killed (baseline 2, +150%)" in text
    again = tmp_path / "again.pdf"
    subprocess.run(
        [sys.executable, "-m", "geo", "brief", "--data", str(table_path), "--period", "month",
         "--out", str(again)], check=True, capture_output=True,
    )  # fmt: skip
    assert again.read_bytes() == out.read_bytes()


def test_the_command_lines_thresholds_are_the_flags(table_path: Path, tmp_path: Path) -> None:
    # A surge at +200%: Atyrau's +150% in May is an increase
    out = tmp_path / "t.csv"
    subprocess.run(
        [sys.executable, "-m", "geo", "trends", "--data", str(table_path), "--surge", "200",
         "--out", str(out)], check=True, capture_output=True,
    )  # fmt: skip
    with out.open(encoding="utf-8") as fh:
        may = {r["unit"]: r["flag"] for r in csv.DictReader(fh) if r["period"] == "2021-05"}
    assert may["Atyrau"] == "increase"


def test_dates_known_only_to_the_month_do_not_stretch_the_coverage(tmp_path: Path) -> None:
    from geo.trends.coverage import covered_spans

    # Day-dated incidents from 27 April to 9 May 2020, and two known only to their month
    # (April, May): the data covers 27 April to 9 May; the latest week is 2020-W19 (4-10 May,
    # partial), not the week of May's middle day (W20); the weeks before 27 April are gaps
    days = [("2020-04-27", "2020-04-27", "day"), ("2020-05-04", "2020-05-04", "day"),
            ("2020-05-09", "2020-05-09", "day"), ("2020-04-01", "2020-04-30", "month"),
            ("2020-05-01", "2020-05-31", "month")]  # fmt: skip
    rows = [
        [f"m{k}", a, b, p, "Atyrau", "KZ", "", "47.10", "51.88", "city", "armed_attack",
         *[""] * 9, "src1"]
        for k, (a, b, p) in enumerate(days)
    ]  # fmt: skip
    engine = open_engine(table_files(write_csv(tmp_path / "m.csv", HEADER, rows)))
    assert covered_spans(engine) == [(date(2020, 4, 27), date(2020, 5, 9))]
    found = trends(engine, Filters(), Trend(by="region", period="week", baseline=1))
    assert (found.latest, found.partial) == ("2020-W19", True)
    # W19 holds 4 and 9 May; W18 (27 April-3 May) holds 27 April: 2 against 1
    assert _by_unit(found.table) == {"Atyrau": (2, 1.0, 100.0, "steady")}


def test_periods_the_filters_leave_out_are_gaps_not_zeros(duck: SqlEngine) -> None:
    # From 1 March: February is outside the selection, so May's 3-month baseline is March and
    # April only: Aktobe 3 against 3 (steady), Atyrau 5 against 2 (surge); counted as a zero,
    # February would make Aktobe's baseline 2 and call it a rise
    found = trends(duck, Filters(start=date(2021, 3, 1)), Trend(baseline=3)).table
    flags = {r.unit: (r.baseline, r.flag) for r in found.itertuples()}
    assert flags["Aktobe"] == (3.0, "steady") and flags["Atyrau"] == (2.0, "surge")
    # ending on 10 April: April is partial, and the latest period
    to_april = trends(duck, Filters(end=date(2021, 4, 10)), Trend(baseline=3))
    assert (to_april.latest, to_april.partial) == ("2021-04", True)


def test_a_declared_gap_the_dataset_holds_incidents_in_is_no_gap(tmp_path: Path) -> None:
    from geo.trends.coverage import covered_spans

    header = [*HEADER, "dataset"]
    rows = [
        [f"g{k}", day, day, "day", "Atyrau", "KZ", "", "47.10", "51.88", "city", "armed_attack",
         *[""] * 9, "src1", "GTD"]
        for k, day in enumerate(["1992-06-10", "1993-05-01", "1994-03-10"])
    ]  # fmt: skip
    engine = open_engine(table_files(write_csv(tmp_path / "g.csv", header, rows)))
    assert covered_spans(engine) == [(date(1992, 6, 10), date(1994, 3, 10))]


def test_thresholds_are_checked_and_a_boundary_is_on_its_side() -> None:
    for bad in ({"surge": -5}, {"increase": float("-inf")}, {"surge": 10, "increase": 50},
                {"floor": float("nan")}, {"decrease": 0}, {"decrease": 150}):  # fmt: skip
        with pytest.raises(ValueError):
            Thresholds(**bad)  # type: ignore[arg-type]
    # 5 against 4 is +25% exactly, 3 against 4 is -25% exactly: an increase, a decrease
    now, base = np.array([5.0, 3.0]), np.array([4.0, 4.0])
    pct = (now - base) / base * 100.0
    assert Thresholds().flag(now, base, pct).tolist() == ["increase", "decrease"]


def test_a_workbook_holds_a_name_with_control_characters() -> None:
    from openpyxl import load_workbook

    from geo.trends.tables import as_xlsx

    table = pd.DataFrame({"incidents": [2]}, index=pd.Index(["ctl\x01\x07red"], name="actor"))
    book = load_workbook(io.BytesIO(as_xlsx(table)))
    assert book.active["A2"].value == "ctl\\x01\\x07red"


def test_the_readmes_trends_command_runs_over_a_gap_in_the_data(tmp_path: Path) -> None:
    # The seed table (tests' default data) has incidents in 2011-2013 and 2016 and none in
    # between: those months are a gap, and the command must still write every covered one.
    out = tmp_path / "trends.csv"
    done = subprocess.run(
        [sys.executable, "-m", "geo", "trends", "--by", "region", "--period", "month",
         "--baseline", "4", "--out", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    periods = {r["period"] for r in rows}
    assert not any(p.startswith(("2014", "2015")) for p in periods)  # a gap, never a zero
    assert "2011-05" in periods and "2016-06" in periods
    # The Aktobe suicide bombing of 17 May 2011, one dead: the region's only May incident.
    aktobe = {(r["unit"], r["period"]): r for r in rows}[("Aktobe", "2011-05")]
    assert (aktobe["incidents"], aktobe["killed"]) == ("1", "1")
