"""Every time a person reads is in their own zone or names whose it is: readers in Turin, Baltimore, Honolulu
and with no zone at all, in both languages; and the sentences around times and seats are true."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.domain.agenda_file import parse_agenda
from bot.render.event_view import _fixed_parts
from bot.render.i18n import Translator, translator
from bot.render.timefmt import button_moment, day_at, event_times, list_moment, time_range, zone_note
from tests.harness import EXAMPLE, Harness

TURIN, BALTIMORE, HONOLULU, NOWHERE, TYPO = 601, 602, 603, 604, 605
WORKSHOP = "collaborative-services"  # Wednesday 20 January, 11:00–13:00 in Turin
VISIT = "roccafranca-visit"  # Wednesday 20 January, 9:00 in Turin; sign-up until Tuesday 19 January, 18:00
OPENING = "strategies"  # Monday 18 January, 10:00–12:00 in Turin: 23:00 on Sunday in Honolulu
CALL = "baltimore-call"  # Friday 22 January, 9:00–10:30 in Baltimore


def _plain(text: str) -> str:
    """Babel's narrow spaces as plain ones, so that expected texts can be typed."""
    return text.replace("\u202f", " ").replace("\u2009", " ")


def _labels(bot: Harness, person: int) -> list[str]:
    return [_plain(b["text"]) for row in bot.last(person).keyboard for b in row]


def _actions(bot: Harness, person: int) -> list[str]:
    """What the buttons of the newest message do (their labels are the catalogs' business)."""
    return [b["callback_data"] for row in bot.last(person).keyboard for b in row]


async def _ask_cancel(bot: Harness, person: int, slug: str) -> None:
    await bot.press_data(person, f"cancel:{slug}")


async def _reader(bot: Harness, person: int, where: str, language: str) -> int:
    """A person who has met the bot, in Turin, Baltimore, Honolulu, nowhere (no city chosen), or with a
    mistyped zone."""
    if where in ("Torino", "Baltimore"):
        await bot.onboard(person, "Reader", language, where)
        return person
    bot.person(person, "Reader", language)
    await bot.send(person, "/start")
    await bot.press(person, "✅")
    if where == "Honolulu":
        await bot.press(person, "🌍")
        await bot.send(person, "Pacific/Honolulu")
    elif where == "typo":
        await bot.press(person, "🌍")
        await bot.send(person, "Mars/Base")
    return person


async def _open(bot: Harness, person: int, slug: str) -> str:
    """An event's detail, reached from the agenda as anyone can (also without a city)."""
    await bot.send(person, "/agenda")
    await bot.press_data(person, f"event:{slug}:0")
    return _plain(bot.last(person).text)


async def _sign_up(bot: Harness, person: int, slug: str) -> None:
    await _open(bot, person, slug)
    await bot.press(person, "✅")


# The phrases every view uses ------------------------------------------------------------------------------

def test_a_range_past_midnight_says_it_ends_the_next_day() -> None:
    start, end = datetime(2027, 1, 18, 9, 0, tzinfo=UTC), datetime(2027, 1, 18, 11, 0, tzinfo=UTC)
    assert _plain(time_range(start, end, "Pacific/Honolulu", "en")) == "11:00 PM – 1:00 AM (next day)"
    assert time_range(start, end, "Pacific/Honolulu", "it") == "23:00–01:00 (fino al giorno dopo)"
    assert time_range(start, end, "Europe/Rome", "it") == "10:00–12:00"  # no marker within one day
    longer = end + timedelta(days=2)
    assert _plain(time_range(start, longer, "Europe/Rome", "en")) == "10:00 AM – 12:00 PM (ends 2 days later)"
    assert time_range(start, longer, "Europe/Rome", "it") == "10:00–12:00 (finisce 2 giorni dopo)"


