"""Dates as the exports write them, read without guessing the order of day and month.

ACLED's export tool writes "28 December 2022", its API "2022-12-28"; nothing else is a date
there. A ``dayfirst`` guess is what turned 2026-03-10 into 2026-10-03 in a hand conversion:
here each form is matched exactly, and anything else is refused.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

MONTHS = {
    name: i
    for i, name in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"),
        start=1,
    )
}  # fmt: skip
_WORDS = re.compile(r"(\d{1,2}) ([A-Za-z]+) (\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def acled_date(text: str) -> date | None:
    """An ACLED ``event_date`` ("28 December 2022" or "2022-12-28"), or ``None``."""
    text = str(text).strip()
    try:
        if match := _ISO.fullmatch(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if (match := _WORDS.fullmatch(text)) and match[2].lower() in MONTHS:
            return date(int(match[3]), MONTHS[match[2].lower()], int(match[1]))
    except ValueError:  # 31 February
        return None
    return None


def gtd_dates(year: object, month: object, day: object) -> tuple[date, date, str] | None:
    """(start, end, precision) from GTD's ``iyear``, ``imonth``, ``iday``.

    GTD's codebook writes an unknown day as ``iday`` 0 (the month is known) and an unknown
    month as ``imonth`` 0 (only the year is known): those become the month or the year as a
    range, never its first day.
    """
    try:
        y, m, d = int(str(year).strip()), int(str(month).strip()), int(str(day).strip())
        if m == 0:
            return date(y, 1, 1), date(y, 12, 31), "year"
        if d == 0:
            last = calendar.monthrange(y, m)[1]
            return date(y, m, 1), date(y, m, last), "month"
        day_ = date(y, m, d)
    except ValueError:
        return None
    return day_, day_, "day"


__all__ = ["acled_date", "gtd_dates"]
