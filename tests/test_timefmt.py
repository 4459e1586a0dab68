"""Dates and times as people in Turin and Baltimore write them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain.languages import language_for
from bot.domain.zones import is_timezone
from bot.render.i18n import translator
from bot.render.timefmt import city_name, day_label, event_times


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u2009", " ")


def test_italian_dates_and_24_hour_times() -> None:
    assert day_label(date(2024, 11, 14), "it") == "giovedì 14 novembre"
    start, end = datetime(2024, 11, 14, 9, 30, tzinfo=UTC), datetime(2024, 11, 14, 11, 0, tzinfo=UTC)
    assert event_times(translator("it"), start, end, "Europe/Rome", "Europe/Rome") == "10:30–12:00"


def test_turin_event_for_a_baltimore_reader() -> None:
    start, end = datetime(2024, 11, 14, 9, 30, tzinfo=UTC), datetime(2024, 11, 14, 11, 0, tzinfo=UTC)
    it = event_times(translator("it"), start, end, "Europe/Rome", "America/New_York")
    assert it == "10:30–12:00 a Torino · 04:30–06:00 a Baltimora"
    en = _plain(event_times(translator("en"), start, end, "Europe/Rome", "America/New_York"))
    assert en == "10:30 AM – 12:00 PM in Turin · 4:30 – 6:00 AM in Baltimore"
    assert day_label(date(2024, 11, 14), "en") == "Thursday, November 14"


def test_a_reader_whose_day_differs_is_told_the_day() -> None:
    start, end = datetime(2027, 1, 22, 16, 0, tzinfo=UTC), datetime(2027, 1, 22, 17, 0, tzinfo=UTC)
    text = event_times(translator("en"), start, end, "America/New_York", "Asia/Tokyo")
    assert "on Saturday, January 23 in Tokyo" in text


def test_language_choice() -> None:
    assert language_for(None, "it-IT") == "it"
    assert language_for(None, "IT") == "it"
    assert language_for(None, "en-US") == "en"
    assert language_for(None, "fr") == "en"
    assert language_for(None, None) == "en"
    assert language_for("en", "it") == "en"


def test_time_zone_names() -> None:
    assert is_timezone("Europe/London") and is_timezone("America/Chicago")
    assert not any(map(is_timezone, ["", "Mars/Base", "../etc/passwd", "/etc/localtime", "Europe/" * 20]))
    assert city_name("Europe/Rome", "it") == "Torino" and city_name("America/New_York", "en") == "Baltimore"
    assert city_name("Asia/Tokyo", "en") == "Tokyo"
