"""Agenda files that cannot break the bot: every field has a limit, counted as Telegram counts (UTF-16 code
units), reported with its line and field; what is accepted fits every view, for a reader in Turin and one in
Pacific/Kiritimati; views that can grow come in pages; and a hostile file costs time linear in its size."""

from __future__ import annotations

import html
import os
import subprocess
import sys
import time
import tracemalloc
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from bot.domain.agenda_file import AgendaFileError, parse_agenda
from bot.domain.text_length import shorten, units
from bot.render.calendar_file import event_calendar
from bot.render.i18n import translator
from bot.standin.engine import CAPTION_LIMIT, TEXT_LIMIT
from storage.records import Event, Speaker, Texts
from tests.harness import Harness

TURIN, KIRITIMATI = 301, 302
EMOJI = "🏛"  # two UTF-16 units, one character


def event_toml(slug: str = "workshop", *, title: str = "Servizi collaborativi", description: str = "Laboratorio.",
               start: str = "2027-01-20T11:00:00", end: str = "2027-01-20T13:00:00", extra: str = "",
               speakers: int = 0, speaker_name: str = "Speaker", affiliation: str = "") -> str:
    """One event as an organiser writes it; the title and description are the same in both languages."""
    lines = [
        "[[event]]",
        f"slug = {_quoted(slug)}",
        'kind = "workshop"',
        f"start = {start}",
        f"end = {end}",
        "capacity = 30",
        f"title.it = {_quoted(title)}",
        f"title.en = {_quoted(title)}",
        'venue.it = "Bagni Pubblici di via Agliè"',
        'venue.en = "Public baths of via Agliè"',
        f"description.it = {_quoted(description)}",
        f"description.en = {_quoted(description)}",
    ]
    if extra:
        lines.append(extra)
    for number in range(speakers):
        lines += ["", "[[event.speakers]]", f"name = {_quoted(f'{speaker_name} {number + 1}')}"]
        if affiliation:
            lines += [f"affiliation.it = {_quoted(affiliation)}", f"affiliation.en = {_quoted(affiliation)}"]
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\x00", "\\u0000")
    return f'"{escaped}"'


def _problems(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(AgendaFileError) as caught:
        parse_agenda(text)
    return [(p.line, p.field, p.message.format(**p.values)) for p in caught.value.problems]


# -- refused, with line and field --------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "line", "field", "words"), [
    (event_toml(title="T" * 5000), 7, "workshop.title.it", "This text is 5000 characters long and may be at most 100"),
    # 3,000 emoji are 3,000 characters for Python and 6,000 for Telegram, which is what counts.
    (event_toml(description=EMOJI * 3000), 11, "workshop.description.it",
     "This text is 6000 characters long and may be at most 2000 (Telegram counts most emoji as 2)"),
    (event_toml(speakers=400), 314, "workshop.speakers", "An event has at most 100 speakers; this one has 400"),
    (event_toml(slug="workshop\n"), 2, "event #1.slug", "The slug must be 1 to 40 lowercase letters"),
    (event_toml(start="0001-01-20T11:00:00", end="0001-01-20T13:00:00"), 4, "workshop.start",
     "The year must be between 2000 and 2100"),
    (event_toml(start="9999-12-31T11:00:00", end="9999-12-31T13:00:00"), 4, "workshop.start",
     "The year must be between 2000 and 2100"),
    (event_toml(extra='timezone = "localtime"'), 13, "workshop.timezone", "localtime is not a known time zone"),
    (event_toml(extra='timezone = "posixrules"'), 13, "workshop.timezone", "posixrules is not a known time zone"),
    (event_toml(extra='timezone = "US/Eastern"'), 13, "workshop.timezone", "US/Eastern is not a known time zone"),
    (event_toml(title="Servizi\x00collaborativi"), 7, "workshop.title.it",
     "This text has an invisible control character (U+0000); remove it"),
    (event_toml(title="Servizi\u202ecollaborativi"), 7, "workshop.title.it", "invisible control character (U+202E)"),
    (event_toml(extra="capacity = 99999999999999999999").replace("capacity = 30\n", ""), 12, "workshop.capacity",
     "The capacity must be a whole number of seats, from 0 to 10000"),
    (event_toml(extra='address = "Via Agliè 9\\n10152 Torino"'), 13, "workshop.address",
     "invisible control character (U+000A)"),
    (event_toml(extra='map = "https://example.org/a map"'), 13, "workshop.map", "The map must be a web address"),
    (event_toml(speakers=1, speaker_name="N" * 90), 15, "workshop.speakers[1].name", "may be at most 80"),
    (event_toml(speakers=1, affiliation="A" * 121), 16, "workshop.speakers[1].affiliation.it", "may be at most 120"),
])
def test_a_field_beyond_its_limit_is_refused_with_its_line_and_field(text: str, line: int, field: str,
                                                                     words: str) -> None:
    problems = _problems(text)
    assert (problems[0][0], problems[0][1]) == (line, field), problems
    assert words in problems[0][2], problems


