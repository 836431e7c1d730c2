"""Derive the project's world region and country layers from Natural Earth.

Source: Natural Earth 1:10m Admin-1 (states/provinces) and Admin-0 (countries), v4.1.0, public
domain, as generalised and shipped by Debian's ``qgis-common`` package in
``/usr/share/qgis/resources/data/world_map.gpkg``.

Run ``apt-get install -y qgis-common`` and then::

    python scripts/build_regions.py

It writes two GeoParquet files (read with pyarrow and shapely, no GDAL needed):

- ``data/regions.parquet``: every admin-1 unit of the world, one row per unit (units of one
  country with the same name, such as a city and its county, are merged). Kazakhstan's are its
  2011-2016 division (before Shymkent and the Abai, Jetisu and Ulytau regions were created in
  2018 and 2022) with the project's canonical names, ISO 3166-2 codes and alternate names; so
  are the Russian republics of the shipped data set. Simplified by ``REGION_TOLERANCE`` degrees
  (the source is already generalised; this only drops near-collinear points).
- ``data/countries.parquet``: every country's outline with its ISO alpha-2 code and name,
  simplified by ``COUNTRY_TOLERANCE``: the offline basemap of the web map and the static maps.

A region's ``code`` is its ISO 3166-2 code where the project knows it (Kazakhstan, the Russian
republics), else the country code and the unit's name folded to ASCII (``NG-BORNO``); its
``label`` is its name, or "Name, Country" where another unit in the world has the same name.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import unicodedata
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from geo.places.names import fold_name  # noqa: E402 - one folding rule for names and labels

SOURCE = Path("/usr/share/qgis/resources/data/world_map.gpkg")
DATA = Path(__file__).resolve().parent.parent / "data"

# Natural Earth name -> (canonical name, ISO 3166-2 code, other names users type).
KAZAKH_UNITS = {
    "Aqmola": ("Akmola", "KZ-AKM", ["Aqmola", "Akmola Region", "Tselinograd Oblast"]),
    "Aqtöbe": ("Aktobe", "KZ-AKT", ["Aqtöbe", "Aqtobe", "Aktyubinsk Oblast", "Aktobe Region"]),
    "Almaty": ("Almaty Region", "KZ-ALM", ["Almaty Oblast", "Alma-Ata Oblast", "Almaty oblys"]),
    "Almaty City": ("Almaty City", "KZ-ALA", ["Almaty", "Alma-Ata"]),
    "Astana": ("Astana", "KZ-AST", ["Astana City", "Nur-Sultan", "Akmola City", "Tselinograd"]),
    "Atyrau": ("Atyrau", "KZ-ATY", ["Atyrau Region", "Guryev Oblast"]),
    "East Kazakhstan": ("East Kazakhstan", "KZ-VOS", ["Shyghys Qazaqstan"]),
    "Mangghystau": ("Mangystau", "KZ-MAN", ["Mangghystau", "Mangistau", "Mangyshlak"]),
    "North Kazakhstan": ("North Kazakhstan", "KZ-SEV", ["Soltustik Qazaqstan"]),
    "Pavlodar": ("Pavlodar", "KZ-PAV", ["Pavlodar Region"]),
    "Qaraghandy": ("Karaganda", "KZ-KAR", ["Qaraghandy", "Karagandy"]),
    "Qostanay": ("Kostanay", "KZ-KUS", ["Qostanay", "Kustanai"]),
    "Qyzylorda": ("Kyzylorda", "KZ-KZY", ["Qyzylorda", "Kzyl-Orda"]),
    "South Kazakhstan": ("South Kazakhstan", "KZ-YUZ", ["Ongtustik Qazaqstan", "Turkistan"]),
    "West Kazakhstan": ("West Kazakhstan", "KZ-ZAP", ["Batys Qazaqstan", "Uralsk Oblast"]),
    "Zhambyl": ("Zhambyl", "KZ-ZHA", ["Jambyl", "Dzhambul Oblast", "Taraz Region"]),
    "Baykonur lease in Qyzylorda": ("Baikonur", "", ["Baykonur", "Bayqongyr"]),
}
RUSSIAN_UNITS = {
    "Dagestan": ("Dagestan", "RU-DA", ["Daghestan", "Republic of Dagestan"]),
    "Ingush": ("Ingushetia", "RU-IN", ["Ingush", "Ingushetiya"]),
    "Kabardin-Balkar": ("Kabardino-Balkaria", "RU-KB", ["Kabardin-Balkar", "Kabardino-Balkariya"]),
    "Tatarstan": ("Tatarstan", "RU-TA", ["Republic of Tatarstan"]),
}
REGION_TOLERANCE = 0.005
"""Degrees (about 500 m): how far a simplified region border may move."""
COUNTRY_TOLERANCE = 0.01
"""Degrees (about 1 km) for the country outlines of the basemap."""
# Units Natural Earth gives no ISO country (-1): the country they lie in, or None to drop them.
NO_ISO = {
    "Somaliland": "SO",
    "Northern Cyprus": "CY",
    "Dhekelia Sovereign Base Area": "CY",
    "Akrotiri Sovereign Base Area": "CY",
    "US Naval Base Guantanamo Bay": "CU",
    "Indian Ocean Territories": "AU",
    "Clipperton Island": "FR",
    "Siachen Glacier": "IN",
    "Spratly Is.": None,
    "Baykonur Cosmodrome": "KZ",
}


def _ascii_code(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]+", "", text.upper()) or "UNIT"


def _country_of(units: gpd.GeoDataFrame) -> pd.Series:
    iso = units["iso_a2"].where(units["iso_a2"].str.fullmatch("[A-Z]{2}", na=False))
    return iso.fillna(units["admin"].map(NO_ISO))


def build_regions(source: Path) -> gpd.GeoDataFrame:
    """Every admin-1 unit, with ``code``, ``region`` (name), ``country``, ``label``, ``aliases``."""
    units = gpd.read_file(source, layer="states_provinces", engine="pyogrio").to_crs("EPSG:4326")
    units["country"] = _country_of(units)
    units = units[units["country"].notna() & units["name"].notna()]
    known = {}
    for table, country in ((KAZAKH_UNITS, "KZ"), (RUSSIAN_UNITS, "RU")):
        for ne_name, (name, iso, aliases) in table.items():
            known[(country, ne_name)] = (name, iso or f"{country}-{_ascii_code(name)}", aliases)
    rows = []
    for (country, ne_name), group in units.groupby(["country", "name"], sort=True):
        name, code, aliases = known.get((country, ne_name), (ne_name, "", []))
        others = {
            v for v in group["woe_name"].tolist() + group["gn_name"].tolist() if isinstance(v, str)
        }
        aliases = [*aliases, *(a for a in sorted(others) if a and a not in (name, ne_name))]
        geometry = shapely.union_all(shapely.make_valid(group.geometry.to_numpy()))
        rows.append(
            {
                "code": code or f"{country}-{_ascii_code(name)}",
                "region": name,
                "country": country,
                "ne_name": ne_name,
                "aliases": ";".join(dict.fromkeys(a for a in aliases if ";" not in a)),
                "geometry": geometry,
            }
        )
    missing = [k for k in known if k not in {(r["country"], r["ne_name"]) for r in rows}]
    if missing:
        raise SystemExit(f"{source}: no unit for {missing}")
    regions = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    seen: dict[str, int] = {}
    codes = []
    for code in regions["code"]:  # two names folding to one code: number the second
        seen[code] = seen.get(code, 0) + 1
        codes.append(code if seen[code] == 1 else f"{code}-{seen[code]}")
    regions["code"] = codes
    regions["geometry"] = shapely.simplify(
        regions.geometry.to_numpy(), REGION_TOLERANCE, preserve_topology=True
    )
    return regions


def build_countries(source: Path) -> gpd.GeoDataFrame:
    """Every country's outline: ``country`` (ISO alpha-2), ``name``."""
    countries = gpd.read_file(source, layer="countries", engine="pyogrio").to_crs("EPSG:4326")
    countries = countries[countries["iso_a2"].str.fullmatch("[A-Z]{2}", na=False)]
    countries = countries.rename(columns={"NAME": "name", "iso_a2": "country"})
    countries = countries[["country", "name", "geometry"]].copy()
    countries["geometry"] = shapely.simplify(
        shapely.make_valid(countries.geometry.to_numpy()), COUNTRY_TOLERANCE, preserve_topology=True
    )
    return countries.sort_values("country").reset_index(drop=True)


