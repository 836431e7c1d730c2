"""From news articles to candidate incidents, offline: every value tied to the words behind it.

``extract(text, source_id=..., published=...)`` proposes incidents in the project's schema
(``Candidate``), each with its confidence, per-field ``Evidence`` (paragraph, character offsets
within it, the words) and one ``ClaimDraft`` per passage with a figure. ``read_article`` reads a
text or HTML file; ``write_candidates`` writes candidates as a table with its claims, sources
and evidence beside it (``python -m geo ingest``).
"""

from geo.ingest.extract import extract, extract_with_publication
from geo.ingest.model import Candidate, ClaimDraft, Evidence, Published
from geo.ingest.text import read_article, split_paragraphs

__all__ = [
    "Candidate",
    "ClaimDraft",
    "Evidence",
    "Published",
    "extract",
    "extract_with_publication",
    "read_article",
    "split_paragraphs",
]
