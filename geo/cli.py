"""The command line: ``python -m geo COMMAND``. Run ``python -m geo --help`` for the list."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from geo.errors import AtlasError, UsageError
from geo.paths import default_database, default_incidents_path, default_layer
from geo.said import Said

# Each command imports what it needs when it runs: `geocode` never pays for pandas.
if TYPE_CHECKING:
    from geo.facets import Facet
    from geo.filters import Filters
    from geo.query import Table
    from geo.tables import Dataset, ReadOptions


def _cmd_validate(args: argparse.Namespace) -> int:
    from geo.store import is_database_url

    chosen = args.path or args.path_option
    url = chosen if chosen and is_database_url(chosen) else None
    if url or not chosen and default_database():
        return _validate_store(url or str(default_database()))
    path = Path(chosen) if chosen else default_incidents_path()
    from geo.table_cache import check_table

    origin, problems, warnings, counted = check_table(path, _read_options(args))
    if origin:
        print(f"{path}: {origin}")
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{path}: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    counts = (
        f"{counted['incidents']:,} incidents, {counted['claims']:,} claims, "
        f"{counted['sources']:,} source(s)"
    )
    if origin:
        # An export: its rows that could not be converted were left out, each listed above.
        print(f"{path}: converted, {counts}; the rows left out are listed above as warnings")
        return 0
    print(f"{path}: OK, {counts}" + (f"; {len(warnings)} warning(s)" if warnings else ""))
    return 0


def _validate_store(url: str) -> int:
    """``validate`` of the team store: its schema is this release's, and what it holds (every
    write to it was checked as a table is, so there is nothing more to find)."""
    from geo.store.conninfo import redacted
    from geo.store.postgis import store_counts

    counted = store_counts(url)
    print(
        f"{redacted(url)}: OK, {counted['incidents']:,} incidents, {counted['claims']:,} "
        f"claims, {counted['sources']:,} source(s) (the team store checks every write)"
    )
    return 0


def _read_options(args: argparse.Namespace) -> ReadOptions:
    from geo.tables import ReadOptions

    return ReadOptions(
        layer=_layer(args),
        fmt=getattr(args, "fmt", None),
        encoding=getattr(args, "encoding", None),
        unlocated=getattr(args, "unlocated", "skip"),
    )


def _add_read_options(p: argparse.ArgumentParser) -> None:
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


def _cmd_import(args: argparse.Namespace) -> int:
    from geo.importing import import_table

    out = _out(args)
    result = import_table(Path(args.file), out, _read_options(args))
    dataset = result.dataset
    _print_origin(dataset)
    print(
        f"wrote {out}: {result.describe()}; {len(dataset.claims):,} claims, "
        f"{len(dataset.sources):,} source(s)"
    )
    return 0


def _print_origin(dataset: Dataset) -> None:
    """What a converted export was, and the rows left out, on stderr."""
    if not dataset.origin:
        return
    print(f"{Path(dataset.path).name}: {dataset.origin}", file=sys.stderr)
    # notes on the whole file (every admin1 that joins nothing) first, then the first rows
    whole = [w for w in dataset.warnings if w.row is None and not w.message.startswith("...")]
    rows = [w for w in dataset.warnings if w not in whole]
    for warning in [*whole, *rows[:20]]:
        print(f"warning: {warning}", file=sys.stderr)
    if len(rows) > 20:
        print(f"... and {len(rows) - 20} more warnings", file=sys.stderr)


def _cmd_merge(args: argparse.Namespace) -> int:
    from geo.importing import write_dataset
    from geo.merging import merge_tables
    from geo.tables import load_dataset, write_csv

    out = _out(args)
    if len(args.tables) < 2:
        raise UsageError("merge needs two tables or more")
    tables = []
    for name in args.tables:
        dataset = load_dataset(Path(name), options=_read_options(args))
        _print_origin(dataset)
        tables.append((dataset.incidents, dataset.claims, dataset.sources))
    merged = merge_tables(tables, km=args.km, days=args.days)
    report = Path(args.report) if args.report else out.with_name(f"{out.stem}.matches.csv")
    write_dataset(merged.incidents, merged.claims, merged.sources, out)
    write_csv(merged.report, report)
    total = sum(len(t[0]) for t in tables)
    misses = len(merged.report) - merged.matched
    print(
        f"wrote {out}: {len(merged.incidents):,} incidents from {total:,} records "
        f"({merged.matched:,} matched across tables); {report}: {merged.matched:,} matches "
        f"and {misses:,} near misses to review"
    )
    return 0


def _say(said: Said) -> int:
    """Print what a command has to say (the only place commands' words are printed)."""
    for line in said.out:
        print(line)
    for line in said.err:
        print(line, file=sys.stderr)
    return said.status


def _cmd_ingest(args: argparse.Namespace) -> int:
    from geo.ingest.cli import ingest_command

    return _say(
        ingest_command(
            [Path(f) for f in args.files],
            _out(args),
            published=args.published,
            source_id=args.source_id,
            force=args.force,
        )
    )


def _cmd_db_init(args: argparse.Namespace) -> int:
    from geo.store.postgis import init_schema

    before, now = init_schema(args.db)
    print(
        f"schema version {now}" + (" (already up to date)" if before == now else f" (was {before})")
    )
    return 0


def _cmd_db_import(args: argparse.Namespace) -> int:
    from geo.store.postgis import import_dataset
    from geo.table_cache import load_cached

    # Through the table cache: a table already checked (opened in the dashboard, validated,
    # imported before) is not read and checked again.
    dataset = load_cached(Path(args.path), _read_options(args), geometry=False)
    _print_origin(dataset)
    counts = import_dataset(args.db, dataset, who=args.who or "")
    print(
        f"imported {Path(args.path).name}: {counts['added']:,} added, {counts['updated']:,} "
        f"updated, {counts['unchanged']:,} unchanged"
    )
    return 0


def _cmd_db_export(args: argparse.Namespace) -> int:
    from geo.importing import write_dataset
    from geo.store.postgis import read_dataset

    out = _out(args)
    dataset = read_dataset(args.db)
    write_dataset(dataset.incidents, dataset.claims, dataset.sources, out)
    print(
        f"wrote {out}: {len(dataset.incidents):,} incidents, {len(dataset.claims):,} claims, "
        f"{len(dataset.sources):,} source(s)"
    )
    return 0


def _db_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    p.set_defaults(run=_cmd_db_init)
    p = sub.add_parser(
        "import", help="load a table (or an ACLED, GTD or UCDP GED export), upserted by id"
    )
    p.add_argument("path", metavar="PATH")
    p.add_argument("--db", required=True, metavar="URL", help=url_help)
    p.add_argument("--who", help="recorded in the history as who made the change")
    _add_layer(p)
    _add_read_options(p)
    p.set_defaults(run=_cmd_db_import)
    p = sub.add_parser("export", help="write the store back as OUT.csv with claims and sources")
    p.add_argument("--db", required=True, metavar="URL", help=url_help)
    p.add_argument("--out", required=True, metavar="OUT.csv")
    p.set_defaults(run=_cmd_db_export)


def _cmd_geocode(args: argparse.Namespace) -> int:
    from geo.places.geocode import geocode_command

    return _say(geocode_command(args.places, args.country, args.online))


def _cmd_locate(args: argparse.Namespace) -> int:
    from geo.places.locate import locate_command

    chosen = args.path or args.path_option
    path = Path(chosen) if chosen else default_incidents_path()
    return _say(locate_command(path, check=args.check))


def _add_data(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data",
        metavar="PATH",
        help="incident table to use, or the team store's postgresql:// URL (default: "
        "$INCIDENT_ATLAS_DATA or the shipped data/incidents.csv)",
    )
    _add_layer(p)


def _add_layer(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--layer",
        metavar="NAME",
        help="the layer to read from a GeoPackage with several (default: $INCIDENT_ATLAS_LAYER)",
    )


def _layer(args: argparse.Namespace) -> str | None:
    return args.layer or default_layer()


def _add_filters(p: argparse.ArgumentParser) -> None:
    """One option per facet of the registry (``geo.facets``), as the dashboard's sidebar."""
    from geo.facets import FACETS

    _add_data(p)
    g = p.add_argument_group("filters (the same as the dashboard's)")
    for facet in FACETS:
        if facet.widget == "toggle":
            g.add_argument(facet.option, action="store_true", dest=facet.name, help=facet.cli_help)
        elif facet.many:
            g.add_argument(
                facet.option, nargs="+", action="extend", default=[], dest=facet.name,
                metavar=facet.key.upper(), type=_facet_value(facet), help=facet.cli_help,
            )  # fmt: skip
        else:
            g.add_argument(
                facet.option, dest=facet.name, metavar=facet.key.upper(),
                type=_facet_value(facet), help=facet.cli_help,
            )  # fmt: skip


def _facet_value(facet: Facet) -> Callable[[str], object]:
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


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 10 <= value <= 1200:
        raise argparse.ArgumentTypeError(f"{text!r} is not a resolution from 10 to 1200 dpi")
    return value


def _country_codes(text: str) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(c.strip().upper() for c in text.split(",") if c.strip()))
    if not codes or not all(len(c) == 2 and c.isascii() and c.isalpha() for c in codes):
        raise argparse.ArgumentTypeError(f"{text!r} is not ISO country codes like NG,CO,UA")
    return codes


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in YYYY-MM-DD form") from None


