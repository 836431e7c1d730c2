"""How well article extraction reads real news: candidates scored against a careful reader's
expected values, by the matching rule of the set's README.

    python benchmarks/news_eval.py                      # ../shared/news (the development set)
    python benchmarks/news_eval.py --set DIR --verbose  # any folder with expected.json

A folder holds ``*.txt`` reports and ``expected.json``: one object per report with ``file``,
``published``, ``date`` ([first, last]), ``lat``/``lon``, ``killed`` ([low, high]),
``killed_includes_attackers`` and ``event``. A candidate **matches** the expected incident when
its date range overlaps the expected one widened by a day on each side and spans at most 31
days, its point lies within 50 km, and its killed range meets [low - 1, high + 2] ([low - 1,
high + 12] where the expected figure leaves the attackers out). The texts stay where they are:
they belong to their publishers and are never copied into the repository.

Prints one line per report, then the totals: reports with a matching candidate, per field
(the candidate nearest in time and place: date, place within 50 km, killed, type), false
candidates per report (those matching nothing; the Review page folds away the incidents a
report only recalls, so those are counted apart), how often candidates of each confidence are
right, and one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.ingest import Candidate, extract  # noqa: E402

NEWS = ROOT.parent / "shared" / "news"
TARGET_MATCHING = 0.80
MAX_FALSE = 0.5


@dataclass(frozen=True)
class Report:
    """One report's expected incident (``expected.json``)."""

    file: str
    published: date | None
    first: date
    last: date
    lat: float
    lon: float
    killed: tuple[int, int]
    attackers_counted: bool
    event: str

    @classmethod
    def of(cls, item: dict[str, Any]) -> Report:
        first, last = (date.fromisoformat(d) for d in item["date"])
        published = date.fromisoformat(item["published"]) if item.get("published") else None
        low, high = item["killed"]
        return cls(
            item["file"], published, first, last, float(item["lat"]), float(item["lon"]),
            (int(low), int(high)), bool(item.get("killed_includes_attackers")), item["event"],
        )  # fmt: skip


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def date_ok(c: Candidate, r: Report) -> bool:
    if c.date_start is None or c.date_end is None:
        return False
    if (c.date_end - c.date_start).days > 31:
        return False
    return c.date_start <= r.last + timedelta(days=1) and c.date_end >= r.first - timedelta(days=1)


def place_km(c: Candidate, r: Report) -> float:
    if c.lat is None or c.lon is None:
        return math.inf
    return km(c.lat, c.lon, r.lat, r.lon)


def killed_ok(c: Candidate, r: Report) -> bool:
    low, high = r.killed
    top = high + (2 if r.attackers_counted else 12)
    c_low = c.killed_low if c.killed_low is not None else c.killed_best
    c_high = c.killed_high if c.killed_high is not None else c.killed_best
    if c_low is None and c_high is None:
        return low == 0  # no figure: right only where none died
    c_low = c_low if c_low is not None else 0
    c_high = c_high if c_high is not None else 10**9  # "at least N": open above
    return c_low <= top and c_high >= low - 1


def matches(c: Candidate, r: Report) -> bool:
    return date_ok(c, r) and place_km(c, r) <= 50.0 and killed_ok(c, r)


def nearest(candidates: list[Candidate], r: Report) -> Candidate | None:
    """The candidate a reader would compare: matching, else dated right and nearest."""
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda c: (not matches(c, r), not date_ok(c, r), place_km(c, r)),
    )


def score(
    folder: Path, *, use_published: bool, expected_json: Path | None = None
) -> list[dict[str, Any]]:
    items = json.loads((expected_json or folder / "expected.json").read_text())
    expected = [Report.of(item) for item in items]
    rows = []
    for r in expected:
        text = (folder / r.file).read_text(encoding="utf-8")
        published = r.published if use_published else None
        everything = extract(text, source_id=Path(r.file).stem, published=published)
        # The report's own candidates: those it only recalls are folded away on the Review page.
        candidates = [c for c in everything if not c.recalled]
        best = nearest(candidates, r)
        rows.append(
            {
                "file": r.file,
                "candidates": len(candidates),
                "recalled": len(everything) - len(candidates),
                "recalled_matching": any(matches(c, r) for c in everything if c.recalled),
                "match": any(matches(c, r) for c in candidates),
                "false": sum(not matches(c, r) for c in candidates),
                "date": bool(best and date_ok(best, r)),
                "place": bool(best and place_km(best, r) <= 50.0),
                "place_km": round(place_km(best, r), 1) if best else None,
                "killed": bool(best and killed_ok(best, r)),
                "type": bool(best and best.event_type == r.event),
                "got": _said(best),
                "rated": [(c.confidence, matches(c, r)) for c in everything],
            }
        )
    return rows


