"""Meeting the bot: language, privacy notice and consent, city and time zone, deep links."""

from __future__ import annotations

from bot.domain.pending import pending_of
from tests.harness import Harness

GIULIA, MIKE = 101, 102


async def test_start_greets_in_italian_for_an_italian_phone(bot: Harness) -> None:
    bot.person(GIULIA, "Giulia", "it-IT")
    await bot.send(GIULIA, "/start")
    notice = bot.last(GIULIA)
    assert "Ti do il benvenuto su Ponte" in notice.text
    assert "La tua privacy" in notice.text and "/privacy" in notice.text
    assert bot.telegram.button(notice, "Accetto").startswith("consent:yes")


async def test_start_greets_in_english_otherwise(bot: Harness) -> None:
    bot.person(MIKE, "Mike", "en-US")
    await bot.send(MIKE, "/start")
    assert "Welcome to Ponte" in bot.last(MIKE).text
    bot.person(MIKE + 1, "Ana", None)  # Telegram does not always say
    await bot.send(MIKE + 1, "/start")
    assert "Welcome to Ponte" in bot.last(MIKE + 1).text


async def test_stored_language_wins_over_the_phone(bot: Harness) -> None:
    await bot.onboard(MIKE, "Mike", "en")
    await bot.send(MIKE, "/language")
    await bot.press(MIKE, "Italiano")
    assert "da ora in poi ti scrivo in italiano" in bot.last(MIKE).text
    await bot.send(MIKE, "/help")
    assert "Ecco cosa puoi fare" in bot.last(MIKE).text


async def test_nothing_but_id_and_language_is_kept_before_consent(bot: Harness) -> None:
    bot.person(GIULIA, "Giulia", "it", last_name="Rossi")
    await bot.send(GIULIA, "/start")
    await bot.press(GIULIA, "English")
    person = await bot.services.people.get(GIULIA)
    assert person.language == "en" and not person.consented
    assert (person.display_name, person.city, person.timezone) == (None, None, None)
    assert "Welcome to Ponte" in bot.last(GIULIA).text  # the notice again, now in English


async def test_consent_then_city_sets_the_time_zone(bot: Harness) -> None:
    bot.person(MIKE, "Mike", "en", last_name="Jones")
    await bot.send(MIKE, "/start")
    await bot.press(MIKE, "I agree")
    assert "Where are you based?" in bot.last(MIKE).text
    await bot.press(MIKE, "Baltimore")
    person = await bot.services.people.get(MIKE)
    assert person.consented and person.display_name == "Mike Jones"
    assert (person.city, person.timezone) == ("baltimore", "America/New_York")
    assert "All set! I'll show times in Baltimore time" in bot.last(MIKE).text
    # Navigation edits the one message instead of flooding the chat.
    assert len(bot.telegram.chat(MIKE)) == 1


async def test_refusing_consent_keeps_nothing(bot: Harness) -> None:
    bot.person(MIKE, "Mike", "en")
    await bot.send(MIKE, "/start")
    await bot.press(MIKE, "No, thanks")
    assert await bot.services.people.get(MIKE) is None
    assert "I haven't kept anything about you" in bot.last(MIKE).text


async def test_elsewhere_asks_for_a_valid_time_zone(bot: Harness) -> None:
    bot.person(GIULIA, "Giulia", "it")
    await bot.send(GIULIA, "/start")
    await bot.press(GIULIA, "Accetto")
    await bot.press(GIULIA, "Altrove")
    assert "In che fuso orario sei?" in bot.last(GIULIA).text
    await bot.send(GIULIA, "Mars/Olympus_Mons")
    assert "Non conosco il fuso orario «Mars/Olympus_Mons»" in bot.last(GIULIA).text
    assert (await bot.services.people.get(GIULIA)).timezone is None
    await bot.send(GIULIA, "../../etc/passwd")
    assert (await bot.services.people.get(GIULIA)).timezone is None
    await bot.send(GIULIA, "Asia/Tokyo")
    person = await bot.services.people.get(GIULIA)
    assert person.timezone == "Asia/Tokyo" and pending_of(person) is None
    assert "Tokyo" in bot.last(GIULIA).text


