"""One article read for review, start to end, as a worker does it: decoded, split, named with a
source id of its own, and its incidents proposed.

``read_for_review`` is what the Review page runs in a limited worker (``geo.sandbox``) for each
pasted text or uploaded file, and ``read_file`` what ``python -m geo ingest`` runs for each file:
the decoding of an upload (HTML included) and the extraction both happen there, so an article
that would take too long or too much memory costs only its own request.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from geo.errors import DataError
from geo.ingest.extract import extract_with_publication
from geo.ingest.text import (
    Paragraph,
    check_length,
    decode_article,
    read_article,
    split_paragraphs,
    title_of,
)
from geo.ingest.write import Article


@dataclass(frozen=True)
class Reading:
    """An article as the Review page shows it: what was proposed, beside its paragraphs."""

    article: Article
    paragraphs: list[Paragraph]


def slug(text: str, fallback: str) -> str:
    """A plain source id from a title: lower-case words joined by ``-`` (at most 60 chars)."""
    words = re.findall(r"[a-z0-9]+", text[:1000].lower())
    made = "-".join(words)[:60].strip("-")
    return made or fallback


def article_source_id(name: str, text: str) -> str:
    """An article's source id: its file name's or title's words, and a digest of its text.

    The digest makes the id the article's own: a file called ``acled.txt`` gets
    ``acled-1f3e...``, never the ``acled`` of a source already in the table, so no article can
    pass its figures off as another source's by its name (citing an existing source is a choice
    made explicitly on the Edit form). The same text reviewed again gets the same id, so its
    claims are never added twice.
    """
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{slug(name, 'article')[:48]}-{digest}"


def fresh_source_id(base: str, taken: set[str] | frozenset[str]) -> str:
    """``base``, or ``base-2``, ``base-3``, ... : the first that no source in ``taken`` has."""
    source_id, n = base, 1
    while source_id in taken:
        n += 1
        source_id = f"{base}-{n}"
    return source_id


def read_for_review(
    name: str, content: str | bytes, *, taken: frozenset[str], published: date | None
) -> Reading:
    """Read one pasted text (``name`` empty) or uploaded file and propose its incidents, under
    its own source id (``article_source_id``), suffixed when an earlier article of the same
    batch, in ``taken``, has it.

    Raises
    ------
    DataError
        If the file is not a text article, or the text is longer than
        ``geo.ingest.text.MAX_ARTICLE_CHARS``.
    """
    text = content if isinstance(content, str) else decode_article(name, content)
    check_length(name or "The pasted text", text)
    paragraphs = split_paragraphs(text)
    stem = Path(name.replace("\\", "/")).stem if name else ""
    title = title_of(paragraphs) or stem or "article"
    source_id = fresh_source_id(article_source_id(stem or title, text), taken)
    candidates, pub = extract_with_publication(text, source_id=source_id, published=published)
    return Reading(Article(source_id, title, pub, candidates), paragraphs)


def prepare_reading() -> None:
    """Open the offline gazetteer here, before any reading child: the first use on a machine
    builds its index (once, about 5 s), which a child held to an article's limits cannot do
    and which every later child then opens from the cache folder."""
    from geo.places.gazetteer import load_gazetteer

    load_gazetteer()


def read_batch(
    items: list[tuple[str, str | bytes]], *, published: date | None
) -> tuple[list[Reading], list[str]]:
    """Read each ``(name, content)`` in its own limited worker (``read_for_review``): the
    readings, and one plain sentence per article that could not be read. Two articles of the
    batch never share a source id."""
    from geo.errors import LimitError
    from geo.sandbox import ARTICLE_LIMITS, run_limited

    readings: list[Reading] = []
    refused: list[str] = []
    held: set[str] = set()
    if items:
        prepare_reading()
    for name, content in items:
        try:
            reading = run_limited(
                replace(ARTICLE_LIMITS, what=name or "The pasted text"), read_for_review, name,
                content, taken=frozenset(held), published=published,
            )  # fmt: skip
        except DataError as exc:
            refused.extend(str(p) for p in exc.problems)
            continue
        except LimitError as exc:
            refused.append(str(exc))
            continue
        held.add(reading.article.source_id)
        readings.append(reading)
    return readings, refused


def read_file(path: Path, *, source_id: str, published: date | None) -> Article:
    """Read one article file and propose its incidents (``python -m geo ingest``)."""
    text = read_article(path)
    candidates, pub = extract_with_publication(text, source_id=source_id, published=published)
    return Article(source_id, title_of(split_paragraphs(text)), pub, candidates)


__all__ = [
    "Reading",
    "article_source_id",
    "fresh_source_id",
    "prepare_reading",
    "read_batch",
    "read_file",
    "read_for_review",
    "slug",
]
