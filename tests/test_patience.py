"""Telegram's limits met with patience: a 429 on a press is not an error for the person, and one person's
flood gets answers at a human pace and one polite word."""

from __future__ import annotations

from telegram import Update

from bot.standin import ApiError
from tests.harness import Harness

WORKSHOP = "collaborative-services"
MIKE = 4242


def _slow_down(seconds: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)


async def _at_the_workshop(bot: Harness) -> None:
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    await bot.send(MIKE, f"/start e_{WORKSHOP}")


async def test_a_long_429_on_the_press_answer_still_shows_the_confirmed_seat(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await _at_the_workshop(bot)
    # Telegram refuses the short answer on the button for a minute: the seat is still confirmed and the
    # message says so, with no apology for an error that did not happen.
    bot.telegram.fail_next_call_to["answerCallbackQuery"] = [_slow_down(60)]
    await bot.press(MIKE, "Sign up")
    assert "signed up" in bot.last(MIKE).text
    assert not any("went wrong" in text for text in bot.texts(MIKE))
    assert (await bot.services.signups.standing(MIKE, WORKSHOP))[1].status == "confirmed"


async def test_a_short_429_on_the_press_answer_waits_as_told_then_answers(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await _at_the_workshop(bot)
    bot.telegram.fail_next_call_to["answerCallbackQuery"] = [_slow_down(3)]
    await bot.press(MIKE, "Sign up")
    assert bot.paused == [3]
    refused, answered = bot.telegram.calls_to("answerCallbackQuery")[-2:]
    assert refused.params == answered.params and "signed up" in answered.params["text"]
    assert "signed up" in bot.last(MIKE).text


async def test_a_429_on_the_message_waits_as_told_then_edits_it(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await _at_the_workshop(bot)
    bot.telegram.fail_next_call_to["editMessageText"] = [_slow_down(4)]
    await bot.press(MIKE, "Sign up")
    assert bot.paused == [4]
    assert "signed up" in bot.last(MIKE).text
    assert not any("went wrong" in text for text in bot.texts(MIKE))


def _typed(bot: Harness, text: str) -> Update:
    return Update.de_json(bot.telegram.text_update(MIKE, text), bot.app.bot)


async def test_one_person_flooding_gets_a_human_pace_and_one_polite_word(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    bot.typing_time += 60
    sent_before = len(bot.telegram.calls_to("sendMessage"))
    # A hundred /agenda in the same instant: the harness's typing clock stands still.
    for _ in range(100):
        await bot.app.process_update(_typed(bot, "/agenda"))
    sent = [c.params["text"] for c in bot.telegram.calls_to("sendMessage")[sent_before:]]
    assert sum("a lot at once" in text for text in sent) == 1
    assert 1 <= sum("Agenda" in text for text in sent) <= 10
    # A moment later the person is answered as usual, and a later flood gets its word again.
    bot.typing_time += 30
    await bot.app.process_update(_typed(bot, "/agenda"))
    assert "Agenda" in bot.last(MIKE).text
    for _ in range(30):
        await bot.app.process_update(_typed(bot, "/agenda"))
    sent = [c.params["text"] for c in bot.telegram.calls_to("sendMessage")[sent_before:]]
    assert sum("a lot at once" in text for text in sent) == 2


async def test_a_pressed_button_in_a_flood_stops_spinning_without_a_word_each_time(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    await bot.send(MIKE, "/agenda")
    message = bot.last(MIKE)
    data = bot.telegram.button(message, "Workshop")
    before = len(bot.telegram.calls_to("answerCallbackQuery"))
    for _ in range(40):
        await bot.app.process_update(Update.de_json(
            bot.telegram.press_update(MIKE, message.message_id, data), bot.app.bot))
    answers = bot.telegram.calls_to("answerCallbackQuery")[before:]
    assert len(answers) == 40  # every press is answered, so no button keeps spinning
    assert sum("a lot at once" in a.params.get("text", "") for a in answers) == 1