def test_without_a_zone_every_time_names_its_city() -> None:
    start, end = datetime(2027, 1, 22, 14, 0, tzinfo=UTC), datetime(2027, 1, 22, 15, 30, tzinfo=UTC)
    assert event_times(translator("it"), start, end, "America/New_York", None) == "09:00–10:30 a Baltimora"
    assert _plain(event_times(translator("en"), start, end, "America/New_York", None)) == "9:00 – 10:30 AM in Baltimore"
    # A zone that cannot be used (an old or mistyped value) is no zone: never silently the event's.
    assert event_times(translator("it"), start, end, "America/New_York", "Mars/Base") == "09:00–10:30 a Baltimora"


def test_one_moment_in_the_readers_zone_or_named() -> None:
    cut_off = datetime(2027, 1, 19, 17, 0, tzinfo=UTC)  # 18:00 in Turin
    it, en = translator("it"), translator("en")
    assert day_at(it, cut_off, "Europe/Rome", "Europe/Rome") == "martedì 19 gennaio alle 18:00"
    assert _plain(day_at(en, cut_off, "Europe/Rome", "America/New_York")) == \
        "Tuesday, January 19 at 12:00 PM, Baltimore time"
    assert day_at(it, cut_off, "Europe/Rome", "Pacific/Honolulu") == "martedì 19 gennaio alle 07:00, ora di Honolulu"
    assert _plain(day_at(en, cut_off, "Europe/Rome", None)) == "Tuesday, January 19 at 6:00 PM, Turin time"
    assert _plain(list_moment(en, cut_off, "Europe/Rome", None)) == "Tuesday, January 19, 6:00 PM Turin time"
    assert list_moment(it, cut_off, "Europe/Rome", "Pacific/Honolulu") == "martedì 19 gennaio, 07:00"
    assert zone_note(it, "Pacific/Honolulu") == "Gli orari sono quelli di Honolulu." and zone_note(it, None) is None
    assert _plain(button_moment(en, cut_off, "Europe/Rome", "America/New_York")) == "Tue 12:00 PM"
    assert button_moment(it, cut_off, "Europe/Rome", None) == "mar 18:00 Torino"


def test_the_detail_cache_is_keyed_on_the_language_not_a_translator_object() -> None:
    event = parse_agenda(EXAMPLE.read_text(encoding="utf-8"))[0]
    _fixed_parts.cache_clear()
    first = translator("en")
    twin = Translator("en", first._translations)  # another object for the same language
    _fixed_parts(first.language, event, None)
    _fixed_parts(twin.language, event, None)
    assert _fixed_parts.cache_info().hits == 1


# 1. /my --------------------------------------------------------------------------------------------------

