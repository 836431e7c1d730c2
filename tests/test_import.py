"""Importing ACLED, GTD and UCDP GED exports, and merging tables: figures counted by hand.

The fixture exports in tests/data/formats/ were written for these tests from the datasets'
public codebooks (column names and codes); their events are made up, none is a row of ACLED,
GTD or UCDP data.
"""

from __future__ import annotations

import csv
import gzip
import io
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from geo.cli import main
from geo.errors import DataError
from geo.export import export_text
from geo.filters import Filters
from geo.merging import compatible, merge_tables
from geo.tables import ReadOptions, check_dataset, load_dataset
from geo.webmap.build import build_map

FIXTURES = Path(__file__).parent / "data" / "formats"


def by_id(path: Path, **options: object) -> dict[str, pd.Series]:
    dataset = load_dataset(path, options=ReadOptions(**options))  # type: ignore[arg-type]
    return {row["incident_id"]: row for _, row in dataset.incidents.iterrows()}


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


# --- ACLED -------------------------------------------------------------------------------------


def test_acled_export_converts_every_precision_and_date_form() -> None:
    dataset = load_dataset(FIXTURES / "acled.csv")
    assert dataset.origin == (
        "ACLED export: 12 rows read, 9 converted, 3 skipped (1 event_date is not a date; "
        "1 time_precision is not 1, 2 or 3; 1 no coordinates)"
    )
    rows = by_id(FIXTURES / "acled.csv")
    one = rows["ACLED-TST1001"]  # time_precision 1, geo_precision 1, "14 February 2022"
    assert (one["date_start"], one["date_end"], one["date_precision"]) == (
        day("2022-02-14"),
        day("2022-02-14"),
        "day",
    )
    assert (one["geo_precision"], one["country"], one["region"]) == ("city", "NG", "Borno")
    assert (one["killed_low"], one["killed_best"], one["killed_high"]) == (4, 4, 4)
    assert pd.isna(one["wounded_best"])  # ACLED gives no wounded figure: empty, never 0
    week = rows["ACLED-TST1002"]  # time_precision 2: three days either side; geo 2: district
    assert (week["date_start"], week["date_end"], week["date_precision"]) == (
        day("2022-02-11"),
        day("2022-02-17"),
        "week",
    )
    assert week["geo_precision"] == "district"
    month = rows["ACLED-TST1003"]  # "10 March 2026", time_precision 3, geo_precision 3
    assert (month["date_start"], month["date_end"]) == (day("2026-03-01"), day("2026-03-31"))
    assert month["geo_precision"] == "region"
    assert (month["lat"], month["lon"]) == (11.7470, 11.9608)  # the point is kept as given
    assert rows["ACLED-TST2001"]["country"] == "BJ"  # iso 204
    types = {k: v["event_type"] for k, v in rows.items()}
    assert types == {
        "ACLED-TST1001": "armed_attack",
        "ACLED-TST1002": "armed_clash",
        "ACLED-TST1003": "shelling_airstrike",
        "ACLED-TST2001": "unrest",
        "ACLED-TST1004": "arrest",
        "ACLED-TST1005": "kidnapping",
        "ACLED-TST1006": "suicide_bombing",
        "ACLED-TST1010": "armed_attack",
        "ACLED-TST1011": "other",
    }
    assert rows["ACLED-TST1011"]["source_sub_event_type"] == "Looting/property destruction"
    assert [str(w) for w in dataset.warnings] == [
        "acled.csv, row 9, column 'latitude': skipped: no coordinates (its location is not in "
        "the offline gazetteer)",
        "acled.csv, row 10, column 'event_date': skipped: event_date is not a date (ACLED "
        "writes '28 December 2022', '2022-12-28' or '28-Dec-22', in the row's year)",
        "acled.csv, row 11, column 'time_precision': skipped: time_precision is not 1, 2 or 3",
    ]
    assert {w.row for w in dataset.warnings} == {9, 10, 11}
    claims = dataset.claims.set_index("incident_id")
    assert claims.loc["ACLED-TST1006", "killed"] == "7"
    assert claims.loc["ACLED-TST1006", "source"] == "acled"
    assert dataset.sources["kind"].tolist() == ["dataset"]


# --- GTD ---------------------------------------------------------------------------------------


