"""The languages of the exchange, and which one a person is spoken to in."""

from __future__ import annotations

LANGUAGES = ("it", "en")
DEFAULT_LANGUAGE = "en"


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined; it is translated where it is shown."""
    return message


def language_for(stored: str | None, phone_language_code: str | None) -> str:
    """The person's stored choice, else Italian for an Italian phone, else English."""
    if stored in LANGUAGES:
        return stored
    if phone_language_code and phone_language_code.lower().startswith("it"):
        return "it"
    return DEFAULT_LANGUAGE
