"""An article as numbered paragraphs and sentences: plain text, or HTML reduced to its text.

Paragraphs are counted as the shipped data cites them: blank-line-separated blocks of the text,
from 1 (a line of spaces counts as blank; several blank lines are one break). Every offset the
extractor reports is a character offset within its paragraph's text, so a reader can highlight
the words in that paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from geo.errors import DataError, Problem
from geo.ingest.markup import html_to_text

MAX_ARTICLE_BYTES = 5 * 2**20
"""The largest article file read (a long feature is about 100 KB)."""

_BLANK_LINES = re.compile(r"\n[ \t\u00a0\f\v]*(?:\n[ \t\u00a0\f\v]*)+")
_ABBREVIATIONS_TEXT = (
    "mr mrs ms dr gen lt col maj capt sgt st no vs jan feb mar apr jun jul aug sep sept oct "
    "nov dec mt ft u.s u.k e.g i.e etc approx gov sen rep prof jr sr inc corp co ltd"
)
_ABBREVIATIONS = frozenset(_ABBREVIATIONS_TEXT.split())
MAX_ARTICLE_CHARS = 120_000
"""The most characters of article text read (a long feature has about 30,000)."""
MAX_HTML_BYTES = 2 * 2**20
"""The largest HTML page reduced to its text. A saved news page with its scripts, styles and
menus is 0.1-1 MB; at most MAX_ARTICLE_CHARS of text are read from it in any case."""

# A sentence ends at . ! ? (a closing quote or bracket may follow) before a capital, a digit,
# a quote or a dash; or at a line end inside a paragraph. The run of whitespace is taken whole
# (possessive): it is never given back one character at a time to retry the lookahead.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*+\s++(?=[\"'“‘(\[–—-]?\s*[A-Z0-9])|\n+")
# The longest abbreviation's letters and stops, and then some: a longer run is no abbreviation.
_ABBREVIATION_REACH = max(map(len, _ABBREVIATIONS_TEXT.split())) + 2


@dataclass(frozen=True)
class Paragraph:
    """One paragraph: its number (from 1) and its text as the article has it."""

    number: int
    text: str


@dataclass(frozen=True)
class Sentence:
    """One sentence: its paragraph, its offsets in the paragraph's text, and its text."""

    paragraph: int
    start: int
    end: int
    text: str


def split_paragraphs(text: str) -> list[Paragraph]:
    """Split a document into paragraphs counted from 1 (blank lines separate them)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = _BLANK_LINES.split(text)
    out: list[Paragraph] = []
    for block in blocks:
        block = block.strip("\n")
        if block.strip():
            out.append(Paragraph(len(out) + 1, block))
    return out


def split_sentences(paragraph: Paragraph) -> list[Sentence]:
    """Split a paragraph into sentences; abbreviations ("Oct.", "Gen.") do not end one."""
    text = paragraph.text
    out: list[Sentence] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.group().strip() and _ends_with_abbreviation(text, start, match.start()):
            continue
        if match.group() == "\n" and _wrapped(text, match.start()):
            continue  # a line broken inside a sentence (hard-wrapped text): read on
        _append(out, paragraph.number, text, start, match.start())
        start = match.end()
    _append(out, paragraph.number, text, start, len(text))
    return out


WRAPPED_LINE = 30
"""A line at least this long that ends with no stop, and runs on into the next line, is a
sentence broken by hard wrapping, not a heading."""


def _wrapped(text: str, at: int) -> bool:
    """Whether the single line break at ``at`` falls inside a sentence: the line before it is
    long, ends in no stop, and the next begins with a word."""
    before = text[at - 1] if at else ""
    after = text[at + 1] if at + 1 < len(text) else ""
    if not after.isalnum() or before in '.!?:;"”’)|' or before.isspace():
        return False
    line_start = text.rfind("\n", max(0, at - 400), at) + 1
    return at - line_start >= WRAPPED_LINE or after.islower()


def _ends_with_abbreviation(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` ends with an abbreviation and its stop ("Gen.", "U.S.", "A.").

    Only the last few characters are read: the run of letters and stops before ``end``.
    """
    if end <= start or text[end - 1] != ".":
        return False
    first = end - 1
    while (
        first > start and end - first <= _ABBREVIATION_REACH and _abbreviation_char(text[first - 1])
    ):
        first -= 1
    if end - first > _ABBREVIATION_REACH:
        return False
    token = text[first : end - 1].lower()
    if not token:
        return False
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def _abbreviation_char(char: str) -> bool:
    return char == "." or ("a" <= char <= "z") or ("A" <= char <= "Z")


