"""Review page: an article in, candidate incidents out, each value shown beside the words it
came from; accept, edit or reject each one."""

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

import ui
from geo.errors import AtlasError, DataError
from geo.escape import esc_markdown
from geo.ingest import Candidate
from geo.ingest.reading import read_batch
from geo.ingest.review import (
    accept_candidate,
    accept_new,
    candidate_claims,
    candidate_title,
    candidate_values,
    evidence_line,
    key_html,
    marked_paragraph,
    same_days,
    stored_match,
)
from geo.ingest.write import Article
from geo.schema import FIRST_DATE
from geo.store.edit_rules import editable_store
from geo.symbology import type_label
from ui.data_source import after_write, showing_upload
from ui.editing import incident_form, who_edits
from ui.messages import show_problems
from ui.session import REVIEW_ARTICLES, REVIEW_DONE, REVIEW_FLASH

# Characters a pasted article may have (about 9,000 words); an uploaded file may have twice as
# many (geo.ingest.text.MAX_ARTICLE_CHARS). Each article is read in a limited worker. (A
# comment, not a string: Streamlit would draw a bare string on the page.) At most MAX_FILES
# files are read per click, and MAX_SHOWN candidates of one article drawn.
MAX_PASTE = 60_000
MAX_FILES = 10
MAX_SHOWN = 50

view = ui.sidebar()
st.title("Review an article")
st.caption(
    "Paste a news article or upload text or HTML files: the atlas proposes the incidents it "
    "reports, offline, each value marked in the text it came from. Accept a candidate, edit it "
    "first, or reject it; an accepted one cites the article and paragraph."
)
store, where = editable_store(view.table.origin, showing_upload())
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
        "Articles (.txt, .html)", type=["txt", "html", "htm"], accept_multiple_files=True,
        key="review_files",
    )  # fmt: skip
a, b, c = st.columns(3)
known = a.checkbox("I know the publication date", key="review_known")
# Any day a report may carry (Streamlit's default range would refuse one over ten years old).
published = b.date_input(
    "Published on", value=date.today(), min_value=date.fromisoformat(FIRST_DATE),
    max_value=date.today(), disabled=not known, key="review_pub", format="YYYY-MM-DD",
)  # fmt: skip
outlet = c.text_input("Outlet", key="review_outlet", max_chars=200)


if st.button("Find incidents", type="primary"):
    items: list[tuple[str, str | bytes]] = [("", pasted)] if pasted.strip() else []
    items += [(file.name, file.getvalue()) for file in (files or [])[:MAX_FILES]]
    if len(files or []) > MAX_FILES:
        st.warning(f"Only the first {MAX_FILES} files are read; find the others next.")
    with st.spinner("Reading…"):
        readings, refused = read_batch(items, published=published if known else None)
    if refused:  # file names and messages are the user's text: plain text only
        st.error("Not read:")
        st.code("\n".join(refused), language=None, wrap_lines=True)
    # Decisions already taken are kept.
    REVIEW_ARTICLES.set([(r.article, r.paragraphs) for r in readings])
    if not items:
        st.warning("Paste an article or upload a file first.")

articles = REVIEW_ARTICLES.get_or([])
decided = REVIEW_DONE.setdefault({})


def decide(cid: str, outcome: str) -> None:
    decided[cid] = outcome
    st.rerun()


def show_candidate(article: Article, paragraphs: list, candidate: Candidate) -> None:
    status = decided.get(candidate.incident_id)
    title = candidate_title(candidate, type_label(candidate.event_type), status)
    with st.expander(esc_markdown(title), expanded=status is None and not candidate.recalled):
        if candidate.recalled:
            st.caption(esc_markdown(f"Told as background: {candidate.recalled}."))
        left, right = st.columns([3, 2])
        shown = [p for p in paragraphs if p.number in set(candidate.paragraphs)] or paragraphs
        left.html(
            "".join(marked_paragraph(p, candidate.evidence) for p in shown)
            + f"<p style='font-size:0.8em'>{key_html()}</p>"
        )
        values = candidate_values(candidate, article.title)
        claims = candidate_claims(candidate, article.source_id)
        show_values(right, candidate, values, claims)
        if status or store is None:
            return
        actions(right, article, candidate, values, claims)


