"""Small uploads that would cost gigabytes: each is refused from what a few bytes say, before the
parser that would pay for it runs. Every hostile file is built here, small but revealing."""

from __future__ import annotations

import gzip
import io
import random
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import geo.tables
from geo.errors import DataError
from geo.tables import MAX_UPLOAD_BYTES, ReadOptions, load_dataset, read_table

FIXTURES = Path(__file__).parent / "data" / "formats"
UPLOAD = ReadOptions(max_bytes=MAX_UPLOAD_BYTES)
ACLED_HEADER = (FIXTURES / "acled.csv").read_text(encoding="utf-8").splitlines()[0]


@pytest.fixture
def no_pandas_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the table reaches pandas' CSV parser."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("pandas was asked to parse the file")

    monkeypatch.setattr(geo.tables.pd, "read_csv", refuse)


@pytest.fixture
def no_openpyxl(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if openpyxl is asked to open the workbook."""
    import openpyxl

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl was asked to open the workbook")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def _truncated_gzip(data: bytes) -> bytes:
    """``data`` gzipped, with the end of the stream cut off: reading it to the end fails, so a
    refusal for what its start holds shows that the rest was never unpacked."""
    packed = gzip.compress(data)
    return packed[: len(packed) // 2]


# --- gzip and zip: bounds enforced while the bytes stream ----------------------------------------


def test_a_gzip_header_of_300_columns_is_refused_from_the_header_alone(tmp_path: Path) -> None:
    header = ",".join(f"c{i}" for i in range(300)).encode() + b"\n"
    path = tmp_path / "wide.csv.gz"
    path.write_bytes(_truncated_gzip(header + b"1," * 299 + b"1\n" + bytes(20_000_000)))
    with pytest.raises(DataError, match=r"wide.csv.gz, row 1: 300 columns; the limit is 200"):
        load_dataset(path, options=UPLOAD)


def test_a_gzip_cell_over_the_limit_is_refused_naming_its_row_and_column(tmp_path: Path) -> None:
    body = f"{ACLED_HEADER}\nx\n".encode() + b'"' + b"a," * 100_000 + b'"\n'
    path = tmp_path / "cell.csv.gz"
    path.write_bytes(_truncated_gzip(body + b"," * 40_000_000))
    with pytest.raises(DataError) as caught:
        load_dataset(path, options=UPLOAD)
    assert str(caught.value.problems[0]) == (
        "cell.csv.gz, row 3, column 'event_id_cnty': the cell holds more than 131,068 bytes, so "
        "more than 32,767 characters; the limit is 32,767"
    )


def test_a_zip_is_refused_for_its_header_before_it_is_unpacked(tmp_path: Path) -> None:
    header = ",".join(f"c{i}" for i in range(250)).encode() + b"\n"
    path = tmp_path / "wide.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("wide.csv", header + bytes(10_000_000))
    raw = bytearray(path.read_bytes())
    middle = raw.find(b"PK\x01\x02") // 2  # spoil the compressed data halfway through
    raw[middle : middle + 64] = bytes(range(64))
    path.write_bytes(bytes(raw))
    with pytest.raises(DataError, match=r"wide.zip, row 1: 250 columns; the limit is 200"):
        load_dataset(path, options=UPLOAD)


def test_a_zip_member_is_read_no_further_than_the_size_its_directory_states(
    tmp_path: Path,
) -> None:
    path = tmp_path / "liar.zip"
    body = f"{ACLED_HEADER}\n".encode() + b"x" * 5_000_000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("liar.csv", body)
    raw = bytearray(path.read_bytes())
    directory = raw.rfind(b"PK\x01\x02")
    raw[directory + 24 : directory + 28] = (1000).to_bytes(4, "little")  # states 1,000 bytes
    path.write_bytes(bytes(raw))
    with pytest.raises(DataError, match=r"liar.zip: not a readable zip file \(BadZipFile\)"):
        load_dataset(path, options=UPLOAD)


# --- any CSV: refused before pandas builds anything ----------------------------------------------


def test_a_plain_csv_hiding_a_giant_cell_never_reaches_pandas(
    tmp_path: Path, no_pandas_parse: None
) -> None:
    path = tmp_path / "giant.csv"
    path.write_bytes(f"{ACLED_HEADER}\n".encode() + b"x" * 1_000_000 + b"\n")
    with pytest.raises(DataError, match=r"giant.csv, row 2, column 'event_id_cnty': the cell"):
        load_dataset(path, options=UPLOAD)


def test_a_quoted_giant_cell_behind_a_stray_quote_is_still_found(
    tmp_path: Path, no_pandas_parse: None
) -> None:
    # pandas reads 'ab"c' as text (a quote inside an unquoted cell is a character) and then
    # '"x,x,...' as one quoted cell of 400,000 characters: a count of quotes alone would
    # pair the two quotes and see 200,000 short cells.
    path = tmp_path / "stray.csv"
    path.write_bytes(b"a,b,c\n" + b'ab"c,"' + b"x," * 200_000 + b'",1\n')
    with pytest.raises(DataError, match=r"stray.csv, row 2, column 'b': the cell holds more"):
        load_dataset(path, options=UPLOAD)


def test_a_row_of_too_many_cells_is_refused_before_pandas(
    tmp_path: Path, no_pandas_parse: None
) -> None:
    path = tmp_path / "row.csv"
    path.write_bytes(f"{ACLED_HEADER}\n".encode() + b"," * 5_000 + b"\n")
    with pytest.raises(DataError, match=r"row.csv, row 2: 5,001 cells; the limit is 200 columns"):
        load_dataset(path, options=UPLOAD)


def test_a_table_of_unknown_columns_is_read_for_its_header_only(tmp_path: Path) -> None:
    path = tmp_path / "unknown.csv"
    rows = "\n".join(",".join(["1"] * 150) for _ in range(2_000))
    path.write_text(",".join(f"u{i}" for i in range(150)) + "\n" + rows + "\n", encoding="utf-8")
    raw = read_table(path, max_bytes=MAX_UPLOAD_BYTES, known_only=True)
    assert raw.table.shape == (0, 150)
    with pytest.raises(DataError, match=r"required column 'incident_id' is missing"):
        load_dataset(path, options=UPLOAD)


def test_a_quote_inside_an_unquoted_cell_is_text_as_pandas_reads_it(tmp_path: Path) -> None:
    text = (FIXTURES / "acled.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    first = next(line for line in lines[1:] if '"' not in line).split(",")
    first[lines[0].split(",").index("notes")] = 'Soldiers with 5" shells'  # quote unquoted
    path = tmp_path / "inch.csv"
    path.write_text("\n".join([lines[0], ",".join(first)]) + "\n", encoding="utf-8")
    found = read_table(path, max_bytes=MAX_UPLOAD_BYTES).table
    assert len(found) == 1
    assert found["notes"].iloc[0] == 'Soldiers with 5" shells'


def test_the_cell_bound_agrees_with_pandas_on_random_csv() -> None:
    """Whatever mix of commas, line ends and quotes, a cell pandas reads as longer than the
    bound is refused, and a file whose every cell is well within it is not."""
    from geo.formats import bounded

    rng = random.Random(19)
    pieces = ["a", ",", "\n", "\r", '"', '""', "\r\n", "bb"]
    checked = 0
    for _ in range(1_500):
        data = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))).encode()
        try:
            table = pd.read_csv(
                io.BytesIO(data), header=None, dtype=str, keep_default_na=False, na_filter=False
            )
        except (pd.errors.ParserError, pd.errors.EmptyDataError):
            continue
        longest = max((len(v) for v in table.to_numpy().ravel()), default=0)
        for limit, chunk in ((longest - 1, 1), (longest - 1, 7), (2 * longest + 3, 3)):
            shape = bounded.CsvShape("t.csv")
            refused = False
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(bounded, "MAX_CELL_BYTES", limit)
                try:
                    for start in range(0, len(data), chunk):
                        shape.feed(data[start : start + chunk])
                    shape.finish()
                except DataError:
                    refused = True
            assert refused == (limit < longest), (data, limit)
            checked += 1
    assert checked > 1_000


# --- .xlsx: every part checked from the zip directory before openpyxl reads one -------------------


def _workbook(tmp_path: Path, name: str, replace: dict[str, bytes]) -> Path:
    """A valid one-sheet workbook with some of its parts replaced."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["event_id_cnty", "event_date"])
    book.active.append(["X1", "2022-02-14"])
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    path = tmp_path / name
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as target:
        names = source.namelist()
        for part in names:
            target.writestr(part, replace.get(part, source.read(part)), zipfile.ZIP_DEFLATED)
        for part, data in replace.items():
            if part not in names:
                target.writestr(part, data, zipfile.ZIP_DEFLATED)
    return path


def test_workbook_shared_strings_too_large_unpacked_are_refused_unparsed(
    tmp_path: Path, no_openpyxl: None
) -> None:
    strings = b'<?xml version="1.0"?><sst>' + b" " * 2_000_000 + b"</sst>"
    path = _workbook(tmp_path, "big.xlsx", {"xl/sharedStrings.xml": strings})
    assert path.stat().st_size < 50_000
    with pytest.raises(DataError, match=r"big.xlsx: its part 'xl/sharedStrings.xml' unpacks to"):
        load_dataset(path, options=ReadOptions(max_bytes=2**18))


def test_millions_of_shared_strings_are_refused_before_openpyxl(
    tmp_path: Path, no_openpyxl: None
) -> None:
    strings = b"<sst>" + b"<si><t>1</t></si>" * 2_000_001 + b"</sst>"
    path = _workbook(tmp_path, "strings.xlsx", {"xl/sharedStrings.xml": strings})
    assert path.stat().st_size < 1_000_000
    with pytest.raises(
        DataError, match=r"'xl/sharedStrings.xml' holds more than 8,000,000 XML tags"
    ):
        load_dataset(path, options=UPLOAD)


def test_millions_of_styles_are_refused_before_openpyxl(tmp_path: Path, no_openpyxl: None) -> None:
    styles = b"<styleSheet><cellXfs>" + b"<xf/>" * 300_000 + b"</cellXfs></styleSheet>"
    path = _workbook(tmp_path, "styles.xlsx", {"xl/styles.xml": styles})
    with pytest.raises(DataError, match=r"'xl/styles.xml' holds more than 262,144 XML tags"):
        load_dataset(path, options=UPLOAD)


def test_a_workbook_within_the_bounds_still_reads(tmp_path: Path) -> None:
    path = _workbook(tmp_path, "fine.xlsx", {})
    table = read_table(path, max_bytes=MAX_UPLOAD_BYTES).table
    assert table.to_dict("records") == [{"event_id_cnty": "X1", "event_date": "2022-02-14"}]
