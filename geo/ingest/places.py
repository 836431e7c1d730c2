"""Place names in an article, found with the project's own gazetteer and geocoder.

Capitalised word runs ("Alma-Ata", "Ile-Alatau National Park", "Khasavyurt") are looked up in
the offline gazetteer (GeoNames places with their historical and alternate names, the project's
curated places, the region and country layers). A run is a place only if the gazetteer knows
it and the words around it allow it: a common word at a sentence's start ("Police", "Western")
or a person's name ("Nursultan Nazarbayev") is not taken for a town. Among places of one name,
those in the countries the article speaks of come first, then the geocoder's own order (curated
places, large cities, regions, then population).

The precision is what the text supports: "near Alma-Ata" or "on the outskirts of" is an
approximate location (``district``, at the city's point), "in the Atyrau region" is ``region``,
a town named alone is ``city``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from geo.ingest.distance import measured
from geo.places.names import fold_name

if TYPE_CHECKING:
    from geo.places.geocode import OfflineGeocoder

_CONNECTORS = r"(?:de|del|la|el|al|da|do|dos|das|du|des|le|bin|ibn|of)"
# Hyphens only between letters ("Alma-Ata", "al-Qaeda-linked"): the run of words that follows
# joins words with a hyphen of its own, so no hyphen can be read two ways.
_CAP_WORD = r"(?:[A-Z][\w'’.]*(?:-[\w'’]+)*|al-[A-Z][\w'’]*(?:-[\w'’]+)*)"
_SPAN = re.compile(
    rf"(?<![\w'’-]){_CAP_WORD}(?:(?:\s+(?:{_CONNECTORS}\s+)?|-){_CAP_WORD})*",
)
_APPROXIMATE = re.compile(
    r"(?:\bnear|\boutside|\bclose to|\bnot far from|\b(?:on )?the outskirts of|\boutskirts of"
    r"|\bin the vicinity of|\bneighbou?ring|\bsuburbs? of|\bon the (?:border|edge) of"
    r"|\b(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)(?:ern)?"
    r" of|\b\d+(?:\.\d+)? ?(?:km|kilometres|kilometers|miles|mi)\b(?: [\w-]+)? (?:of|from)"
    r"|\b(?:a|one|two|three|four|five|six|seven|eight|nine|ten|\d+|(?:some )?hundreds of)"
    r" (?:kilometres|kilometers|miles|km)(?: [\w-]+)? (?:of|from)|\bvillage(?:s)? (?:near|around))"
    r"\s+(?:the\s+)?(?:(?:city|town|village|capital|region|province) of\s+)?$",
    re.IGNORECASE,
)
_PREPOSITION = re.compile(
    r"\b(?:in|near|at|outside|from|of|to|into|across|around|towards?|between|and|through"
    r"|on|hit|struck|attacked|besieged|captured|seized|entered|left|visited|raided)\s+(?:the\s+)?"
    r"(?:(?:\w+ern|central|northern|southern|eastern|western|nearby|restive|northwestern"
    r"|northeastern|southwestern|southeastern)\s+)?(?:(?:city|town|village|capital|port|district"
    r"|region|province|state|municipality|county|area|suburb|outskirts|department|oblast)"
    r"\s+of\s+)?$",
    re.IGNORECASE,
)
_ORIGIN = re.compile(
    r"(?i:\b(?:(?!(?:away|far|miles?|kilometres?|kilometers?|km|metres|meters|distance)\b)"
    r"\w+\s+from|(?:citizens?|nationals?"
    r"|natives?)\s+of)\s+(?:the\s+)?(?:\w+\s+(?:city|town|village|region|province|state"
    r"|country)\s+of\s+)?)"
    r"(?:[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*\s*(?:,|\band\b)\s*(?:the\s+)?)*$",
)
"""Words before a place that tell where people or things come from, not where anything
happened: "cyclists from the United States, Switzerland and the Netherlands", "fans who had
come from the eastern city of Kharkov", "nationals of Chad". Not a distance ("20 km from
Kathua" is a place); see :func:`_origin` for people taken away."""
_TAKEN_AWAY = re.compile(
    r"\b(?:abduct|kidnap|seiz|snatch|took|taken|evacuat|fled|flee|escap|rescu|freed|withdr"
    r"|expel|driven|drove|displac|pulled|eject|stole)\w*\b[^.;]{0,50}$",
    re.IGNORECASE,
)


