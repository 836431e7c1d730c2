"""The Review page against a hostile visitor: an upload named after an existing source, markup
in a file's name, a write that fails on the server, an article built to be slow."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geo.ingest.reading import article_source_id, read_batch
from geo.tables import load_dataset
from tests.apptest import failures, start
from tests.tables import copy_fixture

SHIPPED_SOURCE = "003_2f11906d63638778"  # tests/fixtures/sources.csv: a report of the Almaty attack
ALMATY = "2016-07-18-almaty-shooting"  # killed 3-5 in the frozen seed table
MADE_UP = "\n\n".join(
    [
        "Almaty police station attack toll",
        "ALMATY, Kazakhstan, July 19, 2016 (Wire) - Forty people were killed when a gunman "
        "attacked a police station in Almaty yesterday, officials said.",
    ]
)
BAD_NAME = "**bold** [link](http://127.0.0.1:9/x) ![img](http://127.0.0.1:9/i.png).txt"


@pytest.fixture
def table(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path)


def _review(monkeypatch: pytest.MonkeyPatch, table: Path, files: list[tuple[str, bytes]]):  # type: ignore[no-untyped-def]
    at = start(monkeypatch, data=table)
    at.switch_page("pages/review.py").run()
    at.text_input(key="editor_name").set_value("Mallory").run()
    at.file_uploader(key="review_files").set_value(
        [(name, data, "text/plain") for name, data in files]
    ).run()
    next(b for b in at.button if b.label == "Find incidents").click().run()
    assert not failures(at), failures(at)
    return at


def test_an_upload_named_after_a_source_gets_its_own_id(
    monkeypatch: pytest.MonkeyPatch, table: Path
) -> None:
    at = _review(monkeypatch, table, [(f"{SHIPPED_SOURCE}.txt", MADE_UP.encode())])
    next(b for b in at.button if b.label == "Accept").click().run()
    assert not failures(at), failures(at)
    stored = load_dataset(table)
    theirs = stored.claims[stored.claims["source"] == SHIPPED_SOURCE]
    assert "40" not in set(theirs["killed"])  # nothing passed off as the shipped source's
    mine = stored.claims[stored.claims["killed"] == "40"]
    assert len(mine) == 1 and mine.iloc[0]["incident_id"] == ALMATY
    assert mine.iloc[0]["source"] == article_source_id(SHIPPED_SOURCE, MADE_UP)
    assert mine.iloc[0]["source"] != SHIPPED_SOURCE
    row = stored.sources.set_index("source_id").loc[mine.iloc[0]["source"]]
    assert row["title"] == "Almaty police station attack toll"


def test_two_uploads_of_one_name_and_text_get_two_ids() -> None:
    readings, refused = read_batch(
        [("a.txt", b"Same text."), ("a.txt", b"Same text.")], published=None
    )
    assert refused == []
    ids = [r.article.source_id for r in readings]
    assert ids[1] == f"{ids[0]}-2"


def test_a_files_name_is_shown_as_text_never_as_markdown(
    monkeypatch: pytest.MonkeyPatch, table: Path
) -> None:
    at = _review(monkeypatch, table, [(BAD_NAME, b"\x00\x01\x02 binary")])
    listed = "\n".join(c.value for c in at.code)
    assert f"{BAD_NAME}: is a binary file, not a text article" in listed
    markdown = [e.value for e in (*at.error, *at.markdown, *at.caption, *at.warning, *at.info)]
    assert not any("](http" in m or "**bold**" in m for m in markdown), markdown


def test_a_failed_write_names_no_server_folder(
    monkeypatch: pytest.MonkeyPatch, table: Path
) -> None:
    at = _review(monkeypatch, table, [("wire.txt", MADE_UP.encode())])
    # The history cannot be read or written: its name is taken by a folder.
    table.with_name(f"{table.stem}.history.jsonl").mkdir()
    next(b for b in at.button if b.label == "Accept").click().run()
    assert not failures(at), failures(at)
    said = " ".join(e.value for e in at.error) + " ".join(c.value for c in at.code)
    assert "Not saved" in said
    assert str(table.parent) not in said and os.sep + "tmp" not in said, said


def test_an_article_over_the_limit_is_refused_and_the_page_goes_on(
    monkeypatch: pytest.MonkeyPatch, table: Path
) -> None:
    huge = ("Gunmen attacked a police post in Almaty. " * 4000).encode()  # 164,000 characters
    at = _review(monkeypatch, table, [("long.txt", huge), ("wire.txt", MADE_UP.encode())])
    listed = "\n".join(c.value for c in at.code)
    assert "long.txt: this article has 164,000 characters; the limit is 120,000: split it" in listed
    assert any("Almaty" in e.label for e in at.expander)  # the other article was read


def test_many_files_and_candidates_are_bounded_on_the_page(
    monkeypatch: pytest.MonkeyPatch, table: Path
) -> None:
    months = "January February March April May June July August September October November December"
    roundup = "".join(
        f"Kabul bomb, {day} {month} 2011. " for month in months.split() for day in range(1, 29)
    ).encode()  # 336 incidents, each on its own day
    files = [("roundup.txt", roundup)] + [(f"n{i}.txt", b"Nothing happened.") for i in range(11)]
    at = _review(monkeypatch, table, files)
    assert any("Only the first 10 files are read" in w.value for w in at.warning)
    assert sum("Source id" in c.value for c in at.caption) == 10  # one per article read
    assert any("The first 50 of 336 candidates are shown" in c.value for c in at.caption)
    assert len(at.expander) == 50


def test_articles_are_read_on_a_machine_whose_gazetteer_is_not_built_yet(tmp_path: Path) -> None:
    """The gazetteer's index is built once, by the command itself, not by a reading child held
    to an article's limits (which refused every article on a new machine)."""
    import subprocess
    import sys

    from tests.apptest import ROOT

    article = tmp_path / "wire.txt"
    article.write_text(MADE_UP, encoding="utf-8")
    cache = tmp_path / "cache"
    done = subprocess.run(
        [sys.executable, "-m", "geo", "ingest", str(article), "--out", str(tmp_path / "c.csv")],
        cwd=ROOT,
        env={**os.environ, "INCIDENT_ATLAS_CACHE": str(cache)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout and "Almaty" in (tmp_path / "c.csv").read_text()
    assert any(p.suffix == ".sqlite" for p in cache.iterdir())
