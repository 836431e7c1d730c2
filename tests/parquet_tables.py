"""Small Parquet tables the tests write themselves, with deliberate errors."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tests.tables import GOOD_ROWS, HEADER

CLAIM_NAMES = ["incident_id", "source", "paragraph", "killed", "wounded", "note"]


def row(base: int, **changes: str) -> list[str]:
    """A copy of ``GOOD_ROWS[base]`` with some cells changed."""
    cells = dict(zip(HEADER, GOOD_ROWS[base], strict=True))
    cells.update(changes)
    return [cells[c] for c in HEADER]


BROKEN_ROWS = [
    row(0),  # 1
    row(1),  # 2
    row(2),  # 3
    row(0),  # 4: a-almaty again
    row(0, incident_id="", date_start="18/07/2016"),  # 5
    row(0, incident_id="e-date", date_start="2016-07-20"),  # 6: ends before it starts
    row(0, incident_id="f-range", date_start="2300-01-01", date_end=""),  # 7
    row(0, incident_id="g-prec", date_precision="fortnight"),  # 8
    row(0, incident_id="h-long", date_start="2016-01-01", date_end="2016-03-01",
        date_precision="week"),  # 9
    row(0, incident_id="i-year", date_start="2014-01-01", date_end="2016-01-01",
        date_precision=""),  # 10
    row(0, incident_id="j-lat", lat="north"),  # 11
    row(0, incident_id="k-lat95", lat="95"),  # 12
    row(0, incident_id="l-lon", lon="1_000"),  # 13: not a number to either reader
    row(0, incident_id="m-geo", geo_precision="exact"),  # 14
    row(0, incident_id="n-narnia", region="Narnia"),  # 15
    row(0, incident_id="o-mismatch", region="Atyrau"),  # 16
    row(0, incident_id="p-sea", lat="0", lon="-30", region="", country=""),  # 17: a warning
    row(0, incident_id="q-country", country="kzz"),  # 18
    row(0, incident_id="r-elsewhere", country="RU", region=""),  # 19: a warning
    row(0, incident_id="s-type", event_type="riot"),  # 20
    row(0, incident_id="t-tolls", killed_best="-1", wounded_high="many"),  # 21
    row(0, incident_id="u-low", killed_low="9"),  # 22
    row(0, incident_id="v-sources", sources="src1;nope; zz"),  # 23
    row(0, incident_id="w-nul", summary="a\x00b"),  # 24
    row(0, incident_id="x-long", summary="y" * 32_768),  # 25
    # 26: no problem: spaces of every kind round codes and numbers are taken off
    row(0, incident_id=" y-space ", lat="\u00a043.25249\u3000", event_type=" armed_attack\t"),
]  # fmt: skip
BROKEN_CLAIMS = [
    ["a-almaty", "src1", "3", "3", "11", "fine"],  # 1
    ["zz-unknown", "src1", "1", "1", "", ""],  # 2
    ["a-almaty", "srcX", "1", "3", "", ""],  # 3
    ["a-almaty", "src1", "1", "2.5", "", ""],  # 4
    ["a-almaty", "src2", "1", "9", "", ""],  # 5
    ["b-atyrau", "src1", "1", "1", "", ""],  # 6
    ["a-almaty", "src2", "2", "5", "11", ""],  # 7
]
SOURCES = {"source_id": ["src1", "src2"], "title": ["One", "Two"], "kind": ["news", "opinion"]}


def write_parquet(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """A Parquet table of text columns."""
    pq.write_table(pa.table({c: [r[i] for r in rows] for i, c in enumerate(header)}), path)
    return path


def write_broken(folder: Path) -> Path:
    """``t.parquet`` (``BROKEN_ROWS``) with its claims and sources beside it as Parquet."""
    write_parquet(folder / "t.claims.parquet", CLAIM_NAMES, BROKEN_CLAIMS)
    pq.write_table(pa.table(SOURCES), folder / "t.sources.parquet")
    return write_parquet(folder / "t.parquet", HEADER, BROKEN_ROWS)