def _origin(before: str) -> bool:
    """Whether the words before a place say where people come from ("fans from Kharkov"),
    rather than where they were taken from ("abducted 20 pupils from Kagara")."""
    if not _ORIGIN.search(before) or _APPROXIMATE.search(before):
        return False
    return not _TAKEN_AWAY.search(before)


_REGION_SUFFIX = re.compile(
    r"^\s+(?P<word>region|oblast|province|state|governorate|department|prefecture"
    r"|territory)\b",
    re.IGNORECASE,
)
_AREA_SUFFIX = re.compile(
    r"^\s+(?P<word>district|county|municipality|raion|rayon|park|outpost|border post"
    r"|neighbou?rhood|microdistrict|area|valley)\b",
    re.IGNORECASE,
)
_DIRECTIONS = frozenset(
    "north south east west northern southern eastern western central upper lower greater "
    "northeastern northwestern southeastern southwestern north-east north-west south-east "
    "south-west north-eastern north-western south-eastern south-western".split()
)
_PLACE_WORDS = frozenset(
    "city town village region province state oblast district county national park municipality"
    " governorate department island islands valley mountains river lake".split()
)
# Capitalised words that are not places however a gazetteer spells them.
_NOT_PLACES = frozenset(
    """a an the this that these those there then than they their them he she his her it its
    we our you your i in on at of for from by with as but and or if when while after before
    since during until according also however meanwhile yet still so such some many most more
    several all both each every one two three four five six seven eight nine ten no not none
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december police army military government
    president minister ministry interior defence defense security state islamic
    islamist muslim christian western eastern northern southern central western-backed news
    reuters afp ap associated press agency officials official authorities witnesses
    residents troops soldiers forces rebels militants spokesman spokeswoman general colonel
    major captain lieutenant sergeant mr mrs ms dr saint st lake river mount mountain
    republic federation union kingdom committee council court parliament congress senate
    hospital university airport station church mosque school market bank office department
    headquarters prison camp base unit division brigade regiment battalion front party movement
    group network cell east west north south centre center bay city town village region
    province district county capital border day night morning evening week month year today
    yesterday tomorrow eid ramadan christmas easter breaking update updated photo video read
    more share comments advertisement follow subscribe home world africa asia europe america
    americas latin middle caucasus volga""".split()
)
DEMONYMS = {
    "kazakh": "KZ",
    "kazak": "KZ",
    "kazakhstani": "KZ",
    "russian": "RU",
    "nigerian": "NG",
    "colombian": "CO",
    "ukrainian": "UA",
    "pakistani": "PK",
    "filipino": "PH",
    "philippine": "PH",
    "afghan": "AF",
    "iraqi": "IQ",
    "syrian": "SY",
    "somali": "SO",
    "kenyan": "KE",
    "malian": "ML",
    "indian": "IN",
    "turkish": "TR",
    "kyrgyz": "KG",
    "tajik": "TJ",
    "uzbek": "UZ",
    "mexican": "MX",
    "yemeni": "YE",
    "libyan": "LY",
    "egyptian": "EG",
    "cameroonian": "CM",
    "burkinabe": "BF",
    "sudanese": "SD",
    "ethiopian": "ET",
    "congolese": "CD",
    "mozambican": "MZ",
    "bangladeshi": "BD",
    "indonesian": "ID",
    "thai": "TH",
    "burmese": "MM",
    "iranian": "IR",
    "israeli": "IL",
    "lebanese": "LB",
    "french": "FR",
    "german": "DE",
    "british": "GB",
    "american": "US",
    "chinese": "CN",
    "peruvian": "PE",
    "venezuelan": "VE",
    "chadian": "TD",
    "nigerien": "NE",
    "dagestani": "RU",
    "chechen": "RU",
    "ingush": "RU",
}


