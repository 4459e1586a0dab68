"""Whatever people send, they get a short, polite answer in their language and nothing is written."""

from __future__ import annotations

from tests.harness import Harness

GIULIA, MIKE = 301, 302


async def _participants(bot: Harness) -> list[tuple]:
    async with bot.services.db.transaction() as tx, tx.connection.execute(
        "SELECT * FROM participant ORDER BY telegram_id"
    ) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


async def test_unknown_command(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(GIULIA)
    await bot.send(GIULIA, "/teleport now")
    assert "Non conosco il comando /teleport" in bot.last(GIULIA).text
    assert "/agenda" in bot.last(GIULIA).text


async def test_free_text_where_a_button_was_expected(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(MIKE, "Mike", "en")
    before = await _participants(bot)
    await bot.send(MIKE, "sign me up please")
    assert "I only understand commands and buttons" in bot.last(MIKE).text
    assert await _participants(bot) == before


async def test_over_long_message(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(GIULIA)
    await bot.send(GIULIA, "a" * 4096)
    assert "Capisco solo comandi e pulsanti" in bot.last(GIULIA).text
    await bot.send(GIULIA, "/" + "x" * 4000)
    assert "Non conosco il comando" in bot.last(GIULIA).text
    assert len(bot.last(GIULIA).text) < 1000


async def test_stickers_and_photos(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(MIKE, "Mike", "en")
    update = bot.telegram.text_update(MIKE, "x")
    del update["message"]["text"]
    update["message"]["sticker"] = {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1,
                                    "height": 1, "is_animated": False, "is_video": False}
    await bot.process(update)
    assert "I only understand commands and buttons" in bot.last(MIKE).text


async def test_names_with_markup_characters_are_escaped(agenda_bot: Harness) -> None:
    bot = agenda_bot
    bot.person(MIKE, "<b>Bob & \"Co\"</b>", "en", last_name="<i>")
    await bot.send(MIKE, "/start")
    await bot.press(MIKE, "I agree")
    # The stand-in refuses bad HTML as Telegram does: getting here means it was escaped.
    assert 'Thank you, <b>Bob & "Co"</b> <i>!' in bot.last(MIKE).text
    assert (await bot.services.people.get(MIKE)).display_name == '<b>Bob & "Co"</b> <i>'


async def test_buttons_from_old_messages_and_forged_data(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    await bot.send(MIKE, "/agenda")
    before = await _participants(bot)
    for data in ("signup_v1|roccafranca", "event", "event:a:b:c", "signup:../../etc", "lang:fr",
                 "city:mars", "agenda:-1", "x" * 64, "event:" + "a" * 58, "forget-yes:123", "cancel-yes"):
        answers = len(bot.telegram.calls_to("answerCallbackQuery"))
        await bot.press_data(MIKE, data)
        assert len(bot.telegram.calls_to("answerCallbackQuery")) == answers + 1, data
    alerts = [c.params.get("text", "") for c in bot.telegram.calls_to("answerCallbackQuery")]
    assert any("This button no longer works" in text for text in alerts)
    assert await _participants(bot) == before
    assert await bot.services.people.get(MIKE) is not None  # forget-yes with an argument was refused


async def test_button_for_an_event_no_longer_on_the_agenda(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(GIULIA)
    await bot.send(GIULIA, "/agenda")
    await bot.press_data(GIULIA, "event:removed-event:0")
    texts = bot.texts(GIULIA)
    assert any("Questo evento non è più in programma" in text for text in texts)
    assert "Programma dello scambio Torino–Baltimora" in bot.last(GIULIA).text


async def test_message_deleted_under_a_button(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(MIKE, "Mike", "en")
    await bot.send(MIKE, "/agenda")
    message = bot.last(MIKE)
    del bot.telegram.messages[(MIKE, message.message_id)]
    await bot.process(bot.telegram.press_update(MIKE, message.message_id, "agenda:0"))
    assert "Agenda of the Turin–Baltimore exchange" in bot.last(MIKE).text


async def test_production_error_handler_apologises_in_the_persons_language(agenda_bot: Harness) -> None:
    from handlers.errors import report_error

    bot = agenda_bot
    await bot.onboard(GIULIA)
    bot.app.error_handlers.clear()
    bot.app.add_error_handler(report_error)
    bot.telegram.fail_next.append(__import__("bot.standin", fromlist=["ApiError"]).ApiError(500, "Internal"))
    await bot.send(GIULIA, "/agenda")
    assert "Scusa, qualcosa è andato storto da parte mia" in bot.last(GIULIA).text


async def test_a_slash_and_nothing_more_before_consent_gets_the_notice(bot: Harness) -> None:
    for number, text in enumerate(["/ ", "/\t", "/\n", "/ agenda"], start=1):
        person = bot.person(7000 + number, "Newcomer", "en")
        await bot.send(person, text)
        assert "Do you agree?" in bot.last(person).text


async def test_a_forged_consent_with_a_long_event_code_is_answered_politely(bot: Harness) -> None:
    person = bot.person(7100, "Forger", "en")
    await bot.send(person, "/start")
    forged = "consent:yes:" + "a" * (64 - len("consent:yes:"))
    await bot.press_data(person, forged)
    assert "Where are you based?" in bot.last(person).text
    await bot.press(person, "🇮🇹")
    assert (await bot.services.people.get(person)).timezone == "Europe/Rome"
