"""Review page: an article in, candidate incidents out, each value shown beside the words it
came from; accept, edit or reject each one."""

import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

import ui
from geo.errors import AtlasError, DataError
from geo.escape import esc_markdown
from geo.ingest import Candidate, extract_with_publication, read_article, split_paragraphs
from geo.ingest.review import (
    candidate_claims,
    candidate_values,
    key_html,
    marked_paragraph,
    slug,
    stored_match,
    with_claims,
)
from geo.ingest.text import title_of
from geo.ingest.write import Article, source_row
from geo.store.edits import checked_change
from geo.symbology import type_label
from ui.data_source import safe_name
from ui.editing import editable_store, incident_form, who_edits

MAX_PASTE = 60_000
"""Characters a pasted article may have (about 9,000 words): extraction time grows faster than
the text, and one paste must not hold the server."""

view = ui.sidebar()
st.title("Review an article")
st.caption(
    "Paste a news article or upload text or HTML files: the atlas proposes the incidents it "
    "reports, offline, each value marked in the text it came from. Accept a candidate, edit it "
    "first, or reject it; an accepted one cites the article and paragraph."
)
store, where = editable_store(view.dataset.origin, st.session_state.get("good_upload") is not None)
who = who_edits() if store is not None else ""
if store is None:
    st.info(esc_markdown(f"Candidates can be read here, not saved: {where}"))

paste, upload = st.tabs(["Paste an article", "Upload files"])
with paste:
    pasted = st.text_area(
        "Article text", height=220, key="review_text", max_chars=MAX_PASTE,
        help=f"Up to {MAX_PASTE:,} characters (a long report); save longer texts as files.",
    )  # fmt: skip
with upload:
    files = st.file_uploader(
        "Articles (.txt, .html)", type=["txt", "html", "htm"], accept_multiple_files=True
    )
a, b, c = st.columns(3)
known = a.checkbox("I know the publication date", key="review_known")
published = b.date_input("Published on", value=date.today(), disabled=not known, key="review_pub")
outlet = c.text_input("Outlet", key="review_outlet", max_chars=200)


