"""Files as analysts have them: a CSV that is gzipped, zipped or a spreadsheet, in any encoding.

Each container gives back the bytes of one CSV table (or, for ``.xlsx``, the table itself), with
bounds so that a small archive cannot unpack into more than ``MAX_UNPACKED_BYTES``.
"""

from __future__ import annotations

import codecs
import gzip
import zipfile
from pathlib import Path

import pandas as pd

from geo.errors import DataError, Problem

MAX_UNPACKED_BYTES = 4 * 2**30
"""The most a compressed table may unpack to (ACLED's whole dataset is about 1.5 GB as CSV)."""
CONTAINER_SUFFIXES = (".csv.gz", ".zip", ".xlsx")
_TABLE_MEMBERS = (".csv", ".txt", ".tsv")


def table_suffix(path: Path) -> str:
    """The suffix that says what a file is: ``.csv.gz`` for a gzipped CSV, else the last one."""
    name = path.name.lower()
    if name.endswith(".csv.gz"):
        return ".csv.gz"
    return path.suffix.lower()


def _fail(path: Path, message: str) -> DataError:
    return DataError(Problem(path.name, None, None, message))


def _read_bounded(stream, path: Path) -> bytes:  # type: ignore[no-untyped-def]
    data = stream.read(MAX_UNPACKED_BYTES + 1)
    if len(data) > MAX_UNPACKED_BYTES:
        raise _fail(path, f"unpacks to more than {MAX_UNPACKED_BYTES / 2**30:.0f} GB")
    return bytes(data)


def unpack_csv(path: Path) -> tuple[bytes, str]:
    """The CSV bytes inside a ``.csv.gz`` or ``.zip`` file, and the name of the table inside.

    A zip must hold exactly one CSV table (folders and files such as a README beside it are
    ignored); several are refused with their names, so the user can say which by unzipping.
    """
    suffix = table_suffix(path)
    try:
        if suffix == ".csv.gz":
            with gzip.open(path, "rb") as fh:
                return _read_bounded(fh, path), path.name[: -len(".gz")]
        with zipfile.ZipFile(path) as archive:
            members = [
                m
                for m in archive.infolist()
                if not m.is_dir()
                and m.filename.lower().endswith(_TABLE_MEMBERS)
                and not Path(m.filename).name.startswith((".", "__MACOSX"))
                and "__MACOSX" not in m.filename
            ]
            if len(members) != 1:
                names = ", ".join(m.filename for m in archive.infolist()[:10]) or "nothing"
                raise _fail(
                    path,
                    f"a zip file must hold one CSV table; this one holds {len(members)} ({names})",
                )
            if members[0].file_size > MAX_UNPACKED_BYTES:
                raise _fail(path, f"unpacks to more than {MAX_UNPACKED_BYTES / 2**30:.0f} GB")
            with archive.open(members[0]) as fh:
                return _read_bounded(fh, path), Path(members[0].filename).name
    except (OSError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
        kind = "gzip" if suffix == ".csv.gz" else "zip"
        raise _fail(path, f"not a readable {kind} file: {exc}") from None
    except RuntimeError as exc:  # an encrypted member
        raise _fail(path, f"the zip file cannot be opened: {exc}") from None


def read_xlsx(path: Path, *, max_rows: int) -> pd.DataFrame:
    """The first sheet of an Excel workbook as a table of strings (GTD ships one).

    Only cell values are read: formulas are taken as their last computed value and never run.
    """
    try:
        table = pd.read_excel(path, sheet_name=0, dtype=str, engine="openpyxl", nrows=max_rows + 1)
    except (ValueError, OSError, KeyError, zipfile.BadZipFile) as exc:
        raise _fail(path, f"not a readable Excel (.xlsx) workbook: {exc}") from None
    table = table.fillna("")
    table.columns = [str(c) for c in table.columns]
    return table


def decode_check(data: bytes, encoding: str | None, *, name: str) -> tuple[str, str | None]:
    """The encoding to read ``data`` with, and a note for the user when it is not UTF-8.

    With ``encoding`` stated, that one (a name Python does not know is refused). Otherwise
    UTF-8 when the bytes are UTF-8; else the encoding ``charset_normalizer`` finds most likely
    on a sample; else Windows-1252 (GTD's own, and Excel's on Western Windows) or Latin-1.
    """
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise DataError(
                Problem(name, None, None, f"unknown encoding {encoding!r}; try utf-8 or cp1252")
            ) from None
        try:
            data.decode(codec)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise DataError(
                Problem(
                    name,
                    line,
                    None,
                    f"byte 0x{data[exc.start]:02x} at offset {exc.start} is not {codec}",
                )
            ) from None
        return codec, None
    try:
        data.decode("utf-8")
        return "utf-8-sig", None
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    for codec in _guesses(data[max(0, first_bad - 50_000) : first_bad + 200_000]):
        try:
            data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        line = data[:first_bad].count(b"\n") + 1
        return codec, (
            f"not UTF-8 (byte 0x{data[first_bad]:02x} on line {line}); read as {codec}. "
            "If letters look wrong, state the encoding (--encoding)"
        )
    return "latin-1", None  # pragma: no cover - latin-1 decodes every byte


def _guesses(sample: bytes) -> list[str]:
    """Encodings to try, most likely first; Windows-1252 wins a tie (it reads the sample the
    same as the guess), being GTD's and Western Excel's."""
    found: list[str] = []
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(
            sample,
            cp_isolation=["cp1252", "cp1251", "latin_1", "cp1250", "iso8859_15", "koi8_r"],
        ).best()
        if best is not None and best.encoding:
            guess = codecs.lookup(best.encoding).name
            if not _same(sample, guess, "cp1252"):
                found.append(guess)
    except ImportError:  # pragma: no cover - a requirement
        pass
    return [*found, "cp1252", "latin-1"]


def _same(sample: bytes, one: str, other: str) -> bool:
    try:
        return sample.decode(one, errors="ignore") == sample.decode(other, errors="strict")
    except UnicodeDecodeError:
        return False


__all__ = [
    "CONTAINER_SUFFIXES",
    "MAX_UNPACKED_BYTES",
    "decode_check",
    "read_xlsx",
    "table_suffix",
    "unpack_csv",
]
