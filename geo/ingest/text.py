"""An article as numbered paragraphs and sentences: plain text, or HTML reduced to its text.

Paragraphs are counted as the shipped data cites them: blank-line-separated blocks of the text,
from 1 (a line of spaces counts as blank; several blank lines are one break). Every offset the
extractor reports is a character offset within its paragraph's text, so a reader can highlight
the words in that paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from geo.errors import DataError, Problem

MAX_ARTICLE_BYTES = 5 * 2**20
"""The largest article file read (a long feature is about 100 KB)."""

_BLANK_LINES = re.compile(r"\n[ \t\u00a0\f\v]*(?:\n[ \t\u00a0\f\v]*)+")
# A sentence ends at . ! ? (a closing quote or bracket may follow) before a capital, a digit,
# a quote or a dash; or at a line end inside a paragraph.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[–—-]?\s*[A-Z0-9])|\n+")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr gen lt col maj capt sgt st no vs jan feb mar apr jun jul aug sep sept oct "
    "nov dec mt ft u.s u.k e.g i.e etc approx gov sen rep prof jr sr inc corp co ltd".split()
)


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
        before = text[start : match.start()]
        if match.group().strip() and _ends_with_abbreviation(before):
            continue
        _append(out, paragraph.number, text, start, match.start())
        start = match.end()
    _append(out, paragraph.number, text, start, len(text))
    return out


def _ends_with_abbreviation(text: str) -> bool:
    word = re.search(r"([A-Za-z.]+)\.$", text)
    if word is None:
        return False
    token = word.group(1).lower()
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def _append(out: list[Sentence], number: int, text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        out.append(Sentence(number, start, end, text[start:end]))


class _TextOnly(HTMLParser):
    """Collect an HTML page's visible text, a blank line at each block element's edge."""

    BLOCKS = frozenset(
        "p div br h1 h2 h3 h4 h5 h6 li ul ol tr table article section header footer "
        "blockquote pre dt dd figcaption hr title main aside nav".split()
    )
    HIDDEN = frozenset("script style noscript template head svg iframe object".split())

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.title: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        elif tag in self.HIDDEN:
            self.hidden += 1
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag in self.HIDDEN and self.hidden:
            self.hidden -= 1
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        elif not self.hidden:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """The visible text of an HTML page, one paragraph per block element; scripts and styles
    are dropped and entities decoded. Nothing is rendered or run: the result is plain text."""
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    body = "".join(parser.parts)
    lines = [line.strip() for line in body.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    title = " ".join("".join(parser.title).split())
    if title and not text.startswith(title):
        text = f"{title}\n\n{text}"
    return text


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
        text = html_to_text(text)
    return text


def title_of(paragraphs: list[Paragraph]) -> str:
    """The article's title: its first paragraph's first line, shortened to 200 characters."""
    if not paragraphs:
        return ""
    line = paragraphs[0].text.split("\n")[0].strip()
    return line[:200]


# --- where and when the report was filed -------------------------------------------------------

_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z'’.]+(?:[ -][A-Z][A-Z'’.]+)*)"
    r"(?:,\s*(?P<area>[A-Z][\w.]+(?: [A-Z][\w.]+)*))?"
    r"(?:,?\s+(?P<date>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}"
    r"(?:,\s*\d{4})?))?\s*(?:\((?P<agency>[A-Za-z][\w .&-]{0,30})\))?\s*[-–—]+\s*"
)


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
    """The dateline at the head of one of the first paragraphs, if the article has one."""
    for paragraph in paragraphs[:8]:
        match = _DATELINE.match(paragraph.text)
        if match is None or not (match.group("date") or match.group("agency")):
            continue
        place = match.group("place")
        if len(place) < 3:
            continue
        area = match.group("area")
        return Dateline(
            paragraph=paragraph.number,
            start=0,
            end=match.end(),
            text=match.group().strip(),
            place=f"{place}, {area}" if area else place,
            place_end=match.end("area") if area else match.end("place"),
            date_text=match.group("date") or "",
        )
    return None
