"""``python -m geo ingest``: articles in, candidate incidents with their evidence out."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from geo.errors import DataError, LimitError, Problem, UsageError
from geo.ingest.reading import prepare_reading, read_file
from geo.ingest.write import Article, evidence_path, writable, write_candidates
from geo.said import Said
from geo.sandbox import ARTICLE_LIMITS, run_limited
from geo.tables import sibling_paths

_SOURCE_ID = re.compile(r"^[\w.-]{1,100}$")


def read_articles(
    files: list[Path], *, published: date | None = None, source_id: str | None = None
) -> list[Article]:
    """Read and extract each article, each in a limited worker (``geo.sandbox``), as the
    Review page does; the source id is the file's stem unless given."""
    if source_id is not None and len(files) > 1:
        raise UsageError(
            "--source-id names one article; give one file, or let each file's name be its id"
        )
    ids = [source_id or f.stem for f in files]
    for sid in ids:
        if not _SOURCE_ID.match(sid):
            raise UsageError(f"{sid!r} is not a source id: use letters, digits, '.', '_', '-'")
    if len(set(ids)) < len(ids):
        raise UsageError("two articles have the same file name; give them different names")
    prepare_reading()
    articles = []
    for path, sid in zip(files, ids, strict=True):
        try:
            article = run_limited(
                ARTICLE_LIMITS, read_file, path, source_id=sid, published=published
            )
        except LimitError as exc:
            raise DataError(Problem(path.name, None, None, str(exc))) from None
        articles.append(article)
    return articles


def ingest_command(
    files: list[Path],
    out: Path,
    *,
    published: date | None,
    source_id: str | None,
    force: bool = False,
) -> Said:
    """Write the candidates of ``files`` to ``out`` and say what was written; nothing is
    written when no article gives a candidate (exit status 1)."""
    from geo.schema import FIRST_DATE, LAST_DATE

    targets = [out, *sibling_paths(out), evidence_path(out)]
    written_paths = {p.resolve() for p in targets}
    for path in files:
        if path.resolve() in written_paths:
            raise UsageError(f"{path.name}: writing {out.name} would overwrite it")
    existing = [p.name for p in targets if p.exists()]
    if existing and not force:
        raise UsageError(
            f"{', '.join(existing)} exist(s); candidates are never written over a table: choose "
            "another --out, or give --force to replace them"
        )
    if published is not None and not (
        date.fromisoformat(FIRST_DATE) <= published <= date.fromisoformat(LAST_DATE)
    ):
        raise UsageError(f"--published {published}: a date from {FIRST_DATE} to {LAST_DATE}")
    articles = read_articles(files, published=published, source_id=source_id)
    found = [c for a in articles for c in a.candidates]
    if not any(writable(c) for c in found):
        why = (
            f"{len(found)} candidate(s) found, none with a date and a place (give --published "
            "to date them)"
            if found
            else "no incident found in the article(s)"
        )
        return Said(1, err=[f"{why}; nothing written"])
    written = write_candidates(out, articles)
    said = Said(0)
    said.out.append(
        f"wrote {out}: {written.incidents} candidate(s) from {len(articles)} article(s), "
        f"{written.claims} claim(s); evidence in {written.evidence.name}"
    )
    if written.undated:
        said.out.append(
            f"{len(written.undated)} candidate(s) with no date or place were kept only in "
            f"{written.evidence.name} (give --published to date them): "
            + ", ".join(written.undated),
        )
    said.out += [f"{a.source_id}: no incident found" for a in articles if not a.candidates]
    return said