def test_a_description_may_have_line_breaks_and_tabs() -> None:
    event = parse_agenda(event_toml(description="Primo paragrafo.\n\n\tSecondo."))[0]
    assert event.description.it == "Primo paragrafo.\n\n\tSecondo."


def test_every_field_at_its_limit_is_accepted() -> None:
    events = parse_agenda(_fullest_file())
    assert len(events[0].speakers) == 100 and units(events[0].description.en) == 2000


# -- pathological TOML: refused before tomllib, quickly, in one line ---------------------------------------------

NESTED = "[[event]]\nslug = \"deep\"\nx = " + "[" * 10_000 + "]" * 10_000 + "\n"
DOTTED = "[[event]]\nslug = \"long\"\n" + ".".join(["a"] * 20_000) + " = 1\n"
DOTTED_HEADER = "[" + ".".join(["a"] * 20_000) + "]\nx = 1\n"


@pytest.mark.parametrize(("text", "line", "field", "words"), [
    (NESTED, 3, "x", "Lists and tables are nested more than 8 deep here"),
    (DOTTED, 3, "a.a.a.a", "This key has more than 8 parts separated by dots"),
    (DOTTED_HEADER, 1, "[a.a.a", "This key has more than 8 parts separated by dots"),
])
def test_deep_nesting_and_long_dotted_keys_are_refused_at_once(text: str, line: int, field: str,
                                                                words: str) -> None:
    tracemalloc.start()
    began = time.perf_counter()
    try:
        problems = _problems(text)
    finally:
        took = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    # Measured: 0.2 ms for 10,000 nested lists and 0.05 ms for 20,000 parts (before: a RecursionError, and
    # 7.4 s and 1.6 GB). The bounds below leave a slow machine a hundred times the room.
    assert took < 0.5 and peak < 5_000_000, (took, peak)
    assert len(problems) == 1 and problems[0][0] == line and problems[0][1].startswith(field), problems
    assert problems[0][2].startswith(words)


def test_a_file_beyond_a_million_characters_is_refused_before_it_is_read() -> None:
    huge = event_toml() + ("# " + "x" * 998 + "\n") * 1000
    problems = _problems(huge)
    assert problems == [(None, "", f"The file has {len(huge)} characters; an agenda file has at most 1000000 "
                                   "(the example's 8 events take 9,300)")]


def test_brackets_dots_and_quotes_inside_texts_and_comments_are_no_nesting() -> None:
    tricky = event_toml(title="[[[[[[[[[[ a.b.c.d.e.f.g.h.i.j ]]]]]]]]]]",
                        description="{{{{{{{{{{ \"\"\" ''' # [[[[[[[[[[") + (
        '# [[[[[[[[[[ a.b.c.d.e.f.g.h.i.j.k = 1\n'
        "[[event]]\n" + event_toml(slug="second").split("\n", 1)[1].replace(
            'description.it = "Laboratorio."',
            "description.it = \"\"\"\nUna [[[[[[[[[[ riga, \\\"\"\" ancora dentro [[[[[[[[[[\n\"\"\"")
        .replace('description.en = "Laboratorio."', "description.en = '''\n[[[[[[[[[[ x.y.z.a.b.c.d.e.f ''''")
    )
    events = parse_agenda(tricky)
    assert [e.slug for e in events] == ["workshop", "second"]
    assert events[1].description.en == "[[[[[[[[[[ x.y.z.a.b.c.d.e.f '"