async def test_agenda_needs_consent_first(agenda_bot: Harness) -> None:
    bot = agenda_bot
    bot.person(MIKE, "Mike", "en")
    await bot.send(MIKE, "/agenda")
    assert "Your privacy" in bot.last(MIKE).text
    assert "Agenda of the" not in bot.last(MIKE).text


async def test_settings_change_city_and_language(bot: Harness) -> None:
    await bot.onboard(GIULIA, "Giulia", "it")
    await bot.send(GIULIA, "/settings")
    settings = bot.last(GIULIA)
    assert "Lingua: italiano" in settings.text and "Torino (fuso orario Europe/Rome)" in settings.text
    await bot.press(GIULIA, "Cambia città")
    await bot.press(GIULIA, "Baltimora")
    assert (await bot.services.people.get(GIULIA)).timezone == "America/New_York"
    await bot.send(GIULIA, "/settings")
    await bot.press(GIULIA, "Cambia lingua")
    await bot.press(GIULIA, "English")
    assert "I'll speak English from now on" in bot.last(GIULIA).text
    assert "Times shown for: Baltimore (time zone America/New_York)" in bot.last(GIULIA).text


async def test_deep_link_for_a_newcomer_asks_consent_then_opens_the_event(agenda_bot: Harness) -> None:
    bot = agenda_bot
    bot.person(MIKE, "Mike", "en")
    await bot.send(MIKE, "/start e_roccafranca-visit")
    assert "Your privacy" in bot.last(MIKE).text
    await bot.press(MIKE, "I agree")
    await bot.press(MIKE, "Baltimore")
    detail = bot.last(MIKE)
    assert "Visit to Cascina Roccafranca and the public baths of via Agliè" in detail.text
    assert "Via Edoardo Rubino 45" in detail.text


async def test_deep_link_for_a_known_person_opens_the_event(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(GIULIA, "Giulia", "it")
    await bot.send(GIULIA, "/start e_collaborative-services")
    assert "i servizi collaborativi" in bot.last(GIULIA).text


async def test_deep_link_to_an_unknown_event_says_so_and_offers_the_agenda(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    for payload in ("e_no-such-event", "e_", "garbage%00<script>", "x" * 64):
        before = len(bot.telegram.chat(MIKE))
        await bot.send(MIKE, f"/start {payload}")
        new = bot.telegram.chat(MIKE)[before:]
        assert "I couldn't find the event this link points to" in new[0].text
        assert "Agenda of the Turin–Baltimore exchange" in new[-1].text


async def test_privacy_delete_removes_everything(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    await bot.send(MIKE, "/privacy")
    await bot.press(MIKE, "Delete my data")
    assert "Are you sure?" in bot.last(MIKE).text
    await bot.press(MIKE, "Yes, delete everything")
    assert await bot.services.people.get(MIKE) is None
    assert "everything about you has been deleted" in bot.last(MIKE).text


async def test_an_old_no_thanks_never_deletes_a_consented_person(agenda_bot: Harness) -> None:
    bot = agenda_bot
    bot.person(MIKE, "Mike", "en")
    await bot.send(MIKE, "/start")
    notice = bot.last(MIKE)
    await bot.press(MIKE, "I agree")
    await bot.press(MIKE, "Baltimore")
    await bot.process(bot.telegram.press_update(MIKE, notice.message_id, "consent:no"))
    assert (await bot.services.people.get(MIKE)).consented
    assert "You've already agreed, so nothing changes" in bot.last(MIKE).text


async def test_start_asks_for_the_city_if_it_was_never_chosen(bot: Harness) -> None:
    bot.person(GIULIA, "Giulia", "it")
    await bot.send(GIULIA, "/start")
    await bot.press(GIULIA, "Accetto")
    await bot.send(GIULIA, "/start")
    assert "Dove ti trovi?" in bot.last(GIULIA).text
    await bot.press(GIULIA, "Torino")
    assert (await bot.services.people.get(GIULIA)).timezone == "Europe/Rome"
