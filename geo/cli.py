"""The command line: ``python -m geo COMMAND``. Run ``python -m geo --help`` for the list."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from geo.cli_arguments import build_parser
from geo.errors import AtlasError, UsageError
from geo.paths import default_database, default_incidents_path, default_layer
from geo.said import Said

# Each command imports what it needs when it runs: `geocode` never pays for pandas.
if TYPE_CHECKING:
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
        said = f"; {len(warnings)} warning(s) above (rows left out, rows to look at)"
        print(f"{path}: converted, {counts}" + (said if warnings else ""))
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


def _cmd_geocode(args: argparse.Namespace) -> int:
    from geo.places.geocode import geocode_command

    return _say(geocode_command(args.places, args.country, args.online))


def _cmd_locate(args: argparse.Namespace) -> int:
    from geo.places.locate import locate_command

    chosen = args.path or args.path_option
    path = Path(chosen) if chosen else default_incidents_path()
    return _say(locate_command(path, check=args.check))


def _layer(args: argparse.Namespace) -> str | None:
    return args.layer or default_layer()


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


_RUN: dict[str, Callable[[argparse.Namespace], int]] = {
    "validate": _cmd_validate, "import": _cmd_import, "merge": _cmd_merge,
    "ingest": _cmd_ingest, "geocode": _cmd_geocode, "locate": _cmd_locate,
    "synth": _cmd_synth, "snapshot": _cmd_snapshot, "export": _cmd_export,
    "trends": _cmd_trends, "brief": _cmd_brief, "timelapse": _cmd_timelapse,
    "db_init": _cmd_db_init, "db_import": _cmd_db_import, "db_export": _cmd_db_export,
}  # fmt: skip
"""The function each command's parser names (``geo.cli_arguments``)."""


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(_RUN[args.run](args))
    except AtlasError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # an output folder that does not exist, a read-only file, ...
        # os.replace names the file being made second: the one the user asked for.
        name = exc.filename2 or exc.filename or ""
        print(f"error: {name}: {exc.strerror or exc}", file=sys.stderr)
        return 1