@dataclass(frozen=True)
class PlaceMention:
    """A place named in a sentence: offsets of its words (with "near" and the like), what the
    geocoder found, and the precision the words support."""

    start: int
    end: int
    text: str
    query: str
    name: str
    lat: float
    lon: float
    country: str
    region: str | None
    precision: str
    qualifier: str
    population: int
    sentence_start: bool


@lru_cache(maxsize=1)
def _region_keys() -> frozenset[str]:
    from geo.places.regions import read_regions

    layer = read_regions()
    keys: set[str] = set()
    for column in ("region", "label", "ne_name"):
        keys.update(fold_name(str(v)) for v in layer[column] if isinstance(v, str))
    for aliases in layer["aliases"]:
        if isinstance(aliases, str):
            keys.update(fold_name(a) for a in aliases.split(";") if a.strip())
    return frozenset(k for k in keys if k)


@lru_cache(maxsize=1)
def country_keys() -> dict[str, str]:
    """Folded country names (and the geocoder's aliases) -> ISO alpha-2 code."""
    from geo.places.geocode import COUNTRY_ALIASES
    from geo.places.regions import country_names

    keys = {fold_name(name): code for code, name in country_names().items()}
    keys.update({fold_name(name): code for name, code in COUNTRY_ALIASES.items()})
    for name, code in (
        ("United States", "US"),
        ("United Kingdom", "GB"),
        ("Britain", "GB"),
        ("Philippines", "PH"),
        ("Democratic Republic of Congo", "CD"),
        ("Ivory Coast", "CI"),
        ("Russia", "RU"),
        ("Syria", "SY"),
        ("Kazakstan", "KZ"),
    ):
        keys[fold_name(name)] = code
    return keys


@lru_cache(maxsize=8192)
def _known(name: str) -> bool:
    """Whether the gazetteer, the regions or the countries know ``name`` (cheap: no geocoding)."""
    from geo.places.gazetteer import load_gazetteer

    key = fold_name(name)
    if not key or len(key) < 3:
        return False
    return key in _region_keys() or key in country_keys() or bool(load_gazetteer().lookup(name))


@lru_cache(maxsize=1)
def longest_name_words() -> int:
    """The most words in a name the gazetteer, the regions or the countries know: a run of
    capitalised words is looked up in chunks of at most this many words."""
    from geo.places.gazetteer import load_gazetteer
    from geo.places.geocode import COUNTRY_ALIASES
    from geo.places.regions import country_names, read_regions

    layer = read_regions()
    names = [str(v) for column in ("region", "label", "ne_name") for v in layer[column]]
    names += [a for v in layer["aliases"] if isinstance(v, str) for a in v.split(";")]
    names += [*country_names().values(), *COUNTRY_ALIASES]
    return max(load_gazetteer().longest_name_words(), *(len(n.split()) for n in names))


@lru_cache(maxsize=4096)
def _geocode_all(query: str) -> tuple[dict[str, object], ...]:
    """Every match of the offline geocoder for ``query``, best first (cached per process)."""
    from geo.places.gazetteer import load_gazetteer

    found = _geocoder().geocode(query, exactly_one=False)
    if not found:
        return ()
    population = {place.source: place.population for place, _ in load_gazetteer().lookup(query)}
    out = []
    for location in found if isinstance(found, list) else [found]:
        raw = dict(location.raw)
        raw["population"] = population.get(str(raw["source"]), 0)
        out.append(raw)
    return tuple(out)


@lru_cache(maxsize=1)
def _geocoder() -> OfflineGeocoder:
    from geo.places.geocode import OfflineGeocoder

    return OfflineGeocoder()


