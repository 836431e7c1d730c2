"""The command line's arguments: one parser per command, each naming the function
``geo.cli`` runs for it (``run``), and the argument types that refuse bad values with a
sentence. Nothing here runs a command or prints."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geo.facets import Facet


def add_read_options(p: argparse.ArgumentParser) -> None:
    from geo.formats import FORMATS

    p.add_argument(
        "--from",
        dest="fmt",
        choices=FORMATS,
        help="read the file as this dataset's export (default: recognised from the header)",
    )
    p.add_argument(
        "--encoding",
        metavar="NAME",
        help="the CSV's text encoding, e.g. cp1252 (default: detected; UTF-8 first)",
    )
    p.add_argument(
        "--unlocated",
        choices=["skip", "country"],
        default="skip",
        help="GTD rows without coordinates (specificity 5): skip them (default), or place "
        "them at their country's representative point with country precision",
    )


def db_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """db init, db import, db export: the team store in PostgreSQL with PostGIS."""
    db = commands.add_parser(
        "db", help="the team store: PostgreSQL with PostGIS (init, import, export)"
    )
    sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    url_help = (
        "postgresql://user@host:port/database (a password from the URL, PGPASSWORD or "
        "~/.pgpass; never printed)"
    )
    p = sub.add_parser("init", help="create or migrate the schema (safe to run again)")
    p.add_argument("--db", required=True, metavar="URL", help=url_help)
    p.set_defaults(run="db_init")
    p = sub.add_parser(
        "import", help="load a table (or an ACLED, GTD or UCDP GED export), upserted by id"
    )
    p.add_argument("path", metavar="PATH")
    p.add_argument("--db", required=True, metavar="URL", help=url_help)
    p.add_argument("--who", help="recorded in the history as who made the change")
    add_layer(p)
    add_read_options(p)
    p.set_defaults(run="db_import")
    p = sub.add_parser("export", help="write the store back as OUT.csv with claims and sources")
    p.add_argument("--db", required=True, metavar="URL", help=url_help)
    p.add_argument("--out", required=True, metavar="OUT.csv")
    p.set_defaults(run="db_export")


def add_data(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data",
        metavar="PATH",
        help="incident table to use, or the team store's postgresql:// URL (default: "
        "$INCIDENT_ATLAS_DATA or the shipped data/incidents.csv)",
    )
    add_layer(p)


def add_layer(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--layer",
        metavar="NAME",
        help="the layer to read from a GeoPackage with several (default: $INCIDENT_ATLAS_LAYER)",
    )


def add_filters(p: argparse.ArgumentParser) -> None:
    """One option per facet of the registry (``geo.facets``), as the dashboard's sidebar."""
    from geo.facets import FACETS

    add_data(p)
    g = p.add_argument_group("filters (the same as the dashboard's)")
    for facet in FACETS:
        if facet.widget == "toggle":
            g.add_argument(facet.option, action="store_true", dest=facet.name, help=facet.cli_help)
        elif facet.many:
            g.add_argument(
                facet.option, nargs="+", action="extend", default=[], dest=facet.name,
                metavar=facet.key.upper(), type=facet_value(facet), help=facet.cli_help,
            )  # fmt: skip
        else:
            g.add_argument(
                facet.option, dest=facet.name, metavar=facet.key.upper(),
                type=facet_value(facet), help=facet.cli_help,
            )  # fmt: skip


def facet_value(facet: Facet) -> Callable[[str], object]:
    """A facet's parser as an argparse type: a value it refuses names what is expected."""

    def parse(text: str) -> object:
        if facet.name in ("regions", "types"):
            return text  # checked by Filters.normalised, which lists the choices
        if facet.name == "within" and (Path(text).exists() or facet.parse(text) is None):
            from geo.areas import read_within  # a file; or the outline as a link writes it
            from geo.errors import FilterError

            if not Path(text).exists() and not text.lower().endswith(("json", "geojson")):
                raise argparse.ArgumentTypeError(
                    f"{text[:60]!r} is neither a GeoJSON file nor {facet.what}"
                )
            try:
                return read_within(text)
            except FilterError as exc:
                raise argparse.ArgumentTypeError(str(exc)) from None
        value = facet.parse(text.strip())
        if value is None:
            raise argparse.ArgumentTypeError(f"{text!r} is not {facet.what}")
        return value

    return parse


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 10 <= value <= 1200:
        raise argparse.ArgumentTypeError(f"{text!r} is not a resolution from 10 to 1200 dpi")
    return value


