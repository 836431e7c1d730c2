"""How long article extraction takes on hostile text: every form built at the paste limit.

Run from the repository root::

    python benchmarks/bench_ingest_hostile.py                 # every form, 60,000 and 120,000
    python benchmarks/bench_ingest_hostile.py --root OTHER    # the code of another checkout
    python benchmarks/bench_ingest_hostile.py --only whitespace_after_stop --timeout 30

Each form (a long run of whitespace after a full stop, a long run of capitalised words, a
sentence of thousands of figures, ...) is built here, at 60,000 characters (the Review page's
paste limit) and at 120,000 (the most an article may have), and read by
``geo.ingest.extract_with_publication`` in a process of its own that is stopped after
``--timeout`` seconds. HTML forms are first reduced by ``geo.ingest.text.decode_article``.

Prints, per form, the seconds and the peak memory of each size and the ratio of the two times
(about 2 for work linear in the text; 4 or more for quadratic work), then one JSON object.
A 120,000-character run is skipped when the 60,000 one already ran out of time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASTE_LIMIT = 60_000
SIZES = (PASTE_LIMIT, 2 * PASTE_LIMIT)


def _repeat(unit: str, size: int, head: str = "", tail: str = "") -> str:
    body = size - len(head) - len(tail)
    return head + (unit * (body // len(unit) + 1))[:body] + tail


def _numbered(unit: str, size: int) -> str:
    """``unit`` with ``{k}`` counting 1, 2, 3... (paragraphs that repeat none before them)."""
    parts, length, k = [], 0, 1
    while length < size:
        parts.append(unit.format(k=k))
        length += len(parts[-1])
        k += 1
    return "".join(parts)[:size]


FORMS: dict[str, Callable[[int], str]] = {
    # Sentence splitting: a sentence end followed by a long run of whitespace.
    "whitespace_after_stop": lambda n: _repeat(" \t\u00a0", n, "Gunmen attacked a post.", "x"),
    "spaces_after_stop": lambda n: _repeat(" ", n, "Gunmen attacked a post.", "x"),
    "abbreviations": lambda n: _repeat("Gen. ", n),
    "periods": lambda n: _repeat(". ", n),
    "period_run": lambda n: _repeat(".", n),
    "dashes": lambda n: _repeat("-", n),
    "em_dashes": lambda n: _repeat("\u2014", n),
    "dashes_spaced": lambda n: _repeat(" \u2014 ", n, "Gunmen killed 3"),
    "dateline_whitespace": lambda n: _repeat(" ", n, "MOSCOW", "x"),
    "dateline_words": lambda n: _repeat("ALMATY ", n, "", "x"),
    # Place lookup over capitalised runs.
    "caps_al_de": lambda n: _repeat("Al de ", n, "Gunmen attacked ", "."),
    "caps_almaty": lambda n: _repeat("Almaty ", n, "Gunmen attacked ", "."),
    "caps_countries": lambda n: _repeat("Kazakhstan Russia Chad ", n, "Gunmen attacked ", "."),
    "caps_hyphens": lambda n: _repeat("Al-", n, "Gunmen attacked ", "A."),
    "caps_one_word": lambda n: _repeat("a", n, "Gunmen attacked A", "."),
    # Figures and tolls.
    "figures": lambda n: _repeat("1 ", n, "Gunmen killed "),
    "number_words": lambda n: _repeat("twenty ", n, "Gunmen killed "),
    "figures_people": lambda n: _repeat("3 people, ", n, "Gunmen killed ", "were killed."),
    "figures_whitespace": lambda n: _repeat(" ", n, "Gunmen killed 3 people", "and 4 were killed."),
    "tolls": lambda n: _repeat("3 people were killed and ", n, "In Almaty, "),
    "ordinals": lambda n: _repeat("a second man died and another was killed ", n),
    "singular": lambda n: _repeat("a man was killed and ", n),
    # Dates and triggers.
    "dates": lambda n: _repeat("on 3 May 2011 and ", n, "Gunmen killed 2 "),
    "relative_dates": lambda n: _repeat("yesterday ", n, "Gunmen killed 2 "),
    "dates_and_relative": lambda n: _repeat("3 May yesterday ", n, "Gunmen killed 2 "),
    "triggers": lambda n: _repeat("attack ", n),
    "clauses": lambda n: _repeat("; in Almaty gunmen attacked ", n, "Gunmen attacked Almaty"),
    # Whole-text shapes.
    "giant_sentence": lambda n: _repeat(
        "gunmen attacked the village near Almaty killing 3 people and ", n
    ),
    "many_sentences": lambda n: _repeat("Gunmen killed 2 in Almaty on 3 May 2011. ", n),
    "many_paragraphs": lambda n: _numbered("Bomb killed {k} in Aktobe on 4 May 2011.\n\n", n),
    "quotes_brackets": lambda n: _repeat("\"a\" (b) 'c' [d] ", n),
    "nested_parentheses": lambda n: "(" * (n // 2) + ")" * (n - n // 2),
    "long_word": lambda n: _repeat("a", n, "A"),
    "newlines": lambda n: _repeat("A\n", n),
    # HTML, reduced to text first.
    "html_open_tags": lambda n: _repeat("<a", n),
    "html_many_tags": lambda n: _repeat("<p>x</p>", n, "<html><body>", "</body></html>"),
    "html_comment": lambda n: _repeat("<!--", n, "<html>"),
    "html_attributes": lambda n: _repeat("<a href='x' ", n, "<html><body>"),
}
HTML_FORMS = frozenset(name for name in FORMS if name.startswith("html_"))


def _child(form: str, size: int) -> None:
    import resource
    from datetime import date

    from geo.ingest import extract_with_publication

    # Load the gazetteer and the regions before the clock starts.
    extract_with_publication("Gunmen killed 2 in Almaty on 3 May 2011.", source_id="warm")
    text = FORMS[form](size)
    assert len(text) == size, (form, len(text), size)
    started = time.perf_counter()
    outcome = "read"
    try:
        if form in HTML_FORMS:
            from geo.ingest.text import decode_article

            text = decode_article(f"{form}.html", text.encode())
        extract_with_publication(text, source_id="bench", published=date(2011, 5, 5))
    except Exception as exc:  # noqa: BLE001 - a refusal is an outcome to report
        outcome = f"refused: {type(exc).__name__}"
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": round(seconds, 3), "peak_mb": round(peak_mb), "outcome": outcome}))


def _run(root: Path, form: str, size: int, timeout: float) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    command = [sys.executable, str(Path(__file__).resolve()), "--child", form, str(size)]
    try:
        done = subprocess.run(
            command, cwd=root, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"seconds": None, "peak_mb": None, "outcome": f"over {timeout:g} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"seconds": None, "peak_mb": None, "outcome": f"failed: {done.stderr[-300:]}"}
    result: dict[str, object] = json.loads(lines[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose code is run")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per form and size")
    parser.add_argument("--only", nargs="*", help="forms to run (default: all)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], int(args.child[1]))
        return 0
    results: dict[str, dict[str, object]] = {}
    for form in args.only or list(FORMS):
        row: dict[str, object] = {}
        for size in SIZES:
            if size > PASTE_LIMIT and row.get(str(PASTE_LIMIT), {}).get("seconds") is None:  # type: ignore[attr-defined]
                row[str(size)] = {"seconds": None, "peak_mb": None, "outcome": "not run"}
                continue
            row[str(size)] = _run(args.root.resolve(), form, size, args.timeout)
        small, large = (row[str(s)] for s in SIZES)
        t1, t2 = small.get("seconds"), large.get("seconds")  # type: ignore[union-attr]
        ratio = round(t2 / t1, 1) if t1 and t2 and t1 > 0.01 else None  # type: ignore[operator]
        row["ratio"] = ratio
        results[form] = row
        cells = "  ".join(
            f"{s:>7,}: {_cell(row[str(s)])}"
            for s in SIZES  # type: ignore[arg-type]
        )
        print(f"{form:<22} {cells}  ratio {ratio if ratio is not None else '-'}", flush=True)
    print(json.dumps(results))
    return 0


def _cell(result: dict[str, object]) -> str:
    if result.get("seconds") is None:
        return f"{str(result['outcome'])[:40]:<24}"
    extra = "" if result["outcome"] == "read" else f" ({result['outcome']})"
    return f"{result['seconds']:>7.2f} s {result['peak_mb']:>5} MB{extra}"


if __name__ == "__main__":
    sys.exit(main())