def _filters(args: argparse.Namespace) -> Filters:
    from geo.facets import FACETS
    from geo.filters import Filters

    values = {f.name: getattr(args, f.name) for f in FACETS}
    values |= {f.name: tuple(values[f.name]) for f in FACETS if f.many}
    return Filters(**values).normalised()


def _out(args: argparse.Namespace) -> Path:
    out = Path(args.out)
    if not out.parent.is_dir():
        raise UsageError(f"{out.parent}: no such folder for {out.name}")
    return out


def _table(args: argparse.Namespace) -> Table:
    """The table the command reads, opened in the query engine."""
    from geo.query import open_table, table_files
    from geo.store import is_database_url
    from geo.tables import ReadOptions

    url = args.data if args.data and is_database_url(args.data) else None
    url = url or (None if args.data else default_database())
    if url:
        return open_table(url)
    path = Path(args.data) if args.data else default_incidents_path()
    table = open_table(table_files(path, ReadOptions(layer=_layer(args))))
    if table.origin:
        print(f"{path.name}: {table.origin}")
    return table


def _cmd_export(args: argparse.Namespace) -> int:
    from geo.export import write_claims_beside, write_export

    filters = _filters(args)
    out = _out(args)
    _check_export_targets(args, out)
    table = _table(args)
    count = write_export(table, filters, out, title=args.title or "", hxl=args.hxl)
    print(f"wrote {args.out}: {count:,} incidents ({filters.describe()})")
    if out.suffix.lower() == ".csv":
        for path in write_claims_beside(table, filters, out):
            print(f"wrote {path}: read back with {out.name}")
    return 0