def _append(out: list[Sentence], number: int, text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        out.append(Sentence(number, start, end, text[start:end]))


def looks_like_html(text: str) -> bool:
    """Whether a text is an HTML page rather than an article that quotes a tag."""
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html")) or (
        head.startswith("<") and bool(re.search(r"<(body|p|div|article)\b", text[:5000], re.I))
    )


def read_article(path: Path) -> str:
    """Read an article file as text: UTF-8 (a byte-order mark allowed), ``.html``/``.htm``
    reduced to its visible text.

    Raises
    ------
    DataError
        If the file is missing, unreadable, too large, binary or not UTF-8; the message names it.
    """
    name = str(path)
    try:
        if path.is_dir():
            raise DataError(Problem(name, None, None, "is a folder, not an article file"))
        size = path.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            raise DataError(
                Problem(name, None, None, f"is {size:,} bytes; an article may have 5 MB at most")
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(Problem(name, None, None, "no such file")) from None
    except OSError as exc:
        raise DataError(Problem(name, None, None, f"cannot be read ({exc.strerror})")) from None
    return decode_article(name, data)


def decode_article(name: str, data: bytes) -> str:
    """An article's bytes as text (an upload's, or a file's): UTF-8, UTF-16 or UTF-32 with a
    byte-order mark, HTML (by ``name``'s suffix or its look) reduced to its visible text.

    Raises
    ------
    DataError
        If it is too large, binary or not UTF-8; the message names ``name``.
    """
    if len(data) > MAX_ARTICLE_BYTES:
        raise DataError(
            Problem(name, None, None, f"is {len(data):,} bytes; an article may have 5 MB at most")
        )
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(Problem(name, None, None, "is a binary file, not a text article"))
    from geo.formats.containers import decode_check

    codec, _ = decode_check(data, None, name=name)
    if codec not in ("utf-8-sig", "utf-8", "utf-16", "utf-32"):
        raise DataError(
            Problem(name, None, None, "is not UTF-8 text; save the article as UTF-8 and try again")
        )
    text = data.decode(codec)
    if "\x00" in text:
        raise DataError(Problem(name, None, None, "holds NUL characters: not a text article"))
    if Path(name).suffix.lower() in (".html", ".htm") or looks_like_html(text):
        if len(data) > MAX_HTML_BYTES:
            raise DataError(
                Problem(
                    name, None, None, f"is {len(data):,} bytes; an HTML page may have 2 MB at most"
                )
            )
        text = html_to_text(text)
    check_length(name, text)
    return text


def check_length(name: str, text: str) -> None:
    """Refuse an article longer than :data:`MAX_ARTICLE_CHARS` before any of it is read.

    Raises
    ------
    DataError
        If ``text`` is too long; the message names ``name`` and says to split the article.
    """
    if len(text) > MAX_ARTICLE_CHARS:
        raise DataError(
            Problem(
                name,
                None,
                None,
                f"this article has {len(text):,} characters; the limit is "
                f"{MAX_ARTICLE_CHARS:,}: split it",
            )
        )


def title_of(paragraphs: list[Paragraph]) -> str:
    """The article's title: the first short line that is not a page's furniture (a section
    path "site.com > World > Asia", a menu of capitalised words, links split by "|"); else the
    first line. At most 200 characters."""
    if not paragraphs:
        return ""
    lines = [line.strip() for p in paragraphs[:4] for line in p.text.split("\n")[:15]]
    for line in lines[:20]:
        words = line.split()
        if 1 <= len(words) <= 30 and not _chrome(line, words):
            return line[:200]
    return paragraphs[0].text.split("\n")[0].strip()[:200]


_SITE = re.compile(r"\b[\w-]+\.(?:com|org|net|info|co\.uk|co|ru|kz|in|ng)\b|\s[>»›]\s|\|\s*$")


_NOT_HEADLINE = re.compile(
    r"^(?:by\s+\S+(?:\s+\S+){0,3}$|date\s+\d{4}|[-•*]\s)|\b\d{1,2}:\d{2}\b", re.IGNORECASE
)
"""A byline ("By Ellen Smith"), a store's date line, a bullet, a time stamp."""


def _chrome(line: str, words: list[str]) -> bool:
    """Whether a line is a page's furniture rather than a headline."""
    if _SITE.search(line) or line.count("|") >= 2 or _NOT_HEADLINE.search(line):
        return True
    # a menu: ten or more capitalised words (a headline in title case is shorter)
    return len(words) >= 10 and all(w[:1].isupper() or not w[:1].isalpha() for w in words)


# --- where and when the report was filed -------------------------------------------------------

_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Z'’.]+(?:[ -][A-Z][A-Z'’.]+)*)"
    r"(?:,\s*(?P<area>[A-Z][\w.]+(?: [A-Z][\w.]+)*))?"
    r"(?:,?\s+(?P<date>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}"
    r"(?:,\s*\d{4})?))?\s*+(?:\((?P<agency>[A-Za-z][\w .&-]{0,30})\)\s*+)?\\?\s*[-–—]+\s*"
)
_COLON_DATELINE = re.compile(
    r"(?P<place>[A-Z][\w'’.-]{2,}(?: [A-Z][\w'’.-]+){0,2})"
    r"(?:,\s*(?P<area>[A-Z][\w.]+(?: [A-Z][\w.]+)?))?\s*:\s+(?=[A-Z0-9\"“‘'])"
)
"""A dateline ended by a colon ("Lima : At least ...", "Lamu, Kenya: They struck ...")."""


