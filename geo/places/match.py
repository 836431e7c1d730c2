"""What the geocoders answer for one name: :class:`PlaceMatch` (one JSON line of ``python -m
geo geocode``), with coordinates rounded as GeoNames gives them."""

from __future__ import annotations

from typing import TypedDict

DECIMALS = 5
"""Coordinates are rounded to 5 decimals (about 1 m), as GeoNames gives them."""


class PlaceMatch(TypedDict):
    """What the geocoder found for one query (``Location.raw``; one JSON line of the CLI)."""

    query: str
    name: str
    lat: float
    lon: float
    country: str
    region: str | None
    precision: str
    source: str


def round_coordinate(value: float) -> float:
    return round(float(value), DECIMALS)


__all__ = ["DECIMALS", "PlaceMatch", "round_coordinate"]