async def test_my_shows_the_readers_own_zone_and_day_and_says_whose(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await _reader(bot, BALTIMORE, "Baltimore", "en")
    await _reader(bot, HONOLULU, "Honolulu", "it")
    for person in (BALTIMORE, HONOLULU):
        await _sign_up(bot, person, OPENING)
        await _sign_up(bot, person, WORKSHOP)
        await bot.send(person, "/my")
    mine = _plain(bot.last(BALTIMORE).text)
    assert "Times are Baltimore time." in mine
    assert "Monday, January 18, 4:00 AM · Turin and Baltimore" in mine
    assert "Wednesday, January 20, 5:00 AM · Workshop" in mine and "11:00 AM" not in mine
    mine = bot.last(HONOLULU).text
    assert "Gli orari sono quelli di Honolulu." in mine
    # 10:00 on Monday in Turin is 23:00 on Sunday in Honolulu: its own day, its own hour.
    assert "domenica 17 gennaio, 23:00 · <b>Torino e Baltimora" in bot.last(HONOLULU).markup or \
        "domenica 17 gennaio, 23:00 · Torino e Baltimora" in mine
    assert "mercoledì 20 gennaio, 00:00 · Workshop" in mine


async def test_my_without_a_zone_names_each_events_city(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await _reader(bot, NOWHERE, "nowhere", "it")
    await _reader(bot, TYPO, "typo", "en")
    for person in (NOWHERE, TYPO):
        await _sign_up(bot, person, WORKSHOP)
        await _sign_up(bot, person, CALL)
        await bot.send(person, "/my")
    mine = bot.last(NOWHERE).text
    assert "mercoledì 20 gennaio, 11:00 ora di Torino · Workshop" in mine
    assert "venerdì 22 gennaio, 09:00 ora di Baltimora · Videoconferenza" in mine
    assert "Gli orari sono quelli di" not in mine
    mine = _plain(bot.last(TYPO).text)
    assert "Wednesday, January 20, 11:00 AM Turin time · Workshop" in mine
    assert "Friday, January 22, 9:00 AM Baltimore time · Video conference" in mine


async def test_my_for_a_reader_in_turin(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await _reader(bot, TURIN, "Torino", "it")
    await _sign_up(bot, TURIN, CALL)
    await bot.send(TURIN, "/my")
    mine = bot.last(TURIN).text
    assert "Gli orari sono quelli di Torino." in mine
    assert "venerdì 22 gennaio, 15:00 · Videoconferenza" in mine  # 9:00 in Baltimore


# 2. The sign-up cut-off ----------------------------------------------------------------------------------

async def test_cut_off_is_a_day_like_every_other_in_the_readers_zone_or_named(agenda_bot: Harness) -> None:
    bot = agenda_bot
    readers = {TURIN: ("Torino", "it"), BALTIMORE: ("Baltimore", "en"), HONOLULU: ("Honolulu", "it"),
               NOWHERE: ("nowhere", "en")}
    for person, (where, language) in readers.items():
        await _reader(bot, person, where, language)
    expected = {
        TURIN: "Le iscrizioni sono aperte fino a martedì 19 gennaio alle 18:00.",
        BALTIMORE: "Sign-up is open until Tuesday, January 19 at 12:00 PM, Baltimore time.",
        HONOLULU: "Le iscrizioni sono aperte fino a martedì 19 gennaio alle 07:00, ora di Honolulu.",
        NOWHERE: "Sign-up is open until Tuesday, January 19 at 6:00 PM, Turin time.",
    }
    for person, line in expected.items():
        assert line in await _open(bot, person, VISIT)
    bot.services.clock.set(datetime(2027, 1, 19, 20, 0, tzinfo=UTC))
    expected = {
        TURIN: "Le iscrizioni si sono chiuse martedì 19 gennaio alle 18:00.",
        BALTIMORE: "Sign-up closed on Tuesday, January 19 at 12:00 PM, Baltimore time.",
        HONOLULU: "Le iscrizioni si sono chiuse martedì 19 gennaio alle 07:00, ora di Honolulu.",
        NOWHERE: "Sign-up closed on Tuesday, January 19 at 6:00 PM, Turin time.",
    }
    for person, line in expected.items():
        text = await _open(bot, person, VISIT)
        assert line in text and "2027" not in text


# 3. No zone: each event names its city -------------------------------------------------------------------

async def test_a_reader_without_a_zone_sees_each_events_city(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await _reader(bot, NOWHERE, "nowhere", "it")
    await _reader(bot, TYPO, "typo", "en")
    await bot.send(NOWHERE, "/agenda")
    text = bot.last(NOWHERE).text
    assert "10:00–12:00 a Torino" in text and "09:00–10:30 a Baltimora" in text
    await bot.send(TYPO, "/agenda")
    text = _plain(bot.last(TYPO).text)
    assert "10:00 AM – 12:00 PM in Turin" in text and "9:00 – 10:30 AM in Baltimore" in text
    assert "🕘 9:00 – 10:30 AM in Baltimore" in await _open(bot, TYPO, CALL)
    assert "🕘 11:00–13:00 a Torino" in await _open(bot, NOWHERE, WORKSHOP)


# 4. Agenda buttons --------------------------------------------------------------------------------------

async def test_agenda_buttons_in_the_readers_zone_or_with_the_city(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await _reader(bot, BALTIMORE, "Baltimore", "en")
    await _reader(bot, HONOLULU, "Honolulu", "en")
    await _reader(bot, NOWHERE, "nowhere", "it")
    await _reader(bot, TURIN, "Torino", "it")
    for person in (BALTIMORE, HONOLULU, NOWHERE, TURIN):
        await bot.send(person, "/agenda")
    assert "🎤 Mon 4:00 AM · Turin and Baltimore: two strategies sid…" in _labels(bot, BALTIMORE)
    assert "Times on the buttons are Baltimore time." in bot.last(BALTIMORE).text
    assert any(label.startswith("🎤 Sun 11:00 PM ·") for label in _labels(bot, HONOLULU))
    assert "Times on the buttons are Honolulu time." in bot.last(HONOLULU).text
    labels = _labels(bot, NOWHERE)
    assert any(label.startswith("🎤 lun 10:00 Torino ·") for label in labels)
    assert any(label.startswith("💻 ven 09:00 Baltimora ·") for label in labels)
    assert "Gli orari sui pulsanti" not in bot.last(NOWHERE).text  # each button names its city
    assert any(label.startswith("💻 ven 15:00 ·") for label in _labels(bot, TURIN))
    assert "Gli orari sui pulsanti sono quelli di Torino." in bot.last(TURIN).text
    assert all(len(label) <= 64 for person in (BALTIMORE, NOWHERE) for label in _labels(bot, person))


async def test_no_buttons_note_when_every_event_is_on_the_readers_clock(bot: Harness) -> None:
    events = [e for e in parse_agenda(EXAMPLE.read_text(encoding="utf-8")) if e.timezone == "Europe/Rome"]
    await bot.services.agenda.apply(events)
    await _reader(bot, TURIN, "Torino", "it")
    await bot.send(TURIN, "/agenda")
    assert "Gli orari sui pulsanti" not in bot.last(TURIN).text
    assert any(label.startswith("🎤 lun 10:00 ·") for label in _labels(bot, TURIN))


# 5. Past midnight in the reader's zone ----------------------------------------------------------------

async def test_a_range_past_midnight_in_the_readers_zone_is_marked(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await _reader(bot, HONOLULU, "Honolulu", "en")
    await bot.send(HONOLULU, "/agenda")
    assert "11:00 PM – 1:00 AM (next day) on Sunday, January 17 in Honolulu" in _plain(bot.last(HONOLULU).text)
    await _reader(bot, 606, "Honolulu", "it")
    text = await _open(bot, 606, OPENING)
    assert "domenica 17 gennaio, 23:00–01:00 (fino al giorno dopo) a Honolulu" in text


# The freed-seat notice --------------------------------------------------------------------------------

async def _freed_seat(bot: Harness, waiting: list[int]) -> None:
    events = [replace(e, capacity=1) if e.slug == WORKSHOP else e
              for e in parse_agenda(EXAMPLE.read_text(encoding="utf-8"))]
    await bot.services.agenda.apply(events)
    await _reader(bot, TURIN, "Torino", "it")
    await _sign_up(bot, TURIN, WORKSHOP)
    for person in waiting:
        await _open(bot, person, WORKSHOP)
        await bot.press(person, "⏳")
    await _ask_cancel(bot, TURIN, WORKSHOP)
    await bot.press_data(TURIN, f"cancel-yes:{WORKSHOP}")


async def test_freed_seat_notice_for_honolulu_and_for_no_zone(bot: Harness) -> None:
    await _reader(bot, HONOLULU, "Honolulu", "en")
    await _reader(bot, NOWHERE, "nowhere", "it")
    await _freed_seat(bot, [HONOLULU, NOWHERE])
    assert await bot.services.dispatcher.dispatch_due() == 1
    notice = _plain(bot.last(HONOLULU).text)
    assert "A seat opened up!" in notice
    assert "Wednesday, January 20, 11:00 AM – 1:00 PM in Turin · 12:00 – 2:00 AM in Honolulu" in notice
    await bot.send(HONOLULU, "/my")
    await bot.press(HONOLULU, "Cancel")
    await bot.press(HONOLULU, "Yes, cancel my seat")
    assert await bot.services.dispatcher.dispatch_due() == 1
    notice = bot.last(NOWHERE).text
    assert "Si è liberato un posto!" in notice and "mercoledì 20 gennaio, 11:00–13:00 a Torino." in notice


async def test_freed_seat_notice_for_baltimore(bot: Harness) -> None:
    await _reader(bot, BALTIMORE, "Baltimore", "en")
    await _freed_seat(bot, [BALTIMORE])
    assert await bot.services.dispatcher.dispatch_due() == 1
    notice = _plain(bot.last(BALTIMORE).text)
    assert "Wednesday, January 20, 11:00 AM – 1:00 PM in Turin · 5:00 – 7:00 AM in Baltimore" in notice


# Sentences that are true -------------------------------------------------------------------------------

async def _workshop(bot: Harness, **changes: object) -> None:
    events = [replace(e, **changes) if e.slug == WORKSHOP else e
              for e in parse_agenda(EXAMPLE.read_text(encoding="utf-8"))]
    await bot.services.agenda.apply(events)


async def test_cancel_question_promises_the_seat_to_someone_only_when_someone_waits(bot: Harness) -> None:
    await _workshop(bot, capacity=None)
    await _reader(bot, BALTIMORE, "Baltimore", "en")
    await _reader(bot, TURIN, "Torino", "it")
    for person in (BALTIMORE, TURIN):
        await _sign_up(bot, person, WORKSHOP)
    await _ask_cancel(bot, BALTIMORE, WORKSHOP)
    question = bot.last(BALTIMORE).text
    assert "Cancel your sign-up for Workshop" in question and "waiting list" not in question
    await _ask_cancel(bot, TURIN, WORKSHOP)
    question = bot.last(TURIN).text
    assert "Potrai iscriverti di nuovo" in question and "lista d'attesa" not in question

    await _workshop(bot, capacity=5)  # seats, and nobody waits
    await _open(bot, BALTIMORE, WORKSHOP)
    await _ask_cancel(bot, BALTIMORE, WORKSHOP)
    question = bot.last(BALTIMORE).text
    assert "It becomes free for anyone who signs up" in question and "waiting list" not in question
    await _open(bot, TURIN, WORKSHOP)
    await _ask_cancel(bot, TURIN, WORKSHOP)
    question = bot.last(TURIN).text
    assert "torna libero per chiunque si iscriva" in question and "lista d'attesa" not in question

    await _workshop(bot, capacity=2)  # full, and someone waits
    await _reader(bot, NOWHERE, "nowhere", "en")
    await _open(bot, NOWHERE, WORKSHOP)
    await bot.press(NOWHERE, "⏳")
    await _open(bot, TURIN, WORKSHOP)
    await _ask_cancel(bot, TURIN, WORKSHOP)
    assert "passa subito" in bot.last(TURIN).text


async def test_a_past_event_says_it_has_ended_and_offers_no_seats(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await _reader(bot, BALTIMORE, "Baltimore", "en")
    await _reader(bot, TURIN, "Torino", "it")
    await _sign_up(bot, BALTIMORE, WORKSHOP)
    bot.services.clock.set(datetime(2027, 1, 20, 12, 30, tzinfo=UTC))  # the workshop is over, others are not
    await bot.press_data(BALTIMORE, f"event:{WORKSHOP}:0")
    text = bot.last(BALTIMORE).text
    assert "This event has ended." in text
    assert "already started" not in text and "seat" not in text.split("\n\n")[0]
    assert "seats left" not in text and "You're signed up" not in text
    assert _actions(bot, BALTIMORE) == ["agenda:0"]
    await bot.press_data(TURIN, f"event:{WORKSHOP}:0")
    text = bot.last(TURIN).text
    assert "Questo evento si è concluso." in text and "posti liberi" not in text and "già cominciato" not in text
    assert _actions(bot, TURIN) == ["agenda:0"]


async def test_an_event_under_way_says_it_has_started_without_seats(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await _reader(bot, TURIN, "Torino", "it")
    bot.services.clock.set(datetime(2027, 1, 20, 10, 30, tzinfo=UTC))  # the workshop began at 11:00 in Turin
    text = await _open(bot, TURIN, WORKSHOP)
    assert "già cominciato" in text and "posti liberi" not in text


async def test_an_agenda_whose_events_are_all_past_says_so_and_can_still_be_read(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await _reader(bot, BALTIMORE, "Baltimore", "en")
    await _reader(bot, TURIN, "Torino", "it")
    bot.services.clock.set(datetime(2027, 2, 1, 12, 0, tzinfo=UTC))
    await bot.send(BALTIMORE, "/agenda")
    text = _plain(bot.last(BALTIMORE).text)
    assert "Everything on the agenda is over." in text and "empty" not in text
    assert "Turin and Baltimore: two strategies side by side" in text and "seats left" not in text
    assert "to sign up" not in text
    await bot.press(BALTIMORE, "Workshop")
    detail = bot.last(BALTIMORE).text
    assert "This event has ended." in detail and _actions(bot, BALTIMORE) == ["agenda:0"]
    await bot.press(BALTIMORE, "Back to the agenda")
    assert "Everything on the agenda is over." in bot.last(BALTIMORE).text
    await bot.send(TURIN, "/agenda")
    text = bot.last(TURIN).text
    assert "Gli eventi in programma si sono tutti conclusi." in text and "vuoto" not in text
    assert "posti liberi" not in text and "iscriverti" not in text


async def test_a_cancelled_event_never_says_you_are_signed_up(bot: Harness) -> None:
    await _workshop(bot, capacity=5)
    await _reader(bot, BALTIMORE, "Baltimore", "en")
    await _reader(bot, TURIN, "Torino", "it")
    for person in (BALTIMORE, TURIN):
        await _sign_up(bot, person, WORKSHOP)
    await _workshop(bot, capacity=5, status="cancelled")
    text = await _open(bot, BALTIMORE, WORKSHOP)
    assert "This event has been canceled." in text and "signed up" not in text
    assert _actions(bot, BALTIMORE) == ["agenda:0"]  # no calendar file, nothing to cancel
    text = await _open(bot, TURIN, WORKSHOP)
    assert "Questo evento è stato annullato." in text and "Sei iscritto" not in text and "iscritta" not in text
    await bot.send(BALTIMORE, "/my")
    mine = bot.last(BALTIMORE).text
    assert "canceled by the organizers" in mine and "signed up" not in mine
    await bot.send(TURIN, "/my")
    assert "annullato dagli organizzatori" in bot.last(TURIN).text


async def test_once_an_event_starts_the_waiting_list_promises_nothing(bot: Harness) -> None:
    await _workshop(bot, capacity=1)
    await _reader(bot, TURIN, "Torino", "it")
    await _reader(bot, BALTIMORE, "Baltimore", "en")
    await _sign_up(bot, TURIN, WORKSHOP)
    await _open(bot, BALTIMORE, WORKSHOP)
    await bot.press(BALTIMORE, "⏳")
    assert "If a seat opens up" in bot.last(BALTIMORE).text
    bot.services.clock.set(datetime(2027, 1, 20, 10, 30, tzinfo=UTC))  # the workshop began at 11:00 in Turin
    text = await _open(bot, BALTIMORE, WORKSHOP)
    assert "already started: the waiting list is closed" in text and "If a seat opens up" not in text
