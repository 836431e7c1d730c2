"""Where the shipped data lives, and how a user points the product at another table."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
INCIDENTS_CSV = DATA_DIR / "incidents.csv"
REGIONS_PARQUET = DATA_DIR / "regions.parquet"
COUNTRIES_PARQUET = DATA_DIR / "countries.parquet"
GAZETTEER_EXTRA_CSV = DATA_DIR / "gazetteer_extra.csv"

DATA_ENV = "INCIDENT_ATLAS_DATA"
LAYER_ENV = "INCIDENT_ATLAS_LAYER"
CACHE_ENV = "INCIDENT_ATLAS_CACHE"


def default_incidents_path() -> Path:
    """The incident table to use: ``$INCIDENT_ATLAS_DATA`` if set, else the shipped one."""
    value = os.environ.get(DATA_ENV, "").strip()
    return Path(value) if value else INCIDENTS_CSV


def default_database() -> str | None:
    """``$INCIDENT_ATLAS_DATA`` when it names the team store (a ``postgresql://`` URL)."""
    from geo.store import is_database_url

    value = os.environ.get(DATA_ENV, "").strip()
    return value if is_database_url(value) else None


def default_layer() -> str | None:
    """The GeoPackage layer to read: ``$INCIDENT_ATLAS_LAYER`` if set (for a file with several)."""
    return os.environ.get(LAYER_ENV, "").strip() or None


def cache_dir() -> Path:
    """Where derived indexes are kept: ``$INCIDENT_ATLAS_CACHE``, else the user's cache folder.

    The user's cache folder is ``$XDG_CACHE_HOME/incident-atlas`` or ``~/.cache/incident-atlas``.
    Everything in it can be deleted; it is rebuilt when needed.
    """
    value = os.environ.get(CACHE_ENV, "").strip()
    if value:
        return Path(value).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (
        Path(base).expanduser() if base else Path.home() / ".cache"
    ).resolve() / "incident-atlas"