def test_the_linear_scan_keeps_its_pace_on_a_large_clean_file() -> None:
    """Ten times the events take about ten times as long, not a hundred."""
    one = event_toml(speakers=20, affiliation="Torino Social Impact")

    def took(copies: int) -> float:
        text = "".join(one.replace('slug = "workshop"', f'slug = "w{n}"') for n in range(copies))
        began = time.perf_counter()
        assert len(parse_agenda(text)) == copies
        return time.perf_counter() - began

    took(5)
    assert took(200) < 40 * max(took(20), 0.002)


def _ponte(tmp_path: Path, *args: str, lang: str = "en_US.UTF-8") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PONTE_")}
    env |= {"PONTE_DB": str(tmp_path / "agenda.db"), "LANG": lang}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)


def test_the_command_says_each_hostile_file_in_one_line_in_the_organisers_language(tmp_path: Path) -> None:
    nested, dotted, emoji = tmp_path / "nested.toml", tmp_path / "dotted.toml", tmp_path / "emoji.toml"
    nested.write_text(NESTED, encoding="utf-8")
    dotted.write_text(DOTTED, encoding="utf-8")
    emoji.write_text(event_toml(description=EMOJI * 3000).replace(
        f"description.en = {_quoted(EMOJI * 3000)}", 'description.en = "Workshop."'), encoding="utf-8")
    for path, english, italian in (
        (nested, "line 3, x: Lists and tables are nested more than 8 deep here",
         "riga 3, x: Qui liste e tabelle sono annidate per più di 8 livelli"),
        (dotted, "line 3, a.a.a.a", "riga 3, a.a.a.a"),
        (emoji, "line 11, workshop.description.it: This text is 6000 characters long and may be at most 2000",
         "riga 11, workshop.description.it: Questo testo è lungo 6000 caratteri e può arrivare al massimo a 2000"),
    ):
        for lang, expected in (("en_US.UTF-8", english), ("it_IT.UTF-8", italian)):
            result = _ponte(tmp_path, "agenda", "import", str(path), lang=lang)
            assert result.returncode == 1 and result.stdout == "", result.stderr
            assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 2, result.stderr
            assert expected in result.stderr, result.stderr
    assert not (tmp_path / "agenda.db").exists() or "[[event]]" not in _ponte(tmp_path, "agenda", "export").stdout


# -- what is accepted fits every view ------------------------------------------------------------------------

def _fullest_file() -> str:
    """One event with every field as long as the file allows, in emoji (two units each) where it hurts most,
    with text that must be escaped, and the most speakers."""
    title = (EMOJI + "&<") * 25  # 100 units
    description = ("Tavola rotonda & <dibattito> " + EMOJI * 10 + "\n") * 40
    description = shorten(description, 2000)[:-1]
    description += "x" * (2000 - units(description))
    text = event_toml(title=title, description=description, speakers=100, speaker_name="N" * 76,
                      affiliation=EMOJI * 60,
                      extra='address = "' + "Via Agliè 9 & <1>, " * 7 + 'Torino"\n'
                            'signup_closes = 2027-01-19T18:00:00\n'
                            'map = "https://www.openstreetmap.org/?q=' + "a&b" * 89 + '"')
    text = text.replace('"Bagni Pubblici di via Agliè"', _quoted("V" * 100))
    return text.replace('"Public baths of via Agliè"', _quoted("V" * 100))


async def _reader(bot: Harness, person: int, language: str, where: str) -> None:
    if where == "Pacific/Kiritimati":
        await bot.onboard(person, "Teuea", language, "Elsewhere" if language == "en" else "Altrove")
        await bot.send(person, where)
        assert (await bot.services.people.get(person)).timezone == where
    else:
        await bot.onboard(person, "Giulia", language, "🇮🇹")  # Torino, or Turin in English


def _fits(shown: str, limit: int = TEXT_LIMIT) -> str:
    """The text a person sees (the stand-in parsed the markup as Telegram does), within Telegram's limit as
    Telegram counts it."""
    assert units(shown) <= limit
    return shown


