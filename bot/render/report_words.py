"""Words and numbers the report's chat view and files share: cities, languages, percentages, averages."""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent

from bot.render.i18n import Translator
from bot.render.timefmt import BABEL_LOCALE, city_name
from storage.questionnaires import Question

# How the language an answer was written in is marked: the flags of the exchange's two cities' countries.
LANGUAGE_MARK = {"it": "🇮🇹", "en": "🇺🇸"}
_CITY_ZONES = {"torino": "Europe/Rome", "baltimore": "America/New_York"}


def city_label(t: Translator, city: str | None) -> str:
    """Where the respondents are based, as the report groups them."""
    if city in _CITY_ZONES:
        return city_name(_CITY_ZONES[city], t.language)
    return t._("Elsewhere") if city == "elsewhere" else t._("Not said")


def percent(t: Translator, share: float) -> str:
    return format_percent(share, locale=BABEL_LOCALE[t.language])


def average(t: Translator, value: float | None) -> str:
    """One decimal, with the reader's decimal mark (4,2 or 4.2); a dash when nobody answered."""
    return "–" if value is None else format_decimal(value, format="0.0", locale=BABEL_LOCALE[t.language])


def choice_labels(t: Translator, question: Question) -> dict[int, str]:
    return {choice.id: choice.label.get(t.language) for choice in question.choices}
