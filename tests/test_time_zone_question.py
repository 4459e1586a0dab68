"""The time zone question, as a person meets it: typing, suggestions, Back, and leaving it for elsewhere."""

from __future__ import annotations

import pytest

from bot.domain.pending import Origin, Pending, PendingStep, pending_of
from tests.harness import Harness

GIULIA, MIKE = 201, 202


async def _asked(bot: Harness, user_id: int, language: str, name: str = "Giulia") -> None:
    """Consent, then "Elsewhere": the question is open."""
    bot.person(user_id, name, language)
    await bot.send(user_id, "/start")
    await bot.press(user_id, "✅")
    await bot.press(user_id, "🌍")


@pytest.mark.parametrize(("language", "typed", "zone", "said"), [
    ("en", "asia/tokyo", "Asia/Tokyo",
     "All set! I'll show times in Tokyo time, and for each event, its local time too."),
    ("en", "Europe/rome", "Europe/Rome", "All set! I'll show times in Turin time."),
    ("en", "London", "Europe/London", "in London time, and for each event"),
    ("en", "New York", "America/New_York", "All set! I'll show times in Baltimore time"),
    ("it", "Londra", "Europe/London",
     "Tutto pronto! Ti mostro gli orari nell'ora di Londra e, per ogni evento, anche l'ora locale."),
    ("it", "Parigi", "Europe/Paris", "nell'ora di Parigi e"),
    ("it", "Tokyo", "Asia/Tokyo", "nell'ora di Tokyo e"),
    ("it", "torino", "Europe/Rome", "Tutto pronto! Ti mostro gli orari nell'ora di Torino."),
])
async def test_a_zone_typed_in_any_case_or_as_a_city(bot: Harness, language: str, typed: str, zone: str,
                                                    said: str) -> None:
    await _asked(bot, GIULIA, language)
    await bot.send(GIULIA, typed)
    person = await bot.services.people.get(GIULIA)
    assert (person.city, person.timezone, pending_of(person)) == ("elsewhere", zone, None)
    assert said in bot.last(GIULIA).text


@pytest.mark.parametrize(("language", "sentence", "label"), [
    ("en", "I don't know the time zone “Tokio”. Did you mean one of these?", "Tokyo (time zone Asia/Tokyo)"),
    ("it", "Non conosco il fuso orario «Tokio». Intendevi uno di questi?", "Tokyo (fuso orario Asia/Tokyo)"),
])
async def test_a_near_miss_offers_the_closest_zones_as_buttons(bot: Harness, language: str, sentence: str,
                                                              label: str) -> None:
    await _asked(bot, GIULIA, language)
    await bot.send(GIULIA, "Tokio")
    offer = bot.last(GIULIA)
    assert sentence in offer.text
    assert bot.telegram.button(offer, label) == "tz:Asia--Tokyo"
    assert (await bot.services.people.get(GIULIA)).timezone is None
    await bot.press(GIULIA, label)
    person = await bot.services.people.get(GIULIA)
    assert person.timezone == "Asia/Tokyo" and pending_of(person) is None
    assert "Tokyo" in bot.last(GIULIA).text


@pytest.mark.parametrize(("language", "typed", "said"), [
    ("en", "localtime", "I don't know the time zone “localtime”. Type your city"),
    ("en", "posixrules", "I don't know the time zone “posixrules”."),
    ("en", "Factory", "I don't know the time zone “Factory”."),
    ("en", "US/Eastern", "I don't know the time zone “US/Eastern”."),
    ("en", "../../etc/localtime", "I don't know the time zone “../../etc/localtime”."),
    ("en", "I live near the lake, in a small town " * 3, "That's too long for a time zone."),
    ("it", "Etc/GMT+5", "Non conosco il fuso orario «Etc/GMT+5». Scrivi la tua città"),
    ("it", "<b>Roma</b> e dintorni, vicino al mare, " * 3, "È troppo lungo per essere un fuso orario."),
])
async def test_junk_is_refused_politely_and_the_question_stays_open(bot: Harness, language: str, typed: str,
                                                                   said: str) -> None:
    await _asked(bot, GIULIA, language)
    await bot.send(GIULIA, typed)
    answer = bot.last(GIULIA)
    assert said in answer.text
    assert bot.telegram.button(answer, "↩️")  # Back is always there
    person = await bot.services.people.get(GIULIA)
    assert person.timezone is None and pending_of(person) == Pending(PendingStep.TIMEZONE)
    await bot.send(GIULIA, "Honolulu")
    assert (await bot.services.people.get(GIULIA)).timezone == "Pacific/Honolulu"


