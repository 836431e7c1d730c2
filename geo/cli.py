"""The command line: ``python -m geo COMMAND``. Run ``python -m geo --help`` for the list."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from geo.errors import AtlasError
from geo.paths import default_incidents_path


def _cmd_validate(args: argparse.Namespace) -> int:
    from geo.io import check_dataset

    path = Path(args.path) if args.path else default_incidents_path()
    dataset, problems = check_dataset(path)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{path}: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    n_claims = len(dataset.claims)
    print(f"{path}: OK, {len(dataset.incidents)} incidents, {n_claims} claims, "
          f"{len(dataset.sources)} sources")
    return 0


def _cmd_geocode(args: argparse.Namespace) -> int:
    from geo.geocode import geocode_command

    return geocode_command(args.places, args.country, args.online)


def _cmd_locate(args: argparse.Namespace) -> int:
    from geo.locate import locate_command

    path = Path(args.path) if args.path else default_incidents_path()
    return locate_command(path, check=args.check)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="Incident Atlas: validate, geocode, map and export incident tables offline.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("validate", help="check an incident table against the schema")
    p.add_argument("path", nargs="?", help="table to check (default: $INCIDENT_ATLAS_DATA or "
                   "the shipped data/incidents.csv)")
    p.set_defaults(run=_cmd_validate)

    p = commands.add_parser("geocode", help="look up place names offline; one JSON line each")
    p.add_argument("places", nargs="+", metavar="PLACE")
    p.add_argument("--country", metavar="CC", help="prefer places in this country (ISO alpha-2)")
    p.add_argument("--online", action="store_true",
                   help="ask Nominatim (network, rate-limited, cached) when offline data has no "
                   "answer; off by default")
    p.set_defaults(run=_cmd_geocode)

    p = commands.add_parser("locate", help="fill lat/lon/region/geo_precision of a CSV table "
                            "from its geo_query (or place) column with the offline geocoder")
    p.add_argument("path", nargs="?")
    p.add_argument("--check", action="store_true", help="only compare; exit 1 on differences")
    p.set_defaults(run=_cmd_locate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except AtlasError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