async def _walk(bot: Harness, person: int, message_id: int) -> list[str]:
    """Every page of a paged view, pressing Next to the end and Previous back to the start."""
    pages = [_fits(bot.telegram.messages[(person, message_id)].text)]
    for forward in (True, False):
        while True:
            message = bot.telegram.messages[(person, message_id)]
            data = next((b["callback_data"] for row in message.keyboard for b in row
                         if (b["text"].endswith("▶️") if forward else b["text"].startswith("◀️"))
                         and b["callback_data"].split(":")[0] in ("agenda", "my", "speakers")), None)
            if data is None:
                break
            await bot.press_data(person, data, message_id)
            text = _fits(bot.telegram.messages[(person, message_id)].text)
            if forward:
                pages.append(text)
    return pages


async def _tour(bot: Harness, person: int, slugs: list[str]) -> None:
    """/agenda, every detail, a sign-up, the .ics and /my, as one reader sees them."""
    await bot.send(person, "/agenda")
    view = bot.last(person).message_id
    await _walk(bot, person, view)
    for slug in slugs:
        await bot.press_data(person, f"event:{slug}:0", view)
        _fits(bot.telegram.messages[(person, view)].text)
        await bot.press_data(person, f"signup:{slug}", view)
        _fits(bot.telegram.messages[(person, view)].text)
        await bot.press_data(person, f"ics:{slug}", view)
        document = bot.last(person)
        _fits(document.text, CAPTION_LIMIT)
        calendar = icalendar.Calendar.from_ical(document.document[1])
        assert [c["UID"] for c in calendar.walk("VEVENT")] == [f"{slug}@ponte.bot"]
    await bot.send(person, "/my")
    await _walk(bot, person, bot.last(person).message_id)


@pytest.mark.parametrize(("language", "where"), [("it", "Torino"), ("en", "Pacific/Kiritimati")])
async def test_the_fullest_event_the_file_allows_fits_every_view(bot: Harness, language: str, where: str) -> None:
    await bot.services.agenda.apply(parse_agenda(_fullest_file()))
    await _reader(bot, TURIN, language, where)
    await _tour(bot, TURIN, ["workshop"])
    detail = _fits(bot.telegram.messages[(TURIN, bot.last(TURIN).message_id - 1)].text)
    assert detail  # the /my page, the message pressed last before it
    answers = [c.params.get("text", "") for c in bot.telegram.calls_to("answerCallbackQuery")]
    assert all(len(text) <= 200 for text in answers)


@pytest.mark.parametrize(("language", "where"), [("en", "Torino"), ("it", "Pacific/Kiritimati")])
async def test_many_speakers_come_in_pages_from_the_detail(bot: Harness, language: str, where: str) -> None:
    await bot.services.agenda.apply(parse_agenda(_fullest_file()))
    await _reader(bot, TURIN, language, where)
    await bot.send(TURIN, "/agenda")
    view = bot.last(TURIN).message_id
    await bot.press_data(TURIN, "event:workshop:0", view)
    detail = _fits(bot.last(TURIN).text)
    named = [line for line in detail.splitlines() if line.startswith("• ")]
    assert 0 < len(named) < 100
    more = "speakers" if language == "en" else "relatori"
    await bot.press(TURIN, more)
    pages = await _walk(bot, TURIN, view)
    assert len(pages) > 1
    listed = [line.split(",")[0] for page in pages for line in page.splitlines() if line.startswith("• ")]
    assert listed == [f"• {'N' * 76} {n}" for n in range(1, 101)]
    await bot.press(TURIN, "◀️")
    assert _fits(bot.last(TURIN).text) == detail
    # A page beyond the last shows the last; an event gone from the agenda says so, politely.
    await bot.press_data(TURIN, "speakers:workshop:99999:0", view)
    assert bot.telegram.messages[(TURIN, view)].text == pages[-1]
    await bot.press_data(TURIN, "speakers:gone:0:0", view)
    assert ("no longer on the agenda" if language == "en" else "non è più in programma") in bot.texts(TURIN)[-2]