@pytest.mark.parametrize(("language", "back", "cities"), [
    ("en", "↩️ Back", "Where are you based?"),
    ("it", "↩️ Indietro", "Dove ti trovi?"),
])
async def test_back_from_the_first_question_returns_to_the_cities(bot: Harness, language: str, back: str,
                                                                 cities: str) -> None:
    await _asked(bot, GIULIA, language)
    await bot.press(GIULIA, back)
    assert cities in bot.last(GIULIA).text
    assert pending_of(await bot.services.people.get(GIULIA)) is None
    await bot.send(GIULIA, "Tokyo")  # no longer read as a zone
    assert (await bot.services.people.get(GIULIA)).timezone is None
    await bot.press(GIULIA, "🇮🇹")
    assert (await bot.services.people.get(GIULIA)).timezone == "Europe/Rome"


@pytest.mark.parametrize("elsewhere", ["/agenda", "/help", "/settings", "/start", "/no-such-command"])
async def test_a_command_ends_the_question(agenda_bot: Harness, elsewhere: str) -> None:
    bot = agenda_bot
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    await bot.send(MIKE, "/settings")
    await bot.press(MIKE, "Change city")
    await bot.press(MIKE, "Elsewhere")
    assert "Which time zone are you in?" in bot.last(MIKE).text
    await bot.send(MIKE, elsewhere)
    await bot.send(MIKE, "Asia/Tokyo")
    person = await bot.services.people.get(MIKE)
    assert (person.city, person.timezone, pending_of(person)) == ("baltimore", "America/New_York", None)
    assert "I only understand commands and buttons" in bot.last(MIKE).text


async def test_another_button_ends_the_question_and_its_own_buttons_do_not(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await _asked(bot, GIULIA, "it")
    await bot.send(GIULIA, "Tokio")
    suggestions = bot.last(GIULIA)
    await bot.press_data(GIULIA, "agenda:0")
    assert pending_of(await bot.services.people.get(GIULIA)) is None
    await bot.send(GIULIA, "Asia/Tokyo")
    assert (await bot.services.people.get(GIULIA)).timezone is None
    assert "Capisco solo comandi e pulsanti" in bot.last(GIULIA).text
    # An offered zone pressed later still sets it: it is an explicit choice.
    await bot.press_data(GIULIA, "tz:Asia--Tokyo", suggestions.message_id)
    assert (await bot.services.people.get(GIULIA)).timezone == "Asia/Tokyo"


async def test_an_event_link_survives_the_question(agenda_bot: Harness) -> None:
    bot = agenda_bot
    bot.person(MIKE, "Mike", "en")
    await bot.send(MIKE, "/start e_roccafranca-visit")
    await bot.press(MIKE, "I agree")
    await bot.press(MIKE, "Elsewhere")
    assert pending_of(await bot.services.people.get(MIKE)) == Pending(
        PendingStep.TIMEZONE, "roccafranca-visit", Origin.WELCOME)
    await bot.send(MIKE, "honolulu")
    assert "in Honolulu time, and for each event" in bot.texts(MIKE)[-2]
    assert "Visit to Cascina Roccafranca" in bot.last(MIKE).text


async def test_a_forged_zone_button_is_refused(bot: Harness) -> None:
    await _asked(bot, MIKE, "en", "Mike")
    await bot.press_data(MIKE, "tz:Mars--Olympus-Mons")
    assert "That button no longer works" in bot.last(MIKE).text
    person = await bot.services.people.get(MIKE)
    assert person.timezone is None and pending_of(person) is not None
