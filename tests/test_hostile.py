"""Hostile text and broken files: escaped everywhere, one clear message each, nothing lost."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.errors import AtlasError
from geo.export import export_text, snapshot_bytes
from geo.filters import Filters
from geo.snapshot import MapFrame
from geo.tables import MAX_UPLOAD_BYTES, ReadOptions, check_dataset, load_dataset
from geo.webmap.build import build_map
from tests.tables import FROZEN_CSV, GOOD_ROWS, HEADER, problems_of, write_csv
from tests.test_maps import HOSTILE, external_refs

TEXT_COLUMNS = ["place", "perpetrator", "target", "summary"]


def hostile_table(tmp_path: Path, text: str) -> Path:
    rows = [list(r) for r in GOOD_ROWS]
    for row in rows:
        for column in TEXT_COLUMNS:
            row[HEADER.index(column)] = text
    return write_csv(tmp_path / "incidents.csv", HEADER, rows)


def _dangerous(html: str, text: str) -> list[str]:
    found = []
    if "<img src=x" in html:
        found.append("raw <img> tag")
    if "<script>alert(1)" in html:
        found.append("raw <script> tag")
    if not text.startswith("javascript:") and text in html:
        found.append("unescaped text")
    if "javascript:alert" in html.replace("&#58;", ":") and (
        'href="javascript:' in html or 'src="javascript:' in html
    ):
        found.append("javascript: link")
    return found


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_in_the_interactive_map_and_html_export(tmp_path: Path, text: str) -> None:
    dataset = load_dataset(hostile_table(tmp_path, text))
    page = build_map(dataset.incidents, claims=dataset.claims).get_root().render()
    assert _dangerous(page, text) == []
    exported = export_text(dataset, Filters(), "html")
    assert _dangerous(exported, text) == []
    assert external_refs(exported) == []


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_in_csv_and_geojson_exports_is_kept_as_data(tmp_path: Path, text: str) -> None:
    dataset = load_dataset(hostile_table(tmp_path, text))
    rows = list(csv.DictReader(io.StringIO(export_text(dataset, Filters(), "csv"))))
    assert {r["place"] for r in rows} == {text}  # data files keep the text as it was


def test_hostile_text_in_an_svg_snapshot_is_escaped(tmp_path: Path) -> None:
    dataset = load_dataset(hostile_table(tmp_path, "</script><script>alert(1)</script> $x$"))
    svg = snapshot_bytes(
        dataset.incidents, Filters(), fmt="svg", frame=MapFrame(size="640x400", dpi=100)
    ).decode()
    assert "<script" not in svg
    assert "&lt;/script&gt;" in svg or "alert(1)" not in svg


def _problems(path: Path, options: ReadOptions) -> list[str]:
    try:
        return [str(p) for p in check_dataset(path, options=options)[1]]
    except AtlasError as exc:
        return str(exc).splitlines()


# Broken files: each gives one clear message naming the file (and row/column where there is one),
# in bounded time.


def test_rows_beyond_the_limit_are_refused_quickly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("geo.tables.MAX_ROWS", 200_000)
    path = tmp_path / "huge.csv"
    line = ",".join(GOOD_ROWS[0]) + "\n"
    path.write_text(",".join(HEADER) + "\n" + line * 1_000_000)
    started = time.perf_counter()
    found = problems_of(path)
    assert time.perf_counter() - started < 20
    assert found == ["huge.csv: more than 200,000 rows; the limit is 200,000"]


def test_a_200_mb_upload_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: no disk used
    assert path.stat().st_size > MAX_UPLOAD_BYTES
    started = time.perf_counter()
    found = _problems(path, ReadOptions(max_bytes=MAX_UPLOAD_BYTES))
    assert time.perf_counter() - started < 1
    assert found == ["big.csv: the file is 200 MB; the limit is 150 MB"]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("t.geojson", b"{not json", "t.geojson: cannot read as GeoJSON"),
        ("t.gpkg", b"PK\x03\x04 zip, not sqlite", "t.gpkg: not a GeoPackage"),
        ("t.xlsb", b"whatever", "t.xlsb: unsupported file type '.xlsb'"),
        ("t.xlsx", b"whatever", "t.xlsx: not a readable Excel (.xlsx) workbook"),
        ("t.zip", b"whatever", "t.zip: not a readable zip file"),
        ("t.csv.gz", b"whatever", "t.csv.gz: not a readable gzip file"),
        (
            "t.csv",
            b'incident_id,date_start,lat,lon,event_type\n"unclosed,2011-01-01,1,2,x\n',
            "t.csv",
        ),
    ],
)
def test_unreadable_files_name_the_file(
    tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    found = problems_of(path)
    assert found and all(p.startswith(name) for p in found)
    assert any(p.startswith(expected) for p in found), found


# Property-based: generated rows never crash the loader with anything but the project's error.

cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "nan",
            "NaN",
            "inf",
            "-1",
            "1e309",
            "2016-02-30",
            "0",
            "99999999999",
            "2011-01-01",
            "43.25",
            "76.91",
            "armed_attack",
            "city",
            "day",
            "Atyrau",
            "KZ",
            ";",
            '"',
            "\r",
            "\x00",
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers().map(str),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.lists(cell, min_size=len(HEADER), max_size=len(HEADER)), max_size=6),
    drop=st.sets(st.sampled_from(HEADER), max_size=3),
)
def test_generated_rows_only_raise_the_projects_errors(
    tmp_path: Path, rows: list[list[str]], drop: set[str]
) -> None:
    header = [h for h in HEADER if h not in drop]
    keep = [i for i, h in enumerate(HEADER) if h not in drop]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[r[i] for i in keep] for r in rows])
    path = tmp_path / "gen.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8", errors="surrogatepass")
    try:
        dataset, found = check_dataset(path)
    except AtlasError:
        return
    if not found:
        # A table the validator accepts must also be drawable.
        build_map(dataset.incidents, claims=dataset.claims).get_root().render()


@pytest.mark.parametrize("text", [*HOSTILE, "[click](javascript:alert(1))", "**bold** # head"])
def test_markdown_escaping_leaves_no_markup(text: str) -> None:
    from geo.escape import esc_markdown

    escaped = esc_markdown(text)
    # Every markup character is preceded by a backslash, so Streamlit shows it literally.
    for i, ch in enumerate(escaped):
        if ch in "[]()<>*#`$:":
            assert escaped[i - 1] == "\\", (text, escaped)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_title_of_the_html_export(text: str) -> None:
    dataset = load_dataset(FROZEN_CSV)
    page = export_text(dataset, Filters(years=(2016,)), "html", title=text)
    assert _dangerous(page, text) == []