def clear_cache() -> None:
    """Forget the names looked up so far (the gazetteer itself stays open)."""
    _geocode_all.cache_clear()
    _known.cache_clear()


def countries_spoken_of(text: str) -> Counter[str]:
    """How often each country is named in a text, by name or by its people's adjective (not
    where people come from: "tourists from Switzerland")."""
    counts: Counter[str] = Counter()
    keys = country_keys()
    for match in _SPAN.finditer(text):
        if _origin(text[max(0, match.start() - 80) : match.start()]):
            continue  # where people come from, not what the text is about
        words = match.group().replace("’", "'").split()
        for size in range(min(len(words), 4), 0, -1):
            for i in range(len(words) - size + 1):
                phrase = " ".join(words[i : i + size])
                phrase = re.sub(r"'s$", "", phrase)
                code = keys.get(fold_name(phrase)) or DEMONYMS.get(phrase.lower())
                if code:
                    counts[code] += 1
    return counts


def find_places(
    sentence: str,
    *,
    context: tuple[str, ...],
    skip: tuple[tuple[int, int], ...] = (),
) -> list[PlaceMention]:
    """Places named in one sentence, in order of the words.

    Parameters
    ----------
    sentence
        The sentence's text; offsets in the result are within it.
    context
        ISO codes of the countries the article speaks of, most spoken of first: a name several
        countries have is read as the place in one of them.
    skip
        Offsets not to read (a dateline, which names where a report was filed).
    """
    out: list[PlaceMention] = []
    # Where the sentence's words begin: a name there starts the sentence.
    lead = len(sentence) - len(sentence.lstrip())
    # Names with "and" in them ("Jammu and Kashmir") are read whole, then blanked out, so the
    # words after them ("Jammu and Kashmir's Kathua district") are read on their own.
    read = sentence
    for match in _and_names().finditer(sentence):
        if any(s < match.end() and match.start() < e for s, e in skip):
            continue
        words = _words(match.group(), match.start())
        found = _lookup_chunk(sentence, words, context, lead) if words else None
        if found is not None:
            out.append(found)
            read = read[: match.start()] + " " * (match.end() - match.start()) + read[match.end() :]
    for match in _SPAN.finditer(read):
        if any(s < match.end() and match.start() < e for s, e in skip):
            continue
        for run in _runs(_words(match.group(), match.start())):
            out.extend(_places_in_run(sentence, run, context, lead))
    return sorted(out, key=lambda p: p.start)


@lru_cache(maxsize=1)
def _and_names() -> re.Pattern[str]:
    """The regions' and countries' names with "and" in them, as one pattern."""
    from geo.places.geocode import COUNTRY_ALIASES
    from geo.places.regions import country_names, read_regions

    layer = read_regions()
    names = [str(v) for column in ("region", "label", "ne_name") for v in layer[column]]
    names += [a for v in layer["aliases"] if isinstance(v, str) for a in v.split(";")]
    names += [*country_names().values(), *COUNTRY_ALIASES]
    with_and = sorted({n.strip() for n in names if " and " in n and n[:1].isupper()}, key=len)
    if not with_and:
        return re.compile(r"(?!)")
    alternatives = "|".join(re.escape(n) for n in reversed(with_and))
    return re.compile(rf"(?<![\w'’-])(?:{alternatives})(?![\w-])")


def _words(span: str, start: int) -> list[tuple[int, int, str]]:
    out = []
    for word in re.finditer(r"\S+", span):
        text = re.sub(r"(?:'s|’s|'|’)$", "", word.group())
        text = text.rstrip(".")
        if text:
            out.append((start + word.start(), start + word.start() + len(text), text))
    return out


def _runs(words: list[tuple[int, int, str]]) -> list[list[tuple[int, int, str]]]:
    """A capitalised run cut at words that are never part of a place's name ("In", "The",
    "President", a demonym: "Kazakh President Nursultan Nazarbayev")."""
    runs: list[list[tuple[int, int, str]]] = [[]]
    for word in words:
        lower = word[2].lower()
        if lower in _NOT_PLACES or lower in DEMONYMS:
            runs.append([])
        else:
            runs[-1].append(word)
    return [run for run in runs if run]


