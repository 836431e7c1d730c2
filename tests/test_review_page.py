"""The Review page, driven through Streamlit's AppTest: an article pasted, its candidates shown
beside the words they came from, one accepted into the store and one added as a claim."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from geo.store import open_store
from geo.tables import load_dataset
from tests.apptest import failures, start
from tests.tables import copy_fixture

# Written for this test in the style of a wire report; the seed table holds the Aktobe
# attacks of 5 June 2016 (document 003 and others), so a second report of them is a match.
ARTICLE = "\n\n".join(
    [
        "Gunmen attack police post in Atyrau, wounding four",
        "ATYRAU, Kazakhstan, March 3, 2019 (Wire) - Gunmen opened fire on a police post in the "
        "city of Atyrau on Saturday, killing two officers and wounding four, the interior "
        "ministry said.",
        "The ministry later raised the death toll to three, saying a wounded officer had died "
        "in hospital. <script>alert(1)</script> {{ 7*7 }}",
    ]
)


@pytest.fixture
def table(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path)


def test_a_pasted_article_gives_cited_candidates_and_one_is_accepted(
    monkeypatch: pytest.MonkeyPatch, table: Path
) -> None:
    at = start(monkeypatch, data=table)
    at.switch_page("pages/review.py").run()
    assert not failures(at), failures(at)
    at.text_input(key="editor_name").set_value("Aigerim").run()
    at.text_area(key="review_text").set_value(ARTICLE).run()
    next(b for b in at.button if b.label == "Find incidents").click().run()
    assert not failures(at), failures(at)
    titles = [e.label.replace("\\", "") for e in at.expander]  # markdown escapes removed
    assert any("armed attack" in t and "2019-03-02" in t for t in titles), titles
    # the dateline is said as where the report was filed, not as the place
    said = " ".join(c.value.replace("\\", "") for c in at.caption)
    assert "reported from ATYRAU, Kazakhstan (the dateline: where the report was filed)" in said
    # The words behind each field are marked, and the article's markup is shown as text.
    marked = "".join(h.proto.body for h in at.get("html"))
    assert "<mark" in marked and "&lt;script&gt;" in marked and "<script>" not in marked
    next(b for b in at.button if b.label == "Accept").click().run()
    assert not failures(at), failures(at)
    assert any("Added" in s.value for s in at.success)
    stored = load_dataset(table)
    new = stored.incidents[stored.incidents["date_start"] == "2019-03-02"]
    assert len(new) == 1
    row = new.iloc[0]
    assert (row["region"], row["event_type"]) == ("Atyrau", "armed_attack")
    # Two and then three killed: both figures kept as claims, the range spans them.
    assert (row["killed_low"], row["killed_high"]) == (2, 3)
    claims = stored.claims[stored.claims["incident_id"] == row["incident_id"]]
    assert sorted(claims["killed"]) == ["2", "3"]
    assert sorted(claims["paragraph"]) == ["2", "3"]  # the first report, then the update
    assert row["sources"] in set(stored.sources["source_id"])
    history = open_store(table).history(row["incident_id"])
    assert [(c.who, c.action) for c in history] == [("Aigerim", "add")]


ALMATY = "2016-07-18-almaty-shooting"  # killed 3-5 (tests/fixtures/claims.csv 46-48)
SECOND_REPORT = "\n\n".join(
    [
        "Death toll in Almaty police station attack rises to six",
        "ALMATY, Kazakhstan, July 19, 2016 (Wire) - The number of people killed when a gunman "
        "attacked a police station in Almaty yesterday has risen to six, officials said.",
    ]
)


def test_a_candidate_of_a_stored_incident_becomes_a_claim_on_it(
    monkeypatch: pytest.MonkeyPatch, table: Path
) -> None:
    before = len(load_dataset(table).incidents)
    at = start(monkeypatch, data=table)
    at.switch_page("pages/review.py").run()
    at.text_input(key="editor_name").set_value("Dmitri").run()
    at.text_area(key="review_text").set_value(SECOND_REPORT).run()
    next(b for b in at.button if b.label == "Find incidents").click().run()
    assert any(ALMATY in i.value.replace("\\", "") for i in at.info), [i.value for i in at.info]
    next(b for b in at.button if b.label == "Accept").click().run()
    assert not failures(at), failures(at)
    stored = load_dataset(table)
    assert len(stored.incidents) == before  # no duplicate
    row = stored.incidents.set_index("incident_id").loc[ALMATY]
    assert (row["killed_low"], row["killed_high"]) == (3, 6)  # widened to the new claim
    claims = stored.claims[stored.claims["incident_id"] == ALMATY]
    assert len(claims) == 4 and claims.iloc[-1]["killed"] == "6"
    new_source = claims.iloc[-1]["source"]
    assert new_source in row["sources"].split(";")
    assert new_source in set(stored.sources["source_id"])


def test_reviewing_the_same_article_again_adds_nothing_twice(
    monkeypatch: pytest.MonkeyPatch, table: Path
) -> None:
    at = start(monkeypatch, data=table)
    at.switch_page("pages/review.py").run()
    at.text_input(key="editor_name").set_value("Dmitri").run()
    at.text_area(key="review_text").set_value(SECOND_REPORT).run()
    next(b for b in at.button if b.label == "Find incidents").click().run()
    next(b for b in at.button if b.label == "Accept").click().run()
    claims = len(load_dataset(table).claims)
    next(b for b in at.button if b.label == "Find incidents").click().run()  # found again
    assert any("accepted" in e.label for e in at.expander)
    assert not any(b.label == "Accept" for b in at.button)  # the decision is kept
    at = start(monkeypatch, data=table)  # a new session reviewing the same article
    at.switch_page("pages/review.py").run()
    at.text_input(key="editor_name").set_value("Dmitri").run()
    at.text_area(key="review_text").set_value(SECOND_REPORT).run()
    next(b for b in at.button if b.label == "Find incidents").click().run()
    next(b for b in at.button if b.label == "Accept").click().run()
    assert any("already holds" in s.value for s in at.success)
    assert len(load_dataset(table).claims) == claims


RECALLING = "\n\n".join(
    [
        "Bomb kills six at Jalalabad market",
        "A bomb killed six people at a market in Jalalabad on Monday, officials said.",
        "In January, an attack on a bank in Jalalabad killed 9 guards.",
    ]
)


def test_an_incident_the_report_only_recalls_is_folded_under_its_own(
    monkeypatch: pytest.MonkeyPatch, table: Path
) -> None:
    at = start(monkeypatch, data=table)
    at.switch_page("pages/review.py").run()
    at.text_area(key="review_text").set_value(RECALLING).run()
    at.checkbox(key="review_known").check().run()
    # a report of any age may be reviewed: not only the last ten years (Streamlit's default)
    assert at.date_input(key="review_pub").min <= date(1990, 1, 1)
    at.date_input(key="review_pub").set_value(date(2019, 3, 12)).run()
    next(b for b in at.button if b.label == "Find incidents").click().run()
    assert not failures(at), failures(at)
    titles = [e.label.replace("\\", "") for e in at.expander]
    assert len(titles) == 2 and "2019-03-11" in titles[0] and not titles[0].startswith("Recalled")
    assert titles[1].startswith("Recalled") and "2019-01-01 to 2019-01-31" in titles[1]
    said = " ".join(c.value.replace("\\", "") for c in at.caption)
    assert "1 earlier or background incident(s) the article recalls" in said
    assert "Told as background: ended" in said
