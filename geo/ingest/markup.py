"""An HTML page's visible text, read in one pass over the page: time linear in its size.

The page is scanned from one ``<`` to the next with ``str.find``; a tag's end is the first
``>`` outside a quoted attribute value. Every search remembers where its character next occurs,
so a page of unclosed tags ("<a<a<a...") or unclosed quotes is read in one pass, not one pass
per tag. Nothing is rendered or run: the result is plain text.

Block elements give paragraph breaks; the contents of ``script``, ``style``, ``head`` and the
like are dropped (a ``title`` is kept and put first); entities are decoded; a ``<`` that starts
no tag is text. A tag, comment, declaration or script that is never closed hides the rest of
the page (as the HTML standard reads a page that ends inside a tag), so no later ``<`` scans
the same ground again.
"""

from __future__ import annotations

import html
import re

BLOCKS = frozenset(
    "p div br h1 h2 h3 h4 h5 h6 li ul ol tr table article section header footer "
    "blockquote pre dt dd figcaption hr title main aside nav".split()
)
HIDDEN = frozenset("script style noscript template head svg iframe object".split())
_RAW_TEXT = ("script", "style")
# A tag's name runs to whitespace, "/", ">" or the next "<" (never past it: "<a<a<a").
_TAG_NAME = re.compile(r"[a-zA-Z][^\s/><\x00]*")
_RAW_END = {tag: re.compile(rf"</{tag}", re.IGNORECASE) for tag in _RAW_TEXT}
_WHITESPACE = re.compile(r"\s+")
# A numeric character reference longer than any code point: html.unescape would refuse it
# (Python's limit on the digits of an int) or read past Unicode's range.
_HUGE_REFERENCE = re.compile(r"&#(?:[xX][0-9a-fA-F]{7,}|[0-9]{8,});?")


class _Finder:
    """``str.find`` of one character that remembers its last answer: a search from a point
    before that answer gives it again without scanning, so repeated searches cost one pass."""

    def __init__(self, text: str, char: str) -> None:
        self.text = text
        self.char = char
        self.since = 0
        self.found = -2  # nothing searched yet

    def find(self, pos: int) -> int:
        if self.found != -2 and self.since <= pos and (self.found == -1 or pos <= self.found):
            return self.found
        self.since = pos
        self.found = self.text.find(self.char, pos)
        return self.found


class _Reader:
    """The state of one page's reading: the text collected, the title, what is hidden."""

    def __init__(self, page: str) -> None:
        self.page = page
        self.parts: list[str] = []
        self.title: list[str] = []
        self.hidden = 0
        self.in_title = False
        self.finders = {c: _Finder(page, c) for c in "<>=\"'"}

    def data(self, start: int, end: int) -> None:
        if start >= end:
            return
        text = html.unescape(_HUGE_REFERENCE.sub("\ufffd", self.page[start:end]))
        if self.in_title:
            self.title.append(text)
        elif not self.hidden:
            self.parts.append(_WHITESPACE.sub(" ", text))

    def start_tag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = True
        elif tag in HIDDEN:
            self.hidden += 1
        if tag in BLOCKS:
            self.parts.append("\n\n")

    def end_tag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag in HIDDEN and self.hidden:
            self.hidden -= 1
        if tag in BLOCKS:
            self.parts.append("\n\n")

    def tag_end(self, pos: int) -> int:
        """Where the tag whose name ends at ``pos`` ends (after its ``>``); -1 if it never does.
        A ``>`` inside a quoted attribute value ("title='a>b'") does not end it."""
        close, equals = self.finders[">"], self.finders["="]
        while True:
            gt = close.find(pos)
            if gt < 0:
                return -1
            eq = equals.find(pos)
            if eq < 0 or eq > gt:
                return gt + 1
            value = eq + 1
            while value < len(self.page) and self.page[value] in " \t\n\r\f":
                value += 1
            quote = self.page[value] if value < len(self.page) else ""
            if quote not in ("'", '"'):
                pos = value
                continue
            closing = self.finders[quote].find(value + 1)
            if closing < 0:
                return gt + 1  # an unclosed quote: the tag ends at the next ">"
            pos = closing + 1

    def markup(self, at: int) -> int:
        """Read the markup that starts with the ``<`` at ``at``; where reading goes on."""
        page = self.page
        if page.startswith("<!--", at):
            end = page.find("-->", at + 4)
            return len(page) if end < 0 else end + 3
        if page.startswith(("<!", "<?"), at):
            end = self.finders[">"].find(at)
            return len(page) if end < 0 else end + 1
        closing = page.startswith("</", at)
        name = _TAG_NAME.match(page, at + 2 if closing else at + 1)
        if name is None:
            if closing:  # "</ >": a bogus comment, dropped
                end = self.finders[">"].find(at)
                return len(page) if end < 0 else end + 1
            self.data(at, at + 1)  # a "<" that starts no tag is text
            return at + 1
        end = self.tag_end(name.end())
        if end < 0:  # the page ends inside this tag: nothing after it is text
            return len(page)
        tag = name.group().lower()
        if closing:
            self.end_tag(tag)
            return end
        self.start_tag(tag)
        if page[end - 2] == "/":
            self.end_tag(tag)
        elif tag in _RAW_TEXT:
            raw_end = _RAW_END[tag].search(page, end)
            return len(page) if raw_end is None else raw_end.start()
        return end


def html_to_text(page: str) -> str:
    """The visible text of an HTML page, one paragraph per block element; scripts and styles
    are dropped and entities decoded. Nothing is rendered or run: the result is plain text."""
    reader = _Reader(page)
    pos = 0
    while pos < len(page):
        at = reader.finders["<"].find(pos)
        if at < 0:
            reader.data(pos, len(page))
            break
        reader.data(pos, at)
        pos = reader.markup(at)
    body = "".join(reader.parts)
    lines = [line.strip() for line in body.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    title = " ".join("".join(reader.title).split())
    if title and not text.startswith(title):
        text = f"{title}\n\n{text}"
    return text
