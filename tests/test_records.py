"""What the Incidents page says of the rows it shows."""

from datetime import date

from geo.filters import Filters
from geo.records import rows_caption


def test_the_caption_counts_the_rows_of_the_page_shown() -> None:
    # Page 2 of 200-row pages, 150 rows on it: rows 201 to 350 of 350.
    assert rows_caption(2, 150, 350).startswith("Rows 201–350 of the 350 incidents the filters")


def test_the_caption_of_no_row_says_so() -> None:
    assert rows_caption(1, 0, 0) == "No incident matches the filters."


def test_a_download_is_named_for_the_filters() -> None:
    assert Filters().file_stem() == "incident-atlas"
    chosen = Filters(start=date(2012, 3, 1), end=date(2015, 6, 30), types=("bombing",))
    assert chosen.file_stem() == "incident-atlas_2012-03-01_2015-06-30_bombing"
    assert Filters(exact_only=True).file_stem() == "incident-atlas_exact"
    many = Filters(regions=("Aktobe", "Atyrau", "Mangystau", "Almaty City"))
    assert many.file_stem() == "incident-atlas_4-region"


def test_a_hostile_value_never_reaches_a_file_name_as_a_path() -> None:
    stem = Filters(regions=('../../etc/passwd"<x>\n',)).file_stem()
    assert set(stem) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
    assert len(Filters(regions=("x" * 500,)).file_stem()) == 100


def test_a_download_name_keeps_accented_names_readable() -> None:
    assert Filters(regions=("Korçë",)).file_stem() == "incident-atlas_Korce"
