"""Finding a time zone from what a person types, the typed home of a person's pending question, and a zone's
clock changes."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.pending import Origin, Pending, PendingStep, from_column, pending_of, to_column
from bot.domain.zones import offsets_between, zone_names
from bot.render import callback_data
from bot.render.zone_lookup import TYPED_LIMIT, button_key, from_button_key, lookup
from storage.records import Participant

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("typed", "zone"), [
    ("Asia/Tokyo", "Asia/Tokyo"),
    ("asia/tokyo", "Asia/Tokyo"),
    ("Europe/rome", "Europe/Rome"),
    ("  EUROPE/LONDON ", "Europe/London"),
    ("america/new york", "America/New_York"),
    ("Tokyo", "Asia/Tokyo"),
    ("london", "Europe/London"),
    ("Londra", "Europe/London"),
    ("New York", "America/New_York"),
    ("new_york", "America/New_York"),
    ("Parigi", "Europe/Paris"),
    ("Mosca", "Europe/Moscow"),
    ("São Paulo", "America/Sao_Paulo"),
    ("sao paulo", "America/Sao_Paulo"),
    ("San Paolo", "America/Sao_Paulo"),
    ("Torino", "Europe/Rome"),
    ("Turin", "Europe/Rome"),
    ("Baltimora", "America/New_York"),
    ("Baltimore", "America/New_York"),
    ("Honolulu", "Pacific/Honolulu"),
])
def test_names_in_any_case_and_cities_in_english_and_italian(typed: str, zone: str) -> None:
    assert lookup(typed).zone == zone


@pytest.mark.parametrize(("typed", "offered"), [
    ("Tokio", "Asia/Tokyo"),
    ("Londn", "Europe/London"),
    ("Ney York", "America/New_York"),
    ("Europe/Londn", "Europe/London"),
])
def test_a_near_miss_gets_the_closest_zones(typed: str, offered: str) -> None:
    match = lookup(typed)
    assert match.zone is None and offered == match.suggestions[0]
    assert len(match.suggestions) <= 4


def test_an_alias_is_not_offered_next_to_its_zone() -> None:
    # Europe/Belfast is an alias of Europe/London, and Babel names both "London".
    assert lookup("Londn").suggestions == ("Europe/London",)


@pytest.mark.parametrize("typed", [
    "localtime", "posixrules", "Factory", "UTC", "EST5EDT", "US/Eastern", "Etc/GMT+5", "GB",
    "/etc/localtime", "../../etc/passwd", "Mars/Olympus_Mons", "", "   ", "/",
])
def test_junk_and_names_that_are_not_area_location_are_refused(typed: str) -> None:
    match = lookup(typed)
    assert match.zone is None
    assert all(s.split("/")[0] in {"Europe", "America", "Asia", "Africa", "Pacific", "Australia", "Atlantic",
                                   "Indian", "Antarctica", "Arctic"} for s in match.suggestions)


def test_a_long_text_is_too_long_and_costs_no_search() -> None:
    match = lookup("Europe/Rome " * 10)
    assert (match.zone, match.suggestions, match.too_long) == (None, (), True)
    assert lookup("x" * TYPED_LIMIT).too_long is False


def test_only_area_location_zones_are_known() -> None:
    names = zone_names()
    assert {"Europe/Rome", "America/New_York", "Asia/Tokyo", "America/Argentina/Buenos_Aires"} <= names
    assert not names & {"localtime", "posixrules", "Factory", "UTC", "EST", "US/Eastern", "Etc/UTC", "GB"}


def test_every_zone_fits_a_button_and_comes_back_from_it() -> None:
    keys = {button_key(name): name for name in zone_names()}
    assert len(keys) == len(zone_names())
    for key, name in keys.items():
        data = callback_data.build("tz", key)
        action = callback_data.parse(data)
        assert action is not None and from_button_key(action.arg(0)) == name
    assert from_button_key("Mars--Olympus-Mons") is None


@pytest.mark.parametrize("pending", [
    Pending(PendingStep.TIMEZONE),
    Pending(PendingStep.TIMEZONE, "roccafranca-visit"),
    Pending(PendingStep.TIMEZONE, None, Origin.SETTINGS),
    Pending(PendingStep.TIMEZONE, "roccafranca-visit", Origin.SETTINGS),
])
def test_a_pending_question_survives_the_database(pending: Pending) -> None:
    assert from_column(to_column(pending)) == pending


def test_what_earlier_versions_stored_still_reads_and_the_unknown_reads_as_nothing() -> None:
    assert from_column("timezone") == Pending(PendingStep.TIMEZONE)
    assert from_column("timezone:roccafranca-visit") == Pending(PendingStep.TIMEZONE, "roccafranca-visit")
    assert from_column(None) is None and to_column(None) is None
    assert from_column("questionnaire:7") is None and from_column("timezone::nowhere") is None
    assert pending_of(None) is None
    assert pending_of(Participant(1, awaiting="timezone::settings")) == Pending(
        PendingStep.TIMEZONE, None, Origin.SETTINGS)


def test_only_the_pending_module_reads_the_stored_question_and_people_write_it() -> None:
    """Everyone else compares typed values, not "timezone:slug" strings."""
    touching = []
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("handlers/**/*.py")]:
        if path == ROOT / "bot" / "domain" / "pending.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        mentions = [node for node in ast.walk(tree)
                    if (isinstance(node, ast.Attribute) and node.attr == "awaiting")
                    or (isinstance(node, ast.keyword) and node.arg == "awaiting")
                    or (isinstance(node, ast.Constant) and isinstance(node.value, str) and "timezone:" in node.value)]
        if mentions:
            touching.append((path.relative_to(ROOT).as_posix(), sorted({type(node).__name__ for node in mentions})))
    # People writes it (through to_column, or None when the question ends) and never reads it.
    assert touching == [("bot/domain/people.py", ["keyword"])]


def test_a_zones_offsets_between_two_moments_change_to_the_second() -> None:
    start = datetime(2027, 1, 20, tzinfo=UTC)
    assert offsets_between("America/New_York", start, start + timedelta(days=365)) == [
        (start, -5 * 3600), (datetime(2027, 3, 14, 7, tzinfo=UTC), -4 * 3600),
        (datetime(2027, 11, 7, 6, tzinfo=UTC), -5 * 3600)]
    # Lord Howe Island moves its clocks by half an hour.
    assert offsets_between("Australia/Lord_Howe", start, start + timedelta(days=365))[1:] == [
        (datetime(2027, 4, 3, 15, tzinfo=UTC), 37800), (datetime(2027, 10, 2, 15, 30, tzinfo=UTC), 39600)]
    assert offsets_between("Asia/Tokyo", start, start + timedelta(days=800)) == [(start, 9 * 3600)]
    assert offsets_between("Europe/Rome", start, start) == [(start, 3600)]