def test_gtd_export_in_windows_1252_with_its_date_and_place_codes() -> None:
    dataset = load_dataset(FIXTURES / "gtd.csv")
    assert dataset.origin == (
        "GTD export: 10 rows read, 8 converted (1 placed from their city by the offline "
        "gazetteer), 2 skipped (1 iyear/imonth/iday is not a date; 1 specificity 5: "
        "no coordinates)"
    )
    assert "read as cp1252" in str(dataset.warnings[0])
    rows = by_id(FIXTURES / "gtd.csv")
    assert rows["GTD-201503100001"]["place"] == "Bogotá"  # é and á as GTD wrote them
    bombing = rows["GTD-201111120001"]  # suicide 1, specificity 1
    assert (bombing["event_type"], bombing["geo_precision"], bombing["country"]) == (
        "suicide_bombing",
        "city",
        "KZ",
    )
    german = rows["GTD-197000000001"]  # imonth 0 and approxdate "May 27 - June 5, 1970"
    assert (german["date_start"], german["date_end"]) == (day("1970-05-27"), day("1970-06-05"))
    assert german["country"] == "DE"  # West Germany (FRG)
    zaire = rows["GTD-198503000001"]  # iday 0: the month; specificity 2
    assert (zaire["date_start"], zaire["date_end"], zaire["date_precision"]) == (
        day("1985-03-01"),
        day("1985-03-31"),
        "month",
    )
    assert (zaire["country"], zaire["geo_precision"], zaire["event_type"]) == (
        "CD",
        "district",
        "kidnapping",
    )
    assert pd.isna(zaire["killed_best"])  # nkill empty: unknown, not 0
    soviet = rows["GTD-199001150001"]  # "Soviet Union": the point decides; success 0
    assert (soviet["country"], soviet["event_type"]) == ("AZ", "foiled_plot")
    assert rows["GTD-200206010001"]["country"] == "CI"  # Ivory Coast
    assert rows["GTD-200206010001"]["geo_precision"] == "district"  # specificity 3
    assert rows["GTD-201503100001"]["geo_precision"] == "region"  # specificity 4
    narrowed = rows["GTD-201308000001"]  # iday 0 and approxdate "August 3-5, 2013"
    assert (narrowed["date_start"], narrowed["date_end"], narrowed["date_precision"]) == (
        day("2013-08-03"),
        day("2013-08-05"),
        "week",
    )
    note = dataset.claims.set_index("incident_id").loc["GTD-201308000001", "note"]
    assert "killed include 2 perpetrator(s)" in note and "wounded include 5" in note


def test_gtd_rows_without_coordinates_can_be_placed_at_their_country() -> None:
    rows = by_id(FIXTURES / "gtd.csv", unlocated="country")
    iraq = rows["GTD-201601010001"]  # specificity 5
    assert (iraq["geo_precision"], iraq["country"], iraq["region"]) == ("country", "IQ", "")
    assert 29 < iraq["lat"] < 38 and 38 < iraq["lon"] < 49  # inside Iraq
    assert len(rows) == 9


def test_gtd_rows_without_coordinates_are_placed_from_their_city_at_the_precision_found() -> None:
    # GTD-201207040001: specificity 1, no latitude/longitude, city Baghdad in Iraq: placed at
    # the city (Baghdad is at about 33.34 N, 44.40 E), its region the admin1 it gives.
    baghdad = by_id(FIXTURES / "gtd.csv")["GTD-201207040001"]
    assert (baghdad["country"], baghdad["geo_precision"], baghdad["region"]) == (
        "IQ", "city", "Baghdad"
    )  # fmt: skip
    assert abs(baghdad["lat"] - 33.34) < 0.1 and abs(baghdad["lon"] - 44.40) < 0.1


def test_ucdp_rows_without_coordinates_are_placed_from_their_place_columns(
    tmp_path: Path,
) -> None:
    # Row 9001 of the fixture three times, its coordinates taken out: "Makhachkala town" is
    # the city (about 42.98 N, 47.50 E); a row whose town is unknown falls back to its adm_1,
    # Dagestan Republic (the region); a row whose names are all unknown is skipped.
    lines = (FIXTURES / "ucdp.csv").read_text(encoding="utf-8").splitlines()
    town = lines[1].split(",")
    town[10] = town[11] = ""
    region, lost = list(town), list(town)
    region[0], region[8] = "9998", "Nowhere town"
    lost[0], lost[8], lost[9] = "9999", "Nowhere town", "Nowhere Land"
    path = tmp_path / "ucdp.csv"
    rows = [lines[0], *(",".join(r) for r in (town, region, lost))]
    path.write_text("\n".join(rows) + "\n", "utf-8")
    dataset = load_dataset(path)
    assert dataset.origin == (
        "UCDP GED export: 3 rows read, 2 converted (1 placed from their where_coordinates by "
        "the offline gazetteer; 1 placed at the centre of the unit their adm_1 names), 1 "
        "skipped (1 no coordinates)"
    )
    placed = dataset.incidents.set_index("incident_id")
    city = placed.loc["UCDP-9001"]
    assert (city["geo_precision"], city["region"]) == ("city", "Dagestan")
    assert abs(city["lat"] - 42.98) < 0.1 and abs(city["lon"] - 47.50) < 0.1
    unit = placed.loc["UCDP-9998"]
    assert (unit["geo_precision"], unit["region"], unit["country"]) == ("region", "Dagestan", "RU")


