"""/broadcast and /broadcasts: audiences, texts in both languages with their formatting, the preview, sending
once, progress at Telegram's pace, the delivery report, and people who blocked the bot counted apart."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.app.progress import BroadcastWatch
from bot.config.clock import FixedClock
from bot.domain.notices import NoticeKind
from bot.standin.engine import ApiError
from storage.records import OutboxStatus, RegistrationStatus
from tests.conftest import ORGANISER
from tests.harness import Harness

WORKSHOP = "collaborative-services"
GIULIA, MIKE, ANNA, LUCA = 701, 702, 703, 704


async def _people(bot: Harness) -> None:
    """The organiser (English, Baltimore) and three people: Giulia (it, Turin), Mike (en, Baltimore), Anna
    (it, Baltimore)."""
    await bot.load_example()
    await bot.onboard(ORGANISER, "Olga", "en", "Baltimore")
    await bot.onboard(GIULIA, "Giulia", "it", "Torino")
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    await bot.onboard(ANNA, "Anna", "it", "Baltimora")


async def _type(bot: Harness, user_id: int, text: str, entities: list[dict] | None = None) -> None:
    update = bot.telegram.text_update(user_id, text)
    if entities:
        update["message"]["entities"] = entities
    await bot.process(update)


def _broadcasts_to(bot: Harness, user_id: int) -> list[str]:
    return [m.markup for m in bot.telegram.chat(user_id) if "organizzatori" in m.text or "organizers of" in m.text]


async def _outbox(bot: Harness, kind: NoticeKind = NoticeKind.BROADCAST) -> list:
    async with bot.services.db.transaction() as tx:
        return [m for m in await tx.outbox.all() if m.kind == kind]


async def _draft_to_everyone(bot: Harness, italian: str = "Ciao a tutti", english: str = "Hello everyone") -> None:
    await bot.send(ORGANISER, "/broadcast")
    await bot.press(ORGANISER, "Everyone")
    await bot.press(ORGANISER, "Italian and English")
    await _type(bot, ORGANISER, italian)
    await _type(bot, ORGANISER, english)


def _watch(bot: Harness) -> BroadcastWatch:
    return BroadcastWatch(bot.services, bot.app.bot)


async def test_a_broadcast_in_both_languages_keeps_its_formatting_and_reports_its_delivery(
        bot: Harness, clock: FixedClock) -> None:
    await _people(bot)
    await bot.send(ORGANISER, "/broadcast")
    labels = [b["text"] for row in bot.last(ORGANISER).keyboard for b in row]
    assert "Everyone (4)" in labels and "Based in Turin (1)" in labels and "Based in Baltimore (3)" in labels
    await bot.press(ORGANISER, "Everyone")
    assert "To everyone who has agreed to the privacy notice." in bot.last(ORGANISER).text
    await bot.press(ORGANISER, "Italian and English")
    assert "Write the message in Italian" in bot.last(ORGANISER).text
    # Bold and a link, as Telegram sends them: entities beside the text.
    await _type(bot, ORGANISER, "Domani il workshop è in sala B: mappa", [
        {"type": "bold", "offset": 0, "length": 6},
        {"type": "text_link", "offset": 32, "length": 5, "url": "https://example.org/map"}])
    assert "Now write the same message in English." in bot.last(ORGANISER).text
    await _type(bot, ORGANISER, "Tomorrow the workshop is in room B: map", [
        {"type": "italic", "offset": 0, "length": 8}])
    chat = bot.telegram.chat(ORGANISER)
    italian, english, summary = chat[-4].markup, chat[-2].markup, chat[-1]
    assert italian == ("📣 <b>Dagli organizzatori dello scambio</b>\n\n<b>Domani</b> il workshop è in sala B: "
                       '<a href="https://example.org/map">mappa</a>')
    assert english == "📣 <b>From the organizers of the exchange</b>\n\n<i>Tomorrow</i> the workshop is in room B: map"
    assert "🇮🇹 2 people will get the Italian version." in summary.text  # Giulia and Anna
    assert "🇺🇸 2 people will get the English version." in summary.text  # Mike and Olga herself
    assert "blocked" not in summary.text
    await bot.press(ORGANISER, "Send")
    progress = bot.last(ORGANISER)
    assert progress.message_id == summary.message_id and progress.keyboard == []
    assert "Sending to everyone who has agreed to the privacy notice…\n0 of 4 messages sent" in progress.text

    await bot.services.dispatcher.dispatch_due()
    assert _broadcasts_to(bot, GIULIA)[-1] == italian and _broadcasts_to(bot, ANNA)[-1] == italian
    assert _broadcasts_to(bot, MIKE)[-1] == english and _broadcasts_to(bot, ORGANISER)[-1] == english
    clock.advance(timedelta(seconds=1))
    await _watch(bot).tick()
    assert "all 4 people accounted for" in bot.telegram.messages[(ORGANISER, progress.message_id)].text
    await bot.services.dispatcher.dispatch_due()
    report = bot.last(ORGANISER).text
    assert "Delivery report of your broadcast to everyone who has agreed to the privacy notice (4 people)" in report
    assert "✅ Delivered: 4" in report and "🚫 Blocked the bot or left Ponte: 0" in report
    assert "⚠️ Failed: 0" in report
    await _watch(bot).tick()  # finished: nothing more is said
    assert bot.last(ORGANISER).text == report

    await bot.send(ORGANISER, "/broadcasts")
    listed = bot.last(ORGANISER).text
    assert "to everyone who has agreed to the privacy notice (4 people)" in listed
    assert "Tomorrow the workshop is in room B: map" in listed and "✅ Delivered: 4" in listed


async def test_an_italian_organiser_is_guided_in_italian(bot: Harness, clock: FixedClock) -> None:
    await bot.load_example()
    await bot.onboard(ORGANISER, "Olga", "it", "Torino")
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    await bot.send(ORGANISER, "/broadcast")
    assert "Nuovo messaggio a più persone" in bot.last(ORGANISER).text
    await bot.press(ORGANISER, "Chi vive a Baltimora")
    assert "A chi vive a Baltimora." in bot.last(ORGANISER).text
    await bot.press(ORGANISER, "Un testo per tutti")
    assert "Scrivi il messaggio" in bot.last(ORGANISER).text
    await _type(bot, ORGANISER, "Ciao! Hello!")
    summary = bot.last(ORGANISER).text
    assert "🇺🇸 1 persona riceverà la versione inglese." in summary
    await bot.press(ORGANISER, "Invia")
    assert "0 di 1 messaggio inviato" in bot.last(ORGANISER).text
    await bot.services.dispatcher.dispatch_due()
    assert _broadcasts_to(bot, MIKE) == ["📣 <b>From the organizers of the exchange</b>\n\nCiao! Hello!"]
    await _watch(bot).tick()
    await bot.services.dispatcher.dispatch_due()
    assert "✅ Consegnati: 1" in bot.last(ORGANISER).text


@pytest.mark.parametrize(("language", "refusal"), [
    ("it", "solo gli organizzatori dello scambio possono mandare messaggi a più persone"),
    ("en", "only the organizers of the exchange can send broadcasts"),
])
async def test_a_stakeholder_cannot_broadcast_nor_press_a_forged_send(bot: Harness, language: str,
                                                                     refusal: str) -> None:
    await _people(bot)
    await _draft_to_everyone(bot)
    await bot.onboard(LUCA, "Luca", language, "Torino" if language == "it" else "Turin")
    for command in ("/broadcast", "/broadcasts"):
        await bot.send(LUCA, command)
        assert refusal in bot.last(LUCA).text
    answers: list[tuple[str, bool]] = []
    bot.telegram.watch_answers(lambda text, alert: answers.append((text, alert)))
    await bot.press_data(LUCA, "bc-send:1")
    assert refusal in answers[-1][0] and answers[-1][1]
    assert await _outbox(bot) == []


async def test_one_event_confirmed_or_with_its_waiting_list(bot: Harness) -> None:
    await _people(bot)
    async with bot.services.db.transaction() as tx:
        event = await tx.events.by_slug(WORKSHOP)
        now = bot.services.clock.now()
        await tx.registrations.save(event.id, GIULIA, RegistrationStatus.CONFIRMED, None, now)
        await tx.registrations.save(event.id, MIKE, RegistrationStatus.WAITLISTED, 1, now)
        await tx.registrations.save(event.id, ANNA, RegistrationStatus.CANCELLED, None, now)
    await bot.send(ORGANISER, "/broadcast")
    await bot.press(ORGANISER, "An event's confirmed participants")
    await bot.press_data(ORGANISER, f"bc-to:c:{WORKSHOP}")
    assert "To the confirmed participants of Workshop: urban regeneration" in bot.last(ORGANISER).text
    await bot.press(ORGANISER, "One text for everyone")
    await _type(bot, ORGANISER, "Room B")
    await bot.press(ORGANISER, "Send")
    assert [m.recipient_id for m in await _outbox(bot)] == [GIULIA]

    await bot.send(ORGANISER, "/broadcast")
    await bot.press(ORGANISER, "An event's participants and waiting list")
    await bot.press_data(ORGANISER, f"bc-to:w:{WORKSHOP}")
    await bot.press(ORGANISER, "One text for everyone")
    await _type(bot, ORGANISER, "Room C")
    await bot.press(ORGANISER, "Send")
    assert sorted(m.recipient_id for m in await _outbox(bot))[1:] == [GIULIA, MIKE]
    await bot.press_data(ORGANISER, "bc-to:c:no-such-event")
    assert "There is no event with the code no-such-event." in bot.last(ORGANISER).text


async def test_a_preview_confirmed_twice_sends_once(bot: Harness) -> None:
    await _people(bot)
    await _draft_to_everyone(bot)
    summary = bot.last(ORGANISER)
    send = bot.telegram.button(summary, "Send")
    answers: list[tuple[str, bool]] = []
    bot.telegram.watch_answers(lambda text, alert: answers.append((text, alert)))
    # Two presses at once (a double tap), then one more from the same message later.
    await asyncio.gather(*(bot.process(bot.telegram.press_update(ORGANISER, summary.message_id, send))
                           for _ in range(2)))
    await bot.press_data(ORGANISER, send, summary.message_id)
    assert sorted(m.recipient_id for m in await _outbox(bot)) == sorted([ORGANISER, GIULIA, MIKE, ANNA])
    assert ("This broadcast has already been sent, once. /broadcasts shows its report.", True) in answers
    await bot.services.dispatcher.dispatch_due()
    await bot.services.dispatcher.dispatch_due()
    assert all(len(_broadcasts_to(bot, person)) == 1 for person in (GIULIA, MIKE, ANNA))


async def test_the_buttons_of_a_cancelled_draft_send_nothing(bot: Harness) -> None:
    await _people(bot)
    await _draft_to_everyone(bot)
    summary = bot.last(ORGANISER)
    send, edit = bot.telegram.button(summary, "Send"), bot.telegram.button(summary, "Edit")
    await bot.press(ORGANISER, "Cancel")
    assert bot.last(ORGANISER).text == "Broadcast canceled: nothing was sent."
    answers: list[tuple[str, bool]] = []
    bot.telegram.watch_answers(lambda text, alert: answers.append((text, alert)))
    for data in (send, edit, "bc-lang:1:one", "bc-cancel:1"):
        await bot.press_data(ORGANISER, data, summary.message_id)
        assert answers[-1] == ("This draft was canceled: nothing was sent. Start again with /broadcast.", True)
    # A new /broadcast replaces a draft left half-way: the old one's buttons say it is closed.
    await _draft_to_everyone(bot)
    old = bot.last(ORGANISER)
    await bot.send(ORGANISER, "/broadcast")
    await bot.press(ORGANISER, "Based in Turin")
    await bot.press_data(ORGANISER, bot.telegram.button(old, "Send"), old.message_id)
    assert answers[-1][0].startswith("This draft was canceled")
    assert await _outbox(bot) == []


async def test_typed_text_after_cancelling_is_not_taken_for_a_broadcast(bot: Harness) -> None:
    await _people(bot)
    await bot.send(ORGANISER, "/broadcast")
    await bot.press(ORGANISER, "Everyone")
    await bot.press(ORGANISER, "Italian and English")
    await bot.press(ORGANISER, "Cancel")
    await _type(bot, ORGANISER, "Ciao a tutti")
    assert "I only understand commands and buttons" in bot.last(ORGANISER).text


@pytest.mark.parametrize(("language", "empty", "too_long"), [
    ("en", "That message is empty.", "over the limit of 4096"),
    ("it", "Il messaggio è vuoto.", "il limite di 4096"),
])
async def test_an_empty_or_too_long_text_is_explained_and_the_question_stays(
        bot: Harness, language: str, empty: str, too_long: str) -> None:
    await bot.load_example()
    await bot.onboard(ORGANISER, "Olga", language, "Torino" if language == "it" else "Turin")
    await bot.send(ORGANISER, "/broadcast")
    await bot.press_data(ORGANISER, "bc-to:all")
    await bot.press_data(ORGANISER, "bc-lang:1:two")
    await _type(bot, ORGANISER, "   ")
    assert empty in bot.last(ORGANISER).text
    # 4,090 characters fit Telegram on their own, not under the heading every recipient sees.
    await _type(bot, ORGANISER, "x" * 4090)
    answer = bot.last(ORGANISER).text
    assert too_long in answer and " 32 " in answer  # 4,090 + the Italian heading's 38 - 4,096
    await _type(bot, ORGANISER, "Fits")
    await _type(bot, ORGANISER, "Also fits")
    assert "📣" in bot.last(ORGANISER).text and len(bot.last(ORGANISER).keyboard) == 3


async def test_people_who_blocked_the_bot_are_counted_apart_until_they_come_back(
        bot: Harness, clock: FixedClock) -> None:
    await _people(bot)
    bot.telegram.blocked.add(MIKE)
    await _draft_to_everyone(bot)
    await bot.press(ORGANISER, "Send")
    await bot.services.dispatcher.dispatch_due()
    assert (await bot.services.people.get(MIKE)).unreachable_at is not None
    await _watch(bot).tick()
    await bot.services.dispatcher.dispatch_due()
    report = bot.last(ORGANISER).text
    assert "✅ Delivered: 3" in report and "🚫 Blocked the bot or left Ponte: 1" in report

    # Blocked in Telegram too (kicked): the next preview counts Mike apart and queues nothing for him.
    await bot.process(bot.telegram.membership_update(ANNA, ANNA, "kicked"))
    await _draft_to_everyone(bot)
    assert "🚫 2 more people have blocked the bot and won't get it." in bot.last(ORGANISER).text
    await bot.press(ORGANISER, "Send")
    second = [m for m in await _outbox(bot) if m.status is OutboxStatus.PENDING]
    assert sorted(m.recipient_id for m in second) == [GIULIA, ORGANISER]
    await bot.services.dispatcher.dispatch_due()
    await _watch(bot).tick()
    await bot.services.dispatcher.dispatch_due()
    assert "🚫 Blocked the bot or left Ponte: 2" in bot.last(ORGANISER).text

    # Anna unblocks the bot; Mike writes to it: both are reachable again.
    bot.telegram.blocked.discard(MIKE)
    await bot.process(bot.telegram.membership_update(ANNA, ANNA, "member"))
    await bot.send(MIKE, "/agenda")
    assert (await bot.services.people.get(ANNA)).unreachable_at is None
    assert (await bot.services.people.get(MIKE)).unreachable_at is None
    await _draft_to_everyone(bot)
    assert "won't get it" not in bot.last(ORGANISER).text


async def test_a_membership_update_of_a_stranger_or_a_group_changes_nothing(bot: Harness) -> None:
    await bot.load_example()
    bot.person(LUCA, "Luca", "it")
    await bot.process(bot.telegram.membership_update(LUCA, LUCA, "kicked"))
    assert await bot.services.people.get(LUCA) is None
    assert bot.telegram.calls_to("sendMessage") == []


async def test_progress_is_edited_every_few_seconds_and_never_into_itself(bot: Harness, clock: FixedClock) -> None:
    await _people(bot)
    for person in range(800, 810):
        await bot.onboard(person, f"P{person}", "en", "Turin")
    await _draft_to_everyone(bot)
    await bot.press(ORGANISER, "Send")
    progress = bot.last(ORGANISER).message_id
    started = clock.now()
    rows = sorted(await _outbox(bot), key=lambda m: m.id)
    watch = _watch(bot)

    async def deliver(count: int) -> None:
        async with bot.services.db.transaction() as tx:
            for message in rows[:count]:
                await tx.outbox.finish(message.id, OutboxStatus.SENT, clock.now())

    edits = bot.telegram.calls_to("editMessageText")
    before = len(edits)
    for second in range(1, 13):
        clock.set(started + timedelta(seconds=second))
        await deliver(second)  # one message a second
        await watch.tick()
        await watch.tick()
    shown = [c for c in bot.telegram.calls_to("editMessageText")[before:] if c.params["message_id"] == progress]
    assert len(shown) == 4  # at 3, 6, 9 and 12 seconds
    assert [c.params["text"].split("\n")[1] for c in shown] == [
        "3 of 14 messages sent · about 10 seconds left", "6 of 14 messages sent · about 10 seconds left",
        "9 of 14 messages sent · about 5 seconds left", "12 of 14 messages sent · about 5 seconds left"]
    # Three seconds on, nothing more went: the text would be the same, so no edit (Telegram refuses those).
    clock.set(started + timedelta(seconds=15))
    await watch.tick()
    assert len(bot.telegram.calls_to("editMessageText")) == before + len(shown)


async def test_a_deleted_recipient_still_adds_up(bot: Harness) -> None:
    await _people(bot)
    await _draft_to_everyone(bot)
    await bot.press(ORGANISER, "Send")
    await bot.services.people.forget(ANNA)
    await bot.services.dispatcher.dispatch_due()
    report = await bot.services.broadcasts.report(1)
    assert (report.delivered, report.blocked, report.failed_count, report.uncertain) == (3, 1, 0, 0)
    assert report.done == report.total == 4


async def test_no_broadcasts_yet(bot: Harness) -> None:
    await bot.load_example()
    await bot.onboard(ORGANISER, "Olga", "en", "Baltimore")
    await bot.send(ORGANISER, "/broadcasts")
    assert bot.last(ORGANISER).text == "No broadcasts yet. Write one with /broadcast."


async def test_a_photo_while_writing_is_not_sent_and_the_question_stays(bot: Harness) -> None:
    await _people(bot)
    await bot.send(ORGANISER, "/broadcast")
    await bot.press(ORGANISER, "Everyone")
    await bot.press(ORGANISER, "One text for everyone")
    update = bot.telegram.text_update(ORGANISER, "")
    del update["message"]["text"]
    update["message"]["photo"] = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
    await bot.process(update)
    assert "A broadcast is text only: photos, stickers and files are not sent." in bot.last(ORGANISER).text
    await _type(bot, ORGANISER, "Text after all")
    assert "Ready to send to everyone" in bot.last(ORGANISER).text
    assert await _outbox(bot) == []


async def test_progress_waits_as_long_as_telegram_asks(bot: Harness, clock: FixedClock) -> None:
    await _people(bot)
    await _draft_to_everyone(bot)
    await bot.press(ORGANISER, "Send")
    rows = sorted(await _outbox(bot), key=lambda m: m.id)
    async with bot.services.db.transaction() as tx:
        await tx.outbox.finish(rows[0].id, OutboxStatus.SENT, clock.now())
    watch = _watch(bot)
    bot.telegram.fail_next_call_to["editMessageText"] = [ApiError(429, "Too Many Requests: retry after 20", 20)]
    clock.advance(timedelta(seconds=3))
    await watch.tick()
    edits = len(bot.telegram.calls_to("editMessageText"))
    for _ in range(6):  # 18 seconds: still inside the 20 Telegram asked for
        clock.advance(timedelta(seconds=3))
        await watch.tick()
    assert len(bot.telegram.calls_to("editMessageText")) == edits
    clock.advance(timedelta(seconds=3))
    await watch.tick()
    assert len(bot.telegram.calls_to("editMessageText")) == edits + 1


async def test_edit_writes_the_texts_again_and_only_the_new_ones_go(bot: Harness) -> None:
    await _people(bot)
    await _draft_to_everyone(bot, "Prima versione", "First version")
    await bot.press(ORGANISER, "Edit")
    assert "Will you write it in Italian and in English, or one text for everyone?" in bot.last(ORGANISER).text
    await bot.press(ORGANISER, "One text for everyone")
    await _type(bot, ORGANISER, "Second version, for all")
    await bot.press(ORGANISER, "Send")
    await bot.services.dispatcher.dispatch_due()
    assert _broadcasts_to(bot, GIULIA) == ["📣 <b>Dagli organizzatori dello scambio</b>\n\nSecond version, for all"]
    assert _broadcasts_to(bot, MIKE) == ["📣 <b>From the organizers of the exchange</b>\n\nSecond version, for all"]


async def test_a_small_broadcast_over_before_its_first_progress_line_still_ends_with_the_final_one(
        bot: Harness, clock: FixedClock) -> None:
    """The watch waits for the Send press's own first line, so that line never covers the final one."""
    await _people(bot)
    await bot.send(ORGANISER, "/broadcast")
    await bot.press(ORGANISER, "Everyone")
    await bot.press(ORGANISER, "One text")
    await _type(bot, ORGANISER, "Ci vediamo domani!", [])
    await bot.press(ORGANISER, "Send")
    progress = bot.last(ORGANISER)
    async with bot.services.db.transaction() as tx:  # as if the press had not yet noted its first line
        await tx.connection.execute("UPDATE broadcast SET progress_text = NULL, progress_at = NULL")
    await bot.services.dispatcher.dispatch_due()
    clock.advance(timedelta(seconds=1))
    await _watch(bot).tick()
    assert "accounted for" not in bot.telegram.messages[(ORGANISER, progress.message_id)].text
    # The press notes its line; the next tick ends the broadcast with the final line, which stays.
    await bot.services.broadcasts.note_progress(1, progress.text)
    await _watch(bot).tick()
    assert "all 4 people accounted for" in bot.telegram.messages[(ORGANISER, progress.message_id)].text


async def test_an_old_send_pressed_while_the_text_is_written_again_says_so_and_sends_nothing(
        bot: Harness) -> None:
    await _people(bot)
    await _draft_to_everyone(bot, "Prima versione", "First version")
    old_send = bot.telegram.button(bot.last(ORGANISER), "Send")
    await bot.press(ORGANISER, "Edit")
    await bot.press(ORGANISER, "One text for everyone")
    await bot.press_data(ORGANISER, old_send)
    answer = bot.telegram.calls_to("answerCallbackQuery")[-1].params
    assert "being written again" in answer["text"] and "canceled" not in answer["text"]
    await bot.services.dispatcher.dispatch_due()
    assert _broadcasts_to(bot, GIULIA) == [] and _broadcasts_to(bot, MIKE) == []
