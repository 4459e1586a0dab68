"""A questionnaire as a TOML file: read and validated with each mistake's line and field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.config.durations import DurationError, parse_duration
from bot.domain.agenda_file import SLUG
from bot.domain.kinds import KINDS
from bot.domain.languages import N_
from bot.domain.toml_reading import FieldReader, KeyLines, Problem, TomlFileError, read_toml
from storage.questionnaires import Choice, Question, QuestionKind, Questionnaire
from storage.records import Texts

DEFAULT_QUESTIONNAIRE = Path(__file__).resolve().parents[1] / "data" / "questionnaire-after-the-visit.toml"
KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")  # a question's or a choice's id, matched whole
QUESTIONNAIRE_KEYS = {"slug", "title", "intro", "kinds", "events", "anonymous", "open_for"}
QUESTION_KEYS = {"id", "kind", "text", "required", "low", "high", "max_length", "choices"}
CHOICE_KEYS = {"id", "label"}
# Each text within what one question's message and its buttons can show on a phone, counted as Telegram
# counts (UTF-16 units); the README's questionnaire section says the same.
LIMITS = {"title": 100, "intro": 600, "text": 300, "low": 40, "high": 40, "label": 60}
MAX_QUESTIONS = 20
CHOICES = (2, 12)  # a single or multiple choice offers from 2 to 12 choices
TEXT_LENGTH = (1, 2000)  # what max_length of a free-text answer may be
DEFAULT_TEXT_LENGTH = 500
OPEN_FOR = (timedelta(hours=1), timedelta(days=180))
MAX_FILE_CHARACTERS = 200_000
KIND_NAMES = tuple(kind.value for kind in QuestionKind)


class QuestionnaireFileError(TomlFileError):
    """The questionnaire file's mistakes, in line order; ``syntax`` when the file is not TOML at all."""


@dataclass(frozen=True)
class QuestionnaireFile:
    """A valid questionnaire, and where each of its keys stands in the file (for mistakes found later, against
    the database: an answered question removed, an event that does not exist)."""

    questionnaire: Questionnaire
    lines: KeyLines

    def problem(self, path: tuple[object, ...], name: str, message: str, **values: object) -> Problem:
        return Problem(self.lines.line(*path), name, message, values)


def parse_questionnaire(text: str) -> QuestionnaireFile:
    if len(text) > MAX_FILE_CHARACTERS:
        raise QuestionnaireFileError([Problem(None, "", N_(
            "The file has {size} characters; a questionnaire file has at most {limit}"),
            {"size": len(text), "limit": MAX_FILE_CHARACTERS})])
    try:
        document = read_toml(text)
    except TomlFileError as error:
        raise QuestionnaireFileError(error.problems, syntax=error.syntax) from None
    lines = KeyLines(text)
    return QuestionnaireFile(_Reader(lines).read(document), lines)