# --- Files as users have them ------------------------------------------------------------------


def _packed(tmp_path: Path, kind: str) -> Path:
    source = FIXTURES / "acled.csv"
    if kind == "csv.gz":
        path = tmp_path / "acled.csv.gz"
        path.write_bytes(gzip.compress(source.read_bytes()))
    elif kind == "zip":
        path = tmp_path / "acled.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.write(source, "export/acled.csv")
            archive.writestr("README.txt.md", "not a table")
    else:
        from openpyxl import Workbook

        path = tmp_path / "acled.xlsx"
        book = Workbook()
        sheet = book.active
        with source.open(encoding="utf-8", newline="") as fh:
            for r, row in enumerate(csv.reader(fh), start=1):
                for c, value in enumerate(row, start=1):
                    cell = sheet.cell(row=r, column=c, value=value)
                    cell.data_type = "s"  # text, as an export holds it (never a formula)
        book.save(path)
    return path


@pytest.mark.parametrize("kind", ["csv.gz", "zip", "xlsx"])
def test_gzipped_zipped_and_excel_exports_read_as_the_csv(tmp_path: Path, kind: str) -> None:
    expected = load_dataset(FIXTURES / "acled.csv").incidents.drop(columns="geometry")
    found = load_dataset(_packed(tmp_path, kind)).incidents.drop(columns="geometry")
    pd.testing.assert_frame_equal(found, expected)


def test_a_zip_with_two_tables_is_refused_with_their_names(tmp_path: Path) -> None:
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", "x\n1\n")
        archive.writestr("b.csv", "x\n1\n")
    with pytest.raises(DataError, match=r"two.zip: a zip file must hold one CSV table; this one "):
        load_dataset(path)


def test_a_stated_encoding_is_used_and_a_wrong_one_named(tmp_path: Path) -> None:
    rows = by_id(FIXTURES / "gtd.csv", encoding="cp1252")
    assert rows["GTD-201503100001"]["place"] == "Bogotá"
    with pytest.raises(DataError, match=r"gtd.csv, row 7: byte 0xe1 at offset \d+ is not utf-8"):
        load_dataset(FIXTURES / "gtd.csv", options=ReadOptions(encoding="utf-8"))
    with pytest.raises(DataError, match="unknown encoding 'klingon'"):
        load_dataset(FIXTURES / "gtd.csv", options=ReadOptions(encoding="klingon"))


def test_a_renamed_export_is_told_the_nearest_format_and_what_it_lacks(tmp_path: Path) -> None:
    text = (FIXTURES / "acled.csv").read_text(encoding="utf-8")
    path = tmp_path / "renamed.csv"
    path.write_text(text.replace("latitude,longitude", "lat,lon", 1), encoding="utf-8")
    _, problems = check_dataset(path)
    assert (
        "renamed.csv, row 1: this is no known export; nearest ACLED, which would also have "
        "latitude, longitude"
    ) in [str(p) for p in problems]


def test_from_names_the_format_and_its_missing_columns(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not an UCDP GED export: the header lacks id, date_start"):
        load_dataset(FIXTURES / "acled.csv", options=ReadOptions(fmt="ucdp"))


# --- The import command ------------------------------------------------------------------------


def test_importing_twice_updates_instead_of_duplicating(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "events.csv"
    assert main(["import", str(FIXTURES / "acled.csv"), "--out", str(out)]) == 0
    assert "9 incidents added, 0 updated" in capsys.readouterr().out
    first = out.read_text(encoding="utf-8")
    assert main(["import", str(FIXTURES / "acled.csv"), "--out", str(out)]) == 0
    assert "0 incidents added, 0 updated, 9 unchanged" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8") == first
    # A newer export corrects one toll: that row changes, nothing is added.
    newer = tmp_path / "newer.csv"
    text = (FIXTURES / "acled.csv").read_text(encoding="utf-8")
    newer.write_text(text.replace("a bomber struck a mosque.,7,", "a bomber struck a mosque.,8,"))
    assert main(["import", str(newer), "--out", str(out)]) == 0
    assert "0 incidents added, 1 updated, 8 unchanged" in capsys.readouterr().out
    rows = by_id(out)
    assert len(rows) == 9 and rows["ACLED-TST1006"]["killed_best"] == 8
    claims = pd.read_csv(tmp_path / "events.claims.csv", dtype=str)
    assert claims["incident_id"].tolist().count("ACLED-TST1006") == 1
    assert main(["validate", str(out)]) == 0


def test_validate_and_export_read_an_export_as_it_comes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(FIXTURES / "ucdp.csv")]) == 0
    out = capsys.readouterr().out
    assert "UCDP GED export: 9 rows read, 7 converted, 2 skipped" in out
    target = tmp_path / "ru.csv"
    code = main(
        ["export", "--data", str(FIXTURES / "ucdp.csv"), "--country", "RU", "--out", str(target)]
    )
    assert code == 0
    assert len(list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))) == 2


