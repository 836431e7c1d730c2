"""Importing a table into the project's schema, and writing a data set back as files.

``import_table`` reads any table the product reads (an ACLED, GTD or UCDP GED export is
converted), and writes it as ``OUT.csv`` with ``OUT.claims.csv`` and ``OUT.sources.csv`` beside
it, or as ``OUT.parquet`` (GeoParquet: typed columns and point geometries) with
``OUT.claims.parquet`` and ``OUT.sources.parquet``. When ``OUT`` exists, rows are upserted by
``incident_id``: a newer export updates its events instead of adding them twice, claims of other
sources on those incidents are kept (their low and high still span every claim), and the rest
of ``OUT`` stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo.errors import UsageError
from geo.files import write_atomic
from geo.formats.parquet_out import claims_table, incidents_table, sources_table, write_parquet
from geo.merging import span_claims
from geo.schema import CLAIM_COLUMNS, COLUMNS, SOURCE_COLUMNS
from geo.tables import Dataset, ReadOptions, load_dataset, sibling_paths, write_csv


@dataclass
class Imported:
    """What an import did."""

    dataset: Dataset
    """The data set as read and converted (before the upsert)."""
    added: int
    updated: int
    kept: int
    """Rows of an existing ``OUT`` the import did not touch."""
    unchanged: int = 0
    """Rows the import gave again exactly as ``OUT`` had them."""

    def describe(self) -> str:
        text = f"{self.added:,} incidents added, {self.updated:,} updated"
        text += f", {self.unchanged:,} unchanged" if self.unchanged else ""
        return text + (f", {self.kept:,} kept as they were" if self.kept else "")


def write_dataset(
    incidents: pd.DataFrame, claims: pd.DataFrame, sources: pd.DataFrame, out: Path
) -> None:
    """Write a data set as CSV or Parquet files (by ``out``'s suffix; each atomically): ``out``
    and its claims and sources (``sibling_paths``)."""
    if out.is_dir():
        raise UsageError(f"{out}: is a folder; name the .csv or .parquet file to write")
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise UsageError(f"{out.name}: write the imported table as .csv or .parquet")
    claims_path, sources_path = sibling_paths(out)
    if out.suffix.lower() == ".parquet":
        write_parquet(sources_table(sources), sources_path)
        write_parquet(claims_table(claims), claims_path)
        incidents = incidents.drop(columns=["geometry", "row"], errors="ignore")
        write_parquet(incidents_table(pd.DataFrame(incidents)), out)
        return
    write_csv(sources.reindex(columns=SOURCE_COLUMNS).fillna(""), sources_path)
    _write_csv_quickly(claims.reindex(columns=CLAIM_COLUMNS).fillna(""), claims_path)
    _write_csv_quickly(incidents.reindex(columns=COLUMNS), out)


def _write_csv_quickly(frame: pd.DataFrame, path: Path) -> None:
    """Write a table as UTF-8 CSV atomically with Arrow's writer: a million rows in a few
    seconds instead of pandas' twenty. Every text cell is quoted (any CSV reader reads it the
    same; a cell holding a bare ``\r`` stays one cell); dates are ``YYYY-MM-DD``."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    frame = frame.drop(columns=[c for c in ("geometry", "row") if c in frame.columns])
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    options = pa_csv.WriteOptions(quoting_style="needed")
    write_atomic(path, lambda tmp: pa_csv.write_csv(table, str(tmp), options))


def import_table(path: Path, out: Path, options: ReadOptions | None = None) -> Imported:
    """Read ``path`` (converting an export) and upsert it into the data set at ``out``."""
    written = {p.resolve() for p in (out, *sibling_paths(out))}
    if path.resolve() in written:
        raise UsageError(
            f"{path.name}: importing it into {out.name} would overwrite it; choose another --out"
        )
    dataset = load_dataset(path, options=options)
    incidents = pd.DataFrame(dataset.incidents.drop(columns=["geometry", "row"], errors="ignore"))
    claims, sources = dataset.claims, dataset.sources
    added, updated, kept = len(incidents), 0, 0
    if out.exists():
        before = load_dataset(out)
        if before.origin:
            raise UsageError(
                f"{out.name} is itself an export ({before.origin.split(':')[0]}), not a table "
                "of the project's; choose another --out so that it is not overwritten"
            )
        new_ids = set(incidents["incident_id"])
        old = pd.DataFrame(before.incidents.drop(columns=["geometry", "row"], errors="ignore"))
        replaced = old["incident_id"].isin(new_ids)
        updated = int(replaced.sum())
        added -= updated
        kept = len(old) - updated
        new_sources = set(sources["source_id"])
        stale = before.claims["incident_id"].isin(new_ids) & before.claims["source"].isin(
            new_sources
        )
        claims = pd.concat([before.claims[~stale], claims], ignore_index=True)
        incidents = pd.concat([old[~replaced], incidents], ignore_index=True)
        incidents = span_claims(incidents, claims, ids=new_ids & set(old["incident_id"]))
        sources = pd.concat([before.sources, sources]).drop_duplicates("source_id", keep="last")
        unchanged = _unchanged(old, incidents, new_ids, (before.claims, claims))
        updated -= unchanged
    else:
        unchanged = 0
    write_dataset(incidents, claims, sources, out)
    return Imported(dataset, added, updated, kept, unchanged)


def _unchanged(
    old: pd.DataFrame,
    merged: pd.DataFrame,
    ids: set[str],
    claims: tuple[pd.DataFrame, pd.DataFrame],
) -> int:
    """How many of the incidents ``ids`` that ``old`` had are, merged, exactly as they were:
    every cell, and every claim (``claims``: before and after)."""
    both = sorted(ids & set(old["incident_id"]))
    if not both:
        return 0
    columns = [c for c in COLUMNS if c != "incident_id"]

    def cells(frame: pd.DataFrame) -> pd.DataFrame:
        rows = frame.drop_duplicates("incident_id", keep="last").set_index("incident_id")
        return rows.loc[both].reindex(columns=columns).astype(object).fillna("").astype(str)

    def claimed(frame: pd.DataFrame) -> pd.Series:
        text = frame[frame["incident_id"].isin(both)].reindex(columns=CLAIM_COLUMNS)
        text = text.astype(object).fillna("").astype(str)
        lines = text["incident_id"].str.cat([text[c] for c in CLAIM_COLUMNS[1:]], sep="\x1f")
        grouped = lines.groupby(text["incident_id"]).agg(lambda v: "\x1e".join(sorted(v)))
        return grouped.reindex(both, fill_value="")

    same = (cells(old) == cells(merged)).all(axis=1)
    same &= claimed(claims[0]) == claimed(claims[1])
    return int(same.sum())


__all__ = ["Imported", "import_table", "write_dataset"]
