"""geo.ingest: candidate incidents from article text. Expected values are worked out by hand
from the test texts (calendar days, gazetteer points), never taken from the extractor."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from geo.cli import main
from geo.ingest import extract, read_article, split_paragraphs
from geo.ingest.dates import DateContext, DateRange, find_dates
from geo.ingest.tolls import find_tolls
from geo.tables import check_dataset

ARTICLES = Path(__file__).parent / "data" / "articles"
ALMATY = (43.25249, 76.9115)


def _dates(text: str, published: date) -> list[tuple[date, date]]:
    context = DateContext(published=DateRange(published, published), published_exact=True)
    return [(m.when.start, m.when.end) for m in find_dates(text, context, 1) if m.when]


def test_relative_dates_resolve_against_the_publication_date() -> None:
    wednesday = date(2020, 5, 6)  # 1 May 2020 was a Friday
    assert _dates("Gunmen attacked the town yesterday.", wednesday) == [
        (date(2020, 5, 5), date(2020, 5, 5))
    ]
    assert _dates("The blast happened last Friday.", wednesday) == [
        (date(2020, 5, 1), date(2020, 5, 1))
    ]
    assert _dates("Police said on Tuesday.", wednesday) == [(date(2020, 5, 5), date(2020, 5, 5))]
    assert _dates("Riot police moved in this weekend.", wednesday) == [
        (date(2020, 5, 2), date(2020, 5, 3))
    ]
    # "a week earlier" counts from the date spoken of before, in the same reading.
    assert _dates("It began on 20 April 2020; a week earlier a bomb went off.", wednesday) == [
        (date(2020, 4, 20), date(2020, 4, 20)),
        (date(2020, 4, 11), date(2020, 4, 15)),
    ]


def test_absolute_dates_and_honest_ranges() -> None:
    published = date(2016, 7, 28)
    assert _dates("On 13 October 2016 and on 2016-07-18.", published) == [
        (date(2016, 10, 13), date(2016, 10, 13)),
        (date(2016, 7, 18), date(2016, 7, 18)),
    ]
    assert _dates("In May 2011 terrorists tried to plant a bomb.", published) == [
        (date(2011, 5, 1), date(2011, 5, 31))
    ]
    assert _dates("In 2012, attackers struck.", published) == [
        (date(2012, 1, 1), date(2012, 12, 31))
    ]
    # No year written: the publication year, unless that would be after publication.
    assert _dates("The raid on Oct. 13 ended.", published) == [
        (date(2015, 10, 13), date(2015, 10, 13))
    ]
    assert _dates("The raid on June 5 ended.", published) == [(date(2016, 6, 5), date(2016, 6, 5))]


def test_an_unanchored_relative_date_is_a_range_not_a_guess() -> None:
    text = (
        "Blog notes\n\n"
        "On August 17, 2012 nine militants were killed near Alma-Ata.\n\n"
        "Yesterday gunmen attacked a police post in Taraz, killing two officers."
    )
    (candidate,) = [c for c in extract(text, source_id="t") if c.place == "Taraz"]
    assert candidate.date_start is not None and candidate.date_end is not None
    # The article was written after 17 August 2012, so "yesterday" is on the 16th or later.
    assert candidate.date_start == date(2012, 8, 16)
    assert candidate.date_end > candidate.date_start
    assert candidate.date_precision == "year"
    assert candidate.confidence < 0.8


def test_the_dateline_is_not_the_place_of_the_incident() -> None:
    text = (
        "Car bomb in Kazan\n\n"
        "MOSCOW, Oct 13 (Wire) - A car bomb exploded in Kazan on Tuesday, killing three people, "
        "police said."
    )
    (candidate,) = extract(text, source_id="t", published=date(2016, 10, 13))
    assert candidate.country == "RU"
    assert candidate.place == "Kazan"
    assert (candidate.date_start, candidate.date_end) == (date(2016, 10, 11), date(2016, 10, 11))
    assert candidate.killed_best == 3
    place = [e for e in candidate.evidence if e.field == "place"][0]
    assert place.text == "Kazan" and place.paragraph == 2


def test_the_dateline_places_an_incident_only_when_nothing_else_is_named() -> None:
    text = (
        "Police shot\n\n"
        "PESHAWAR, Pakistan, Nov 6 (Wire) - Gunmen killed two police officers on Sunday, "
        "officials said."
    )
    (candidate,) = extract(text, source_id="t", published=date(2017, 11, 6))
    assert candidate.country == "PK"
    assert round(candidate.lat or 0, 2) == 34.01  # Peshawar, GeoNames
    note = [e for e in candidate.evidence if e.field == "place"][0].note
    assert "dateline" in note


@pytest.mark.parametrize(
    "opening",
    [
        "MOSCOW\\ - A car bomb exploded in Kazan on Tuesday, killing three people, police said.",
        "MOSCOW - A car bomb exploded in Kazan on Tuesday, killing three people, police said.",
        "Moscow : A car bomb exploded in Kazan on Tuesday, killing three people, police said.",
        "Moscow, Russia: A car bomb exploded in Kazan on Tuesday, killing three people, "
        "police said.",
    ],
)
def test_a_dateline_without_a_date_is_still_where_the_report_was_filed(opening: str) -> None:
    # a stray backslash before the dash, no date or agency, or a colon: still a dateline
    (candidate,) = extract(f"Car bomb\n\n{opening}", source_id="t", published=date(2016, 10, 13))
    assert candidate.place == "Kazan" and candidate.country == "RU"


def test_a_short_heading_with_a_colon_is_not_a_dateline() -> None:
    from geo.ingest.text import find_dateline, split_paragraphs

    assert find_dateline(split_paragraphs("Officials: five killed in a blast")) is None
    # a word before a colon that names no place places nothing
    text = (
        "Blast\n\nOfficials: Five people were killed in a blast in Kazan on Tuesday, police said."
    )
    (candidate,) = extract(text, source_id="t", published=date(2016, 10, 13))
    assert candidate.place == "Kazan" and candidate.killed_best == 5


def test_near_a_city_is_not_city_precision_and_a_region_is_region() -> None:
    text = (
        "Operations\n\n"
        "On August 17, 2012 nine militants were killed in a special operation near Alma-Ata.\n\n"
        "On 3 December 2011 a band of five terrorists was destroyed in a special operation in "
        "the Atyrau region."
    )
    near, region = extract(text, source_id="t")
    assert near.geo_precision == "district"
    assert (near.lat, near.lon) == ALMATY
    assert near.place == "near Alma-Ata"
    assert near.event_type == "security_operation"
    assert region.geo_precision == "region"
    assert region.region == "Atyrau"
    assert region.killed_best == 5


@pytest.mark.parametrize(
    ("text", "what", "low", "high"),
    [
        ("At least 12 people were killed.", "killed", 12, None),
        ("More than 20 people were killed.", "killed", 21, None),
        ("Dozens of people were wounded.", "wounded", 24, None),
        ("Twenty-one people died.", "killed", 21, 21),
        ("Three soldiers and four civilians were killed.", "killed", 7, 7),
        ("The hospital received more than ten people with injuries.", "wounded", 11, None),
    ],
)
def test_vague_tolls_are_bounds(text: str, what: str, low: int, high: int | None) -> None:
    (toll,) = find_tolls(text)
    assert (toll.what, toll.low, toll.high) == (what, low, high)


def test_attackers_counted_or_not_is_noted() -> None:
    (counted,) = find_tolls("Nine people died, including the attackers.")
    (not_counted,) = find_tolls("Nine people died, not counting the gunmen.")
    assert "attackers counted" in counted.note
    assert "attackers not counted" in not_counted.note


def test_initial_and_updated_figures_are_two_claims() -> None:
    text = (
        "Attack\n\n"
        "Gunmen killed seven people in Taraz on 12 November 2011, police said.\n\n"
        "The death toll rose to 12 from seven on Monday, officials said."
    )
    (candidate,) = extract(text, source_id="t", published=date(2011, 11, 15))
    assert sorted(c.killed for c in candidate.claims if c.killed is not None) == [7, 12]
    # the text says the toll rose to 12: the first figure stays in the range, not as the best
    assert (candidate.killed_low, candidate.killed_best, candidate.killed_high) == (7, 12, 12)


def test_figures_of_an_earlier_incident_stay_with_it() -> None:
    text = (
        "Checkpoint bombing\n\n"
        "A suicide bomber blew himself up at a checkpoint in Peshawar on Sunday, killing nine "
        "people, officials said.\n\n"
        "It was the deadliest attack since March, when a blast at a market in Parachinar killed "
        "24 people."
    )
    peshawar, parachinar = extract(text, source_id="t", published=date(2017, 11, 6))
    assert peshawar.event_type == "suicide_bombing"
    assert peshawar.killed_best == 9 and peshawar.killed_high == 9
    assert peshawar.date_start == date(2017, 11, 5)
    assert parachinar.killed_best == 24
    assert (parachinar.date_start, parachinar.date_end) == (date(2017, 3, 1), date(2017, 3, 31))


def test_several_incidents_in_one_article() -> None:
    text = (
        "A list\n\n"
        "- May 25, 2012. In Ridder, officers searching a flat seized explosives;\n\n"
        "- December 3, 2011. A group of 5 militants was destroyed in the Alma-Ata region;\n\n"
        "- November 12, 2011. Two policemen were shot dead by gunmen in Taraz;"
    )
    found = extract(text, source_id="t")
    assert [(c.date_start, c.event_type) for c in found] == [
        (date(2012, 5, 25), "weapons_seizure"),
        (date(2011, 12, 3), "security_operation"),
        (date(2011, 11, 12), "armed_attack"),
    ]
    assert [c.paragraphs for c in found] == [(2,), (3,), (4,)]


def test_evidence_offsets_point_at_the_words() -> None:
    text = read_article(ARTICLES / "pk_peshawar_checkpoint_bombing.txt")
    paragraphs = {p.number: p.text for p in split_paragraphs(text)}
    candidates = extract(text, source_id="pk")
    assert candidates
    for candidate in candidates:
        assert 0 < candidate.confidence <= 1
        assert {"date", "place", "event_type"} <= {e.field for e in candidate.evidence}
        for item in candidate.evidence:
            if item.paragraph:
                assert paragraphs[item.paragraph][item.start : item.end] == item.text


def test_paragraphs_are_counted_as_the_shipped_data_cites_them() -> None:
    text = "Title\n\n\nFirst line\nsame paragraph\n   \nThird"
    assert [(p.number, p.text) for p in split_paragraphs(text)] == [
        (1, "Title"),
        (2, "First line\nsame paragraph"),
        (3, "Third"),
    ]


def test_hostile_text_stays_plain_text(tmp_path: Path) -> None:
    page = tmp_path / "hostile.html"
    page.write_text(
        '<html><head><title>=HYPERLINK("http://x")</title><script>alert(1)</script></head>'
        "<body><p>Gunmen {{7*7}} killed 3 people in Peshawar on Monday &lt;img src=x "
        "onerror=alert(1)&gt;.</p><p>{% for x in y %}${alert(1)}</p></body></html>",
        encoding="utf-8",
    )
    text = read_article(page)
    assert "alert(1)</script>" not in text and "<script" not in text
    assert "{{7*7}}" in text and "<img src=x onerror=alert(1)>" in text
    out = tmp_path / "c.csv"
    assert main(["ingest", str(page), "--out", str(out), "--published", "2017-11-07"]) == 0
    _, problems = check_dataset(out)
    assert problems == []
    sources = (tmp_path / "c.sources.csv").read_text(encoding="utf-8")
    assert '=HYPERLINK(""http://x"")' in sources  # data, exactly as written
    incidents = out.read_text(encoding="utf-8")
    assert "<script" not in incidents and "alert(1)</" not in incidents


def test_cli_writes_tables_that_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [
        str(ARTICLES / "ng_borno_village_attack.txt"),
        str(ARTICLES / "co_cauca_police_bombing.txt"),
    ]
    out = tmp_path / "cands.csv"
    assert main(["ingest", *files, "--out", str(out)]) == 0
    assert "candidate(s) from 2 article(s)" in capsys.readouterr().out
    dataset, problems = check_dataset(out)
    assert problems == []
    assert set(dataset.sources["source_id"]) == {
        "ng_borno_village_attack",
        "co_cauca_police_bombing",
    }
    assert len(dataset.incidents) >= 4
    lines = (tmp_path / "cands.evidence.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert {r["incident_id"] for r in records if r["written"]} == set(
        dataset.incidents["incident_id"]
    )
    assert all(
        {"field", "paragraph", "start", "end", "text", "note"} <= set(e)
        for r in records
        for e in r["evidence"]
    )


def test_cli_names_a_missing_or_binary_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.txt"
    assert main(["ingest", str(missing), "--out", str(tmp_path / "c.csv")]) == 1
    assert "nowhere.txt" in capsys.readouterr().err
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert main(["ingest", str(binary), "--out", str(tmp_path / "c.csv")]) == 1
    err = capsys.readouterr().err
    assert "photo.txt" in err and "binary" in err
    assert not (tmp_path / "c.csv").exists()


def _type_of(sentence: str) -> str:
    from geo.ingest.types import choose_type, find_triggers

    return choose_type(find_triggers(sentence))[0]


@pytest.mark.parametrize(
    ("sentence", "event_type"),
    [
        # A store of weapons taken by force is an attack on it, not a seizure by the police.
        ("Militants seized a gun shop in the town centre before dawn.", "armed_attack"),
        ("Gunmen stormed the armoury of a police station.", "armed_attack"),
        ("Police seized a cache of weapons and ammunition in a farmhouse.", "weapons_seizure"),
        # A detonator in a list of seized goods is a thing found, not a bomb set off.
        ("Officers seized an arsenal: two grenades and an electric detonator.", "weapons_seizure"),
        # An attempt on a life that failed was still carried out: an attack, not a plot.
        ("There was a failed attempt to assassinate the provincial governor.", "armed_attack"),
        ("The attempted murder of a judge shocked the city.", "armed_attack"),
        ("Police said they had thwarted a plot to bomb the stadium.", "foiled_plot"),
        # A plural names events too.
        ("Security was stepped up after the deadly attacks in the port.", "armed_attack"),
    ],
)
def test_event_types_from_the_wording(sentence: str, event_type: str) -> None:
    assert _type_of(sentence) == event_type


@pytest.mark.parametrize(
    ("sentence", "what", "figure", "role"),
    [
        # Victims shot, with no word on how many died: a figure to review, read as killed.
        ("Masked men shot nine villagers outside a church on Sunday.", "killed", 9, ""),
        ("The shooting of six guards at the checkpoint went unpunished.", "killed", 6, ""),
        ("Two traffic policemen were gunned down at a junction.", "killed", 2, ""),
        # An ordinal death updates the count: the third to die makes three.
        ("A third officer later died of his wounds.", "killed", 3, "updated"),
        ("A fourth victim died in hospital overnight.", "killed", 4, "updated"),
    ],
)
def test_tolls_from_shootings_and_ordinal_updates(
    sentence: str, what: str, figure: int, role: str
) -> None:
    (toll,) = find_tolls(sentence)
    assert (toll.what, toll.low, toll.high, toll.role) == (what, figure, figure, role)
    if "shot" in sentence or "shooting" in sentence:
        assert "does not say how many died" in toll.note


def test_one_more_hurt_is_a_figure_and_shooting_at_is_none() -> None:
    tolls = find_tolls("Four gunmen were killed and another wounded in the firefight.")
    assert [(t.what, t.low) for t in tolls] == [("killed", 4), ("wounded", 1)]
    assert find_tolls("Soldiers shot at the crowd and fired on two cars.") == []
    assert find_tolls("He was shot 4 times in the chest.") == []


def test_a_statement_date_is_not_the_event_date_nor_what_a_week_earlier_counts_from() -> None:
    thursday = date(2019, 11, 14)
    context = DateContext(published=DateRange(thursday, thursday), published_exact=True)
    first = find_dates("Gunmen raided the camp on Saturday, police said on Monday.", context, 1)
    assert [m.reported for m in first] == [False, True]
    # "A week earlier" counts from Saturday 9 November, the raid's day: 2 November, +-2 days.
    (earlier,) = find_dates("A week earlier, a bomb went off.", context, 1)
    assert earlier.when == DateRange(date(2019, 10, 31), date(2019, 11, 4))
    # "A month earlier" is three to six weeks before: from 18 July, 3 June to 27 June.
    context.last = DateRange(date(2016, 7, 18), date(2016, 7, 18))
    (month,) = find_dates("A month earlier, gunmen attacked a base.", context, 1)
    assert month.when == DateRange(date(2016, 6, 3), date(2016, 6, 27))


def test_another_day_or_another_event_is_another_incident() -> None:
    # No publication date: "yesterday" is only bounded, so the dates alone do not tell the
    # events apart; "a week earlier" and "another" do.
    text = (
        "Regional notes: Kenya\n\n"
        "On 3 March 2019 troops killed four militants near Garissa.\n\n"
        "Yesterday gunmen attacked a police post in Mandera, killing two officers. "
        "A week earlier in Mandera a man blew himself up while assembling a bomb.\n\n"
        "On 5 May 2019 police raided a house in Wajir and seized rifles. "
        "That same day, officers came upon another weapons cache."
    )
    candidates = extract(text, source_id="t")
    mandera = [c for c in candidates if c.place == "Mandera"]
    assert sorted((c.event_type, c.killed_best) for c in mandera) == [
        ("armed_attack", 2),
        ("explosion", 1),
    ]
    # "On 3 March": a day of the month, not a toll of three.
    assert [c.killed_best for c in candidates if c.place == "near Garissa"] == [4]
    cache = [c for c in candidates if c.date_start == date(2019, 5, 5) and c.place != "Wajir"]
    (found,) = cache  # the second cache, dated, in the article's country (no place given)
    assert (found.event_type, found.geo_precision, found.country) == (
        "weapons_seizure",
        "country",
        "KE",
    )


def test_figures_about_the_attack_in_the_next_paragraph_stay_with_it() -> None:
    text = "\n\n".join(
        [
            "KANO, Nigeria, May 9, 2022 (Wire) - Gunmen attacked a market in Kano on Sunday, "
            "killing seven people, police said.",
            "Nine other people were wounded in the attack, a hospital official said.",
        ]
    )
    (candidate,) = extract(text, source_id="wire")
    # By hand: killed 7 (para 2), wounded 9 (para 3) of the same attack on 8 May.
    assert (candidate.killed_low, candidate.wounded_low) == (7, 9)
    assert candidate.date_start == date(2022, 5, 8)
    assert sorted((c.paragraph, c.killed, c.wounded) for c in candidate.claims) == [
        ("1", 7, None),
        ("2", None, 9),
    ]


def test_ingest_never_writes_over_a_table_and_writes_nothing_when_nothing_is_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "wire.txt"
    article.write_text(
        "KANO, Nigeria, May 9, 2022 (Wire) - Gunmen attacked a market in Kano on Sunday, "
        "killing seven people, police said.",
        encoding="utf-8",
    )
    table = tmp_path / "incidents.csv"
    table.write_text("kept\n", encoding="utf-8")
    assert main(["ingest", str(article), "--out", str(table)]) == 1
    assert "never written over a table" in capsys.readouterr().err
    assert table.read_text(encoding="utf-8") == "kept\n"
    assert main(["ingest", str(article), "--out", str(table), "--force"]) == 0
    assert main(["validate", str(table)]) == 0
    empty = tmp_path / "empty.txt"
    empty.write_text("The weather in Kano was mild this week.\n", encoding="utf-8")
    out = tmp_path / "none.csv"
    assert main(["ingest", str(empty), "--out", str(out)]) == 1
    assert not out.exists() and "nothing written" in capsys.readouterr().err
    assert main(["ingest", str(article), "--published", "1799-12-31", "--out", str(out)]) == 1


@pytest.mark.parametrize(
    "sentence",
    [
        "Two thousand people were killed.",
        "2 million people were killed.",
        "10 000 people were killed.",
        "10,000,000,000 people were killed.",
        "1.5 million people were killed.",
        "99999999999999999999999 people were killed.",
    ],
)
def test_figures_beyond_a_toll_or_with_a_scale_word_are_not_read_short(sentence: str) -> None:
    assert find_tolls(sentence) == []  # never 2, 10 or 0: no figure rather than a wrong one


def test_a_stored_incident_is_matched_only_by_a_close_candidate_of_its_kind() -> None:
    import pandas as pd

    from geo.ingest.review import stored_match

    stored = pd.DataFrame(
        {
            "incident_id": ["bomb", "protest"],
            "date_start": ["2016-07-18", "2016-01-01"],
            "date_end": ["2016-07-18", "2016-12-31"],
            "place": ["Almaty", "Almaty"],
            "lat": [43.25, 43.25],
            "lon": [76.91, 76.91],
            "event_type": ["bombing", "unrest"],
        }
    )
    text = (
        "ALMATY, Kazakhstan, July 19, 2016 (Wire) - A bomb exploded in Almaty yesterday, "
        "killing four people, police said."
    )
    (candidate,) = extract(text, source_id="wire")
    match = stored_match(candidate, stored)
    assert match is not None and match.incident_id == "bomb"  # same day, same place, a blast
    loose = extract(
        text.replace(" yesterday", " this year").replace("July 19, ", ""), source_id="w"
    )
    assert all(stored_match(c, stored) is None for c in loose)  # a year overlaps too much
    protest = stored.assign(event_type=["unrest", "unrest"])
    assert stored_match(candidate, protest) is None  # a protest is not a bombing


def test_a_town_named_after_the_toll_places_an_incident_told_by_country() -> None:
    # the toll's sentence names only the country; the next one, with no event words, the town
    text = (
        "Fighting\n\n"
        "ALMATY - Twelve people have been killed in fighting in northern Kazakhstan, officials "
        "said on Friday.\n\n"
        "Crowds gathered in the streets of the northern city of Petropavl late on Thursday, a "
        "spokesman said."
    )
    (candidate,) = extract(text, source_id="t", published=date(2016, 10, 14))
    assert candidate.place == "Petropavl" and candidate.geo_precision == "city"
    assert candidate.killed_best == 12


def test_where_the_wounded_were_taken_does_not_place_the_incident() -> None:
    text = (
        "Fighting\n\n"
        "ALMATY - Twelve people have been killed in fighting in northern Kazakhstan, officials "
        "said on Friday.\n\n"
        "Most of the wounded were flown to a hospital in Petropavl, a spokesman said."
    )
    (candidate,) = extract(text, source_id="t", published=date(2016, 10, 14))
    assert candidate.place != "Petropavl" and candidate.geo_precision in ("country", "region")


def test_hard_wrapped_lines_are_read_as_the_sentences_they_break() -> None:
    # line breaks inside sentences, as some pages are transcribed: the toll on one line, its
    # verb and place on the next
    text = (
        "Market attack\n\n"
        "Police in the north of the country said that four people\n"
        "were killed in Petropavl on Tuesday when gunmen opened fire at a market.\n"
        "Two more were wounded.\n"
        "Officials gave no further details."
    )
    (candidate,) = extract(text, source_id="t", published=date(2016, 10, 14))
    assert candidate.place == "Petropavl" and candidate.killed_best == 4
    assert candidate.wounded_best == 2


def test_short_lines_without_stops_stay_apart() -> None:
    from geo.ingest.text import split_paragraphs, split_sentences

    # a heading line and a list of names: short, so not a sentence broken by wrapping
    (paragraph,) = split_paragraphs("World news\nThe clashes began on Monday.\nAlso today")
    assert [s.text for s in split_sentences(paragraph)] == [
        "World news",
        "The clashes began on Monday.",
        "Also today",
    ]


@pytest.mark.parametrize(
    ("sentence", "killed"),
    [
        ("Four hikers, including two Germans, were killed near Petropavl on Tuesday.", 4),
        ("Nine guards, among them their commander, died near Petropavl on Tuesday.", 9),
        ("Eleven people, most of them traders, were killed near Petropavl on Tuesday.", 11),
    ],
)
def test_who_the_dead_were_between_commas_keeps_the_toll(sentence: str, killed: int) -> None:
    (candidate,) = extract(f"Attack\n\n{sentence}", source_id="t", published=date(2016, 10, 14))
    assert candidate.killed_best == killed


def test_a_toll_told_after_a_caption_is_the_incident_s_first_toll() -> None:
    text = (
        "Market attack\n\n"
        "No group has said it carried out the attack in the town of Petropavl on Friday.\n\n"
        "A view of a square in the capital.\n\n"
        "Gunmen opened fire on traders at a cattle market, killing at least nine people, an "
        "official said."
    )
    candidates = extract(text, source_id="t", published=date(2016, 10, 15))
    placed = [c for c in candidates if c.place == "Petropavl"]
    assert len(placed) == 1 and placed[0].killed_low == 9


def test_an_incident_with_a_toll_takes_no_background_figure() -> None:
    text = (
        "Market attack\n\n"
        "Gunmen killed four people at a market in Petropavl on Friday, police said.\n\n"
        "Attacks by armed groups have killed 300 people, officials say."
    )
    (candidate,) = [c for c in extract(text, source_id="t", published=date(2016, 10, 15))
                    if c.place == "Petropavl"]  # fmt: skip
    assert (candidate.killed_low, candidate.killed_high) == (4, 4)


def test_an_incident_told_by_its_day_and_country_takes_the_town_told_later() -> None:
    text = (
        "Detainees die\n\n"
        "At least 30 men suffocated in army lorries after a protest in northern Kazakhstan on "
        "Monday, officials said on Wednesday.\n\n"
        "Officials gave few details.\n\n"
        "Monday's protest began when hundreds gathered outside the police station in "
        "Petropavl, witnesses said."
    )
    candidates = extract(text, source_id="t", published=date(2016, 10, 19))
    (told,) = [c for c in candidates if c.killed_low == 30]
    assert told.place == "Petropavl" and told.date_start == date(2016, 10, 17)


@pytest.mark.parametrize("words", ["suffocated", "were crushed to death", "were hacked to death"])
def test_deaths_told_by_how_they_died_are_a_toll(words: str) -> None:
    text = f"Deaths\n\nEight men {words} in Petropavl on Monday, police said."
    (candidate,) = extract(text, source_id="t", published=date(2016, 10, 19))
    assert candidate.killed_best == 8


def test_an_undated_report_of_a_known_day_tells_of_the_week_before_it() -> None:
    text = "Blast\n\nA bomb killed three people at a bus station in Petropavl, police said."
    (candidate,) = extract(text, source_id="t", published=date(2016, 10, 19))
    assert (candidate.date_start, candidate.date_end) == (date(2016, 10, 12), date(2016, 10, 19))
    note = [e.note for e in candidate.evidence if e.field == "date"]
    assert any("the week up to publication" in n for n in note)


def test_a_town_named_next_places_an_incident_even_with_no_publication_date() -> None:
    # as the Review page reads a pasted report whose publication date nobody gave
    text = (
        "Fighting\n\n"
        "ALMATY - Twelve people have been killed and dozens hurt in fighting between rival "
        "groups, officials said.\n\n"
        "Crowds gathered in the streets of the northern city of Petropavl, a spokesman said."
    )
    (candidate,) = extract(text, source_id="t")
    assert candidate.place == "Petropavl" and candidate.killed_best == 12