@pytest.mark.parametrize(("language", "where"), [("it", "Torino"), ("en", "Pacific/Kiritimati")])
async def test_thirty_events_with_long_titles_page_in_my(bot: Harness, language: str, where: str) -> None:
    start = datetime(2027, 1, 20, 8, 0)
    text = "".join(
        event_toml(f"session-{n}", title=f"{n:02d} " + "Servizi collaborativi e innovazione sociale " * 2,
                   start=(start + timedelta(hours=n)).isoformat(),
                   end=(start + timedelta(hours=n, minutes=50)).isoformat())
        for n in range(30))
    events = parse_agenda(text)
    assert all(units(e.title.it) >= 90 for e in events)
    await bot.services.agenda.apply(events)
    await _reader(bot, TURIN, language, where)
    for event in events:
        await bot.press_data(TURIN, f"signup:{event.slug}", bot.last(TURIN).message_id)
    await bot.send(TURIN, "/my")
    my = bot.last(TURIN)
    pages = await _walk(bot, TURIN, my.message_id)
    assert len(pages) > 1
    shown = "".join(pages)
    assert all(f"{n:02d} Servizi" in shown for n in range(30))
    # Every page offers its own events, and the way to the others.
    slugs = {b["callback_data"] for row in bot.telegram.messages[(TURIN, my.message_id)].keyboard for b in row}
    assert "event:session-0" in slugs and "my:1" in slugs


# -- an event stored before the limits (an older database) still reads ----------------------------------------

def _stored(**texts: str) -> Event:
    return Event(slug="old", kind="workshop", title=Texts(texts.get("title", "Titolo"), texts.get("title", "Title")),
                 description=Texts(texts.get("description", "Descrizione."), texts.get("description", "About.")),
                 venue=Texts("Sala", "Room"), starts_at=datetime(2027, 1, 20, 10, 0, tzinfo=UTC),
                 ends_at=datetime(2027, 1, 20, 12, 0, tzinfo=UTC), timezone="Europe/Rome", capacity=10,
                 speakers=tuple(Speaker(f"Speaker {n}", Texts("Ente", "Body")) for n in range(400)))


@pytest.mark.parametrize(("language", "where"), [("it", "Torino"), ("en", "Pacific/Kiritimati")])
async def test_an_event_stored_before_the_limits_still_fits(bot: Harness, language: str, where: str) -> None:
    await bot.services.agenda.apply([_stored(title="T" * 5000, description=EMOJI * 3000)])
    await _reader(bot, TURIN, language, where)
    await _tour(bot, TURIN, ["old"])


async def test_a_cut_description_never_cuts_through_an_entity(bot: Harness) -> None:
    await _reader(bot, TURIN, "en", "Torino")
    description = "&<" * 3000
    for shift in range(9):
        event = replace(_stored(description="x" * shift + description), speakers=())
        await bot.services.agenda.apply([event])
        await bot.send(TURIN, "/agenda")
        await bot.press_data(TURIN, "event:old:0")
        shown = _fits(bot.last(TURIN).text)
        cut = next(chunk for chunk in shown.split("\n\n") if chunk.startswith("x" * shift + "&<"))
        assert cut.endswith("…") and event.description.en.startswith(cut[:-1]), cut[-20:]
        assert "&amp;" not in shown and "&lt;" not in shown  # each entity whole, so each shown as one character


def test_the_calendar_file_builds_for_the_first_and_last_years() -> None:
    for year in (1, 9999):
        event = replace(_stored(), starts_at=datetime(year, 6, 1, 10, tzinfo=UTC),
                        ends_at=datetime(year, 6, 1, 12, tzinfo=UTC))
        content = event_calendar(event, translator("en"), datetime(2027, 1, 1, tzinfo=UTC))
        assert icalendar.Calendar.from_ical(content).walk("VEVENT")[0]["UID"] == "old@ponte.bot"


def test_shorten_counts_as_telegram_and_never_splits_a_character() -> None:
    assert shorten(EMOJI * 10, 20) == EMOJI * 10
    assert shorten(EMOJI * 10, 9) == EMOJI * 4 + "…" and units(EMOJI * 4 + "…") == 9
    assert shorten("a & b", 3) == "a…"
    assert html.escape(shorten("<" * 10, 5)) == "&lt;" * 4 + "…"