def _said(c: Candidate | None) -> str:
    if c is None:
        return "no candidate"
    when = f"{c.date_start}..{c.date_end}" if c.date_start != c.date_end else str(c.date_start)
    toll = f"{c.killed_low}/{c.killed_best}/{c.killed_high}"
    return f"{when} {c.place!r} ({c.geo_precision}) killed {toll} {c.event_type}"


def report(rows: list[dict[str, Any]], *, verbose: bool) -> dict[str, Any]:
    for row in rows:
        mark = "MATCH" if row["match"] else "miss "
        fields = " ".join(k for k in ("date", "place", "killed", "type") if not row[k])
        print(f"{mark} {row['file']:32} {row['candidates']} cand, {row['false']} false, "
              f"{row['recalled']} recalled"
              f"{'; wrong: ' + fields if fields else ''}")  # fmt: skip
        if verbose and not row["match"]:
            print(f"      best: {row['got']} ({row['place_km']} km)")
    n = len(rows)
    totals = {
        "reports": n,
        "matching": sum(r["match"] for r in rows),
        "matching_share": round(sum(r["match"] for r in rows) / n, 3) if n else 0.0,
        "false_per_report": round(sum(r["false"] for r in rows) / n, 2) if n else 0.0,
        "recalled_per_report": round(sum(r["recalled"] for r in rows) / n, 2) if n else 0.0,
        "match_only_among_recalled": sum(r["recalled_matching"] and not r["match"] for r in rows),
        **{f"{k}_right": sum(r[k] for r in rows) for k in ("date", "place", "killed", "type")},
    }
    print(f"\n{totals['matching']} of {n} reports with a matching candidate "
          f"({100 * totals['matching_share']:.0f}%; target {100 * TARGET_MATCHING:.0f}%); "
          f"false candidates per report {totals['false_per_report']} (target at most "
          f"{MAX_FALSE}); right on the nearest candidate: date {totals['date_right']}, place "
          f"{totals['place_right']}, killed {totals['killed_right']}, type "
          f"{totals['type_right']} of {n}")  # fmt: skip
    return totals


BINS = ((0.9, 1.0), (0.8, 0.9), (0.7, 0.8), (0.5, 0.7), (0.0, 0.5))


def calibration(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Of the candidates (recalled ones too) whose confidence lies in each bin, how many match
    the report's incident: a calibrated 80% is right about 4 times in 5."""
    rated = [pair for row in rows for pair in row["rated"]]
    out = []
    for low, high in BINS:
        inside = [ok for conf, ok in rated if low <= conf < high or (high == 1.0 and conf == 1.0)]
        out.append(
            {"bin": f"{low:.1f}-{high:.1f}", "candidates": len(inside), "right": sum(inside)}
        )
        share = f"{100 * sum(inside) / len(inside):.0f}%" if inside else "-"
        print(f"confidence {low:.1f}-{high:.1f}: {sum(inside)} of {len(inside)} right ({share})")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, default=NEWS, help="folder with expected.json")
    parser.add_argument("--verbose", action="store_true", help="what the misses got")
    parser.add_argument(
        "--expected", type=Path, help="expected values kept elsewhere than the texts "
        "(benchmarks/news_unseen/expected.json: the unseen set, texts outside the repository)",
    )  # fmt: skip
    parser.add_argument(
        "--no-published", action="store_true",
        help="let the extractor find the publication date itself (default: given, as a "
        "reviewer types it)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    rows = score(args.set, use_published=not args.no_published, expected_json=args.expected)
    totals = report(rows, verbose=args.verbose)
    totals["calibration"] = calibration(rows)
    print(json.dumps(totals))
    return 0


if __name__ == "__main__":
    sys.exit(main())