def country_codes(text: str) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(c.strip().upper() for c in text.split(",") if c.strip()))
    if not codes or not all(len(c) == 2 and c.isascii() and c.isalpha() for c in codes):
        raise argparse.ArgumentTypeError(f"{text!r} is not ISO country codes like NG,CO,UA")
    return codes


def date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in YYYY-MM-DD form") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="Incident Atlas: validate, geocode, map and export incident tables offline.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    table_commands(commands)
    map_commands(commands)
    db_commands(commands)
    return parser


def table_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """validate, import, merge, ingest, geocode, locate and synth: commands about tables
    and places."""
    _validate_parser(commands)
    _import_parser(commands)
    _merge_parser(commands)
    _ingest_parser(commands)
    _geocode_parser(commands)
    _locate_parser(commands)
    _synth_parser(commands)


def _validate_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("validate", help="check an incident table against the schema")
    p.add_argument(
        "path",
        nargs="?",
        help="table to check (default: $INCIDENT_ATLAS_DATA or the shipped data/incidents.csv)",
    )
    p.add_argument("--data", dest="path_option", metavar="PATH", help="same as PATH")
    add_layer(p)
    add_read_options(p)
    p.set_defaults(run="validate")


def _import_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "import",
        help="convert an ACLED, GTD or UCDP GED export (CSV, .csv.gz, .zip, .xlsx or .parquet) "
        "into the project's schema; an existing OUT is updated by incident_id",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--out",
        required=True,
        metavar="OUT.csv|OUT.parquet",
        help="where to write: CSV, or GeoParquet (typed columns and point geometries); "
        "OUT.claims and OUT.sources of the same kind go beside it",
    )
    add_layer(p)
    add_read_options(p)
    p.set_defaults(run="import")


def _merge_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "merge",
        help="find records of the same incident across tables and keep one incident with "
        "each table's claims; writes a match report to review",
    )
    p.add_argument("tables", nargs="+", metavar="TABLE")
    p.add_argument("--out", required=True, metavar="OUT.csv")
    p.add_argument("--km", type=float, default=10.0, help="largest distance of a match (10)")
    p.add_argument("--days", type=int, default=1, help="largest gap between dates (1)")
    p.add_argument(
        "--report", metavar="FILE.csv", help="the match report (default OUT.matches.csv)"
    )
    add_layer(p)
    add_read_options(p)
    p.set_defaults(run="merge")


def _ingest_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "ingest",
        help="propose candidate incidents from news articles (text or .html), each value "
        "cited to its paragraph; writes OUT.csv with claims, sources and evidence beside it",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument(
        "--published",
        type=date_arg,
        metavar="DATE",
        help="the articles' publication date (default: found in the byline or dateline)",
    )
    p.add_argument(
        "--source-id", metavar="ID", help="the article's source id (one file; default: its stem)"
    )
    p.add_argument(
        "--out",
        required=True,
        metavar="OUT.csv",
        help="where to write; OUT.claims.csv, OUT.sources.csv and OUT.evidence.jsonl go beside it",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="replace OUT and its files if they exist (default: refuse; candidates are never "
        "written over a table)",
    )
    p.set_defaults(run="ingest")


def _geocode_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("geocode", help="look up place names offline; one JSON line each")
    p.add_argument("places", nargs="+", metavar="PLACE")
    p.add_argument("--country", metavar="CC", help="prefer places in this country (ISO alpha-2)")
    p.add_argument(
        "--online",
        action="store_true",
        help="ask Nominatim (network, rate-limited, cached) when offline data has no "
        "answer; off by default",
    )
    p.set_defaults(run="geocode")


