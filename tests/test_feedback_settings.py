"""The feedback delays: PONTE_FEEDBACK_DELAY, PONTE_FEEDBACK_REMINDER and an event's own feedback_delay in the
agenda file, with their mistakes named; and the pending question of a person answering a questionnaire."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config.settings import Settings, SettingsError
from bot.domain.agenda_file import AgendaFileError, dump_agenda, parse_agenda
from bot.domain.pending import Pending, PendingStep, from_column, to_column
from tests.test_agenda_file import GOOD

TOKEN = "123:abc-abcdefghijklmnopqrstuvwxyz01234"


def test_the_feedback_delays_from_the_settings() -> None:
    settings = Settings.from_env({"PONTE_TOKEN": TOKEN}, env_file=None)
    assert settings.feedback_delay == timedelta(hours=1) and settings.feedback_reminder == timedelta(days=2)
    settings = Settings.from_env({"PONTE_TOKEN": TOKEN, "PONTE_FEEDBACK_DELAY": "0m",
                                  "PONTE_FEEDBACK_REMINDER": "36h"}, env_file=None)
    assert settings.feedback_delay == timedelta(0) and settings.feedback_reminder == timedelta(hours=36)


@pytest.mark.parametrize(("name", "value"), [("PONTE_FEEDBACK_DELAY", "an hour"), ("PONTE_FEEDBACK_DELAY", "1"),
                                             ("PONTE_FEEDBACK_REMINDER", "0d"), ("PONTE_FEEDBACK_REMINDER", "2 days")])
def test_a_bad_feedback_delay_names_the_variable_and_the_value(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name) as caught:
        Settings.from_env({"PONTE_TOKEN": TOKEN, name: value}, env_file=None)
    assert f"(it is {value})" in str(caught.value)


def _problems(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(AgendaFileError) as caught:
        parse_agenda(text)
    return [(p.line, p.field, p.message.format(**p.values)) for p in caught.value.problems]


def test_an_event_s_own_feedback_delay_in_the_file_and_back() -> None:
    (event,) = parse_agenda(GOOD + 'feedback_delay = "2h"\n')
    assert event.feedback_delay == timedelta(hours=2)
    assert parse_agenda(GOOD)[0].feedback_delay is None  # the default, PONTE_FEEDBACK_DELAY
    assert 'feedback_delay = "2h"' in dump_agenda([event])
    assert parse_agenda(dump_agenda([event]))[0] == event


def test_mistakes_in_the_feedback_delay_name_line_and_field() -> None:
    (problem,) = _problems(GOOD + 'feedback_delay = "soon"\n')
    assert problem[:2] == (14, "workshop.feedback_delay") and "soon is not a duration" in problem[2]
    (problem,) = _problems(GOOD + 'feedback_delay = "31d"\n')
    assert problem[1] == "workshop.feedback_delay" and "at most 30d after the event ends" in problem[2]
    assert _problems(GOOD + "feedback_delay = 2\n")[0][1] == "workshop.feedback_delay"


def test_the_question_of_a_person_answering_a_questionnaire_is_kept_with_its_response() -> None:
    pending = Pending(PendingStep.FEEDBACK, response_id=42)
    assert to_column(pending) == "feedback:42" and from_column("feedback:42") == pending
    assert from_column("feedback:") is None and from_column("feedback:x") is None
