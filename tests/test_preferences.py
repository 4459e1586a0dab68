"""A person's preferences: changing city from /settings, true words about times, the deletion screen, names."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import handlers.preferences
from bot.domain import languages
from bot.domain.pending import pending_of
from tests.harness import Harness

GIULIA, MIKE = 301, 302
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("language", "change", "city", "note", "shown"), [
    ("en", "Change city", "Baltimore", "All set! I'll show times in Baltimore time, and for events in Turin, in "
     "Turin time too.", "Times shown for: Baltimore (time zone America/New_York)"),
    ("it", "Cambia città", "Baltimora", "Tutto pronto! Ti mostro gli orari nell'ora di Baltimora e, per gli eventi "
     "a Torino, anche nell'ora di Torino.", "Orari mostrati per: Baltimora (fuso orario America/New_York)"),
])
async def test_changing_city_from_settings_returns_to_settings(bot: Harness, language: str, change: str, city: str,
                                                              note: str, shown: str) -> None:
    await bot.onboard(GIULIA, "Giulia", language, "🇮🇹")
    await bot.send(GIULIA, "/settings")
    before = len(bot.telegram.chat(GIULIA))
    await bot.press(GIULIA, change)
    await bot.press(GIULIA, city)
    screen = bot.last(GIULIA)
    assert screen.text.startswith(note)
    assert shown in screen.text
    assert "/agenda" not in screen.text  # not the whole welcome again
    assert len(bot.telegram.chat(GIULIA)) == before  # the settings message itself changed


@pytest.mark.parametrize(("language", "typed", "note", "shown"), [
    ("en", "tokyo", "All set! I'll show times in Tokyo time, and for each event, its local time too.",
     "Tokyo (time zone Asia/Tokyo)"),
    ("it", "Londra", "Tutto pronto! Ti mostro gli orari nell'ora di Londra e, per ogni evento, anche l'ora locale.",
     "Londra (fuso orario Europe/London)"),
])
async def test_a_typed_zone_from_settings_returns_to_settings(bot: Harness, language: str, typed: str, note: str,
                                                             shown: str) -> None:
    await bot.onboard(GIULIA, "Giulia", language, "🇮🇹")
    await bot.send(GIULIA, "/settings")
    await bot.press(GIULIA, "🏙")
    await bot.press(GIULIA, "🌍")
    await bot.send(GIULIA, typed)
    screen = bot.last(GIULIA)
    assert screen.text.startswith(note) and shown in screen.text
    assert bot.telegram.button(screen, "🏙") == "citymenu"


@pytest.mark.parametrize(("language", "back", "shown"), [
    ("en", "↩️ Back", "Times shown for: Turin (time zone Europe/Rome)"),
    ("it", "↩️ Indietro", "Orari mostrati per: Torino (fuso orario Europe/Rome)"),
])
async def test_back_from_settings_questions_changes_nothing(bot: Harness, language: str, back: str,
                                                           shown: str) -> None:
    await bot.onboard(GIULIA, "Giulia", language, "🇮🇹")
    await bot.send(GIULIA, "/settings")
    await bot.press(GIULIA, "🏙")
    await bot.press(GIULIA, back)  # from the cities
    assert shown in bot.last(GIULIA).text
    await bot.press(GIULIA, "🏙")
    await bot.press(GIULIA, "🌍")
    await bot.press(GIULIA, back)  # from the time zone question
    assert shown in bot.last(GIULIA).text
    person = await bot.services.people.get(GIULIA)
    assert (person.city, person.timezone, pending_of(person)) == ("torino", "Europe/Rome", None)


@pytest.mark.parametrize(("language", "city", "said", "untrue"), [
    ("en", "🇮🇹", "All set! I'll show times in Turin time.", "Turin too"),
    ("it", "Torino", "Tutto pronto! Ti mostro gli orari nell'ora di Torino.", "anche per Torino"),
    ("en", "Baltimore", "All set! I'll show times in Baltimore time, and for events in Turin, in Turin time too.",
     "Baltimore too"),
    ("it", "Baltimora", "Tutto pronto! Ti mostro gli orari nell'ora di Baltimora e, per gli eventi a Torino, anche "
     "nell'ora di Torino.", "anche per Baltimora"),
])
async def test_the_first_time_ends_with_a_true_sentence_and_the_welcome(bot: Harness, language: str, city: str,
                                                                       said: str, untrue: str) -> None:
    await bot.onboard(GIULIA, "Giulia", language, city)
    welcome = bot.last(GIULIA).text
    assert welcome.startswith(said) and untrue not in welcome
    assert "/agenda" in welcome and "/privacy" in welcome  # the help follows, the first time


@pytest.mark.parametrize(("language", "keep", "privacy"), [
    ("en", "No, keep my data", "Your privacy"),
    ("it", "No, conserva i miei dati", "La tua privacy"),
])
async def test_the_deletion_screen_has_its_own_way_back(bot: Harness, language: str, keep: str,
                                                       privacy: str) -> None:
    await bot.onboard(GIULIA, "Giulia", language, "🇮🇹")
    await bot.send(GIULIA, "/privacy")
    await bot.press(GIULIA, "🗑")
    screen = bot.last(GIULIA)
    assert bot.telegram.button(screen, keep) == "privacy"
    with pytest.raises(LookupError):
        bot.telegram.button(screen, "No, keep it" if language == "en" else "No, tienila")
    await bot.press(GIULIA, keep)
    assert privacy in bot.last(GIULIA).text
    assert bot.telegram.button(bot.last(GIULIA), "🗑") == "forget"
    assert (await bot.services.people.get(GIULIA)).consented


async def test_the_language_rule_and_the_handler_have_different_names(bot: Harness) -> None:
    assert bot.app.routing.presses["lang"].run is handlers.preferences.set_language
    assert not hasattr(handlers.preferences, "choose_language") and not hasattr(languages, "set_language")
    # "settings" is the configuration; a person's choices are their preferences.
    assert not (ROOT / "handlers" / "settings.py").exists()
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("handlers.settings")
