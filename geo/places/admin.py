"""A dataset's own first-level admin units (ACLED's ``admin1``, GTD's ``provstate``, UCDP's
``adm_1``) joined to the region shapes, by name and by code, within the row's country.

Two kinds of join:

- **by name** (it decides the row's region, even where the point lies in another unit): the
  unit's code (``BJ-ATAKORA`` or ``ATAKORA``), name, label, alternate name or Natural Earth
  name, once case, accents and punctuation are folded, an administrative word such as "State",
  "Province", "Oblast'", "Muhafazat" or "Respublika" is dropped, and a spelling is reduced to
  its sound ("Atacora" and Atakora, "Couffo" and Kouffo, "Odesa" and Odessa: c, k and q alike,
  y as i, ou as u, doubled letters once). A key two units of one country share joins neither.
- **by a close spelling** (``difflib``, on those sound keys, one unit clearly closest): only
  a hint. It is taken only where the row's point lies in that same unit; otherwise the point
  decides. "Aragon" is close to Tarragona and "Campania" to Catania: a guess like that never
  overrides a point.

A unit that joins no shape is left unjoined: validation lists it, and the row's region is the
one its point lies in, said so (:mod:`geo.validate`).
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

import numpy as np
import pandas as pd

from geo.places.names import fold_name, sound_key

GENERIC_WORDS = (
    "state", "province", "provincia", "provinsi", "region", "région", "department",
    "département", "departement", "departamento", "governorate", "oblast", "oblast'",
    "voblasts'", "district", "county", "prefecture", "municipality", "division", "territory",
    "estado", "wilaya", "wilayat", "muhafazah", "muhafazat", "mohafazat", "sha`biyat",
    "shabiyat", "krai", "kray", "republic", "respublika", "autonomous republic",
    "autonomous okrug", "avtonomnyy okrug", "sheng",
)  # fmt: skip
"""Administrative words a name may carry before or after it ("of", "de" may follow)."""
_WORDS = "|".join(map(re.escape, sorted(GENERIC_WORDS, key=len, reverse=True)))
_GENERIC = re.compile(rf"(?i)^(?:{_WORDS})\s+(?:(?:of|de|del|de la|du|des)\s+)?|\s+(?:{_WORDS})$")
_ARTICLE = re.compile(r"(?i)^(?:al|el|as|ad|ar|az|an|ash|at|ad-|as-|ar-)[\s\-'`]+")

CLOSE_ENOUGH = 0.8
"""How alike (difflib's ratio of two sound keys) a spelling must be to be a hint at all."""
MARGIN = 0.05
"""How much closer the closest unit must be than the next one."""
HINTED = 2000
"""The most distinct unjoined names one table asks close spellings for (each costs a scan of
its country's names): enough for any real export, bounded for a hostile one."""
LONGEST = 80
"""Names longer than this are looked up by name only (no close spellings)."""


def _bare(name: str) -> str:
    """A unit's name without an administrative word before or after it."""
    text = str(name).strip()
    for _ in range(2):
        text = _GENERIC.sub("", text).strip()
    return text


def _sound(name: str) -> str:
    """A name reduced to its sound: the article, administrative words, the spelling of
    c/k/q, y/i, ou/u, kh/h and doubled letters do not count."""
    return sound_key(_ARTICLE.sub("", _bare(name)))


def _keys(name: str) -> set[str]:
    return {k for k in (fold_name(name), fold_name(_bare(name)), _sound(name)) if k}


@lru_cache(maxsize=1)
def _units() -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """Country code -> (key -> label: every name key one unit of the country has alone;
    sound key -> label, for close spellings)."""
    from geo.places.regions import read_regions

    layer = read_regions()
    keys: dict[str, dict[str, set[str]]] = {}
    sounds: dict[str, dict[str, set[str]]] = {}
    for code, name, label, country, ne_name, aliases in zip(
        layer["code"], layer["region"], layer["label"], layer["country"], layer["ne_name"],
        layer["aliases"], strict=True,
    ):  # fmt: skip
        names = [name, label.split(", ")[0], ne_name, code, code.partition("-")[2]]
        names += str(aliases or "").split(";")
        for n in filter(None, names):
            for key in _keys(n):
                keys.setdefault(country, {}).setdefault(key, set()).add(label)
            sounds.setdefault(country, {}).setdefault(_sound(n), set()).add(label)

    def alone(table: dict[str, set[str]]) -> dict[str, str]:
        return {k: next(iter(v)) for k, v in table.items() if len(v) == 1 and k}

    return {c: (alone(keys[c]), alone(sounds[c])) for c in keys}


@lru_cache(maxsize=65536)
def admin1_label(name: str, country: str) -> str | None:
    """The label of the region of ``country`` that the unit ``name`` names (by name, see the
    module's text), else ``None``."""
    found = _units().get(str(country).strip().upper())
    if not found or not str(name).strip():
        return None
    table = found[0]
    for key in (fold_name(name), fold_name(_bare(name)), _sound(name)):
        if key in table:
            return table[key]
    return None


@lru_cache(maxsize=65536)
def admin1_hint(name: str, country: str) -> str | None:
    """The one region of ``country`` a close spelling of ``name`` hints at, else ``None`` (a
    name longer than ``LONGEST`` gets none). Ask it only where the name joins none."""
    found = _units().get(str(country).strip().upper())
    key = _sound(name)
    if not found or not key or len(name) > LONGEST:
        return None
    ratios: dict[str, float] = {}
    for other, label in found[1].items():
        if other[:2] == key[:2] and abs(len(other) - len(key)) <= max(2, len(key) // 3):
            ratio = difflib.SequenceMatcher(None, key, other).ratio()
            ratios[label] = max(ratios.get(label, 0.0), ratio)
    ranked = sorted(ratios.values(), reverse=True)
    if not ranked or ranked[0] < CLOSE_ENOUGH:
        return None
    if len(ranked) > 1 and ranked[0] - ranked[1] < MARGIN:
        return None
    return max(ratios, key=lambda k: ratios[k])


def admin1_anywhere(name: str) -> str | None:
    """The one region of any country that ``name`` names (by name, as :func:`admin1_label`),
    else ``None`` (none, or several: "North")."""
    found = {admin1_label(name, country) for country in _units()} - {None}
    return found.pop() if len(found) == 1 else None


def admin1_labels(
    names: np.ndarray | pd.Series,
    countries: np.ndarray | pd.Series,
    points: np.ndarray | None = None,
) -> np.ndarray:
    """The region each (name, country) joins by name, or by a close spelling where that is the
    region its point lies in (``points``: each row's region from its point); ``None`` where a
    name is empty or joins no shape. Each distinct pair is looked up once."""
    names = pd.Series(np.asarray(names, dtype=object)).fillna("").astype(str).str.strip()
    countries = pd.Series(np.asarray(countries, dtype=object)).fillna("").astype(str)
    out = np.full(len(names), None, dtype=object)
    given = (names != "").to_numpy()
    if not given.any():
        return out
    pairs = pd.Series(list(zip(names[given], countries[given].str.strip().str.upper(),
                               strict=True)))  # fmt: skip
    which, distinct = pd.factorize(pairs)
    labels = np.array([*(admin1_label(n, c) for n, c in distinct), None], dtype=object)[:-1]
    found = labels[which]
    if points is not None:  # a close spelling counts where it is the row's point's region
        hints = np.full(len(distinct), None, dtype=object)
        for k in np.flatnonzero(labels == None)[:HINTED]:  # noqa: E711
            hints[k] = admin1_hint(*distinct[k])
        row_hint, at = hints[which], np.asarray(points, dtype=object)[given]
        found = np.where((found == None) & (row_hint != None) & (row_hint == at), row_hint, found)  # noqa: E711
    out[given] = found
    return out


__all__ = ["GENERIC_WORDS", "admin1_anywhere", "admin1_hint", "admin1_label", "admin1_labels"]
