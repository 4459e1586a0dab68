"""Organisers send the agenda file in the chat: checked with each mistake's line and field in their language,
shown (added, changed, cancelled, who will be told), applied once when confirmed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.standin import StandinRequest
from tests.conftest import ORGANISER
from tests.harness import EXAMPLE, Harness

GIULIA = 801
WORKSHOP = "collaborative-services"


def _example() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


async def _send(bot: Harness, person: int, content: bytes, name: str = "agenda.toml") -> None:
    await bot.process(bot.telegram.document_update(person, name, content, mime_type="application/toml"))


async def _organiser(bot: Harness, language: str = "en") -> None:
    await bot.onboard(ORGANISER, "Olga", language)


async def test_a_changed_agenda_is_shown_then_applied_once(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await _organiser(bot)
    await bot.onboard(GIULIA, "Giulia", "it")
    await bot.services.signups.sign_up(GIULIA, WORKSHOP)
    changed = _example().replace("start = 2027-01-20T11:00:00\nend = 2027-01-20T13:00:00",
                                 "start = 2027-01-20T15:00:00\nend = 2027-01-20T17:00:00")
    changed = changed.replace('slug = "strategies"', 'slug = "strategies"\nstatus = "cancelled"')
    await _send(bot, ORGANISER, changed.encode())
    preview = bot.last(ORGANISER)
    assert "The file is valid" in preview.text
    assert f"1 event changed: {WORKSHOP}" in preview.text and "1 event canceled: strategies" in preview.text
    assert f"{WORKSHOP}: 1 person signed up or waiting will be told" in preview.text
    assert (await bot.services.agenda.find(WORKSHOP)).event.starts_at.hour == 10  # nothing applied yet
    apply = bot.telegram.button(preview, "Apply")
    await bot.press(ORGANISER, "Apply")
    assert "The agenda is updated" in bot.last(ORGANISER).text
    seats = await bot.services.agenda.find(WORKSHOP)
    assert seats.event.starts_at.hour == 14 and (await bot.services.agenda.find("strategies")).event.cancelled
    await bot.press_data(ORGANISER, apply, preview.message_id)  # pressed again
    assert "already applied or dropped" in bot.telegram.calls_to("answerCallbackQuery")[-1].params["text"]
    assert (await bot.services.agenda.find(WORKSHOP)).event.sequence == seats.event.sequence  # applied once
    bot.services.clock.advance(timedelta(minutes=2))
    assert await bot.services.dispatcher.dispatch_due() == 1
    assert "15:00–17:00" in bot.last(GIULIA).text


async def test_dropping_changes_nothing(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await _organiser(bot, "it")
    await _send(bot, ORGANISER, _example().replace("capacity = 30", "capacity = 31").encode())
    assert "Il file è valido" in bot.last(ORGANISER).text
    apply = bot.telegram.button(bot.last(ORGANISER), "Applica")
    await bot.press(ORGANISER, "Scarta")
    assert "Scartato" in bot.last(ORGANISER).text
    assert (await bot.services.agenda.find(WORKSHOP)).event.capacity == 30
    await bot.press_data(ORGANISER, apply)
    assert "già stato applicato o scartato" in bot.telegram.calls_to("answerCallbackQuery")[-1].params["text"]


async def test_the_same_file_changes_nothing_and_says_so(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await _organiser(bot)
    await _send(bot, ORGANISER, _example().encode())
    assert "applying it would change nothing" in bot.last(ORGANISER).text


@pytest.mark.parametrize(("language", "words"), [
    ("it", ["2 errori, non ho cambiato nulla", "riga 117, collaborative-services.kind: Il tipo deve essere",
            "collaborative-services.reminders", "non è una durata"]),
    ("en", ["2 mistakes, nothing was changed", "line 117, collaborative-services.kind: The kind must be",
            "collaborative-services.reminders", "is not a duration"]),
])
async def test_mistakes_are_listed_with_line_and_field_in_the_organiser_s_language(agenda_bot: Harness, language,
                                                                                     words) -> None:
    bot = agenda_bot
    await _organiser(bot, language)
    wrong = _example().replace('kind = "workshop"', 'kind = "party"\nreminders = ["soon"]')
    await _send(bot, ORGANISER, wrong.encode())
    text = bot.last(ORGANISER).text
    for word in words:
        assert word in text
    assert bot.last(ORGANISER).keyboard == []


@pytest.mark.parametrize(("language", "words"), [
    ("it", "non è un file TOML valido, quindi non ho cambiato nulla. Riga 1"),
    ("en", "isn't a valid TOML file, so nothing was changed. Line 1"),
])
async def test_a_file_that_is_not_toml(agenda_bot: Harness, language: str, words: str) -> None:
    bot = agenda_bot
    await _organiser(bot, language)
    await _send(bot, ORGANISER, b"Dear organizers, here is the plan: Monday, workshop.\n", "plan.txt")
    assert words in bot.last(ORGANISER).text


async def test_a_binary_file_and_a_huge_file_get_a_clear_answer(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await _organiser(bot)
    await _send(bot, ORGANISER, b"\x89PNG\r\n\x1a\n\xff\xfe\x00", "photo.png")
    assert "it's not UTF-8 text" in bot.last(ORGANISER).text
    await _send(bot, ORGANISER, b"#" * (300 * 1024), "huge.toml")
    assert "too big for an agenda (300 KB; at most 256 KB)" in bot.last(ORGANISER).text
    assert bot.telegram.calls_to("getFile") == [bot.telegram.calls_to("getFile")[0]]  # the huge one not fetched


@pytest.mark.parametrize(("language", "words", "refused"), [
    ("it", "leggo i file del programma solo da chi organizza", "Solo chi organizza"),
    ("en", "I only read agenda files from the organizers", "Only the organizers"),
])
async def test_a_document_from_a_non_organiser(agenda_bot: Harness, language: str, words: str, refused: str) -> None:
    bot = agenda_bot
    await bot.onboard(GIULIA, "Giulia", language)
    await _send(bot, GIULIA, _example().replace("capacity = 30", "capacity = 1").encode())
    assert words in bot.last(GIULIA).text
    assert (await bot.services.agenda.find(WORKSHOP)).event.capacity == 30
    assert bot.telegram.calls_to("getFile") == []
    await bot.press_data(GIULIA, "agenda-apply:1")
    assert refused in bot.telegram.calls_to("answerCallbackQuery")[-1].params["text"]


async def test_the_stand_in_serves_files_as_telegram_does(agenda_bot: Harness) -> None:
    """getFile gives a path; python-telegram-bot downloads it from base_file_url, in process as over HTTP."""
    bot = agenda_bot
    update = bot.telegram.document_update(bot.person(GIULIA), "a.toml", b"x = 1\n")
    file_id = update["message"]["document"]["file_id"]
    telegram_file = await bot.app.bot.get_file(file_id)
    assert telegram_file.file_path.startswith("https://api.telegram.org/file/bot")
    assert bytes(await telegram_file.download_as_bytearray()) == b"x = 1\n"
    assert isinstance(bot.app.bot.request, StandinRequest)


async def test_files_over_http(tmp_path) -> None:
    import httpx

    from bot.app.application import file_url
    from bot.standin import FakeTelegram
    from bot.standin.server import serve

    telegram = FakeTelegram()
    telegram.user(5, "Ann")
    update = telegram.document_update(5, "a.toml", b"y = 2\n")
    runner, port = await serve(telegram)
    try:
        api = f"http://127.0.0.1:{port}/bot"
        async with httpx.AsyncClient() as client:
            answer = (await client.post(f"{api}TOKEN/getFile",
                                        data={"file_id": update["message"]["document"]["file_id"]})).json()
            content = await client.get(f"{file_url(api)}TOKEN/{answer['result']['file_path']}")
        assert content.content == b"y = 2\n"
        assert file_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    finally:
        await runner.cleanup()
