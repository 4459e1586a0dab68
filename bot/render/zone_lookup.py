"""Reading a time zone from what a person types: an IANA name in any case, or a city in English or Italian."""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from functools import cache

from babel.dates import get_timezone_location

from bot.domain.languages import LANGUAGES
from bot.domain.zones import zone_names
from bot.render.timefmt import BABEL_LOCALE, city_name

# Longer than any zone or city name: such a text is a sentence, a paste or a path, not an answer.
TYPED_LIMIT = 64
SUGGESTIONS = 4
# difflib's similarity: "Tokio" is close to "Tokyo" (0.8), not to "Tomsk" (0.6).
CLOSE_ENOUGH = 0.75


@dataclass(frozen=True)
class ZoneMatch:
    """What a typed text names: a zone, or the closest zones to offer instead (possibly none)."""

    zone: str | None = None
    suggestions: tuple[str, ...] = ()
    too_long: bool = False


def normalise(text: str) -> str:
    """Case, accents, underscores and spacing do not matter: ``sao_paulo`` is ``São Paulo``."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("_", " ").casefold().split())


@cache
def _index() -> tuple[dict[str, str], dict[str, str]]:
    """Normalised full names, and normalised places (cities and last parts of names), each to its zone.

    Built once per process from the time zone database and Babel's city names, which never change while
    it runs. The first owner of a place wins: a zone's own last part ("London"), then the city names in
    each language ("Londra", "Turin", "Torino") of zones named after their city, then those of aliases,
    which Babel names after the city they stand for (Europe/Belfast is "London").
    """
    names = sorted(zone_names())
    full = {normalise(name): name for name in names}
    places: dict[str, str] = {}
    for name in names:
        places.setdefault(_last_part(name), name)
    named_after_city = [name for name in names if _last_part(name) == normalise(_exemplar(name, "en"))]
    for name in (*named_after_city, *names):
        for language in LANGUAGES:
            places.setdefault(normalise(city_name(name, language)), name)
            places.setdefault(normalise(_exemplar(name, language)), name)
    return full, places


def _last_part(name: str) -> str:
    return normalise(name.rsplit("/", 1)[1])


def _exemplar(name: str, language: str) -> str:
    return get_timezone_location(name, locale=BABEL_LOCALE[language], return_city=True)


def lookup(typed: str) -> ZoneMatch:
    """The zone a person means by ``Asia/Tokyo``, ``asia/tokyo``, ``Tokyo``, ``Londra`` or ``New York``."""
    text = typed.strip()
    if len(text) > TYPED_LIMIT:
        return ZoneMatch(too_long=True)
    key = normalise(text).strip("/ ")
    if not key:
        return ZoneMatch()
    full, places = _index()
    zone = full.get(key) or places.get(key)
    if zone:
        return ZoneMatch(zone=zone)
    # "Europe/Londn" is compared with full names, "Londn" with places: like with like.
    candidates = full if "/" in key else places
    close = difflib.get_close_matches(key, candidates, n=SUGGESTIONS * 3, cutoff=CLOSE_ENOUGH)
    # An alias and its zone are one offer: Europe/Belfast would read "London" twice.
    by_city = {city_name(candidates[match], "en"): candidates[match] for match in reversed(close)}
    suggestions = tuple(reversed(by_city.values()))[:SUGGESTIONS]
    return ZoneMatch(suggestions=suggestions)


# Button data allows letters, digits and "-" only: "/" becomes "--" and "_" becomes "-", and the way back
# goes through the known names, so a forged or outdated name is simply unknown.
def button_key(zone: str) -> str:
    return zone.replace("/", "--").replace("_", "-")


@cache
def _by_button_key() -> dict[str, str]:
    return {button_key(name): name for name in zone_names()}


def from_button_key(key: str) -> str | None:
    return _by_button_key().get(key)
