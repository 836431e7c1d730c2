"""Recognising ACLED, GTD and UCDP GED exports by their header, and reading their dates."""

from __future__ import annotations

from datetime import date

import pytest

from geo.formats.dates import acled_date
from geo.formats.recognise import SIGNATURES, recognise

# Headers written from the public codebooks (column names only; no data of theirs).
ACLED_HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,"
    "actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,"
    "iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,"
    "source,source_scale,notes,fatalities,tags,timestamp"
).split(",")
GTD_HEADER = (
    "eventid,iyear,imonth,iday,approxdate,extended,country,country_txt,region,region_txt,"
    "provstate,city,latitude,longitude,specificity,vicinity,summary,success,attacktype1,"
    "attacktype1_txt,targtype1_txt,target1,gname,nkill,nkillter,nwound,nwoundte"
).split(",")
UCDP_HEADER = (
    "id,year,type_of_violence,conflict_name,side_a,side_b,source_article,where_prec,"
    "where_coordinates,adm_1,latitude,longitude,country,region,date_prec,date_start,date_end,"
    "deaths_a,deaths_b,deaths_civilians,deaths_unknown,best,high,low"
).split(",")


@pytest.mark.parametrize(
    ("header", "name"), [(ACLED_HEADER, "acled"), (GTD_HEADER, "gtd"), (UCDP_HEADER, "ucdp")]
)
def test_each_export_is_recognised_by_its_header(header: list[str], name: str) -> None:
    found = recognise(header)
    assert (found.format, found.missing) == (name, ())
    # A byte-order mark and upper case, as spreadsheets leave them, change nothing.
    assert recognise(["\ufeff" + header[0].upper(), *header[1:]]).format == name


def test_a_header_renamed_by_hand_is_told_what_it_lacks() -> None:
    renamed = [{"latitude": "lat", "longitude": "lon"}.get(c, c) for c in ACLED_HEADER]
    found = recognise(renamed)
    assert found.format is None and found.nearest == "acled"
    assert found.missing == ("latitude", "longitude")
    assert found.describe() == (
        "no known export; nearest ACLED, which would also have latitude, longitude"
    )


def test_the_projects_own_header_is_no_export() -> None:
    ours = "incident_id,date_start,date_end,place,country,region,lat,lon,event_type".split(",")
    assert recognise(ours).format is None
    assert all(set(s) - set(ours) for s in SIGNATURES.values())


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("28 December 2022", date(2022, 12, 28)),
        ("2022-12-28", date(2022, 12, 28)),
        ("2026-03-10", date(2026, 3, 10)),  # never read day first: not the 3rd of October
        ("1 march 2026", date(2026, 3, 1)),
        ("10/03/2026", None),  # ambiguous: refused, not guessed
        ("31 February 2022", None),
        ("December 28 2022", None),
        ("", None),
    ],
)
def test_acled_dates_are_read_exactly(text: str, day: date | None) -> None:
    assert acled_date(text) == day


# --- ACLED's codes (its public codebook) ----------------------------------------------------


def test_acled_time_precision_gives_a_day_a_week_around_or_the_month() -> None:
    from geo.formats.acled import acled_dates

    day = date(2022, 2, 14)
    assert acled_dates(day, 1) == (day, day, "day")
    assert acled_dates(day, 2) == (date(2022, 2, 11), date(2022, 2, 17), "week")
    assert acled_dates(day, 3) == (date(2022, 2, 1), date(2022, 2, 28), "month")
    assert acled_dates(date(2024, 2, 14), 3) == (date(2024, 2, 1), date(2024, 2, 29), "month")
    assert acled_dates(day, 4) is None


def test_acled_geo_precision_keeps_the_point_and_says_how_rough() -> None:
    from geo.formats.acled import acled_place_precision

    assert [acled_place_precision(c) for c in (1, 2, 3, 4)] == [
        "city",
        "district",
        "region",
        None,
    ]


@pytest.mark.parametrize(
    ("iso", "name", "code"),
    [
        (204, "Benin", "BJ"),  # ISO 3166-1 numeric codes
        ("566", "Nigeria", "NG"),
        (398, "", "KZ"),
        ("", "Benin", "BJ"),  # no number: the name
        ("not a number", "Nigeria", "NG"),
        ("", "Narnia", None),
    ],
)
def test_acled_countries_become_alpha_2_codes(iso: object, name: str, code: str | None) -> None:
    from geo.formats.acled import country_code

    assert country_code(iso, name) == code


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ((2011, 11, 12), (date(2011, 11, 12), date(2011, 11, 12), "day")),
        ((2016, 6, 0), (date(2016, 6, 1), date(2016, 6, 30), "month")),  # day unknown
        ((2012, 0, 0), (date(2012, 1, 1), date(2012, 12, 31), "year")),  # month unknown
        (("2012", "2", "0"), (date(2012, 2, 1), date(2012, 2, 29), "month")),
        ((2011, 2, 30), None),
        (("", 1, 1), None),
    ],
)
def test_gtd_unknown_day_or_month_becomes_a_range(
    parts: tuple[object, ...], expected: object
) -> None:
    from geo.formats.dates import gtd_dates

    assert gtd_dates(*parts) == expected