@dataclass(frozen=True)
class Dateline:
    """A wire dateline ("MOSCOW, Oct 13 (Reuters) -"): where the report was filed, not where
    the event happened. Offsets are within its paragraph."""

    paragraph: int
    start: int
    end: int
    text: str
    place: str
    place_end: int
    date_text: str


def find_dateline(paragraphs: list[Paragraph]) -> Dateline | None:
    """The dateline at the head of one of the first paragraphs, or of one of the first lines of
    a text copied with no blank lines (after a page's captions and headings)."""
    for paragraph in paragraphs[:8]:
        match = None
        for at in _line_starts(paragraph.text):
            match = _dateline_at(paragraph.text, at)
            if match is not None:
                break
        if match is None:
            continue
        place = match.group("place")
        if len(place) < 3:
            continue
        area = match.group("area")
        return Dateline(
            paragraph=paragraph.number,
            start=match.start(),
            end=match.end(),
            text=match.group().strip(),
            place=f"{place}, {area}" if area else place,
            place_end=match.end("area") if area else match.end("place"),
            date_text=(match.groupdict().get("date") or ""),
        )
    return None


_HEAD_LINES = 12
"""Lines of a paragraph looked at for a dateline: a page's caption, headings and links come
first when a page is copied with no blank lines."""


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for match in re.finditer("\n", text[:3000]):
        starts.append(match.end())
        if len(starts) >= _HEAD_LINES:
            break
    return starts


def _dateline_at(text: str, at: int) -> re.Match[str] | None:
    line_end = text.find("\n", at)
    line = len(text) - at if line_end < 0 else line_end - at
    match = _DATELINE.match(text, at)
    # A capitalised place and a dash begin a dateline even with no date or agency
    # ("BISHKEK - ..."), where the place is a word of four letters or more.
    if match is not None and not (match.group("date") or match.group("agency")):
        if len(match.group("place").replace(" ", "")) < 4 or line < 80:
            match = None
    if match is None:
        match = _COLON_DATELINE.match(text, at)
        if match is not None and line < 80:  # a heading, not a report
            match = None
    return match