class _Reader(FieldReader):
    """Each text's limit is LIMITS[its key]."""

    def _texts(self, at: tuple[object, ...], name: str, raw: dict[str, Any], key: str, *,
               required: bool, lines: bool = False) -> Texts:
        return super()._texts(at, name, raw, key, required=required, limit=LIMITS[key], lines=lines)

    def read(self, document: dict[str, Any]) -> Questionnaire:
        for key in document:
            if key not in ("questionnaire", "question"):
                self._problem((key,), key, N_("Unknown section {key}; expected [questionnaire] or [[question]]"),
                              key=key)
        head = document.get("questionnaire")
        if not isinstance(head, dict):
            self._problem(("questionnaire",), "questionnaire",
                          N_("The file needs a [questionnaire] table with its slug, title and the events it is "
                             "asked after"))
            head = {}
        at = ("questionnaire",)
        for key in head:
            if key not in QUESTIONNAIRE_KEYS:
                self._problem((*at, key), f"questionnaire.{key}", N_("Unknown field {key}"), key=key)
        slug = head.get("slug")
        if head and (not isinstance(slug, str) or not SLUG.fullmatch(slug)):
            self._problem((*at, "slug"), "questionnaire.slug",
                          N_("The slug must be 1 to 40 lowercase letters, digits or hyphens, such as "
                             "after-the-visit"))
        title = self._texts(at, "questionnaire", head, "title", required=bool(head))
        intro = self._texts(at, "questionnaire", head, "intro", required=False, lines=True)
        kinds = self._names(at, head, "kinds", KINDS)
        events = self._names(at, head, "events", None)
        if head and not kinds and not events:
            self._problem(at, "questionnaire.kinds",
                          N_("Say which events the questionnaire is asked after: kinds = [\"site_visit\"], "
                             "events = [\"a-slug\"], or both"))
        anonymous = head.get("anonymous", True)
        if not isinstance(anonymous, bool):
            self._problem((*at, "anonymous"), "questionnaire.anonymous",
                          N_("anonymous is true (coordinators see no names) or false"))
            anonymous = True
        open_for = self._open_for(at, head)
        questions = self._questions(document.get("question"))
        if self.problems:
            raise QuestionnaireFileError(self.problems)
        return Questionnaire(slug=slug, title=title, intro=intro, kinds=frozenset(kinds), events=frozenset(events),
                             anonymous=anonymous, open_for=open_for, questions=questions)

    def _open_for(self, at: tuple[object, ...], head: dict[str, Any]) -> timedelta:
        raw = head.get("open_for", "14d")
        try:
            value = parse_duration(raw)
        except DurationError:
            value = None
        if value is None or not OPEN_FOR[0] <= value <= OPEN_FOR[1]:
            self._problem((*at, "open_for"), "questionnaire.open_for",
                          N_("open_for is how long people may answer once asked: a duration from 1h to 180d, "
                             "such as \"14d\""))
            return timedelta(days=14)
        return value

    def _names(self, at: tuple[object, ...], head: dict[str, Any], key: str,
               allowed: tuple[str, ...] | None) -> list[str]:
        raw = head.get(key, [])
        label = f"questionnaire.{key}"
        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            self._problem((*at, key), label, N_("Write {key} as a list of names in quotes, such as {example}"),
                          key=key, example='["site_visit", "workshop"]' if allowed else '["roccafranca-visit"]')
            return []
        for item in raw:
            if allowed is not None and item not in allowed:
                self._problem((*at, key), label, N_("{value} is not a kind of event; the kinds are: {choices}"),
                              value=item, choices=", ".join(allowed))
            elif allowed is None and not SLUG.fullmatch(item):
                self._problem((*at, key), label, N_("{value} is not an event's slug (lowercase letters, digits "
                                                    "and hyphens)"), value=item)
        return list(dict.fromkeys(raw))

    def _questions(self, raw: Any) -> tuple[Question, ...]:
        if not isinstance(raw, list) or not raw:
            self._problem(("question",), "question", N_("The file has no [[question]] tables"))
            return ()
        if len(raw) > MAX_QUESTIONS:
            self._problem(("question", MAX_QUESTIONS), "question",
                          N_("A questionnaire has at most {limit} questions; this one has {count}"),
                          limit=MAX_QUESTIONS, count=len(raw))
            return ()
        questions = []
        seen: dict[str, int] = {}
        for index, entry in enumerate(raw):
            question = self._question(index, entry)
            if question is None:
                continue
            if question.key in seen:
                self._problem(("question", index, "id"), f"{question.key}.id",
                              N_("The id {key} is already used by question number {other}"),
                              key=question.key, other=seen[question.key] + 1)
            seen.setdefault(question.key, index)
            questions.append(question)
        return tuple(questions)

    def _question(self, index: int, raw: Any) -> Question | None:
        at = ("question", index)
        if not isinstance(raw, dict):
            self._problem(at, f"question #{index + 1}", N_("Questions are written as [[question]] tables"))
            return None
        before = len(self.problems)
        key = raw.get("id")
        name = key if isinstance(key, str) and KEY.fullmatch(key) else f"question #{index + 1}"
        for field_name in raw:
            if field_name not in QUESTION_KEYS:
                self._problem((*at, field_name), f"{name}.{field_name}", N_("Unknown field {key}"), key=field_name)
        if not isinstance(key, str) or not KEY.fullmatch(key):
            self._problem((*at, "id"), f"{name}.id", N_("The id must be 1 to 32 lowercase letters, digits, - or _, "
                                                        "such as useful; it stays the same when the wording changes"))
        kind = raw.get("kind")
        if kind not in KIND_NAMES:
            self._problem((*at, "kind"), f"{name}.kind", N_("The kind must be one of: {choices}"),
                          choices=", ".join(KIND_NAMES))
            return None
        kind = QuestionKind(kind)
        required = raw.get("required", True)
        if not isinstance(required, bool):
            self._problem((*at, "required"), f"{name}.required", N_("required is true or false"))
        text = self._texts(at, name, raw, "text", required=True)
        ends = kind.bounds is not None
        low = self._texts(at, name, raw, "low", required=ends)
        high = self._texts(at, name, raw, "high", required=ends)
        for end in ("low", "high"):
            if not ends and end in raw:
                self._problem((*at, end), f"{name}.{end}",
                              N_("Only a rating or a scale has labeled ends (low and high)"))
        max_length = self._max_length(at, name, raw, kind)
        choices = self._choices(at, name, raw.get("choices"), kind)
        if len(self.problems) > before:
            return None
        return Question(key=key, kind=kind, text=text, required=required, low=low, high=high,
                        max_length=max_length, choices=choices)

    def _max_length(self, at: tuple[object, ...], name: str, raw: dict[str, Any], kind: QuestionKind) -> int | None:
        value = raw.get("max_length")
        if kind is not QuestionKind.TEXT:
            if value is not None:
                self._problem((*at, "max_length"), f"{name}.max_length",
                              N_("Only a free-text question has max_length"))
            return None
        if value is None:
            return DEFAULT_TEXT_LENGTH
        if isinstance(value, bool) or not isinstance(value, int) or not TEXT_LENGTH[0] <= value <= TEXT_LENGTH[1]:
            self._problem((*at, "max_length"), f"{name}.max_length",
                          N_("max_length is a whole number of characters, from {low} to {high}"),
                          low=TEXT_LENGTH[0], high=TEXT_LENGTH[1])
            return None
        return value

    def _choices(self, at: tuple[object, ...], name: str, raw: Any, kind: QuestionKind) -> tuple[Choice, ...]:
        where = (*at, "choices")
        if kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            if raw is not None:
                self._problem(where, f"{name}.choices", N_("Only a single or multiple choice question has choices"))
            return ()
        if not isinstance(raw, list) or not CHOICES[0] <= len(raw) <= CHOICES[1]:
            self._problem(where, f"{name}.choices",
                          N_("A choice question offers from {low} to {high} choices, each written as a "
                             "[[question.choices]] table with its id and label"), low=CHOICES[0], high=CHOICES[1])
            return ()
        choices = []
        seen: set[str] = set()
        for number, entry in enumerate(raw):
            place = (*where, number)
            label = f"{name}.choices[{number + 1}]"
            if not isinstance(entry, dict):
                self._problem(place, label, N_("Choices are written as [[question.choices]] tables"))
                continue
            for field_name in entry:
                if field_name not in CHOICE_KEYS:
                    self._problem((*place, field_name), f"{label}.{field_name}", N_("Unknown field {key}"),
                                  key=field_name)
            key = entry.get("id")
            if not isinstance(key, str) or not KEY.fullmatch(key):
                self._problem((*place, "id"), f"{label}.id",
                              N_("The id must be 1 to 32 lowercase letters, digits, - or _, such as useful; it "
                                 "stays the same when the wording changes"))
                continue
            if key in seen:
                self._problem((*place, "id"), f"{label}.id", N_("The choice {key} is written twice"), key=key)
            seen.add(key)
            choices.append(Choice(key, self._texts(place, label, entry, "label", required=True)))
        return tuple(choices)