def label_regions(regions: gpd.GeoDataFrame, countries: gpd.GeoDataFrame) -> None:
    """``label``: the name, or "Name, Country" where another unit's or a country's name is the
    same once case, accents and punctuation are set aside ("Pará" and "Para", "Niger")."""
    names = dict(zip(countries["country"], countries["name"], strict=True))
    folded = regions["region"].map(fold_name)
    # A name shared by another unit, or by a country ("Niger", Nigeria's state, beside the
    # country Niger; "Georgia", the US state), carries its country.
    country_keys = {fold_name(n) for n in names.values() if isinstance(n, str)}
    own = regions["country"].map(names).fillna("").map(fold_name)
    repeated = folded.duplicated(keep=False) | (folded.isin(country_keys) & (folded != own))
    country_name = regions["country"].map(names).fillna(regions["country"])
    label = regions["region"].where(~repeated, regions["region"] + ", " + country_name)
    folded = label.map(fold_name)
    label = label.where(~folded.duplicated(keep=False), label + " (" + regions["code"] + ")")
    regions["label"] = label


def _write_parquet(gdf: gpd.GeoDataFrame, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    gdf.to_parquet(tmp, compression="zstd", index=False, schema_version="1.0.0")
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args()
    if not args.source.exists():
        raise SystemExit(f"{args.source} not found: install Debian's qgis-common package")
    regions = build_regions(args.source)
    countries = build_countries(args.source)
    label_regions(regions, countries)
    columns = ["code", "region", "label", "country", "ne_name", "aliases", "geometry"]
    _write_parquet(regions[columns], args.out / "regions.parquet")
    _write_parquet(countries, args.out / "countries.parquet")
    print(f"wrote {len(regions)} regions and {len(countries)} countries to {args.out}")


if __name__ == "__main__":
    main()