def _check_export_targets(args: argparse.Namespace, out: Path) -> None:
    """Before anything is written: no folder where a file of the export goes, and no file of
    the table being read overwritten (a CSV export writes its claims and sources beside it)."""
    from geo.store import is_database_url
    from geo.table_files import sibling_files, sibling_paths

    targets = [out, *(sibling_paths(out) if out.suffix.lower() == ".csv" else ())]
    for target in targets:
        if target.is_dir():
            raise UsageError(f"{target}: a folder is there; name another file with --out")
    if args.data and is_database_url(args.data) or not args.data and default_database():
        return
    table = Path(args.data) if args.data else default_incidents_path()
    read = {p.resolve() for p in (table, *sibling_files(table))}
    if any(t.resolve() in read for t in targets):
        raise UsageError(f"{out.name}: it would overwrite the table being read; name another file")


def _cmd_trends(args: argparse.Namespace) -> int:
    from geo.trends.command import trend_of, write_trends

    filters, out = _filters(args), _out(args)
    _check_export_targets(args, out)
    try:
        trend = trend_of(args)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    rows = write_trends(_table(args), filters, trend, out)
    print(f"wrote {args.out}: {rows:,} rows, {trend.describe()} ({filters.describe()})")
    return 0


def _cmd_brief(args: argparse.Namespace) -> int:
    from geo.files import write_bytes_atomic
    from geo.trends.brief import brief_bytes
    from geo.trends.command import trend_of

    filters, out = _filters(args), _out(args)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "png"):
        raise UsageError(f"{out.name}: a brief is written as .pdf or .png")
    _check_export_targets(args, out)
    try:
        trend = trend_of(args)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    write_bytes_atomic(out, brief_bytes(_table(args), filters, trend, fmt))
    print(f"wrote {args.out}: {trend.describe()} ({filters.describe()})")
    return 0


