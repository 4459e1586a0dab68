"""Loading questionnaires: a file is applied whole or not at all, and what people answered stays comparable."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.config.clock import Clock
from bot.domain.languages import N_
from bot.domain.questionnaire_file import (
    DEFAULT_QUESTIONNAIRE,
    QuestionnaireFile,
    QuestionnaireFileError,
    parse_questionnaire,
)
from bot.domain.toml_reading import Problem
from storage import Database
from storage.database import Transaction
from storage.questionnaires import Question, Questionnaire


@dataclass(frozen=True)
class QuestionnaireReport:
    """What an import did (or, in a dry run, would do), by question id."""

    slug: str
    created: bool
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    events: tuple[str, ...] = field(default=())  # the slugs of the events on the agenda it is asked after


class Questionnaires:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def import_text(self, text: str, *, dry_run: bool = False) -> QuestionnaireReport:
        """Check the file, then against the database (answered questions and choices, the agenda's events);
        apply it in one transaction only when there is no mistake at all. Raises
        :class:`QuestionnaireFileError` listing every mistake."""
        parsed = parse_questionnaire(text)
        async with self._db.transaction() as tx:
            report = await self._check(tx, parsed)
            if not dry_run:
                await tx.questionnaires.save(parsed.questionnaire, self._clock.now())
        return report

    async def install_default(self) -> bool:
        """Give a database with no questionnaire at all the one Ponte ships, so that visits are followed by
        questions from the start. True when it was installed."""
        async with self._db.transaction() as tx:
            if await tx.questionnaires.all():
                return False
            parsed = parse_questionnaire(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8"))
            await tx.questionnaires.save(parsed.questionnaire, self._clock.now())
            return True

    async def all(self) -> list[Questionnaire]:
        async with self._db.serialized() as tx:
            return await tx.questionnaires.all()

    async def _check(self, tx: Transaction, parsed: QuestionnaireFile) -> QuestionnaireReport:
        new = parsed.questionnaire
        old = await tx.questionnaires.by_slug(new.slug)
        problems: list[Problem] = []
        on_agenda = {event.slug: event.kind for event in await tx.events.all()}
        for slug in sorted(new.events - on_agenda.keys()):
            problems.append(parsed.problem(("questionnaire", "events"), "questionnaire.events", N_(
                "There is no event {slug} on the agenda: check the slug, or import the agenda first"), slug=slug))
        report = QuestionnaireReport(
            slug=new.slug, created=old is None, added=tuple(q.key for q in new.questions),
            events=tuple(slug for slug, kind in on_agenda.items() if new.applies_to(slug, kind)),
        )
        if old is None:
            if problems:
                raise QuestionnaireFileError(problems)
            return report
        answered = await tx.questionnaires.answered_question_keys(old.id)
        picked = await tx.questionnaires.answered_choice_keys(old.id)
        before = {q.key: q for q in old.questions}
        after = {q.key: (index, q) for index, q in enumerate(new.questions)}
        for key in sorted(answered - after.keys()):
            problems.append(parsed.problem(("question",), f"{key}", N_(
                "The question {key} has answers already and cannot be removed: put it back (its wording may "
                "change), so that the answers stay in the report"), key=key))
        for key, (index, question) in after.items():
            previous = before.get(key)
            if previous is None or key not in answered:
                continue
            if previous.kind is not question.kind:
                problems.append(parsed.problem(("question", index, "kind"), f"{key}.kind", N_(
                    "The question {key} has answers already as {old}: its kind cannot become {new}. Give the new "
                    "question a new id"), key=key, old=previous.kind.value, new=question.kind.value))
            kept = {choice.key for choice in question.choices}
            for question_key, choice_key in sorted(picked):
                if question_key == key and choice_key not in kept:
                    problems.append(parsed.problem(("question", index, "choices"), f"{key}.choices", N_(
                        "The choice {choice} of {key} has been picked already and cannot be removed: put it back "
                        "(its label may change)"), key=key, choice=choice_key))
        if problems:
            raise QuestionnaireFileError(problems)
        return QuestionnaireReport(
            slug=new.slug, created=False, events=report.events,
            added=tuple(k for k in after if k not in before),
            changed=tuple(k for k, (_, q) in after.items() if k in before and _differs(before[k], q)),
            unchanged=tuple(k for k, (_, q) in after.items() if k in before and not _differs(before[k], q)),
            removed=tuple(k for k in before if k not in after),
        )


def _differs(old: Question, new: Question) -> bool:
    """Whether a question changed, ignoring the database ids the stored one carries."""
    strip = replace(old, id=None, choices=tuple(replace(c, id=None) for c in old.choices))
    return strip != new