def _places_in_run(
    sentence: str, words: list[tuple[int, int, str]], context: tuple[str, ...], lead: int
) -> list[PlaceMention]:
    """The places in a run of words, longest name first. A chunk has at most
    :func:`longest_name_words` words, so a long run costs a few lookups per word."""
    # Strip a leading direction word ("Northern Borno") for the lookup.
    first = 0
    while first < len(words) - 1 and words[first][2].lower() in _DIRECTIONS:
        first += 1
    words = words[first:]
    if not words:
        return []
    # others[k]: how many of the first k words may not stand beside a place name.
    others = [0]
    for word in words:
        others.append(others[-1] + (not _place_word(word[2])))
    longest = longest_name_words()
    found: list[PlaceMention] = []
    i = 0
    while i < len(words):
        hit = None
        for j in range(min(len(words), i + longest), i, -1):
            # A part of a longer run is a place only beside place words ("Almaty City"):
            # "Nursultan" in "Nursultan Nazarbayev" is a man, not the city.
            if others[i] + others[-1] - others[j]:
                continue
            mention = _lookup_chunk(sentence, words[i:j], context, lead)
            if mention is not None:
                hit = (j, mention)
                break
        if hit is None:
            i += 1
            continue
        found.append(hit[1])
        i = hit[0]
    return found


def _place_word(word: str) -> bool:
    """Words that may stand beside a place name in one run: "City", "Northern", "Kazakh"."""
    lower = word.lower()
    return lower in _PLACE_WORDS or lower in _DIRECTIONS or fold_name(word) in country_keys()


def _lookup_chunk(
    sentence: str, chunk: list[tuple[int, int, str]], context: tuple[str, ...], lead: int
) -> PlaceMention | None:
    first, last = chunk[0][0], chunk[-1][1]
    name = " ".join(w[2] for w in chunk)
    if name.lower() in _NOT_PLACES or name.lower() in DEMONYMS or len(name) < 3:
        return None
    if len(name) <= 4 and name.isupper() and fold_name(name) not in country_keys():
        return None  # an acronym ("PAL", the airline), not a town; "UAE" is a country
    before = sentence[max(0, first - 80) : first]
    if _origin(before):
        return None
    sentence_start = first <= lead or bool(re.search(r"[\n\"“(]\s*$", before))
    for query, extra, kind in _queries(name, sentence[last : last + 40]):
        if kind != "region" and not _known(query):
            continue
        matches = _geocode_all(query)
        if kind == "region":
            matches = tuple(m for m in matches if m["precision"] == "region") or matches
        best = _choose(matches, context)
        if best is None:
            continue
        if not _plausible(best, before, sentence_start, context, kind):
            return None
        found = _mention(sentence, (first, last + extra), query, best, kind, sentence_start)
        if found is not None:
            return found
    return _sound_alike(sentence, (first, last), name, context, sentence_start)


def _queries(name: str, after: str) -> list[tuple[str, int, str]]:
    """What to look a name up as: with the region or area word after it ("Almaty region",
    "Kathua district"), then alone; each with the characters it takes after the name."""
    queries: list[tuple[str, int, str]] = []
    region_word = _REGION_SUFFIX.match(after)
    if region_word:
        queries.append((f"{name} {region_word.group('word')}", region_word.end(), "region"))
        queries.append((name, region_word.end(), "region"))
    area_word = _AREA_SUFFIX.match(after)
    if area_word:
        word = area_word.group("word")
        queries.append((f"{name} {word}", area_word.end(), f"area:{word.lower()}"))
    queries.append((name, 0, ""))
    return queries