def _cmd_snapshot(args: argparse.Namespace) -> int:
    from geo.export import ExportOptions, export
    from geo.files import write_bytes_atomic
    from geo.snapshot import FORMATS

    filters = _filters(args)
    out = _out(args)
    suffix = out.suffix.lower().lstrip(".")
    fmt = args.format or suffix or "png"
    if fmt not in FORMATS:
        raise UsageError(f"{out.name}: unknown snapshot type {fmt!r}; use .png, .svg or .pdf")
    if suffix and suffix != fmt:
        raise UsageError(f"{out.name}: the name says .{suffix} but --format is {fmt}")
    options = ExportOptions(
        size=args.size, dpi=args.dpi, extent=args.extent, title=args.title or ""
    )
    options.frame()  # a bad size fails before the data is read
    table = _table(args)
    write_bytes_atomic(out, export(table, filters, fmt, options))
    count = table.engine.headline(filters).incidents
    print(f"wrote {out}: {count} incidents ({filters.describe()})")
    return 0


def _cmd_timelapse(args: argparse.Namespace) -> int:
    from geo.export import select
    from geo.timelapse import render_timelapse

    filters = _filters(args)
    incidents = select(_table(args), filters)
    frames = render_timelapse(
        incidents,
        freq=args.freq,
        filters=filters,
        out=_out(args),
        frames_dir=Path(args.frames) if args.frames else None,
        progress=_show_progress,
    )
    print(f"wrote {args.out}: {len(frames):,} frames of {len(incidents):,} incidents")
    return 0


def _show_progress(done: int, total: int) -> None:
    """``frame 3 of 64`` on one line of the terminal, rewritten as frames are drawn."""
    if sys.stderr.isatty():
        end = "\n" if done == total else ""
        print(f"\rframe {done} of {total}", end=end, file=sys.stderr, flush=True)
    elif done == total or done % 10 == 0:
        print(f"frame {done} of {total}", file=sys.stderr, flush=True)


