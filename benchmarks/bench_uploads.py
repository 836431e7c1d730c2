"""What hostile uploads cost: each is built in a temporary folder and read, in a fresh process,
the way the sidebar reads an upload (``load_dataset`` with ``ReadOptions(max_bytes=…)`` at the
upload limit, as ``ui.data_source`` does), with its time and peak memory printed.

    python benchmarks/bench_uploads.py [--repo PATH] [--only NAME ...] [--timeout SECONDS]

``--repo`` reads with the code of another checkout (to compare with an earlier commit). The
inputs: a workbook of 20 million shared strings, one of 3 million styles, a ``.csv.gz`` of 200
unknown columns by 2 million rows, a ``.csv.gz`` holding one 590 MB cell, a plain CSV holding
one 140 MB cell, a plain 140 MB CSV of 200 unknown columns, and a legitimate 300,000-row ACLED
export gzipped (``synth_exports``), to show real files still load.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from geo.errors import DataError
from geo.tables import MAX_UPLOAD_BYTES, ReadOptions, load_dataset
start = time.perf_counter()
try:
    data = load_dataset(Path(sys.argv[2]), options=ReadOptions(max_bytes=MAX_UPLOAD_BYTES))
    outcome = f"accepted ({len(data.incidents):,} incidents)"
except DataError as exc:
    outcome = "refused: " + str(exc.problems[0])[:110]
seconds = time.perf_counter() - start
# VmHWM is this process's own peak: ru_maxrss would keep the bench's peak across exec.
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM"))
peak = int(hwm.split()[1]) / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "outcome": outcome}))
"""
_MB = 2**20


_OVERRIDE = (
    b'<Override PartName="/%s" ContentType="application/vnd.openxmlformats-officedocument.'
    b'spreadsheetml.sharedStrings+xml"/>'
)


def _workbook(path: Path, part: str, write: Callable[[zipfile.ZipFile], None]) -> None:
    """A one-sheet workbook whose ``part`` (the shared strings or the styles, listed in its
    content types) is written by ``write`` (streamed, never held)."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["event_id_cnty", "event_date"])
    plain = path.with_suffix(".plain.xlsx")
    book.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "[Content_Types].xml" and f'"/{part}"'.encode() not in data:
                data = data.replace(b"</Types>", _OVERRIDE % part.encode() + b"</Types>")
            if name != part:
                target.writestr(name, data, zipfile.ZIP_DEFLATED)
        write(target)
    plain.unlink()


def _repeat_part(target: zipfile.ZipFile, part: str, head: bytes, item: bytes, n: int) -> None:
    info = zipfile.ZipInfo(part)
    info.compress_type = zipfile.ZIP_DEFLATED
    with target.open(info, "w", force_zip64=True) as fh:
        fh.write(head)
        block = item * 100_000
        for _ in range(n // 100_000):
            fh.write(block)
        fh.write(b"</" + head.split(b"<")[-1][:-1].split(b" ")[0] + b">")


def shared_strings(path: Path) -> None:
    _workbook(
        path,
        "xl/sharedStrings.xml",
        lambda z: _repeat_part(
            z, "xl/sharedStrings.xml", b"<sst>", b"<si><t>x</t></si>", 20_000_000
        ),
    )


def styles(path: Path) -> None:
    head = (
        b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>'
    )
    item = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'

    def write(z: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo("xl/styles.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as fh:
            fh.write(head)
            for _ in range(30):
                fh.write(item * 100_000)
            fh.write(b"</cellXfs></styleSheet>")

    _workbook(path, "xl/styles.xml", write)


def _gzip(path: Path, head: bytes, block: bytes, times: int, tail: bytes = b"") -> None:
    with gzip.open(path, "wb", compresslevel=9) as fh:
        fh.write(head)
        for _ in range(times):
            fh.write(block)
        fh.write(tail)


def wide_gzip(path: Path) -> None:
    header = ",".join(f"u{i}" for i in range(200)).encode() + b"\n"
    _gzip(path, header, (b"," * 199 + b"\n") * 10_000, 200)  # 2 million rows of empty cells


def giant_cell_gzip(path: Path) -> None:
    acled = (HERE.parent / "tests/data/formats/acled.csv").read_bytes().split(b"\n")[0]
    _gzip(path, acled + b"\n", b"x" * _MB, 590, b"\n")


def giant_cell_plain(path: Path) -> None:
    acled = (HERE.parent / "tests/data/formats/acled.csv").read_bytes().split(b"\n")[0]
    with path.open("wb") as fh:
        fh.write(acled + b"\n")
        for _ in range(140):
            fh.write(b"x" * _MB)
        fh.write(b"\n")


def wide_plain(path: Path) -> None:
    header = ",".join(f"u{i}" for i in range(200)).encode() + b"\n"
    row = b",".join(b"%d" % (i % 10) for i in range(200)) + b"\n"
    with path.open("wb") as fh:
        fh.write(header)
        for _ in range(140 * _MB // len(row) // 1000):
            fh.write(row * 1000)


def legit_acled(path: Path) -> None:
    sys.path[:0] = [str(HERE), str(HERE.parent)]
    from synth_exports import write_acled

    plain = path.with_name("acled_300k.csv")
    write_acled(plain, 300_000)
    with plain.open("rb") as src, gzip.open(path, "wb") as dst:
        while block := src.read(16 * _MB):
            dst.write(block)
    plain.unlink()


INPUTS: dict[str, tuple[str, Callable[[Path], None]]] = {
    "shared_strings": ("strings.xlsx", shared_strings),
    "styles": ("styles.xlsx", styles),
    "wide_gzip": ("wide.csv.gz", wide_gzip),
    "giant_cell_gzip": ("cell.csv.gz", giant_cell_gzip),
    "giant_cell_plain": ("cell.csv", giant_cell_plain),
    "wide_plain": ("wide.csv", wide_plain),
    "legit_acled_300k": ("acled.csv.gz", legit_acled),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", default=str(HERE.parent), help="the checkout whose code reads")
    parser.add_argument("--only", nargs="*", choices=sorted(INPUTS), help="inputs to run")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    print(f"reading with {args.repo}")
    print(f"{'input':18} {'file MB':>8} {'seconds':>8} {'peak MB':>8}  outcome")
    with tempfile.TemporaryDirectory() as tmp:
        for key in args.only or INPUTS:
            name, build = INPUTS[key]
            path = Path(tmp) / name
            build(path)
            size = path.stat().st_size / _MB
            try:
                done = subprocess.run(
                    [sys.executable, "-c", CHILD, args.repo, str(path)],
                    capture_output=True,
                    text=True,
                    timeout=args.timeout,
                    check=False,
                )
                lines = done.stdout.strip().splitlines()
                if not lines:
                    raise RuntimeError(done.stderr.strip().splitlines()[-1:])
                found = json.loads(lines[-1])
                seconds, peak = f"{found['seconds']:.1f}", f"{found['peak_mb']:.0f}"
                outcome = found["outcome"]
            except subprocess.TimeoutExpired:
                seconds, peak, outcome = f">{args.timeout:.0f}", "?", "killed: did not finish"
            except RuntimeError as exc:
                seconds, peak, outcome = "?", "?", f"crashed: {exc}"
            print(f"{key:18} {size:8.2f} {seconds:>8} {peak:>8}  {outcome}", flush=True)
            path.unlink()


if __name__ == "__main__":
    main()
