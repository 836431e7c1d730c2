"""The incident table's columns, vocabularies and limits (``geo.validate`` applies them)."""

from __future__ import annotations

EVENT_TYPES: dict[str, str] = {
    "armed_attack": "shooting, assault or raid by armed attackers",
    "bombing": "an explosive device set off against a target",
    "suicide_bombing": "a bombing in which the attacker meant to die",
    "explosion": "a militants' device that went off with no clear target (premature or mishandled)",
    "security_operation": "a raid or special operation by police or security forces",
    "weapons_seizure": "arms, explosives or ammunition found or seized",
    "foiled_plot": "an attack prevented or attempted without effect",
    "unrest": "protest, strike or riot",
    "armed_clash": "armed clash between organised forces (battles, territory taken or retaken)",
    "shelling_airstrike": "shelling, artillery, missile, air or drone strike from a distance",
    "kidnapping": "abduction, hostage taking or hijacking",
    "property_attack": "arson, sabotage or an attack on a facility or infrastructure",
    "arrest": "arrests or detentions by the authorities",
    "other": "any other event a dataset records (agreements, looting, sexual violence, ...)",
}
DATE_PRECISIONS: dict[str, int] = {"day": 0, "week": 6, "month": 30, "year": 365}
"""Each date precision and the longest ``date_end - date_start`` (days) it allows."""

GEO_PRECISIONS: dict[str, str] = {
    "point": "the exact site (a building, a street, a border post)",
    "city": "the city or town the event happened in or next to",
    "district": "a district, park or area smaller than a region",
    "region": "only the admin-1 region is known; the point is its centre or its capital",
    "country": "only the country is known; the point is the country's centre",
}
CRS = "EPSG:4326"
"""The coordinate reference system of ``lat``/``lon`` and of every shape the product ships:
WGS84 longitude and latitude in degrees."""
TOLL_COLUMNS = [
    f"{what}_{bound}" for what in ("killed", "wounded") for bound in ("low", "best", "high")
]
REQUIRED = ["incident_id", "date_start", "lat", "lon", "event_type"]
DATASET_COLUMNS: dict[str, str] = {
    "dataset": "the dataset a row was imported from (ACLED, GTD, UCDP GED); empty for the "
    "project's own",
    "actor1": "the main actor as the dataset names it (ACLED actor1, GTD gname, UCDP side_a)",
    "actor2": "the other side (ACLED actor2, UCDP side_b)",
    "assoc_actors": "associated actors and further groups, '; ' between them (ACLED "
    "assoc_actor_1 and assoc_actor_2, GTD gname2 and gname3)",
    "admin1": "the first-level admin unit as the dataset writes it (ACLED admin1, GTD "
    "provstate, UCDP adm_1)",
    "admin2": "the second-level unit as written (ACLED admin2, GTD city's district is not "
    "kept, UCDP adm_2)",
    "disorder_type": "ACLED's disorder type (political violence, demonstrations, strategic "
    "developments)",
    "civilian_targeting": "'Civilian targeting' where ACLED marks the event so; else empty",
    "attack_types": "GTD's attack types, most specific first, '; ' between them",
    "target_types": "GTD's target types, '; ' between them",
    "weapon_types": "GTD's weapon types, '; ' between them",
    "success": "GTD: 'yes' or 'no' (empty: not given)",
    "suicide": "GTD: 'yes' or 'no' (empty: not given)",
    "violence_type": "UCDP's type of violence: state-based, non-state or one-sided",
}
"""The dataset's own fields analysts filter on, kept beside the product's columns as text
(empty where the dataset has no such field; ``data/SCHEMA.md`` maps them per format)."""
ACTOR_COLUMNS = ("actor1", "actor2", "assoc_actors")
"""The columns the ``actor`` facet looks in."""
COLUMNS = [
    "incident_id",
    "date_start",
    "date_end",
    "date_precision",
    "place",
    "country",
    "region",
    "lat",
    "lon",
    "geo_precision",
    "event_type",
    *TOLL_COLUMNS,
    "perpetrator",
    "target",
    "summary",
    "sources",
    "source_event_type",
    "source_sub_event_type",
    *DATASET_COLUMNS,
]
"""Every column of a validated incident table; ``source_event_type`` and
``source_sub_event_type`` keep an imported dataset's own type names (``geo.formats``)."""
CLAIM_COLUMNS = ["incident_id", "source", "paragraph", "killed", "wounded", "note"]
SOURCE_COLUMNS = ["source_id", "title", "outlet", "published", "published_note", "kind"]
SOURCE_KINDS = {"news", "analysis", "opinion", "report", "dataset"}
FIRST_DATE = "1800-01-01"
LAST_DATE = "2200-12-31"
"""The supported date range: every date must lie within it (the dashboard's slider, the
timeline and the exports handle these years; a year like 1600 or 2300 is a typo)."""
MAX_TOLL = 10_000_000
"""The largest toll (killed or wounded) a table may give; tolls are whole numbers 0..MAX_TOLL."""
MAX_COLUMNS = 200
"""The most columns a table may have (GTD's export, the widest the product reads, has 135)."""
MAX_CELL_CHARS = 32_767
"""The longest text a cell may hold (a spreadsheet's own limit)."""
FREE_TEXT_COLUMNS = [
    "place",
    "perpetrator",
    "target",
    "summary",
    "source_event_type",
    "source_sub_event_type",
    *ACTOR_COLUMNS,
]
"""Columns kept exactly as written (leading spaces included); other columns are codes and are
stripped of surrounding spaces."""


TEXT_COLUMNS = [
    "incident_id", "date_precision", "place", "country", "region", "geo_precision", "event_type",
    "perpetrator", "target", "summary", "sources", "source_event_type", "source_sub_event_type",
    *DATASET_COLUMNS,
]  # fmt: skip
"""Every text column of a validated table (the rest are dates, coordinates and tolls)."""


def schema_section(title: str) -> str:
    """The text of one ``## title`` section of ``data/SCHEMA.md`` (empty if there is none)."""
    from geo.paths import DATA_DIR

    path = DATA_DIR / "SCHEMA.md"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    for section in text.split("\n## ")[1:]:
        heading, _, body = section.partition("\n")
        if heading.strip() == title:
            return body.strip()
    return ""