def _read_upload(name: str, data: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / safe_name(name)
        path.write_bytes(data)
        try:
            return read_article(path)
        except DataError as exc:
            raise DataError([replace(p, file=name) for p in exc.problems]) from None


if st.button("Find incidents", type="primary"):
    texts: list[tuple[str, str]] = []
    if pasted.strip():
        texts.append(("", pasted))
    for file in files or []:
        try:
            texts.append((Path(file.name).stem, _read_upload(file.name, file.getvalue())))
        except DataError as exc:
            st.error("\n".join(str(p) for p in exc.problems))
    articles = []
    taken: set[str] = set()
    for stem, text in texts:
        if len(text) > MAX_PASTE * 2:
            st.error(esc_markdown(f"{stem or 'The text'}: over {MAX_PASTE * 2:,} characters"))
            continue
        paragraphs = split_paragraphs(text)
        title = title_of(paragraphs) or stem or "article"
        source_id = base = slug(stem or title, "article")
        n = 1
        while source_id in taken:  # two files of one name, two titles of one slug
            n += 1
            source_id = f"{base}-{n}"
        taken.add(source_id)
        when = published if known else None
        candidates, pub = extract_with_publication(text, source_id=source_id, published=when)
        articles.append((Article(source_id, title, pub, candidates), paragraphs))
    st.session_state["review_articles"] = articles  # decisions already taken are kept
    if not texts:
        st.warning("Paste an article or upload a file first.")

articles = st.session_state.get("review_articles", [])
decided: dict[str, str] = st.session_state.setdefault("review_done", {})


def ensure_source(article: Article) -> None:
    """Add the article to the store's sources the first time one of its candidates is saved."""
    assert store is not None
    if article.source_id not in store.source_ids():
        row = {k: str(v) for k, v in source_row(article).items()}
        row["outlet"] = outlet
        store.add_source(row, who=who)


def save_new(article: Article, values: dict, claims: list[dict]) -> str:
    assert store is not None
    values = with_claims(values, claims)
    # Checked first as the save will be, the article counted as a source: a refused candidate
    # leaves no source behind.
    checked_change(values, claims, None, {*store.source_ids(), article.source_id}, new_id=True)
    ensure_source(article)
    change = store.save(values, version=None, who=who, claims=claims)
    st.cache_resource.clear()
    return f"Added {change.incident_id}."


def save_as_claims(article: Article, incident_id: str, claims: list[dict]) -> str:
    assert store is not None
    record = store.open(incident_id)
    held = {_claim_key(c) for c in record.claims}
    claims = [c for c in claims if _claim_key(c) not in held]
    if not claims:  # the same article reviewed again
        return f"{incident_id} already holds these claims of {article.source_id}; nothing added."
    values = with_claims(record.values, [*record.claims, *claims])
    cited = [s for s in str(values.get("sources", "")).split(";") if s.strip()]
    if article.source_id not in cited:
        values["sources"] = ";".join([*cited, article.source_id])
    known = {*store.source_ids(), article.source_id}
    checked_change(values, [*record.claims, *claims], record, known, new_id=False)
    ensure_source(article)
    store.save(
        values,
        version=record.version,
        who=who,
        claims=[*record.claims, *claims],
        opened=record.values,
    )
    st.cache_resource.clear()
    return f"Added {len(claims)} claim(s) of {article.source_id} to {incident_id}."


def _claim_key(claim: dict) -> tuple[str, ...]:
    return tuple(
        str(claim.get(k, "")).strip() for k in ("source", "paragraph", "killed", "wounded")
    )


def decide(cid: str, outcome: str) -> None:
    decided[cid] = outcome
    st.rerun()


def show_candidate(article: Article, paragraphs: list, candidate: Candidate) -> None:
    cid = candidate.incident_id
    status = decided.get(cid)
    start, end = candidate.date_start, candidate.date_end
    when = (
        "no date" if start is None else f"{start}" if end in (None, start) else f"{start} to {end}"
    )
    title = (
        f"{type_label(candidate.event_type)} · {candidate.place or 'no place'} · {when} · "
        f"confidence {candidate.confidence:.0%}" + (f" · {status}" if status else "")
    )
    with st.expander(esc_markdown(title), expanded=status is None):
        left, right = st.columns([3, 2])
        shown = [p for p in paragraphs if p.number in set(candidate.paragraphs)] or paragraphs
        left.html(
            "".join(marked_paragraph(p, candidate.evidence) for p in shown)
            + f"<p style='font-size:0.8em'>{key_html()}</p>"
        )
        values = candidate_values(candidate, article.title)
        claims = candidate_claims(candidate, article.source_id)
        fields = ["date_start", "date_end", "date_precision", "place", "country", "region"]
        fields += ["geo_precision", "event_type", "killed_low", "killed_best", "killed_high"]
        fields += ["wounded_low", "wounded_best", "wounded_high"]
        right.dataframe(
            pd.DataFrame(
                {"value": [str(values.get(f, "")) for f in fields]},
                index=[f.replace("_", " ") for f in fields],
            ),
            width="stretch",
            height=35 * (len(fields) + 1) + 3,  # every field, no scrolling
        )
        if claims:
            right.caption("Each passage's figures, as claims of this article:")
            shown_claims = pd.DataFrame(claims)[
                ["paragraph", "killed", "wounded", "note", "source"]
            ]
            right.dataframe(shown_claims, hide_index=True, width="stretch")
        evidence = [f"{e.field}: ¶{e.paragraph} “{e.text}”" for e in candidate.evidence]
        right.caption(esc_markdown("; ".join(evidence)))
        if status or store is None:
            return
        match = stored_match(candidate, view.dataset.incidents)
        if match is not None:
            right.info(
                esc_markdown(
                    f"Matches {match.incident_id} ({match.place}, {match.date_text}, "
                    f"{match.km:.0f} km away): accepting adds this article's claims to it."
                )
            )
        x, y, z = right.columns(3)
        editing = y.toggle("Edit first", key=f"edit_{cid}")
        accept = x.button(
            "Accept", key=f"accept_{cid}", disabled=not who or editing, type="primary",
            help="Edit first is on: save from the form below." if editing else None,
        )  # fmt: skip
        if z.button("Reject", key=f"reject_{cid}"):
            decide(cid, "rejected")
        if not who:
            right.caption("Set your name above to accept.")
        try:
            if accept and not editing:
                if candidate.date_start is None or candidate.lat is None:
                    raise DataError("this candidate has no date or place yet: edit it first")
                message = (
                    save_as_claims(article, match.incident_id, claims)
                    if match is not None
                    else save_new(article, values, claims)
                )
                st.session_state["review_flash"] = message
                decide(cid, "accepted")
            if editing:
                typed = incident_form(
                    values, claims, sorted({*store.source_ids(), article.source_id}),
                    new=True, key=f"review_{cid}",
                )  # fmt: skip
                if typed is not None and who:
                    mine, my_claims, _ = typed
                    st.session_state["review_flash"] = save_new(article, mine, my_claims)
                    decide(cid, "accepted (edited)")
        except DataError as exc:
            st.error("Not saved; nothing was written. Fix these and try again:")
            st.code("\n".join(str(p) for p in exc.problems), language=None, wrap_lines=True)
        except (AtlasError, OSError) as exc:
            st.error(esc_markdown(f"Not saved: {exc}"))


flash = st.session_state.pop("review_flash", None)
if flash:
    st.success(esc_markdown(flash))
for article, paragraphs in articles:
    st.subheader(esc_markdown(article.title))
    pub = article.published
    st.caption(
        esc_markdown(
            f"Source id {article.source_id} · published: "
            f"{pub.when.iso() if pub.when else 'unknown'} ({pub.how}) · "
            f"{len(article.candidates)} candidate(s)"
        )
    )
    if not article.candidates:
        st.text("No incident found in this article.")
    for candidate in article.candidates:
        show_candidate(article, paragraphs, candidate)
