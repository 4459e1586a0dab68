"""Words people can trust: Italian as people from Turin write it, English as people in Baltimore read it.

The catalog checks catch a regression anywhere in either catalog; the journeys show the words where people
meet them (buttons, the event detail, the settings, the command menu, the example agenda, the CLI).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from dataclasses import replace
from pathlib import Path

from babel.messages.pofile import read_po

from bot.app.application import publish_profile
from bot.domain.agenda_file import parse_agenda
from bot.render.i18n import LOCALES_DIR
from tests.harness import EXAMPLE, Harness

ROOT = Path(__file__).resolve().parent.parent
MIKE, GIULIA = 101, 102
WEEKDAYS = r"(lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica)"

# English words that must never be left on an Italian screen (loanwords Italians use, such as file, link,
# workshop, privacy, database, token, bot, are not here).
ENGLISH_WORDS = re.compile(
    r"\b(sign[- ]?ups?|signed|waiting|list|organi[sz]ers?|settings?|seats?|buttons?|schedule|program|calendar|"
    r"cancel(l?ed)?|welcome|please|sorry|speakers?|attendees?|conference|video|meetings?|events?|the|you|your|"
    r"and|with|for|not|done|next|back|full|status|name|city|language|time|zone|help|long polling|"
    r"standard output|escape|Turin|Baltimore|Italian|English)\b", re.IGNORECASE)


def _catalog(language: str):
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=language)


def _strings(language: str) -> list[tuple[str, str]]:
    """(msgid, msgstr) for every form of every entry."""
    pairs = []
    for message in _catalog(language):
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        for text in message.string if isinstance(message.string, tuple | list) else (message.string,):
            pairs.append((msgid, text))
    return pairs


def _visible_words(text: str) -> str:
    """What a person reads as words: no placeholders, markup, links, /commands, --options, TOML tables and
    keys, environment variables or zone names (those stay as they are typed)."""
    text = re.sub(r"\{\w+\}", " ", text)
    text = re.sub(r"<code>.*?</code>|<[^>]+>", " ", text)
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"(?<![\w/])/\w+", " ", text)
    text = re.sub(r"--?[\w-]+", " ", text)
    text = re.sub(r"\[\[?[\w.]+\]\]?", " ", text)
    text = re.sub(r"\b\w+ = \[[^\]]*\]", " ", text)  # a TOML key set to a list, as it is typed in the file
    text = re.sub(r"\bponte (agenda|questionnaire) (import|export|example|list)\b", " ", text)
    text = re.sub(r"\bPONTE_\w+|\bBot API\b|\b(Europe|America)/\w+", " ", text)
    return re.sub(r'\w+\.(it|en) = "\.\.\."', " ", text)


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u2009", " ")


def _labels(bot: Harness, person: int) -> list[str]:
    return [b["text"] for row in bot.last(person).keyboard for b in row]


# The Italian catalog -----------------------------------------------------------------------------------

def test_no_english_word_is_left_on_an_italian_screen() -> None:
    found = [(text, ENGLISH_WORDS.findall(_visible_words(text))) for _, text in _strings("it")
             if ENGLISH_WORDS.search(_visible_words(text))]
    assert found == []


def test_italian_words_of_the_exchange() -> None:
    italian = [text for _, text in _strings("it")]
    assert not [t for t in italian if re.search(r"\bInterventi\b", t)], "speakers are «Relatori»"
    assert not [t for t in italian if re.search(r"\btengo\b", t)], "about data, «conservo»"
    assert not [t for t in italian if re.search(r"Video[- ]conferenz", t)], "«Videoconferenza»"
    assert not [t for t in italian if re.search(r"\b(workshops|welfare communities|communities)\b", t)]
    translated = dict(_strings("it"))
    assert translated["<b>Speakers</b>"] == "<b>Relatori</b>"
    assert translated["Video conference"] == "Videoconferenza"
    assert "conservo" in translated["What I keep about you, and how to delete it"]
    assert translated["Italian"] == "italiano" and translated["English"] == "inglese"


def test_no_article_or_preposition_before_a_weekday_in_italian() -> None:
    """«fino a giovedì 19 gennaio», never «fino al il giovedì» or «di domenica 17 gennaio»."""
    wrong = re.compile(rf"\b(il|di|del|al|dal) ({WEEKDAYS}|\{{(day|reader_day|when)\}})", re.IGNORECASE)
    assert [text for _, text in _strings("it") if wrong.search(text)] == []


def test_italian_speaks_to_one_person_with_tu() -> None:
    formal = re.compile(r"\b(Lei|La preghiamo|potete|volete|siete|avete|vostr[oaie]|scrivete|iscrivetevi)\b")
    assert [text for _, text in _strings("it") if formal.search(text)] == []
    unaccented = re.compile(r"\b(perche|piu|gia|cosi|puo|e'|c'e)(?!\w)", re.IGNORECASE)
    assert [text for _, text in _strings("it") if unaccented.search(text)] == []


# The English catalog ------------------------------------------------------------------------------------

def test_english_says_agenda_for_the_schedule() -> None:
    """«program» only as part of the proper name «EU International Urban Cooperation program»."""
    english = [text for _, text in _strings("en")]
    for text in english:
        without_name = text.replace("International Urban Cooperation program", "")
        assert not re.search(r"\bprogram(me)?s?\b", without_name, re.IGNORECASE), text
    assert not [t for t in english if "programme" in t]


def test_english_labels_of_the_exchange() -> None:
    english = dict(_strings("en"))
    texts = list(english.values())
    assert not [t for t in texts if re.search(r"Video-conference", t, re.IGNORECASE)]
    assert english["Video conference"] == "Video conference"
    assert not [t for t in texts if ".ics" in t], "the button is «📅 Calendar»"
    assert english["📅 Calendar"] == "📅 Calendar"
    assert english["🇮🇹 Turin"] == "🇮🇹 Turin" and not [t for t in texts if "Torino" in t and "🇮🇹" in t]


def test_english_uses_the_contractions_a_person_would() -> None:
    stiff = re.compile(r"\b(I will|I am|I could not|I have not|I do not|you are|you were not|you have not|"
                       r"you would|you cannot|here is)\b", re.IGNORECASE)
    assert [text for _, text in _strings("en") if stiff.search(text)] == []


def test_a_number_next_to_a_noun_always_has_plural_forms() -> None:
    """«1 seats», «1 bytes»: a count in a message without plural forms reads wrong for one of the numbers."""
    counted = re.compile(r"\{\w+\} (seats?|people|persons?|events?|bytes?|days?|mistakes?|errors?|minutes?|"
                         r"hours?|more|confirmed|posti?|persone|eventi|giorni|errori)\b")
    singles = [m.id for m in _catalog("en") if isinstance(m.id, str) and counted.search(m.id)]
    assert singles == []


# Where people read them --------------------------------------------------------------------------------

async def test_turin_button_says_turin_in_english_and_torino_in_italian(bot: Harness) -> None:
    bot.person(MIKE, "Mike", "en")
    await bot.send(MIKE, "/start")
    await bot.press(MIKE, "✅")
    assert "🇮🇹 Turin" in _labels(bot, MIKE) and not [label for label in _labels(bot, MIKE) if "Torino" in label]
    bot.person(GIULIA, "Giulia", "it")
    await bot.send(GIULIA, "/start")
    await bot.press(GIULIA, "✅")
    assert "🇮🇹 Torino" in _labels(bot, GIULIA)


async def test_the_calendar_button_is_named_in_words(agenda_bot: Harness) -> None:
    bot = agenda_bot
    for person, language, label in ((MIKE, "en", "📅 Calendar"), (GIULIA, "it", "📅 Calendario")):
        await bot.onboard(person, "Reader", language)
        await bot.send(person, "/agenda")
        await bot.press_data(person, "event:collaborative-services:0")
        await bot.press(person, "✅")
        await bot.send(person, "/my")
        assert label in _labels(bot, person) and not [b for b in _labels(bot, person) if ".ics" in b]


async def test_speakers_and_kinds_in_the_event_detail(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(GIULIA, "Giulia", "it")
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    for person in (GIULIA, MIKE):
        await bot.send(person, "/agenda")
        await bot.press_data(person, "event:impact-finance:0")
    assert "Relatori" in bot.last(GIULIA).text and "Interventi" not in bot.last(GIULIA).text
    for person in (GIULIA, MIKE):
        await bot.press_data(person, "event:baltimore-call:0")
    assert "Videoconferenza" in bot.last(GIULIA).text and "Video-conf" not in bot.last(GIULIA).text
    assert "Video conference" in bot.last(MIKE).text and "Video-conf" not in bot.last(MIKE).text


async def test_the_cut_off_has_no_article_before_the_weekday(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(GIULIA, "Giulia", "it")
    await bot.send(GIULIA, "/agenda")
    await bot.press_data(GIULIA, "event:roccafranca-visit:0")
    text = _plain(bot.last(GIULIA).text)
    assert "fino a martedì 19 gennaio alle 18:00" in text
    assert not re.search(rf"\b(il|di) {WEEKDAYS}", text)


async def test_settings_name_the_language_as_running_text_does(bot: Harness) -> None:
    await bot.onboard(GIULIA, "Giulia", "it")
    await bot.onboard(MIKE, "Mike", "en", "Baltimore")
    await bot.send(GIULIA, "/settings")
    await bot.send(MIKE, "/settings")
    assert "Lingua: italiano" in bot.last(GIULIA).text
    assert "Language: English" in bot.last(MIKE).text


async def test_waiting_list_promise_reads_as_a_person_says_it(bot: Harness) -> None:
    events = [replace(e, capacity=1) if e.slug == "collaborative-services" else e
              for e in parse_agenda(EXAMPLE.read_text(encoding="utf-8"))]
    await bot.services.agenda.apply(events)
    for person, language, city in ((GIULIA, "it", "Torino"), (MIKE, "en", "Baltimore")):
        await bot.onboard(person, "Reader", language, city)
        await bot.send(person, "/agenda")
        await bot.press_data(person, "event:collaborative-services:0")
        await bot.press(person, "✅" if person == GIULIA else "⏳")
    text = bot.last(MIKE).text
    assert "You're number 1 on the waiting list." in text and "I'll let you know right away." in text


async def test_the_command_menu_says_agenda_and_conservo(bot: Harness) -> None:
    await publish_profile(bot.app)
    profile = bot.telegram.profile
    english = [c["description"] for c in profile[("commands", "")]]
    italian = [c["description"] for c in profile[("commands", "it")]]
    assert not [d for d in english if re.search(r"\bprogram", d, re.IGNORECASE)]
    assert "Quali dati conservo su di te, e come cancellarli" in italian
    assert not [d for d in italian if "tengo" in d]


def test_the_example_agenda_follows_the_same_rules() -> None:
    agenda = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    italian = [value["it"] for event in agenda["event"] for value in event.values() if isinstance(value, dict)]
    english = [value["en"] for event in agenda["event"] for value in event.values() if isinstance(value, dict)]
    assert not [t for t in italian if re.search(r"Video[- ]conferenz|communities|services\b|workshops", t)]
    assert not [t for t in english if re.search(r"Video-conference|programme|neighbour|cancelled", t)]
    kinds = {event["slug"]: event for event in agenda["event"]}
    assert kinds["baltimore-call"]["title"] == {"it": "Videoconferenza con Baltimora: cosa portiamo a casa",
                                                "en": "Video conference with Baltimore: what we take home"}


def test_the_exported_agenda_says_what_it_is_in_the_terminals_language(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PONTE_", "LC_"))}
    database = tmp_path / "agenda.db"
    subprocess.run([sys.executable, "-m", "bot", "agenda", "import", str(EXAMPLE)], cwd=ROOT, timeout=60,
                   env=env | {"PONTE_DB": str(database), "LANG": "en_US.UTF-8"}, capture_output=True, check=True)
    italian = subprocess.run([sys.executable, "-m", "bot", "agenda", "export"], cwd=ROOT, timeout=60, text=True,
                             env=env | {"PONTE_DB": str(database), "LANG": "it_IT.UTF-8"}, capture_output=True)
    english = subprocess.run([sys.executable, "-m", "bot", "agenda", "export"], cwd=ROOT, timeout=60, text=True,
                             env=env | {"PONTE_DB": str(database), "LANG": "en_US.UTF-8"}, capture_output=True)
    assert italian.stdout.splitlines()[0] == ("# Programma di Ponte, esportato dal database. Modificalo e caricalo "
                                              "con: ponte agenda import FILE")
    assert english.stdout.splitlines()[0].startswith("# Ponte agenda, exported from the database.")
