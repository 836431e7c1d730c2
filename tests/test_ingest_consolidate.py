"""One article's candidates put in order (``geo.ingest.consolidate``): one incident told twice is
one candidate, incidents a report only recalls are marked so, and figures of different incidents
are never merged. The texts are written for these tests; expected values are read off them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from geo.ingest import Candidate, ClaimDraft, extract, extract_with_publication
from geo.ingest.consolidate import consolidate, toll_range
from geo.ingest.places import find_places
from geo.ingest.text import find_dateline, split_paragraphs

PUBLISHED = date(2019, 3, 12)  # a Tuesday


def test_one_incident_told_twice_is_one_candidate_with_both_claims() -> None:
    text = (
        "Market attack\n\n"
        "Gunmen killed at least 12 people at a market in Maiduguri on Monday, police said.\n\n"
        "A hospital official later said 15 bodies had been brought in from the market in "
        "Maiduguri after Monday's attack."
    )
    (candidate,) = extract(text, source_id="t", published=PUBLISHED)
    assert candidate.place == "Maiduguri" and candidate.date_start == date(2019, 3, 11)
    assert sorted(c.killed for c in candidate.claims if c.killed) == [12, 15]
    assert candidate.recalled == ""


def test_two_incidents_a_day_apart_nearby_stay_two() -> None:
    # a kidnapping on Monday and a clash on Tuesday 11 km away: different kinds, different days
    text = (
        "Sulu\n\n"
        "Gunmen abducted two fishermen near Jolo on Monday, the army said.\n\n"
        "On Tuesday, soldiers clashed with gunmen in Patikul, leaving four soldiers dead."
    )
    found = extract(text, source_id="t", published=PUBLISHED)
    assert sorted(c.event_type for c in found) == ["armed_clash", "kidnapping"]


def test_an_earlier_incident_is_recalled_and_its_toll_kept_apart() -> None:
    text = (
        "Beni raid\n\n"
        "Rebels killed at least 30 villagers near Beni on Sunday, the army said.\n\n"
        "In January, an attack on a camp in Beni killed 9 soldiers."
    )
    found = extract(text, source_id="t", published=PUBLISHED)
    news, earlier = found
    assert news.date_start == date(2019, 3, 10) and news.killed_low == 30
    assert news.recalled == "" and not any(c.killed == 9 for c in news.claims)
    assert earlier.killed_best == 9 and (earlier.date_start, earlier.date_end) == (
        date(2019, 1, 1),
        date(2019, 1, 31),
    )
    assert "before the incident the report is about" in earlier.recalled


def test_a_remark_about_the_country_is_recalled_beside_a_placed_incident() -> None:
    text = (
        "Bomb in Kabul\n\n"
        "A bomb killed six people in Jalalabad on Monday, officials said.\n\n"
        "More than 3,000 civilians were killed in Afghanistan last year."
    )
    found = extract(text, source_id="t", published=PUBLISHED)
    assert found[0].place == "Jalalabad" and found[0].recalled == ""
    assert all(c.recalled for c in found[1:]) and len(found) == 2


def test_a_breakdown_of_a_total_is_not_a_claim_of_its_own() -> None:
    text = (
        "Fire\n\n"
        "At least 40 people were killed on Friday when a crowd set fire to a hall in Mariupol, "
        "officials said. They said 31 people died of smoke, while nine others died jumping "
        "from windows."
    )
    (candidate,) = extract(text, source_id="t", published=PUBLISHED)
    assert [c.killed for c in candidate.claims] == [40]
    assert candidate.killed_low == 40


def test_where_people_come_from_is_not_where_it_happened() -> None:
    text = (
        "Cyclists killed\n\n"
        "Four cyclists from the United States, Switzerland and the Netherlands were killed on "
        "Sunday in Danghara, police said."
    )
    (candidate,) = extract(text, source_id="t", published=PUBLISHED)
    assert candidate.country == "TJ" and candidate.place == "Danghara"


def test_a_dateline_after_a_pages_captions_is_found() -> None:
    # a page copied with no blank lines: a caption and a heading before the report
    text = (
        "Smoke over the square where the blast happened on Monday. [Photo/Agencies] |\n"
        "Region news |\n"
        "ALMATY - A bomb went off outside a bank in Taraz on Monday, killing two guards, "
        "police said.\n"
        "The bank was closed."
    )
    dateline = find_dateline(split_paragraphs(text))
    assert dateline is not None and dateline.place == "ALMATY"
    assert text[dateline.start : dateline.end].startswith("ALMATY -")
    found = extract(text, source_id="t", published=PUBLISHED)
    assert [c.place for c in found if not c.recalled] == ["Taraz"]


def test_a_town_people_came_from_is_not_a_place_of_the_sentence() -> None:
    sentence = "Fans who had come from the eastern city of Kharkiv fought police in Odesa."
    assert [p.name for p in find_places(sentence, context=("UA",))] == ["Odesa"]
    # taken away from a town: that town is where it happened
    sentence = "Gunmen abducted 20 pupils from Kagara in Niger state."
    assert "Kagara" in [p.name for p in find_places(sentence, context=("NG",))]


def _told(
    place: str, day: date, killed: list[int], *, precision: str = "city", end: date | None = None
) -> Candidate:
    claims = [ClaimDraft(str(n + 1), k, None, "") for n, k in enumerate(killed)]
    low, best, high = toll_range(claims, "killed")
    lat, lon = {
        "Beni": (0.49, 29.47), "Butembo": (0.14, 29.29), "Nord-Kivu": (-0.8, 29.0),
        "DR Congo": (-2.9, 23.6),
    }[place]  # fmt: skip
    return Candidate(
        incident_id=f"{place}-{day}", date_start=day, date_end=end or day, date_precision="day",
        place=place, country="CD", region="Nord-Kivu", lat=lat, lon=lon, geo_precision=precision,
        event_type="armed_attack", killed_low=low, killed_best=best, killed_high=high,
        wounded_low=None, wounded_best=None, wounded_high=None, summary="", sources="t",
        confidence=0.9, claims=claims, paragraphs=(len(killed),),
    )  # fmt: skip


def test_folding_joins_tellings_that_agree_and_nothing_else() -> None:
    monday, tuesday = date(2019, 3, 11), date(2019, 3, 12)
    # the next day's figure for the same town agrees with "at least"-free 12..15: one incident
    (one,) = consolidate([_told("Beni", monday, [12, 15]), _told("Beni", tuesday, [15])])
    assert sorted(c.killed for c in one.claims) == [12, 15]
    assert (one.killed_low, one.killed_high) == (12, 15)
    # the region's name with the same toll on the same day: one incident, placed in the town
    (one,) = consolidate(
        [_told("Beni", monday, [12]), _told("Nord-Kivu", monday, [12], precision="region")]
    )
    assert one.place == "Beni"
    # a figure outside the range is another incident's: never merged
    two = consolidate([_told("Beni", monday, [12, 15]), _told("Beni", tuesday, [40])])
    assert sorted(c.killed_best or 0 for c in two) == [12, 40]
    # a town 40 km away is another place
    assert len(consolidate([_told("Beni", monday, [12]), _told("Butembo", monday, [12])])) == 2


def test_a_first_figure_since_changed_is_in_the_range_but_not_the_best() -> None:
    text = (
        "Airport bomb\n\n"
        "A bomb exploded at the airport in Davao on Tuesday, killing 21 people, police said.\n\n"
        "A general speaking to reporters had given an initial report of at least six dead."
    )
    (candidate,) = extract(text, source_id="t", published=PUBLISHED)
    assert (candidate.killed_low, candidate.killed_best) == (6, 21)


def test_a_countrys_toll_on_the_day_is_the_toll_of_the_place_told_without_one() -> None:
    monday = date(2019, 3, 11)
    (one,) = consolidate(
        [_told("Beni", monday, []), _told("DR Congo", monday, [19], precision="country")]
    )
    assert one.place == "Beni" and one.killed_best == 19
    # where the place has a toll of its own, the country's other figure stays apart
    two = consolidate(
        [_told("Beni", monday, [5]), _told("DR Congo", monday, [19], precision="country")]
    )
    assert [c.place for c in two] == ["Beni", "DR Congo"] and two[1].recalled


def test_a_town_named_with_neither_day_nor_toll_is_a_mention() -> None:
    monday = date(2019, 3, 11)
    found = consolidate(
        [_told("Beni", monday, [12]), _told("Butembo", date(2019, 3, 5), [], end=monday)]
    )
    assert found[0].place == "Beni" and not found[0].recalled
    assert "neither its day nor a toll" in found[1].recalled


def test_eight_dead_and_a_hundred_injured_are_two_figures_not_a_sum() -> None:
    from geo.ingest.tolls import find_tolls

    tolls = find_tolls("Clashes in the capital left eight dead and more than 100 injured.")
    assert [(t.what, t.low, t.high) for t in tolls] == [("killed", 8, 8), ("wounded", 101, None)]


def test_a_date_a_state_of_things_began_is_not_the_incidents() -> None:
    text = (
        "Protest\n\n"
        "Clashes between police and protesters in Yerevan left eight people dead.\n\n"
        "Protesters had camped in Yerevan since the election on February 19."
    )
    (candidate,) = extract(text, source_id="t", published=date(2008, 3, 3))
    # no day is given: the week before the report, not the election's day
    assert (candidate.date_start, candidate.date_end) == (date(2008, 2, 25), date(2008, 3, 3))


def test_one_hospitals_count_below_an_at_least_is_not_the_best_figure() -> None:
    text = (
        "Market blast\n\n"
        "At least 31 people were killed when a bomb hit a market in Kohat on Friday.\n\n"
        '"We have received one dead body and 28 injured," a doctor at the hospital said.'
    )
    (candidate,) = extract(text, source_id="t", published=date(2018, 11, 23))
    assert candidate.killed_best == 31 and candidate.killed_low == 1


def test_the_title_skips_a_pages_furniture() -> None:
    from geo.ingest.text import title_of

    page = "\n".join(
        [
            "example.com > World > Asia > Thailand",
            "Home | World | Sport | Weather",
            "News Front Page Africa Americas Europe Middle East South Asia Sport",
            "By Jane Roe",
            "Updated 14:05 GMT",
            "Eighty Die In Army Trucks After Protest",
            "The rest of the report follows here.",
        ]
    )
    assert title_of(split_paragraphs(page)) == "Eighty Die In Army Trucks After Protest"


def test_a_date_line_with_its_weekday_and_page_is_the_publication_date() -> None:
    text = (
        "Protest deaths\n\nBy Jane Roe\nWednesday, October 27, 2004; Page A18\n\n"
        "JAKARTA, Oct. 26 -- At least 78 men died in army trucks in Tak Bai on Monday."
    )
    candidates, published = extract_with_publication(text, source_id="t")
    assert published.how == "byline" and published.when is not None
    assert published.when.start == date(2004, 10, 27)
    assert candidates[0].date_start == date(2004, 10, 25)


def test_evidence_without_words_says_how_it_was_found() -> None:
    from geo.ingest import Evidence
    from geo.ingest.review import evidence_line

    found = Evidence("date", 0, 0, 0, "", "no date in the text: the week up to publication")
    assert evidence_line(found) == "date: no date in the text: the week up to publication"
    said = Evidence("place", 3, 10, 15, "Davao", "")
    assert evidence_line(said) == "place: ¶3 “Davao”"


def test_a_short_acronym_is_not_a_town() -> None:
    sentence = "The bomb went off at the PAL arrival area in Davao, police said."
    assert [p.name for p in find_places(sentence, context=("PH",))] == ["Davao"]


@pytest.mark.parametrize(
    "sentence",
    [
        "At least 19 people were killed in a bomb attack at the airport in Davao on Tuesday.",
        "Two bombs exploded at a market in Tentena on Saturday, killing 22 people.",
    ],
)
def test_a_bomb_that_killed_is_a_bombing_not_an_armed_attack(sentence: str) -> None:
    (candidate,) = extract(f"Blast\n\n{sentence}", source_id="t", published=PUBLISHED)
    assert candidate.event_type == "bombing"


@pytest.mark.parametrize(
    "second",
    [
        "Separately, a roadside bomb killed at least 3 police officers in Kabul on 3 May 2011.",
        "In a separate attack in Kabul on 3 May 2011, a grenade killed 12 people and wounded 4.",
    ],
)
def test_incidents_the_text_tells_apart_are_never_folded(second: str) -> None:
    text = (
        "Kabul\n\nA suicide bomber killed 12 people and wounded 30 at a market in Kabul on "
        f"3 May 2011.\n\n{second}"
    )
    found = extract(text, source_id="t", published=date(2011, 5, 4))
    assert len(found) == 2
    assert found[0].killed_low == 12 and found[0].killed_high == 12


def test_tolls_of_the_hurt_that_disagree_keep_two_tellings_apart() -> None:
    monday = date(2019, 3, 11)
    one, two = _told("Beni", monday, [5]), _told("Beni", monday, [5])
    one = replace(one, wounded_low=30, wounded_best=30, wounded_high=30)
    two = replace(two, wounded_low=4, wounded_best=4, wounded_high=4)
    assert len(consolidate([one, two])) == 2


def test_without_a_publication_date_the_reports_incident_is_not_recalled() -> None:
    text = (
        "Beni\n\nGunmen killed 25 villagers in Beni on Monday, local officials said.\n\n"
        "In a similar attack on 13 August 2016, rebels killed 36 people in Goma."
    )
    found = extract(text, source_id="t")
    assert found[0].place == "Beni" and found[0].recalled == ""


def test_an_incident_told_first_by_its_country_leads_a_town_told_after() -> None:
    text = (
        "Niger\n\nMilitants killed 71 soldiers in an attack on an army camp in Niger on "
        "Tuesday, officials said.\n\nIn neighbouring Mali, gunmen killed two people in Gao on "
        "Wednesday."
    )
    found = extract(text, source_id="t", published=date(2019, 12, 13))
    niger = next(c for c in found if c.killed_best == 71)
    assert niger.recalled == "" and found[0] is niger


def test_dates_at_the_end_of_the_calendar_do_not_break_folding() -> None:
    text = (
        "Two\n\nA bomb killed 5 in Kabul on 31 December 9999.\n\n"
        "A bomb killed 7 in Herat on 31 December 9999."
    )
    assert len(extract(text, source_id="t", published=date(9999, 12, 31))) == 2


@pytest.mark.parametrize(
    "background",
    [
        "The city has been tense since a bomb killed 40 people in Kabul on 1 March.",
        "It was the deadliest attack since 1 March, when a bomb killed 40 people in Kabul.",
    ],
)
def test_an_incident_told_after_since_keeps_its_date_and_toll(background: str) -> None:
    text = f"Kabul\n\nGunmen killed three people in Kabul on Sunday.\n\n{background}"
    found = extract(text, source_id="t", published=date(2011, 5, 9))
    assert [(c.date_start, c.killed_best) for c in found] == [
        (date(2011, 5, 8), 3),
        (date(2011, 3, 1), 40),
    ]


@pytest.mark.parametrize(
    ("text", "place", "country"),
    [
        # another transliteration, after "in", in the article's country: the town
        ("A suicide bomber killed 15 people in Baqouba, Iraq, on Sunday.", "Baqouba", "IQ"),
        # sound-alikes abroad, or at a sentence's start, are not places
        ("Shelling killed 12 people in Ghouta, Syria, on Sunday.", "Syria (place not given)", "SY"),
        ("Barely an hour later, a bomb killed 3 people in Srinagar, India.", "Srinagar", "IN"),
        ("A bomb killed 5 in Aleppo, Syria, on Sunday, according to Bloomberg.", "Aleppo", "SY"),
    ],
)
def test_a_sound_alike_is_a_place_only_in_the_articles_country(
    text: str, place: str, country: str
) -> None:
    (candidate,) = extract(f"Report\n\n{text}", source_id="t", published=PUBLISHED)
    assert (candidate.place, candidate.country) == (place, country)


@pytest.mark.parametrize("sentence", ["No one was killed in the blast.", "but no-one was hurt."])
def test_no_one_hurt_is_no_figure(sentence: str) -> None:
    from geo.ingest.tolls import find_tolls

    assert find_tolls(sentence) == []


def test_an_incident_given_no_day_beside_a_dated_one_is_recalled() -> None:
    from geo.ingest import Evidence

    monday = date(2019, 3, 11)
    dated = replace(
        _told("Beni", monday, [12]), evidence=[Evidence("date", 2, 30, 36, "Monday", "weekday")]
    )
    week = _told("Butembo", date(2019, 3, 5), [6], end=date(2019, 3, 12))
    week = replace(week, evidence=[Evidence("date", 0, 0, 0, "", "no date in the text")])
    lead, other = consolidate([dated, week])
    assert lead.place == "Beni" and lead.recalled == ""
    assert "no day of its own" in other.recalled


def test_a_dateline_abroad_does_not_place_an_incident_the_text_leaves_unplaced() -> None:
    text = (
        "Clash\n\nNAIROBI, Kenya (Wire) - Somali troops and militants clashed in a village on "
        "Saturday, killing 12 people, Somali officials said."
    )
    (candidate,) = extract(text, source_id="t", published=date(2012, 11, 26))
    assert candidate.country == "SO" and candidate.geo_precision == "country"


def test_a_distance_and_direction_from_a_town_is_a_point_away_from_it() -> None:
    # 35 miles (56.3 km) north-east of Baghdad (33.341 N, 44.401 E): by hand, 0.358 degrees
    # north and 56.3 x sin 45 / (111.2 x cos 33.5) = 0.429 degrees east
    (place,) = find_places("A bomb hit a compound 35 miles northeast of Baghdad.", context=("IQ",))
    assert (round(place.lat, 2), round(place.lon, 2)) == (33.7, 44.83)
    assert place.precision == "district"
    # a distance with no direction, or "hundreds of kilometres": only the region is known
    (place,) = find_places("The attack came 150 km from Kabul.", context=("AF",))
    assert place.precision == "region" and place.name == "Kabul"
    (place,) = find_places("An ambush some hundreds of kilometres east of Bamako.", context=("ML",))
    assert place.precision == "region"


def test_a_name_with_and_in_it_is_read_whole_and_the_town_after_it_too() -> None:
    sentence = "Soldiers were ambushed in Jammu and Kashmir’s Kathua district on Monday."
    found = [(p.name, p.precision) for p in find_places(sentence, context=("IN",))]
    assert found == [("Jammu and Kashmir", "region"), ("Kathua", "city")]


def test_a_candidate_with_no_date_or_place_is_not_accepted_and_its_title_says_recalled(
    tmp_path: Path,
) -> None:
    from geo.errors import DataError
    from geo.ingest.review import accept_candidate, candidate_title
    from geo.store import open_store
    from tests.tables import copy_fixture

    monday = date(2019, 3, 11)
    undated = replace(_told("Beni", monday, [12]), date_start=None, date_end=None)
    store = open_store(copy_fixture(tmp_path))
    with pytest.raises(DataError, match="no date or place yet"):
        accept_candidate(store, None, undated, {}, [], None, who="a")  # type: ignore[arg-type]
    recalled = replace(_told("Beni", monday, [12]), recalled="ended 40 days before")
    assert candidate_title(recalled, "armed attack", None) == (
        "Recalled · armed attack · Beni · 2019-03-11 · confidence 90%"
    )
