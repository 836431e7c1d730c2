"""Article extraction on hostile text: every form is built here, at the paste limit (60,000
characters), and must be read in time linear in its size. The bounds are generous (seconds
where linear work takes a fraction of one, and quadratic work took 25 s to over a minute);
where the work can be counted, it is counted instead."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from geo.errors import DataError
from geo.ingest import extract, places
from geo.ingest.markup import html_to_text
from geo.ingest.places import find_places
from geo.ingest.text import Paragraph, decode_article, find_dateline, split_sentences
from geo.ingest.tolls import find_tolls

PASTE_LIMIT = 60_000
BOUND_S = 5.0


def _timed(work: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def _fill(unit: str, size: int, head: str = "", tail: str = "") -> str:
    body = size - len(head) - len(tail)
    return head + (unit * (body // len(unit) + 1))[:body] + tail


@pytest.mark.parametrize("run", [" ", " \t\u00a0"])
def test_a_sentence_end_before_a_long_run_of_whitespace(run: str) -> None:
    text = _fill(run, PASTE_LIMIT, "Gunmen attacked a post.", "x")
    sentences, seconds = _timed(lambda: split_sentences(Paragraph(1, text)))
    # A lower-case word follows the stop: one sentence, from "Gunmen" to "x".
    assert [(s.start, s.end) for s in sentences] == [(0, PASTE_LIMIT)]
    assert seconds < BOUND_S


def test_sentence_ends_and_abbreviations_are_still_read() -> None:
    text = 'Two died.  "Three were hurt." He left\t\u00a0 (troops of the U.S.) Troops left. x'
    found = [s.text for s in split_sentences(Paragraph(1, text))]
    # A stop before a capital ends a sentence (a closing quote after it goes with the break);
    # "U.S." (an abbreviation, before its bracket) does not.
    assert found == [
        "Two died.",
        '"Three were hurt.',
        "He left\t\u00a0 (troops of the U.S.) Troops left. x",
    ]


def test_a_dateline_before_a_long_run_of_spaces() -> None:
    paragraph = Paragraph(1, _fill(" ", PASTE_LIMIT, "MOSCOW", "x"))
    dateline, seconds = _timed(lambda: find_dateline([paragraph]))
    assert dateline is None
    assert seconds < BOUND_S
    wire = Paragraph(1, "MOSCOW, Oct 13 (Reuters)   -   Gunmen attacked a post.")
    found = find_dateline([wire])
    assert found is not None and found.place == "MOSCOW" and found.date_text == "Oct 13"
    assert found.text == "MOSCOW, Oct 13 (Reuters)   -"


@pytest.mark.parametrize("unit", ["Al de ", "Almaty ", "Kazakhstan Russia Chad "])
def test_a_long_run_of_capitalised_words(unit: str) -> None:
    sentence = _fill(unit, PASTE_LIMIT, "Gunmen attacked ", ".")
    _, seconds = _timed(lambda: find_places(sentence, context=("KZ",)))
    assert seconds < BOUND_S


def test_place_lookups_per_word_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every chunk of a run of country names may be a place: each word starts at most as many
    # lookups as the longest name the gazetteer knows has words.
    calls = 0
    lookup = places._lookup_chunk

    def counted(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        return lookup(*args)

    monkeypatch.setattr(places, "_lookup_chunk", counted)
    words = 300
    sentence = "Gunmen attacked " + " ".join(["Kazakhstan", "Russia", "Chad"] * 100) + "."
    found = find_places(sentence, context=("KZ",))
    assert calls <= words * places.longest_name_words()
    assert [p.country for p in found[:3]] == ["KZ", "RU", "TD"]


def test_the_longest_name_is_counted_from_the_gazetteer() -> None:
    # "Kyrgyz Republic" and "Bosnia and Herzegovina" are countries; the cap is at least theirs.
    assert places.longest_name_words() >= 3


@pytest.mark.parametrize(("unit", "value"), [("1 ", 1), ("twenty ", 20)])
def test_a_sentence_of_thousands_of_figures(unit: str, value: int) -> None:
    sentence = _fill(unit, PASTE_LIMIT, "Gunmen killed ")
    tolls, seconds = _timed(lambda: find_tolls(sentence))
    assert seconds < BOUND_S
    # "killed 1" (or "killed twenty") is the toll; no word for dying follows any other figure.
    assert [(t.what, t.low, t.text) for t in tolls] == [("killed", value, f"killed {unit}".strip())]


def test_figures_are_still_added_up_and_read_after_a_rise() -> None:
    tolls = find_tolls("Three soldiers, four police officers and two civilians were killed.")
    assert [(t.what, t.low) for t in tolls] == [("killed", 9)]
    rose = find_tolls("The number of people killed in the market attack has risen to six.")
    assert [(t.what, t.low) for t in rose] == [("killed", 6)]


@pytest.mark.parametrize(
    "page",
    [
        "<a" * 100_000,  # 200 KB of tags never closed
        "<html><body><p>Before.</p>" + "<a=" * 33_000 + "'>'",  # "=" and quotes past ">"
        "<p>Before.</p>" + "<a b" * 100_000 + "='>' ",
    ],
    ids=["unclosed", "equals", "attributes"],
)
def test_html_of_unclosed_tags(page: str) -> None:
    text, seconds = _timed(lambda: html_to_text(page))
    assert seconds < BOUND_S
    # The page ends inside a tag: what comes before it is text, nothing after it.
    assert text == ("Before." if "Before." in page else "")


def test_a_numeric_reference_longer_than_any_character_is_a_replacement_character() -> None:
    page = "<p>Three &#" + "9" * 5000 + "; killed &#233; &#x1F600;</p>"
    assert html_to_text(page) == "Three \ufffd killed \u00e9 \U0001f600"


def test_html_reduced_to_its_text() -> None:
    page = (
        "<!DOCTYPE html><html><head><title>Attack  in &amp; near Almaty</title>"
        "<style>p { color: red }</style><script>var x = '<p>not text</p>';</script></head>"
        "<body><nav><a href='/'>Home</a></nav><!-- a comment <p>hidden</p> -->"
        '<article><h1 class="t">Gunmen attack a post</h1>'
        '<p>Three   people were <b>killed</b> on <a title="a>b" href=x>Monday</a>.</p>'
        "<p>Police said 2 &lt; 3.<br/>A second line.</p>"
        "<svg><text>drawn</text></svg><noscript>enable scripts</noscript>"
        "<ul><li>One</li><li>Two</li></ul></article></body></html>"
    )
    expected = (
        "Attack in & near Almaty\n\n"
        "Home\n\n"
        "Gunmen attack a post\n\n"
        "Three people were killed on Monday.\n\n"
        "Police said 2 < 3.\n\n"
        "A second line.\n\n"
        "One\n\n"
        "Two"
    )
    assert html_to_text(page) == expected


def test_a_title_already_at_the_top_is_not_repeated() -> None:
    page = "<html><title>Blast</title><body><h1>Blast</h1><p>Two died.</p></body></html>"
    assert html_to_text(page) == "Blast\n\nTwo died."


def test_an_article_over_the_limit_is_refused_before_it_is_read() -> None:
    text = "Gunmen killed 3 people. " * 5001  # 120,024 characters
    with pytest.raises(DataError) as refused:
        extract(text, source_id="long")
    message = str(refused.value)
    assert "120,024 characters" in message and "120,000" in message and "split it" in message
    assert extract("Gunmen killed 3 people in Almaty on 3 May 2011.", source_id="ok")


def test_an_html_page_over_its_bound_is_refused_before_it_is_parsed() -> None:
    page = b"<html><body>" + b"<p>x</p>" * (2 * 2**20 // 8 + 1)
    with pytest.raises(DataError) as refused:
        decode_article("big.html", page)
    assert "big.html" in str(refused.value) and "2 MB" in str(refused.value)


def test_a_roundup_of_thousands_of_incidents() -> None:
    """Each sentence a new incident (its own date): a sentence is compared with the last
    incidents told, not with every one before it (2,164 incidents took 49 s)."""
    months = "January February March April May June July August September October November December"
    text = "".join(
        f"Kabul bomb, {day} {month} {year}. "
        for year in range(1990, 2020)
        for month in months.split()
        for day in range(1, 29, 4)
    )[:60_000]
    candidates, seconds = _timed(lambda: extract(text, source_id="roundup"))
    assert seconds < BOUND_S
    assert len(candidates) > 2000  # each date its own incident


@pytest.mark.parametrize(
    "unit",
    [
        "fans from Aaaa Bbbb, Cccc Dddd and the Eeee Ffff ",  # origin lists without end
        "MOSCOW TASS ALMATY KIEV\n",  # capitals at every line start: dateline candidates
        "Jammu and Kashmir and Trinidad and Tobago and ",  # names with "and", end to end
        "Gunmen killed at least 12 people in Beni on Monday. 7 died of wounds, while 5 others "
        "drowned. ",  # breakdowns to sum, tellings to fold
    ],
)
def test_hostile_runs_for_origins_datelines_and_folding_stay_linear(unit: str) -> None:
    text = (unit * (60_000 // len(unit)))[:60_000]
    candidates, seconds = _timed(lambda: extract(text, source_id="hostile"))
    assert seconds < BOUND_S
    assert isinstance(candidates, list)


TOWNS = "Kabul Herat Kandahar Jalalabad Kunduz Ghazni Khost Gardez Farah Faizabad".split()


@pytest.mark.parametrize(
    "paragraph",
    [
        # every telling folds into the first: one merge at the end, not one per telling
        lambda i: f"The attack killed at least {i + 1} in Beni on 3 May 2011.",
        # a thousand towns on one day: each compared with a few, not with all
        lambda i: f"A bomb killed {i % 50 + 1} in {TOWNS[i % 10]} {i} on 3 May 2011.",
        # a thousand figures for one incident: the range worked out once
        lambda i: "Gunmen killed 12 people in Beni on 3 May 2011." if i == 0 else f"{i} died.",
    ],
)
def test_folding_a_thousand_tellings_stays_linear(paragraph: Callable[[int], str]) -> None:
    text = "\n\n".join(paragraph(i) for i in range(3000))[:60_000]
    candidates, seconds = _timed(lambda: extract(text, source_id="hostile"))
    assert seconds < BOUND_S
    assert candidates
