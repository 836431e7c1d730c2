"""Derive the project's region and country layers from Natural Earth.

Source: Natural Earth 1:10m Admin-1 (states/provinces) and Admin-0 (countries), v4.1.0, public
domain, as generalised and shipped by Debian's ``qgis-common`` package in
``/usr/share/qgis/resources/data/world_map.gpkg``.

Run ``apt-get install -y qgis-common`` and then::

    python scripts/build_regions.py

It writes ``data/regions.geojson`` (Kazakhstan's 16 admin-1 units, the Baikonur lease and the
Russian republics where incidents of the data set happened) and ``data/countries.geojson``
(country outlines around Kazakhstan, the offline basemap). The boundaries are Natural Earth's,
which match Kazakhstan's 2011-2016 division (before Shymkent and the Abai, Jetisu and Ulytau
regions were created in 2018 and 2022).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

import geopandas as gpd
from shapely.geometry import box

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
# Country outlines kept for the offline basemap: Central Asia, the Caucasus and Russia's south.
BASEMAP_BOUNDS = (25.0, 30.0, 100.0, 62.0)  # lon_min, lat_min, lon_max, lat_max


def _write_geojson(gdf: gpd.GeoDataFrame, path: Path, precision: int = 4) -> None:
    """Write GeoJSON atomically, rounding coordinates to keep the file small."""
    text = gdf.to_json(drop_id=True, to_wgs84=True)
    doc = json.loads(text)
    for feature in doc["features"]:
        feature["geometry"] = _round_geometry(feature["geometry"], precision)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, separators=(",", ":"))
        fh.write("\n")
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _round_geometry(geom: dict, precision: int) -> dict:
    def rnd(c):  # type: ignore[no-untyped-def]
        if isinstance(c[0], (int, float)):
            return [round(c[0], precision), round(c[1], precision)]
        return [rnd(x) for x in c]

    return {"type": geom["type"], "coordinates": rnd(geom["coordinates"])}


def build_regions(source: Path) -> gpd.GeoDataFrame:
    units = gpd.read_file(source, layer="states_provinces", engine="pyogrio")
    rows = []
    for table, country in ((KAZAKH_UNITS, "KZ"), (RUSSIAN_UNITS, "RU")):
        for ne_name, (name, iso, aliases) in table.items():
            match = units[units["name"] == ne_name]
            if country == "RU":
                match = match[match["adm0_a3"] == "RUS"]
            if len(match) != 1:
                raise SystemExit(
                    f"{source}: expected one unit named {ne_name!r}, found {len(match)}"
                )
            rows.append(
                {
                    "region": name,
                    "country": country,
                    "iso_3166_2": iso,
                    "ne_name": ne_name,
                    "aliases": ";".join(aliases),
                    "geometry": match.geometry.iloc[0],
                }
            )
    regions = gpd.GeoDataFrame(rows, geometry="geometry", crs=units.crs).to_crs("EPSG:4326")
    # Baikonur is cut out of Kyzylorda in the source already; make sure no two units overlap.
    regions["geometry"] = regions.geometry.make_valid()
    return regions


def build_countries(source: Path) -> gpd.GeoDataFrame:
    countries = gpd.read_file(source, layer="countries", engine="pyogrio").to_crs("EPSG:4326")
    window = box(*BASEMAP_BOUNDS)
    near = countries[countries.intersects(window)].copy()
    near["geometry"] = near.geometry.make_valid().intersection(window)
    near = near.rename(columns={"NAME": "name", "iso_a2": "country"})[
        ["name", "country", "geometry"]
    ]
    near = near[~near.geometry.is_empty]
    return near.sort_values("name").reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args()
    if not args.source.exists():
        raise SystemExit(f"{args.source} not found: install Debian's qgis-common package")
    regions = build_regions(args.source)
    countries = build_countries(args.source)
    _write_geojson(regions, args.out / "regions.geojson")
    _write_geojson(countries, args.out / "countries.geojson", precision=3)
    print(f"wrote {len(regions)} regions and {len(countries)} countries to {args.out}")


if __name__ == "__main__":
    main()
