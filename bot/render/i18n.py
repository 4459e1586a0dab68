"""gettext catalogs, compiled from the ``.po`` files in memory at load time, and the per-person translator."""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.domain.languages import DEFAULT_LANGUAGE, LANGUAGES, N_

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "N_", "Translator", "load_all", "translator"]

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
DOMAIN = "messages"




class Translator:
    """Translates for one language: ``t._("Hello, {name}", name=...)`` and ``t.n_(one, many, n)``."""

    def __init__(self, language: str, translations: gettext.NullTranslations) -> None:
        self.language = language
        self._translations = translations

    def _(self, message: str, /, **values: object) -> str:
        text = self._translations.gettext(message)
        return text.format(**values) if values else text

    def n_(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        return self._translations.ngettext(singular, plural, n).format(n=n, **values)


def _compile(po_path: Path) -> gettext.GNUTranslations:
    with po_path.open("rb") as source:
        catalog = read_po(source, locale=po_path.parent.parent.name)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@cache
def translator(language: str, locales_dir: Path = LOCALES_DIR) -> Translator:
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    return Translator(language, _compile(locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"))


def load_all(locales_dir: Path = LOCALES_DIR) -> dict[str, Translator]:
    """Compile every catalog once, at start-up, so that a broken one stops the bot before it serves."""
    return {language: translator(language, locales_dir) for language in LANGUAGES}
