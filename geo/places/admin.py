"""A dataset's own first-level admin units (ACLED's ``admin1``, GTD's ``provstate``, UCDP's
``adm_1``) joined to the region shapes, by name and by code, within the row's country.

A unit joins the shape whose code (``BJ-ATAKORA`` or its part after the dash), name, label,
alternate name or Natural Earth name it gives, once case, accents and punctuation are folded
and a generic word such as "State", "Province" or "Department" is dropped ("Borno state" is
Borno). Where no name is equal, a spelling of the same name in the same country joins when it
is close to one shape only ("Atacora" for Atakora); nothing else is guessed. A unit that joins
no shape is left unjoined: validation lists it, and the row's region is the one its point lies
in, said so (:mod:`geo.validate`).
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

import numpy as np
import pandas as pd

from geo.places.names import fold_name

GENERIC_WORDS = (
    "state", "province", "provincia", "region", "région", "department", "département",
    "departement", "governorate", "oblast", "district", "county", "prefecture", "municipality",
    "division", "territory", "estado", "wilaya", "muhafazah", "krai", "kray", "republic",
    "autonomous republic", "autonomous okrug",
)  # fmt: skip
"""Words a dataset adds to a unit's name that the shapes' names may lack."""

_GENERIC = re.compile(
    r"(?i)^(?:" + "|".join(map(re.escape, GENERIC_WORDS)) + r")\s+(?:of\s+)?|\s+(?:"
    + "|".join(map(re.escape, GENERIC_WORDS)) + r")$"
)  # fmt: skip

CLOSE_ENOUGH = 0.8
"""How alike (difflib's ratio of the folded names) another spelling must be to join."""


def _bare(name: str) -> str:
    """A unit's name folded, without a generic word before or after it."""
    text = str(name).strip()
    for _ in range(2):
        text = _GENERIC.sub("", text).strip()
    return fold_name(text)


@lru_cache(maxsize=1)
def _units() -> dict[str, dict[str, str]]:
    """Country code -> folded key (name, label, code, alias) -> label; a key two units of one
    country share is kept out (it would be a guess)."""
    from geo.places.regions import read_regions

    layer = read_regions()
    keys: dict[str, dict[str, set[str]]] = {}
    for code, name, label, country, ne_name, aliases in zip(
        layer["code"], layer["region"], layer["label"], layer["country"], layer["ne_name"],
        layer["aliases"], strict=True,
    ):  # fmt: skip
        names = [name, label.split(", ")[0], ne_name, code, code.partition("-")[2]]
        names += str(aliases or "").split(";")
        for key in {_bare(n) for n in names if n} | {fold_name(n) for n in names if n}:
            if key:
                keys.setdefault(country, {}).setdefault(key, set()).add(label)
    return {
        country: {k: next(iter(labels)) for k, labels in table.items() if len(labels) == 1}
        for country, table in keys.items()
    }


def admin1_label(name: str, country: str) -> str | None:
    """The label of the region of ``country`` that the unit ``name`` names, else ``None``."""
    table = _units().get(str(country).strip().upper(), {})
    if not table or not str(name).strip():
        return None
    for key in (fold_name(name), _bare(name)):
        if key in table:
            return table[key]
    for key in (fold_name(name), _bare(name)):
        close = difflib.get_close_matches(key, list(table), n=2, cutoff=CLOSE_ENOUGH)
        labels = {table[k] for k in close}
        if len(labels) == 1:
            return labels.pop()
    return None


def admin1_labels(names: np.ndarray | pd.Series, countries: np.ndarray | pd.Series) -> np.ndarray:
    """:func:`admin1_label` of each (name, country) pair, each distinct pair looked up once;
    ``None`` where a name is empty or joins no shape."""
    names = pd.Series(np.asarray(names, dtype=object)).fillna("").astype(str).str.strip()
    countries = pd.Series(np.asarray(countries, dtype=object)).fillna("").astype(str)
    out = np.full(len(names), None, dtype=object)
    given = (names != "").to_numpy()
    if not given.any():
        return out
    keys = (names[given] + "\x1f" + countries[given].str.strip().str.upper()).to_numpy()
    which, distinct = pd.factorize(keys)
    found = np.array(
        [admin1_label(*str(k).split("\x1f", 1)) for k in distinct] + [None], dtype=object
    )[:-1]
    out[given] = found[which]
    return out


__all__ = ["GENERIC_WORDS", "admin1_label", "admin1_labels"]
