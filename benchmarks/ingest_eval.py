"""How well ``geo.ingest`` reads articles: candidates scored against hand-built incident tables.

Run from the repository root::

    python benchmarks/ingest_eval.py          # the seed articles, then tests/data/articles
    python benchmarks/ingest_eval.py --seeds ../shared/seeds --articles tests/data/articles
    python benchmarks/ingest_eval.py --articles DIR --no-seeds   # any folder of articles
    python benchmarks/ingest_eval.py --verbose   # also list, per article, what was missed

A folder of articles is ``*.txt`` / ``*.html`` files with ``expected.csv`` beside them: an
incident table in the project's schema whose ``sources`` name the articles by file stem (and,
optionally, ``expected.claims.csv``). The seed articles are scored against the shipped table
(``data/incidents.csv`` and ``data/claims.csv``).

For each article, each expected incident is **found** when a candidate of that article has a
date range overlapping the incident's, a point within 50 km of it, and (when both give one) a
death toll that meets the range the incident's claims span. A candidate **matches** when it
finds some incident. Per-field accuracy is over the expected incidents that some candidate
places and dates (date ranges overlap, within 50 km): the best such candidate's date (overlaps
and has the same precision), place (within 25 km), killed and wounded (its best figure within
the claims' range, or both give none) and event type (equal).

Prints one line per article, the totals, then one JSON object. With ``--verbose``, each article
is followed by the expected incidents no candidate finds (id, dates, place, tolls) and the
candidates that find none (their values and the words behind them).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.ingest import Candidate, extract, read_article  # noqa: E402

FOUND_KM = 50.0
PLACE_KM = 25.0
TARGET_FOUND = 0.80
TARGET_MATCHING = 0.60


@dataclass
class Expected:
    incident_id: str
    start: date
    end: date
    precision: str
    lat: float
    lon: float
    event_type: str
    killed: tuple[int, int] | None
    wounded: tuple[int, int] | None


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def _range(row: pd.Series, claims: pd.DataFrame, what: str) -> tuple[int, int] | None:
    figures = [int(v) for v in pd.to_numeric(claims[what], errors="coerce").dropna()]
    for bound in ("low", "best", "high"):
        value = pd.to_numeric(row.get(f"{what}_{bound}"), errors="coerce")
        if pd.notna(value):
            figures.append(int(value))
    return (min(figures), max(figures)) if figures else None


def read_expected(incidents_csv: Path, claims_csv: Path | None) -> dict[str, list[Expected]]:
    """Expected incidents by source id (an incident citing two articles counts for both)."""
    table = pd.read_csv(incidents_csv, dtype=str, keep_default_na=False)
    claims = (
        pd.read_csv(claims_csv, dtype=str, keep_default_na=False)
        if claims_csv is not None and claims_csv.exists()
        else pd.DataFrame(columns=["incident_id", "killed", "wounded"])
    )
    out: dict[str, list[Expected]] = {}
    for _, row in table.iterrows():
        mine = claims[claims["incident_id"] == row["incident_id"]]
        start = date.fromisoformat(row["date_start"])
        end = date.fromisoformat(row["date_end"]) if row.get("date_end") else start
        expected = Expected(
            row["incident_id"],
            start,
            end,
            row.get("date_precision") or ("day" if start == end else "year"),
            float(row["lat"]),
            float(row["lon"]),
            row["event_type"],
            _range(row, mine, "killed"),
            _range(row, mine, "wounded"),
        )
        for source in filter(None, (s.strip() for s in row.get("sources", "").split(";"))):
            out.setdefault(source, []).append(expected)
    return out


def _dates_overlap(c: Candidate, e: Expected) -> bool:
    return (
        c.date_start is not None
        and c.date_end is not None
        and c.date_start <= e.end
        and e.start <= c.date_end
    )


def _distance(c: Candidate, e: Expected) -> float:
    if c.lat is None or c.lon is None:
        return math.inf
    return _km(c.lat, c.lon, e.lat, e.lon)


def _toll_ok(c: Candidate, e: Expected) -> bool:
    if c.killed_best is None or e.killed is None:
        return True
    high = c.killed_high if c.killed_high is not None else 10**9
    low = c.killed_low if c.killed_low is not None else c.killed_best
    return low <= e.killed[1] and e.killed[0] <= high


def _figure_ok(best: int | None, span: tuple[int, int] | None) -> bool:
    if best is None or span is None:
        return best is None and span is None
    return span[0] <= best <= span[1]


def finds(c: Candidate, e: Expected) -> bool:
    return _dates_overlap(c, e) and _distance(c, e) <= FOUND_KM and _toll_ok(c, e)


def field_scores(c: Candidate, e: Expected) -> dict[str, bool]:
    return {
        "date": _dates_overlap(c, e) and c.date_precision == e.precision,
        "place": _distance(c, e) <= PLACE_KM,
        "killed": _figure_ok(c.killed_best, e.killed),
        "wounded": _figure_ok(c.wounded_best, e.wounded),
        "type": c.event_type == e.event_type,
    }


@dataclass
class Score:
    name: str
    words: int
    seconds: float
    expected: int
    found: int
    candidates: int
    matching: int
    fields: dict[str, list[bool]]
    missed: list[Expected]
    unmatched: list[Candidate]
    candidates_read: list[Candidate]
    wrong: list[tuple[Expected, Candidate, list[str]]]


def score_article(path: Path, expected: list[Expected]) -> Score:
    text = read_article(path)
    started = time.perf_counter()
    candidates = extract(text, source_id=path.stem)
    seconds = time.perf_counter() - started
    found = sum(any(finds(c, e) for c in candidates) for e in expected)
    matching = sum(any(finds(c, e) for e in expected) for c in candidates)
    fields: dict[str, list[bool]] = {k: [] for k in ("date", "place", "killed", "wounded", "type")}
    wrong: list[tuple[Expected, Candidate, list[str]]] = []
    for e in expected:
        near = [c for c in candidates if _dates_overlap(c, e) and _distance(c, e) <= FOUND_KM]
        if not near:
            continue
        best = max(near, key=lambda c: sum(field_scores(c, e).values()))
        for key, ok in field_scores(best, e).items():
            fields[key].append(ok)
        bad = [key for key, ok in field_scores(best, e).items() if not ok]
        if bad:
            wrong.append((e, best, bad))
    return Score(
        path.stem,
        len(text.split()),
        seconds,
        len(expected),
        found,
        len(candidates),
        matching,
        fields,
        [e for e in expected if not any(finds(c, e) for c in candidates)],
        [c for c in candidates if not any(finds(c, e) for e in expected)],
        candidates,
        wrong,
    )


def _span_text(span: tuple[int, int] | None) -> str:
    if span is None:
        return "-"
    return str(span[0]) if span[0] == span[1] else f"{span[0]}-{span[1]}"


def _figures(low: int | None, best: int | None, high: int | None) -> str:
    if best is None:
        return "-"
    return f"{best} ({low}-{'' if high is None else high})" if low != high else str(best)


def explain(s: Score) -> None:
    """What ``--verbose`` prints under an article: its misses, then its unmatched candidates."""
    for e in s.missed:
        near = [c for c in s.candidates_read if _distance(c, e) <= FOUND_KM]
        why = ""
        if near:
            dated = [c for c in near if _dates_overlap(c, e)]
            why = "; a candidate nearby, toll out of range" if dated else "; nearby, other dates"
        print(
            f"    missed {e.incident_id}: {e.start}..{e.end} ({e.precision}) at "
            f"{e.lat:.3f},{e.lon:.3f}, {e.event_type}, killed {_span_text(e.killed)}, "
            f"wounded {_span_text(e.wounded)}{why}"
        )
    for e, c, bad in s.wrong:
        got = {
            "date": f"{c.date_start}..{c.date_end} ({c.date_precision})",
            "place": f"{c.place} {c.lat},{c.lon}",
            "killed": _figures(c.killed_low, c.killed_best, c.killed_high),
            "wounded": _figures(c.wounded_low, c.wounded_best, c.wounded_high),
            "type": c.event_type,
        }
        want = {
            "date": f"{e.start}..{e.end} ({e.precision})",
            "place": f"{e.lat:.3f},{e.lon:.3f}",
            "killed": _span_text(e.killed),
            "wounded": _span_text(e.wounded),
            "type": e.event_type,
        }
        print(
            f"    fields wrong for {e.incident_id}: "
            + "; ".join(f"{k} {got[k]}, expected {want[k]}" for k in bad)
        )
    for c in s.unmatched:
        print(
            f"    unmatched {c.incident_id}: {c.date_start}..{c.date_end} ({c.date_precision}) "
            f"at {c.place or '?'} ({c.geo_precision}), {c.event_type}, killed "
            f"{_figures(c.killed_low, c.killed_best, c.killed_high)}, wounded "
            f"{_figures(c.wounded_low, c.wounded_best, c.wounded_high)}"
        )
        for ev in c.evidence:
            words = ev.text.replace("\n", " ")
            print(f"        {ev.field:<10} para {ev.paragraph:<3} {words[:70]!r} {ev.note[:60]}")


def _articles(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".txt", ".html", ".htm"))


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def report(label: str, scores: list[Score], *, verbose: bool = False) -> dict[str, object]:
    print(f"\n{label}")
    print(
        f"{'article':<26} {'words':>6} {'s':>6} {'expected':>8} {'found':>6} "
        f"{'cands':>6} {'match':>6}"
    )
    for s in scores:
        print(
            f"{s.name[:26]:<26} {s.words:>6} {s.seconds:>6.2f} {s.expected:>8} {s.found:>6} "
            f"{s.candidates:>6} {s.matching:>6}"
        )
        if verbose:
            explain(s)
    expected = sum(s.expected for s in scores)
    found = sum(s.found for s in scores)
    candidates = sum(s.candidates for s in scores)
    matching = sum(s.matching for s in scores)
    print(
        f"{'total':<26} {sum(s.words for s in scores):>6} "
        f"{sum(s.seconds for s in scores):>6.2f} {expected:>8} {found:>6} {candidates:>6} "
        f"{matching:>6}"
    )
    accuracy: dict[str, float] = {}
    for key in ("date", "place", "killed", "wounded", "type"):
        marks = [ok for s in scores for ok in s.fields[key]]
        accuracy[key] = _pct(sum(marks), len(marks))
    compared = len([ok for s in scores for ok in s.fields["date"]])
    print(
        f"incidents found {found}/{expected} ({_pct(found, expected)}%, target "
        f"{TARGET_FOUND:.0%}); candidates matching one {matching}/{candidates} "
        f"({_pct(matching, candidates)}%, target {TARGET_MATCHING:.0%}); "
        f"{candidates - matching} match nothing"
    )
    print(
        f"field accuracy over {compared} placed and dated incidents: "
        + ", ".join(f"{k} {v}%" for k, v in accuracy.items())
    )
    return {
        "set": label,
        "articles": len(scores),
        "incidents": expected,
        "found": found,
        "found_pct": _pct(found, expected),
        "candidates": candidates,
        "matching": matching,
        "matching_pct": _pct(matching, candidates),
        "unmatched": candidates - matching,
        "field_accuracy_pct": accuracy,
        "fields_compared": compared,
        "extract_s": round(sum(s.seconds for s in scores), 3),
        "max_article_s": round(max((s.seconds for s in scores), default=0.0), 3),
        "found_target_met": found >= TARGET_FOUND * expected,
        "matching_target_met": matching >= TARGET_MATCHING * candidates,
    }


def speed(words: int = 1000) -> float:
    """Seconds to read a synthetic wire report of about ``words`` words (gazetteer warm)."""
    folder = ROOT / "tests" / "data" / "articles"
    texts = [read_article(p) for p in _articles(folder)] if folder.is_dir() else []
    body = "\n\n".join(texts) or "Gunmen killed 12 people in Maiduguri on Monday."
    chunks = body.split()
    text = " ".join((chunks * (words // max(len(chunks), 1) + 1))[:words])
    text = "\n\n".join(text[i : i + 600] for i in range(0, len(text), 600))
    extract(text[:200], source_id="warm", published=date(2020, 1, 1))
    from geo.ingest.places import clear_cache

    clear_cache()  # the gazetteer stays open; names already looked up are forgotten
    started = time.perf_counter()
    extract(text, source_id="speed", published=date(2020, 1, 1))
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    parser.add_argument("--no-seeds", action="store_true", help="score only --articles")
    parser.add_argument("--truth", type=Path, default=ROOT / "data" / "incidents.csv")
    parser.add_argument(
        "--articles",
        type=Path,
        action="append",
        default=None,
        help="a folder of articles with expected.csv beside them (default tests/data/articles)",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="list, per article, the expected incidents not found and the candidates that "
        "match nothing, with their evidence",
    )
    args = parser.parse_args(argv)
    results = []
    cold = time.perf_counter()
    extract("Warm-up: gunmen attacked Almaty.", source_id="warm", published=date(2020, 1, 1))
    cold_s = time.perf_counter() - cold
    if not args.no_seeds:
        truth = read_expected(args.truth, args.truth.with_name("claims.csv"))
        scores = [score_article(p, truth.get(p.stem, [])) for p in _articles(args.seeds)]
        results.append(report(f"seeds ({args.seeds})", scores, verbose=args.verbose))
    for folder in args.articles or [ROOT / "tests" / "data" / "articles"]:
        expected_csv = folder / "expected.csv"
        if not expected_csv.exists():
            print(f"{folder}: no expected.csv, skipped", file=sys.stderr)
            continue
        truth = read_expected(expected_csv, folder / "expected.claims.csv")
        scores = [score_article(p, truth.get(p.stem, [])) for p in _articles(folder)]
        results.append(report(f"articles ({folder})", scores, verbose=args.verbose))
    speed_s = speed()
    print(
        f"\nspeed: a 1,000-word article in {speed_s:.2f} s (target 2 s); first call, "
        f"gazetteer opening included, {cold_s:.2f} s"
    )
    print(
        json.dumps(
            {
                "results": results,
                "speed_1000_words_s": round(speed_s, 3),
                "first_call_s": round(cold_s, 3),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