def _cmd_synth(args: argparse.Namespace) -> int:
    from geo.synth import write_synthetic

    if args.n < 0:
        raise UsageError(f"--n must be 0 or more, not {args.n}")
    from geo.synth import WORLD

    countries = WORLD if args.world else args.countries
    started = time.perf_counter()
    incidents, claims, sources = write_synthetic(
        Path(args.out), args.n, seed=args.seed, countries=countries
    )
    print(
        f"wrote {args.out}: {incidents} synthetic incidents, {claims} claims, "
        f"{sources} sources (seed {args.seed}) in {time.perf_counter() - started:.1f} s"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="Incident Atlas: validate, geocode, map and export incident tables offline.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _table_commands(commands)
    _map_commands(commands)
    _db_commands(commands)
    return parser


def _table_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """validate, geocode, locate and synth: commands about tables and places."""
    p = commands.add_parser("validate", help="check an incident table against the schema")
    p.add_argument(
        "path",
        nargs="?",
        help="table to check (default: $INCIDENT_ATLAS_DATA or the shipped data/incidents.csv)",
    )
    p.add_argument("--data", dest="path_option", metavar="PATH", help="same as PATH")
    _add_layer(p)
    _add_read_options(p)
    p.set_defaults(run=_cmd_validate)

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
    _add_layer(p)
    _add_read_options(p)
    p.set_defaults(run=_cmd_import)

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
    _add_layer(p)
    _add_read_options(p)
    p.set_defaults(run=_cmd_merge)

    p = commands.add_parser(
        "ingest",
        help="propose candidate incidents from news articles (text or .html), each value "
        "cited to its paragraph; writes OUT.csv with claims, sources and evidence beside it",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument(
        "--published",
        type=_date,
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
    p.set_defaults(run=_cmd_ingest)

    p = commands.add_parser("geocode", help="look up place names offline; one JSON line each")
    p.add_argument("places", nargs="+", metavar="PLACE")
    p.add_argument("--country", metavar="CC", help="prefer places in this country (ISO alpha-2)")
    p.add_argument(
        "--online",
        action="store_true",
        help="ask Nominatim (network, rate-limited, cached) when offline data has no "
        "answer; off by default",
    )
    p.set_defaults(run=_cmd_geocode)

    p = commands.add_parser(
        "locate",
        help="fill lat/lon/region/geo_precision of a CSV table "
        "from its geo_query (or place) column with the offline geocoder",
    )
    p.add_argument("path", nargs="?")
    p.add_argument("--data", dest="path_option", metavar="PATH", help="same as PATH")
    p.add_argument("--check", action="store_true", help="only compare; exit 1 on differences")
    p.set_defaults(run=_cmd_locate)

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
        type=_country_codes,
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
    p.set_defaults(run=_cmd_synth)


def _map_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """snapshot, export, trends and timelapse: commands that write the filtered incidents."""
    from geo.trends.command import add_trend_options

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
    p.add_argument("--dpi", type=_positive, default=300)
    p.add_argument(
        "--extent",
        choices=["data", "country", "world"],
        default="data",
        help="zoom to the filtered incidents (default), show the whole country most of them "
        "are in (and any beyond it), or the world",
    )
    p.add_argument("--title")
    _add_filters(p)
    p.set_defaults(run=_cmd_snapshot)

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
    _add_filters(p)
    p.set_defaults(run=_cmd_export)

    p = commands.add_parser(
        "trends", help="each unit's period against its baseline, flagged, as CSV (all periods)"
    )
    p.add_argument("--out", required=True, metavar="FILE.csv")
    add_trend_options(p)
    _add_filters(p)
    p.set_defaults(run=_cmd_trends)

    p = commands.add_parser(
        "brief", help="a one-page situation brief (PDF or PNG): the latest period against its "
        "baseline, its change map, largest rises and most active actors"
    )  # fmt: skip
    p.add_argument("--out", required=True, metavar="FILE.pdf|FILE.png")
    add_trend_options(p)
    _add_filters(p)
    p.set_defaults(run=_cmd_brief)

    p = commands.add_parser("timelapse", help="animated GIF of the incidents period by period")
    p.add_argument("--out", required=True, metavar="FILE.gif")
    p.add_argument("--freq", choices=["month", "quarter", "year"], default="year")
    p.add_argument("--frames", metavar="DIR", help="also write each frame as a PNG here")
    _add_filters(p)
    p.set_defaults(run=_cmd_timelapse)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except AtlasError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # an output folder that does not exist, a read-only file, ...
        # os.replace names the file being made second: the one the user asked for.
        name = exc.filename2 or exc.filename or ""
        print(f"error: {name}: {exc.strerror or exc}", file=sys.stderr)
        return 1
