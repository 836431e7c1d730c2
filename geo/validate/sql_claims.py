"""The claim checks of ``geo.validate.claims``, as SQL over staged claims.

``claims_staging`` holds ``row`` and the claims file's columns as text (positional names); the
incidents' view ``ranges`` (``geo.validate.sql_incidents``) gives each incident's low and high.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from geo.errors import Problem
from geo.schema import CLAIM_COLUMNS
from geo.validate import messages as m
from geo.validate.cell_values import toll_message
from geo.validate.sql import Check, Found, column, message_with, run_checks

FIGURES = ("killed", "wounded")


def _claims_view(names: Sequence[str], with_sources: bool) -> str:
    c = {name: column(names.index(name)) for name in CLAIM_COLUMNS}
    figures = ", ".join(
        f"strip(s.{c[w]}) AS {w}_text, num_of({w}_text) AS {w}_num, whole_of({w}_num) AS {w}_n, "
        f"r.{w}_low, r.{w}_high"
        for w in FIGURES
    )
    unknown = (
        f", s.{c['source']} NOT IN (SELECT id FROM source_ids) AS source_unknown"  # noqa: S608
        if with_sources
        else ""
    )
    return (
        f"SELECT s.row, s.{c['incident_id']} AS incident_id, s.{c['source']} AS source, "  # noqa: S608 - own SQL
        f"r.incident_id IS NOT NULL AS claimed, {figures}{unknown} "
        f"FROM claims_staging s LEFT JOIN ranges r ON s.{c['incident_id']} = r.incident_id"
    )


def _checks(with_sources: bool) -> list[Check]:
    checks = [
        Check(
            "incident_id",
            "NOT claimed",
            ("incident_id",),
            lambda v: m.claim_for_unknown_incident(v[0]),
        )
    ]
    if with_sources:
        unknown = Check("source", "source_unknown", ("source",), lambda v: m.unknown_source(v[0]))
        checks.append(unknown)
    for what in FIGURES:
        bad = toll_message(what)
        checks.append(
            Check(what, f"{what}_text <> '' AND {what}_n IS NULL", (f"{what}_text",),
                  message_with(bad))
        )  # fmt: skip
        checks.append(
            Check(
                what,
                f"{what}_n IS NOT NULL AND claimed AND NOT coalesce({what}_low <= {what}_n "
                f"AND {what}_n <= {what}_high, false)",
                (f"{what}_n", f"{what}_low", f"{what}_high", "incident_id"),
                message_with(m.claim_outside, what),
            )
        )
    return checks


def check_claims(
    con: duckdb.DuckDBPyConnection,
    names: Sequence[str],
    rows: int,
    *,
    file: str,
    found: Found,
    with_sources: bool,
) -> None:
    """``validate_claims`` over ``claims_staging``: every claim names a known incident (and
    source), and its figures are whole numbers within the incident's low-high range."""
    missing = [c for c in CLAIM_COLUMNS if c not in names]
    for name in missing:
        found.problems.append(Problem(file, None, name, f"required column {name!r} is missing"))
    if missing or rows == 0:
        return
    con.execute(f"CREATE OR REPLACE VIEW claims_t AS {_claims_view(names, with_sources)}")
    run_checks(con, "claims_t", _checks(with_sources), file=file, found=found)


def write_claims(con: duckdb.DuckDBPyConnection, names: Sequence[str], out: Path) -> int:
    """The claims as read (``claims_as_read``: each figure written as the whole number it was
    read as), under the file's column names, in its row order; how many there are."""
    select = ", ".join(
        f"CASE WHEN whole({column(i)}) IS NOT NULL THEN "
        f"CAST(CAST(whole({column(i)}) AS BIGINT) AS VARCHAR) ELSE strip({column(i)}) END"
        if name in FIGURES
        else column(i)
        for i, name in enumerate(names)
    )
    schema = pa.schema([(name, pa.string()) for name in names])
    reader = con.sql(f"SELECT {select} FROM claims_staging").to_arrow_reader(2**16)  # noqa: S608
    count = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        for batch in reader:
            arrays = [batch.column(i).cast(pa.string()) for i in range(len(names))]
            writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))
            count += batch.num_rows
    return count


__all__ = ["check_claims", "write_claims"]