def _mention(
    sentence: str,
    span: tuple[int, int],
    query: str,
    best: dict[str, object],
    kind: str,
    sentence_start: bool,
) -> PlaceMention | None:
    """The place a gazetteer match makes of the words at ``span``: "near X" or "X district"
    is an approximate location, a distance phrase a point away from X; ``None`` where a region
    was asked for and a town found."""
    first, end = span
    before = sentence[max(0, first - 80) : first]
    approximate = _APPROXIMATE.search(before)
    precision, qualifier, start = str(best["precision"]), "", first
    if approximate and precision in ("city", "point"):
        precision, qualifier = "district", approximate.group().strip()
        start = first - len(before) + approximate.start()
    elif kind.startswith("area:") and precision in ("city", "point"):
        precision, qualifier = "district", kind.split(":", 1)[1]
    if kind == "region" and precision != "region":
        return None
    lat, lon, precision = measured(
        float(str(best["lat"])), float(str(best["lon"])), qualifier, precision
    )
    return PlaceMention(
        start=start, end=end, text=sentence[start:end], query=query, name=str(best["name"]),
        lat=lat, lon=lon, country=str(best["country"]),
        region=str(best["region"]) if best["region"] else None, precision=precision,
        qualifier=qualifier, population=int(str(best["population"])),
        sentence_start=sentence_start,
    )  # fmt: skip


def _sound_alike(
    sentence: str,
    span: tuple[int, int],
    name: str,
    context: tuple[str, ...],
    sentence_start: bool,
) -> PlaceMention | None:
    """A town the gazetteer knows under another transliteration ("Baqouba": Baqubah), taken
    only where the text leads to a place ("in Baqouba"), not at a sentence's start, and only
    in a country the article speaks of: "Ghouta" sounds like a town in Slovakia, "Bloomberg"
    like one in Germany."""
    from geo.places.gazetteer import load_gazetteer

    first, last = span
    before = sentence[max(0, first - 80) : first]
    if not context or sentence_start or len(name.split()) > 3:
        return None
    if not _PREPOSITION.search(before):
        return None
    alike = [p for p in load_gazetteer().lookup_sound(name) if p.country in context]
    if not alike:
        return None
    place = max(alike, key=lambda p: (context.index(p.country) == 0, p.population))
    raw = next((m for m in _geocode_all(place.name) if m["source"] == place.source), None)
    region = str(raw["region"]) if raw and raw["region"] else None
    approximate = _APPROXIMATE.search(before)
    start = first - len(before) + approximate.start() if approximate else first
    return PlaceMention(
        start=start, end=last, text=sentence[start:last], query=name, name=place.name,
        lat=place.lat, lon=place.lon, country=place.country, region=region,
        precision="district" if approximate else "city",
        qualifier=approximate.group().strip() if approximate else "",
        population=place.population, sentence_start=sentence_start,
    )  # fmt: skip


def _choose(
    matches: tuple[dict[str, object], ...], context: tuple[str, ...]
) -> dict[str, object] | None:
    if not matches:
        return None
    top = matches[0]
    top_population = int(str(top["population"]))
    for code in context:
        for match in matches:
            if match["country"] != code:
                continue
            # A village of the article's country does not beat a large city elsewhere.
            weighty = match["precision"] in ("region", "country") or match["source"] == (
                "gazetteer_extra"
            )
            if weighty or int(str(match["population"])) * 20 >= top_population:
                return match
    return top


def _plausible(
    match: dict[str, object],
    before: str,
    sentence_start: bool,
    context: tuple[str, ...],
    kind: str,
) -> bool:
    """Whether a gazetteer match is likely the place meant rather than a word or a name."""
    precision = match["precision"]
    if precision == "country" or kind:
        return True
    in_context = not context or match["country"] in context
    population = int(str(match["population"]))
    by_preposition = bool(_PREPOSITION.search(before))
    if precision == "region":
        return in_context or by_preposition
    curated = str(match["source"]) == "gazetteer_extra"
    if curated:
        return True
    if sentence_start and not by_preposition:
        return in_context and population >= 100_000
    if in_context:
        return by_preposition or population >= 50_000
    return by_preposition and population >= 100_000