# --- Hostile text in an export -----------------------------------------------------------------


def test_hostile_text_in_an_export_stays_text() -> None:
    dataset = load_dataset(FIXTURES / "acled.csv")
    hostile = dataset.incidents.set_index("incident_id").loc["ACLED-TST1010"]
    assert hostile["place"] == "<img src=x onerror=alert(1)>"
    assert hostile["perpetrator"] == "{{7*7}} ${alert(1)}"
    page = build_map(dataset.incidents, claims=dataset.claims).get_root().render()
    html = export_text(dataset, Filters(), "html")
    for text in (page, html):
        assert "<img src=x" not in text and "</script><b>" not in text
        assert "{{7*7}}" not in text or "49" not in text.split("{{7*7}}")[0][-5:]
    rows = list(csv.DictReader(io.StringIO(export_text(dataset, Filters(), "csv"))))
    summary = next(r["summary"] for r in rows if r["incident_id"] == "ACLED-TST1010")
    assert summary.startswith("'=HYPERLINK")  # a formula is never run by a spreadsheet


# --- Merging -----------------------------------------------------------------------------------


def test_merge_finds_the_same_attack_in_two_datasets(tmp_path: Path) -> None:
    """By hand: ACLED-TST1006 and GTD-202205040001 are the Konduga bombing (0.8 km, same day);
    ACLED-TST1001 and GTD-202202150001 the Maiduguri market attack (2.2 km, a day apart). The
    Gusau kidnappings are 15 km apart (a near miss beyond 10 km), the Cotonou pair are a protest
    and an assault (a near miss: types differ); the Kano bombing is GTD's alone."""
    out = tmp_path / "merged.csv"
    code = main(
        [
            "merge",
            str(FIXTURES / "acled.csv"),
            str(FIXTURES / "gtd_nigeria.csv"),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    merged = load_dataset(out)  # the merged table validates
    assert len(merged.incidents) == 9 + 5 - 2
    report = pd.read_csv(tmp_path / "merged.matches.csv", dtype=str, keep_default_na=False)
    matched = report[report["status"] == "matched"]
    assert sorted(zip(matched["id_a"], matched["id_b"])) == [
        ("ACLED-TST1001", "GTD-202202150001"),
        ("ACLED-TST1006", "GTD-202205040001"),
    ]
    misses = report[report["status"] == "near miss"].set_index("id_a")
    assert misses.loc["ACLED-TST1005", "why"] == "farther than 10 km"
    assert misses.loc["ACLED-TST2001", "why"] == "types differ"
    konduga = merged.incidents.set_index("incident_id").loc["ACLED-TST1006"]
    assert (konduga["killed_low"], konduga["killed_best"], konduga["killed_high"]) == (7, 7, 9)
    assert konduga["sources"] == "acled;gtd"
    claims = merged.claims[merged.claims["incident_id"] == "ACLED-TST1006"]
    assert sorted(zip(claims["source"], claims["killed"])) == [("acled", "7"), ("gtd", "9")]
    market = merged.incidents.set_index("incident_id").loc["ACLED-TST1001"]
    assert (market["date_start"], market["date_end"]) == (day("2022-02-14"), day("2022-02-15"))


def test_merge_with_zero_days_leaves_the_day_apart_pair_unmatched() -> None:
    a, b = (load_dataset(FIXTURES / n) for n in ("acled.csv", "gtd_nigeria.csv"))
    merged = merge_tables(
        [(a.incidents, a.claims, a.sources), (b.incidents, b.claims, b.sources)], km=10, days=0
    )
    assert merged.matched == 1
    assert len(merged.incidents) == 13


def test_compatible_types() -> None:
    assert compatible("armed_attack", "armed_clash")
    assert compatible("suicide_bombing", "bombing")
    assert compatible("other", "unrest")
    assert not compatible("unrest", "armed_attack")
    assert not compatible("arrest", "bombing")


# --- The dashboard -----------------------------------------------------------------------------


def test_the_dashboard_says_which_export_it_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.apptest import failures, start

    at = start(monkeypatch, data=FIXTURES / "gtd.csv")
    assert not failures(at), failures(at)
    assert {m.label: m.value for m in at.metric}["Incidents"] == "8"
    said = " ".join(i.value for i in at.sidebar.info).replace("\\", "")
    assert "GTD export: 10 rows read, 8 converted" in said


def test_an_uploaded_zip_export_is_converted(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests.apptest import failures, start

    at = start(monkeypatch)
    data = _packed(tmp_path, "zip").read_bytes()
    at.file_uploader(key="upload").set_value(("my export.zip", data, "application/zip")).run()
    assert not failures(at), failures(at)
    assert {m.label: m.value for m in at.metric}["Incidents"] == "9"
    said = " ".join(i.value for i in at.sidebar.info).replace("\\", "")
    assert "ACLED export: 12 rows read, 9 converted, 3 skipped" in said


def test_the_table_cache_is_used_and_refreshed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geo import table_cache

    path = tmp_path / "acled.csv"
    shutil.copy(FIXTURES / "acled.csv", path)
    first = table_cache.load_cached(path)
    calls = []
    real = table_cache.load_dataset
    monkeypatch.setattr(
        table_cache, "load_dataset", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    again = table_cache.load_cached(path)
    assert calls == []  # read from the cache
    pd.testing.assert_frame_equal(
        pd.DataFrame(again.incidents.drop(columns="geometry")),
        pd.DataFrame(first.incidents.drop(columns="geometry")),
    )
    assert again.origin == first.origin and again.warnings == first.warnings
    path.write_text(path.read_text(encoding="utf-8").replace(",7,,1651", ",70,,1651"))
    changed = table_cache.load_cached(path)
    assert calls == [1]
    assert changed.incidents.set_index("incident_id").loc["ACLED-TST1006", "killed_best"] == 70


def test_a_merged_incident_says_which_datasets_report_it_and_where_they_differ(
    tmp_path: Path,
) -> None:
    from geo.records import claims_of, disagreement, named_claims

    out = tmp_path / "merged.csv"
    main(
        ["merge", str(FIXTURES / "acled.csv"), str(FIXTURES / "gtd_nigeria.csv"), "--out", str(out)]
    )
    merged = load_dataset(out)
    claims = named_claims(claims_of(merged.claims, "ACLED-TST1006"), merged.sources)
    assert claims["source_id"].tolist() == ["acled", "gtd"]
    assert disagreement(claims) == [
        "Sources disagree on killed: 7, 9 (ACLED export acled.csv (Armed Conflict Location & "
        "Event Data (ACLED)): 7; Global Terrorism Database export gtd_nigeria.csv (Global "
        "Terrorism Database (GTD), START): 9)."
    ]


def test_a_toll_that_is_not_a_whole_number_skips_its_row_with_the_value(tmp_path: Path) -> None:
    text = (FIXTURES / "acled.csv").read_text(encoding="utf-8")
    path = tmp_path / "tolls.csv"
    path.write_text(
        text.replace("a bomber struck a mosque.,7,", "a bomber struck a mosque.,abc,")
        .replace("gunmen fired on a market.,4,", "gunmen fired on a market.,2.5,")
        .replace("shops were looted.,0,", "shops were looted.,-1,"),
        encoding="utf-8",
    )
    dataset = load_dataset(path)
    assert dataset.origin.startswith(
        "ACLED export: 12 rows read, 6 converted, 6 skipped (3 fatalities is not a whole number "
        "from 0 up;"
    )
    listed = [str(w) for w in dataset.warnings]
    assert [w.row for w in dataset.warnings] == sorted(w.row for w in dataset.warnings)
    assert (
        "tolls.csv, row 2, column 'fatalities': skipped: fatalities is not a whole number from 0 up"
        in listed
    )


def test_rows_placed_at_their_country_are_counted() -> None:
    dataset = load_dataset(FIXTURES / "gtd.csv", options=ReadOptions(unlocated="country"))
    assert dataset.origin.startswith(
        "GTD export: 10 rows read, 9 converted (1 placed at their country's representative "
        "point; 1 placed from their city by the offline gazetteer), 1 skipped"
    )


def test_rows_failing_validation_are_not_counted_as_converted(tmp_path: Path) -> None:
    text = (FIXTURES / "ucdp.csv").read_text(encoding="utf-8")
    path = tmp_path / "late.csv"
    path.write_text(
        text.replace("2016-02-15 00:00:00.000,2016-02-15", "2301-02-15 00:00:00.000,2301-02-15", 1)
    )
    dataset = load_dataset(path)
    assert dataset.origin == (
        "UCDP GED export: 9 rows read, 6 converted, 3 skipped (1 a date range longer than a "
        "year; 1 where_prec is not 1-7; 1 failed validation)"
    )
    assert any(w.row == 2 and "skipped: " in w.message for w in dataset.warnings)


# --- Hostile files (found by attacking the import) ---------------------------------------------


def test_a_tiny_workbook_claiming_a_huge_sheet_is_refused_unread(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["event_id_cnty", "event_date"])
    sheet.cell(row=1_048_576, column=16_384, value="x")
    path = tmp_path / "wide.xlsx"
    book.save(path)
    assert path.stat().st_size < 20_000
    with pytest.raises(DataError, match="wide.xlsx: the first sheet is 16,384 columns wide"):
        load_dataset(path)


def test_excel_dates_and_numbers_read_as_an_export_writes_them(tmp_path: Path) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    source = list(csv.reader((FIXTURES / "gtd.csv").read_text(encoding="cp1252").splitlines()))
    book = Workbook()
    sheet = book.active
    for r, row in enumerate(source):
        # Excel keeps GTD's ids and counts as numbers
        sheet.append([float(v) if r and v.replace(".", "").isdigit() else v for v in row])
    path = tmp_path / "gtd.xlsx"
    book.save(path)
    assert set(by_id(path)) == set(by_id(FIXTURES / "gtd.csv"))
    acled = list(csv.reader((FIXTURES / "acled.csv").read_text(encoding="utf-8").splitlines()))
    book = Workbook()
    sheet = book.active
    sheet.append(acled[0])
    row = list(acled[1])
    row[1] = datetime(2022, 2, 14)  # a date cell, as Excel saves "14 February 2022"
    sheet.append(row)
    path = tmp_path / "acled.xlsx"
    book.save(path)
    assert by_id(path)["ACLED-TST1001"]["date_start"] == day("2022-02-14")


def test_an_upload_that_unpacks_to_more_than_four_times_the_limit_is_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress(b"a,b\n" * 1_250_000))  # short cells: the size refuses it
    with pytest.raises(DataError, match="bomb.csv.gz: unpacks to more than 4 MB"):
        load_dataset(path, options=ReadOptions(max_bytes=2**20))


def test_a_header_naming_a_column_twice_in_other_case_is_refused(tmp_path: Path) -> None:
    text = (FIXTURES / "acled.csv").read_text(encoding="utf-8")
    path = tmp_path / "twice.csv"
    path.write_text(text.replace(",tags,", ",Notes,", 1), encoding="utf-8")
    with pytest.raises(
        DataError, match=r"twice.csv, row 1, column 'notes': the header names notes twice"
    ):
        load_dataset(path)


def test_an_export_whose_every_row_is_skipped_says_why(tmp_path: Path) -> None:
    lines = (FIXTURES / "acled.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "daymonth.csv"
    path.write_text("\n".join([lines[0], lines[1].replace("14 February 2022", "14/02/2022")]))
    _, problems = check_dataset(path)
    assert str(problems[0]) == (
        "daymonth.csv: no row could be converted: ACLED export: 1 rows read, 0 converted, "
        "1 skipped (1 event_date is not a date)"
    )
    assert problems[1].row == 2


def test_utf16_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "utf16.csv"
    path.write_bytes((FIXTURES / "ucdp.csv").read_text(encoding="utf-8").encode("utf-16"))
    assert set(by_id(path)) == set(by_id(FIXTURES / "ucdp.csv"))


def test_import_never_overwrites_its_input_nor_an_export(tmp_path: Path) -> None:
    sibling = tmp_path / "out.claims.csv"
    shutil.copy(FIXTURES / "acled.csv", sibling)
    assert main(["import", str(sibling), "--out", str(tmp_path / "out.csv")]) == 1
    assert sibling.read_bytes() == (FIXTURES / "acled.csv").read_bytes()
    victim = tmp_path / "victim.csv"
    shutil.copy(FIXTURES / "ucdp.csv", victim)
    assert main(["import", str(FIXTURES / "acled.csv"), "--out", str(victim)]) == 1
    assert victim.read_bytes() == (FIXTURES / "ucdp.csv").read_bytes()


def test_merge_renames_colliding_ids_to_free_ones(tmp_path: Path) -> None:
    a = pd.DataFrame({"incident_id": ["X"]})
    b = pd.DataFrame({"incident_id": ["X-2", "X"]})
    claims = pd.DataFrame({"incident_id": ["X", "X-2"]})
    from geo.merging import _unique_ids

    renamed, renamed_claims = _unique_ids(b.copy(), claims.copy(), set(a["incident_id"]))
    assert renamed["incident_id"].tolist() == ["X-2", "X-3"]
    assert renamed_claims["incident_id"].tolist() == ["X-3", "X-2"]


def test_a_table_merged_with_itself_keeps_each_claim_once(tmp_path: Path) -> None:
    out = tmp_path / "self.csv"
    fixture = str(FIXTURES / "acled.csv")
    assert main(["merge", fixture, fixture, "--out", str(out)]) == 0
    merged = load_dataset(out)
    assert (len(merged.incidents), len(merged.claims)) == (9, 9)


@pytest.mark.parametrize("km", ["nan", "inf", "0", "-1"])
def test_merge_refuses_a_distance_that_is_no_distance(km: str, tmp_path: Path) -> None:
    fixture = str(FIXTURES / "acled.csv")
    assert main(["merge", fixture, fixture, "--out", str(tmp_path / "m.csv"), "--km", km]) == 1


def test_a_toll_above_the_limit_skips_its_row(tmp_path: Path) -> None:
    text = (FIXTURES / "acled.csv").read_text(encoding="utf-8")
    path = tmp_path / "huge.csv"
    path.write_text(text.replace("a bomber struck a mosque.,7,", "a bomber struck a mosque.,1e19,"))
    dataset = load_dataset(path)
    assert "1 fatalities is above 10,000,000" in dataset.origin


def test_acleds_layout_before_2019_is_read() -> None:
    # tests/data/formats/acled_2016.csv, written from ACLED's 2017 codebook: a leading index
    # column, upper-case names, ally actors, no sub-event type and no iso code. NIG105's date
    # (3-Feb-17) is not in its year (2016): skipped.
    data = load_dataset(FIXTURES / "acled_2016.csv")
    got = data.incidents.set_index("incident_id")
    assert list(got.index) == ["ACLED-NIG101", "ACLED-NIG102", "ACLED-NIG103", "ACLED-NIG104"]
    assert list(got["event_type"]) == ["armed_clash", "unrest", "shelling_airstrike", "other"]
    assert str(got.loc["ACLED-NIG102", "date_start"].date()) == "2016-01-15"  # "15-Jan-16"
    assert got.loc["ACLED-NIG101", "assoc_actors"] == "Civilian JTF"
    assert got.loc["ACLED-NIG102", "actor2"] == ""  # ACLED's NA is no value
    assert list(got["admin1"]) == ["Borno", "Lagos", "Borno", "Borno"]
    assert set(got["dataset"]) == {"ACLED"} and set(got["country"]) == {"NG"}
    assert any("NIG105" in str(w) or w.row == 6 for w in data.warnings)


def test_a_row_whose_claim_changed_is_updated_not_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "events.csv"
    assert main(["import", str(FIXTURES / "acled.csv"), "--out", str(out)]) == 0
    capsys.readouterr()
    # The same export, one row's reporting source changed: its claim's note changes (the
    # claim says who reported it), nothing else.
    newer = tmp_path / "newer.csv"
    text = (FIXTURES / "acled.csv").read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.startswith("TST1001,"))
    newer.write_text(text.replace(first, first.replace("Test Wire", "Other Wire")))
    assert main(["import", str(newer), "--out", str(out)]) == 0
    assert "0 incidents added, 1 updated, 8 unchanged" in capsys.readouterr().out


def test_gtd_rows_of_a_former_union_are_placed_in_the_country_of_its_capital() -> None:
    # tests/data/formats/gtd_unions.csv: Czechoslovakia 1988 with no point (specificity 5),
    # and the Soviet Union 1990 at Vilnius (54.69 N, 25.28 E): the point decides, Lithuania.
    data = load_dataset(FIXTURES / "gtd_unions.csv", options=ReadOptions(unlocated="country"))
    rows = data.incidents.set_index("incident_id")
    assert (
        rows.loc["GTD-198803020001", "country"],
        rows.loc["GTD-198803020001", "geo_precision"],
    ) == ("CZ", "country")
    assert rows.loc["GTD-199001150001", "country"] == "LT"
    assert rows.loc["GTD-198803020001", "actor1"] == ""  # GTD's "Unknown" group
    assert "placed in the country of its capital" in data.origin
    skipped = load_dataset(FIXTURES / "gtd_unions.csv")  # without --unlocated: skipped, said
    assert list(skipped.incidents["incident_id"]) == ["GTD-199001150001"]


def test_an_acled_row_without_coordinates_is_placed_from_its_location(tmp_path: Path) -> None:
    # TST1001 (Maiduguri, Nigeria) with its coordinates taken out: the gazetteer's Maiduguri
    # (11.85 N, 13.16 E); TST1007's location "Somewhere" is in no gazetteer: still skipped.
    text = (FIXTURES / "acled.csv").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("TST1001,"))
    path = tmp_path / "acled.csv"
    path.write_text(text.replace(row, row.replace(",11.8333,13.1500,", ",,,")), encoding="utf-8")
    data = load_dataset(path)
    placed = data.incidents.set_index("incident_id").loc["ACLED-TST1001"]
    assert abs(placed["lat"] - 11.85) < 0.05 and abs(placed["lon"] - 13.16) < 0.05
    assert placed["geo_precision"] == "city" and placed["region"] == "Borno"
    assert "1 placed from their location by the offline gazetteer" in data.origin
    assert "ACLED-TST1007" not in set(data.incidents["incident_id"])


def test_a_gtd_hijacking_that_killed_is_an_attack_whichever_attack_type_says_it(
    tmp_path: Path,
) -> None:
    raw = pd.read_csv(FIXTURES / "gtd.csv", dtype=str, keep_default_na=False, encoding="cp1252")
    row = raw[raw["eventid"] == "201308000001"].iloc[0]  # located, a date: converts
    rows = []
    for eventid, first, second, killed in (
        ("1", "Unknown", "Hijacking", "5"),  # the second type says hijacking; 5 killed
        ("2", "Hijacking", "", "0"),  # a hijacking that killed no one
    ):
        rows.append({**row.to_dict(), "eventid": f"20130800000{eventid}9",
                     "attacktype1_txt": first, "attacktype2_txt": second, "nkill": killed,
                     "success": "1"})  # fmt: skip
    path = tmp_path / "gtd.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    types = load_dataset(path).incidents.set_index("incident_id")["event_type"]
    assert dict(types) == {"GTD-2013080000019": "armed_attack", "GTD-2013080000029": "kidnapping"}


def test_a_gtd_city_is_looked_for_in_its_own_province_and_a_hostile_name_is_data(
    tmp_path: Path,
) -> None:
    # Rows of GTD's layout without coordinates, written for this test (Nigeria, country 147):
    # "Lagos" in Borno is not Lagos city (1,300 km away): the city is not placed, its
    # province is (Borno's centre, precision region); Maiduguri in Borno is the city; a
    # city holding the unit separator \x1f is a name like any (folded, it is Maiduguri) and
    # breaks nothing.
    header = (FIXTURES / "gtd.csv").read_text(encoding="cp1252").splitlines()[0].split(",")
    base = dict.fromkeys(header, "")
    base |= {"iyear": "2015", "imonth": "3", "iday": "4", "extended": "0", "country": "147",
             "country_txt": "Nigeria", "specificity": "1", "success": "1", "suicide": "0",
             "attacktype1": "2", "attacktype1_txt": "Armed Assault",
             "gname": "Fixture group"}  # fmt: skip
    cells = [
        base | {"eventid": "201503040001", "provstate": "Borno", "city": "Lagos"},
        base | {"eventid": "201503040002", "provstate": "Borno", "city": "Maiduguri"},
        base | {"eventid": "201503040003", "provstate": "Nowhere", "city": "Mai\x1fduguri"},
    ]
    path = tmp_path / "gtd.csv"
    path.write_text(
        "\n".join([",".join(header), *(",".join(c[h] for h in header) for c in cells)]) + "\n",
        encoding="utf-8",
    )
    dataset = load_dataset(path)
    rows = {r["incident_id"]: r for _, r in dataset.incidents.iterrows()}
    lagos = rows["GTD-201503040001"]
    assert (lagos["geo_precision"], lagos["region"]) == ("region", "Borno")
    assert 10 < lagos["lat"] < 14 and 11 < lagos["lon"] < 15  # in Borno, not Lagos (6.5 N, 3.4 E)
    city = rows["GTD-201503040002"]
    assert city["geo_precision"] == "city" and abs(city["lat"] - 11.85) < 0.1
    assert rows["GTD-201503040003"]["place"] == "Mai\x1fduguri, Nowhere"
    assert rows["GTD-201503040003"]["geo_precision"] == "city"
