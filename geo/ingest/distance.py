"""Places told by their distance from a town: "35 miles northeast of Baghdad" is a point away
from Baghdad, not Baghdad; "150 km from Kabul" says only the region."""

from __future__ import annotations

import math
import re

_DISTANCE = re.compile(
    r"(?P<n>\d+(?:\.\d+)?|a|one|two|three|four|five|six|seven|eight|nine|ten|hundreds of)"
    r"\s*-?\s*(?P<unit>km|kilometres|kilometers|miles|mi)\b(?:\s+\(\d+ \w+\))?\s+"
    r"(?:(?P<dir>north-?east|north-?west|south-?east|south-?west|north|south|east|west)(?:ern)?"
    r"\s+)?(?:of|from)",
    re.IGNORECASE,
)
_BEARINGS = {
    "north": 0, "northeast": 45, "east": 90, "southeast": 135, "south": 180, "southwest": 225,
    "west": 270, "northwest": 315,
}  # fmt: skip
_WORD_KM = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10}  # fmt: skip
MEASURED_KM = 25.0
"""A place told as more than this far from a town, with no direction, is only near its region."""


def measured(lat: float, lon: float, qualifier: str, precision: str) -> tuple[float, float, str]:
    """The point a distance phrase names ("240 km south-east of Colombo": 240 km on a bearing
    of 135 degrees from Colombo, an approximate location); "hundreds of kilometres from" or a
    distance with no direction leaves the town's point, known only to the region."""
    found = _DISTANCE.search(qualifier)
    if found is None:
        return lat, lon, precision
    number = found.group("n").lower()
    km = float(number) if number[0].isdigit() else float(_WORD_KM.get(number, 300))
    if found.group("unit").lower().startswith("mi"):
        km *= 1.609
    bearing = _BEARINGS.get((found.group("dir") or "").lower().replace("-", ""))
    if bearing is None or number == "hundreds of":
        return lat, lon, "region" if km > MEASURED_KM else precision
    return (*_destination(lat, lon, km, bearing), "district")


def _destination(lat: float, lon: float, km: float, bearing: float) -> tuple[float, float]:
    """The point ``km`` from (lat, lon) on an initial ``bearing`` (degrees), on a sphere."""
    d, theta = km / 6371.0, math.radians(bearing)
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(theta))
    l2 = l1 + math.atan2(
        math.sin(theta) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    return round(math.degrees(p2), 5), round((math.degrees(l2) + 540) % 360 - 180, 5)


__all__ = ["MEASURED_KM", "measured"]