FIELDS = ["date_start", "date_end", "date_precision", "place", "country", "region",
          "geo_precision", "event_type", "killed_low", "killed_best", "killed_high",
          "wounded_low", "wounded_best", "wounded_high"]  # fmt: skip


def show_values(right: Any, candidate: Candidate, values: dict, claims: list[dict]) -> None:
    right.dataframe(
        pd.DataFrame(
            {"value": [str(values.get(f, "")) for f in FIELDS]},
            index=[f.replace("_", " ") for f in FIELDS],
        ),
        width="stretch",
        height=35 * (len(FIELDS) + 1) + 3,  # every field, no scrolling
    )
    if claims:
        right.caption("Each passage's figures, as claims of this article:")
        shown_claims = pd.DataFrame(claims)[["paragraph", "killed", "wounded", "note", "source"]]
        right.dataframe(shown_claims, hide_index=True, width="stretch")
    right.caption(esc_markdown("; ".join(evidence_line(e) for e in candidate.evidence)))


def actions(
    right: Any, article: Article, candidate: Candidate, values: dict, claims: list[dict]
) -> None:
    assert store is not None
    cid = candidate.incident_id
    match = stored_match(candidate, same_days(view.engine, candidate))
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
            REVIEW_FLASH.set(
                accept_candidate(
                    store, article, candidate, values, claims, match, who=who, outlet=outlet
                )
            )
            after_write()
            decide(cid, "accepted")
        if editing:
            typed = incident_form(
                values, claims, sorted({*store.source_ids(), article.source_id}),
                new=True, key=f"review_{cid}",
            )  # fmt: skip
            if typed is not None and who:
                mine, my_claims, _ = typed
                REVIEW_FLASH.set(
                    accept_new(store, article, mine, my_claims, who=who, outlet=outlet)
                )
                after_write()
                decide(cid, "accepted (edited)")
    except DataError as exc:
        show_problems("Not saved; nothing was written. Fix these and try again:", exc)
    except AtlasError as exc:
        st.error(esc_markdown(f"Not saved: {exc}"))
    except OSError as exc:  # its text names the server's folders: only the reason is shown
        st.error(esc_markdown(f"Not saved: the table could not be written ({exc.strerror})."))


flash = REVIEW_FLASH.pop()
if flash:
    st.success(esc_markdown(flash))
for article, paragraphs in articles:
    st.subheader(esc_markdown(article.title))
    pub = article.published
    st.caption(
        esc_markdown(
            f"Source id {article.source_id} · published: "
            f"{pub.when.iso() if pub.when else 'unknown'} ({pub.how}) · "
            + (
                f"reported from {pub.reported_from} (the dateline: where the report was filed) · "
                if pub.reported_from
                else ""
            )
            + f"{len(article.candidates)} candidate(s)"
        )
    )
    if not article.candidates:
        st.text("No incident found in this article.")
    if len(article.candidates) > MAX_SHOWN:
        st.caption(
            f"The first {MAX_SHOWN} of {len(article.candidates):,} candidates are shown: split "
            "the article to review the others."
        )
    own = [c for c in article.candidates[:MAX_SHOWN] if not c.recalled]
    recalled = [c for c in article.candidates[:MAX_SHOWN] if c.recalled]
    for candidate in own:
        show_candidate(article, paragraphs, candidate)
    if recalled:
        st.caption(
            f"{len(recalled)} earlier or background incident(s) the article recalls: open one "
            "below to review it too."
        )
    for candidate in recalled:
        show_candidate(article, paragraphs, candidate)