def _locate_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "locate",
        help="fill lat/lon/region/geo_precision of a CSV table "
        "from its geo_query (or place) column with the offline geocoder",
    )
    p.add_argument("path", nargs="?")
    p.add_argument("--data", dest="path_option", metavar="PATH", help="same as PATH")
    p.add_argument("--check", action="store_true", help="only compare; exit 1 on differences")
    p.set_defaults(run="locate")


def _synth_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "synth",
        help="write a synthetic incident table (with claims and sources beside it) "
        "for benchmarks and tests",
    )
    p.add_argument("--n", type=int, required=True, metavar="N", help="number of incidents")
    p.add_argument("--seed", type=int, default=0, help="the same seed gives the same table")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--countries",
        type=country_codes,
        metavar="CC,CC",
        help="spread the incidents over these countries (ISO codes, e.g. NG,CO,UA); default "
        "Kazakhstan and four Russian republics, as the shipped data",
    )
    where.add_argument("--world", action="store_true", help="spread them over every country")
    p.add_argument(
        "--out",
        required=True,
        metavar="FILE.csv|FILE.parquet",
        help="where to write; FILE.claims and FILE.sources of the same kind go beside it (not "
        "in data/); a Parquet table is drawn and written 500,000 rows at a time",
    )
    p.set_defaults(run="synth")


def map_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """snapshot, export, trends, brief and timelapse: commands that write the filtered
    incidents."""
    _snapshot_parser(commands)
    _change_parsers(commands)


def _snapshot_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("snapshot", help="static map of the filtered incidents for reports")
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument(
        "--format", choices=["png", "svg", "pdf"], help="default: from the file name, else png"
    )
    p.add_argument(
        "--size",
        default="a4-landscape",
        help="a4-landscape, a4-portrait, slide or WxH in pixels (default a4-landscape)",
    )
    p.add_argument("--dpi", type=positive, default=300)
    p.add_argument(
        "--extent",
        choices=["data", "country", "world"],
        default="data",
        help="zoom to the filtered incidents (default), show the whole country most of them "
        "are in (and any beyond it), or the world",
    )
    p.add_argument("--title")
    add_filters(p)
    p.set_defaults(run="snapshot")


def _change_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """export, trends, brief and timelapse."""
    from geo.trends.command import add_trend_options

    p = commands.add_parser(
        "export",
        help="the filtered incidents as CSV, GeoJSON or an "
        "offline HTML map (by the file name's suffix)",
    )
    p.add_argument("--out", required=True, metavar="FILE.csv|FILE.geojson|FILE.html")
    p.add_argument("--title", help="title of the HTML page")
    p.add_argument(
        "--hxl", action="store_true",
        help="a CSV's second row: each column's HXL hashtag (humanitarian data exchange)",
    )  # fmt: skip
    add_filters(p)
    p.set_defaults(run="export")

    p = commands.add_parser(
        "trends", help="each unit's period against its baseline, flagged, as CSV (all periods)"
    )
    p.add_argument("--out", required=True, metavar="FILE.csv")
    add_trend_options(p)
    add_filters(p)
    p.set_defaults(run="trends")

    p = commands.add_parser(
        "brief", help="a one-page situation brief (PDF or PNG): the latest period against its "
        "baseline, its change map, largest rises and most active actors"
    )  # fmt: skip
    p.add_argument("--out", required=True, metavar="FILE.pdf|FILE.png")
    add_trend_options(p)
    add_filters(p)
    p.set_defaults(run="brief")

    p = commands.add_parser("timelapse", help="animated GIF of the incidents period by period")
    p.add_argument("--out", required=True, metavar="FILE.gif")
    p.add_argument("--freq", choices=["month", "quarter", "year"], default="year")
    p.add_argument("--frames", metavar="DIR", help="also write each frame as a PNG here")
    add_filters(p)
    p.set_defaults(run="timelapse")
