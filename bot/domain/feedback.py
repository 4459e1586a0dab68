"""Answering a questionnaire: one question at a time, each answer kept as it is given, resumable at any time
(the response's ``position``), a summary before sending, and nothing changed by a press that does not fit.

Every step names the response and, for a question's buttons, the question: a press for a question the person
is not at (an old message, a double tap) is stale and changes nothing; a question, choice or number that does
not belong to this questionnaire is forged. Once the person has reached the summary (``reviewing``), a changed
answer leads back to it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from bot.config.clock import Clock
from bot.domain.pending import Pending, PendingStep, pending_of
from bot.domain.people import People
from bot.domain.text_length import units
from storage import Database, Transaction
from storage.questionnaires import Question, QuestionKind, Questionnaire
from storage.records import Event
from storage.responses import Answer, Response


class Refusal(enum.Enum):
    """Why a step changed nothing."""

    UNKNOWN = "unknown"  # no such response, or another person's
    CLOSED = "closed"  # the questionnaire closed before it was sent
    SUBMITTED = "submitted"  # already sent
    STALE = "stale"  # a button of a question the person is no longer at
    FORGED = "forged"  # a question, choice or number that does not belong here
    BUTTONS = "buttons"  # text typed where a button is expected
    NOT_TEXT = "not-text"  # a sticker or a photo where text is expected
    TOO_LONG = "too-long"
    REQUIRED = "required"  # skipping, or sending without, a required answer


@dataclass(frozen=True)
class Sheet:
    """One response as its person sees it: where they are and what they answered."""

    response: Response
    questionnaire: Questionnaire
    event: Event
    answers: dict[int, Answer] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.questionnaire.questions)

    @property
    def position(self) -> int:
        return min(max(self.response.position, 0), self.total)

    @property
    def question(self) -> Question | None:
        """The question shown now; None for the summary."""
        return self.questionnaire.questions[self.position] if self.position < self.total else None

    def answered(self, question: Question) -> Answer | None:
        return self.answers.get(question.id)

    def missing(self) -> int | None:
        """The position of the first required question not answered yet, if any."""
        for index, question in enumerate(self.questionnaire.questions):
            answer = self.answers.get(question.id)
            if question.required and (answer is None or answer.skipped):
                return index
        return None


@dataclass(frozen=True)
class Step:
    """What a step did: the sheet as it is now (None for an unknown response), and why nothing changed."""

    sheet: Sheet | None
    refusal: Refusal | None = None
    submitted: bool = False  # this step sent the answers
    length: int = 0  # for TOO_LONG: how long the text was


class Feedback:
    def __init__(self, db: Database, clock: Clock, people: People) -> None:
        self._db = db
        self._clock = clock
        self._people = people

    async def waiting(self, person_id: int) -> list[Sheet]:
        """The questionnaires open for this person and not sent yet, closing soonest first."""
        now = self._clock.now()
        async with self._db.serialized() as tx:
            responses = [r for r in await tx.responses.of_person(person_id) if r.open_at(now)]
            sheets = [await self._sheet(tx, response) for response in responses]
        # An event cancelled after its request asks nothing more.
        return [sheet for sheet in sheets if sheet is not None and not sheet.event.cancelled]

    async def open(self, person_id: int, response_id: int) -> Step:
        """Start or resume, exactly where the person stopped."""
        step = await self._run(person_id, response_id, lambda tx, sheet: _nothing(sheet))
        await self._follow(person_id, step)
        return step

    async def pick(self, person_id: int, response_id: int, question_id: int, value: int) -> Step:
        """A rating or a scale (``value`` is the number) or a single choice (``value`` is the choice's id)."""

        async def apply(tx: Transaction, sheet: Sheet) -> Step:
            question = sheet.question
            now = self._clock.now()
            if question.kind.bounds is not None:
                low, high = question.kind.bounds
                if not low <= value <= high:
                    return Step(sheet, Refusal.FORGED)
                await tx.responses.answer(sheet.response.id, question.id, now, number=value)
            elif question.kind is QuestionKind.SINGLE:
                if value not in {choice.id for choice in question.choices}:
                    return Step(sheet, Refusal.FORGED)
                await tx.responses.answer(sheet.response.id, question.id, now, choice_ids=(value,))
            else:
                return Step(sheet, Refusal.FORGED)
            return await _advance(tx, sheet)

        return await self._at_question(person_id, response_id, question_id, apply)

    async def toggle(self, person_id: int, response_id: int, question_id: int, choice_id: int) -> Step:
        """A multiple choice's mark on or off; kept at once, so a person who stops keeps their marks."""

        async def apply(tx: Transaction, sheet: Sheet) -> Step:
            question = sheet.question
            if question.kind is not QuestionKind.MULTIPLE or choice_id not in {c.id for c in question.choices}:
                return Step(sheet, Refusal.FORGED)
            answer = sheet.answered(question)
            picked = set(answer.choice_ids) if answer else set()
            picked ^= {choice_id}
            if picked:
                await tx.responses.answer(sheet.response.id, question.id, self._clock.now(), choice_ids=picked)
            else:
                await tx.responses.forget_answer(sheet.response.id, question.id)
            return Step(await self._reload(tx, sheet))

        return await self._at_question(person_id, response_id, question_id, apply)

    async def done(self, person_id: int, response_id: int, question_id: int) -> Step:
        """Done with a multiple choice: on to the next question (nothing marked: a skip, if it is optional)."""

        async def apply(tx: Transaction, sheet: Sheet) -> Step:
            question = sheet.question
            if question.kind is not QuestionKind.MULTIPLE:
                return Step(sheet, Refusal.FORGED)
            answer = sheet.answered(question)
            if answer is None or not answer.choice_ids:
                if question.required:
                    return Step(sheet, Refusal.REQUIRED)
                await tx.responses.answer(sheet.response.id, question.id, self._clock.now(), skipped=True)
            return await _advance(tx, sheet)

        return await self._at_question(person_id, response_id, question_id, apply)

    async def skip(self, person_id: int, response_id: int, question_id: int) -> Step:
        async def apply(tx: Transaction, sheet: Sheet) -> Step:
            if sheet.question.required:
                return Step(sheet, Refusal.REQUIRED)
            await tx.responses.answer(sheet.response.id, sheet.question.id, self._clock.now(), skipped=True)
            return await _advance(tx, sheet)

        return await self._at_question(person_id, response_id, question_id, apply)

    async def back(self, person_id: int, response_id: int, question_id: int) -> Step:
        """To the question before, or back to the summary for a person reviewing their answers."""

        async def apply(tx: Transaction, sheet: Sheet) -> Step:
            position = sheet.total if sheet.response.reviewing else max(sheet.position - 1, 0)
            await tx.responses.move(sheet.response.id, position)
            return Step(await self._reload(tx, sheet))

        return await self._at_question(person_id, response_id, question_id, apply)

    async def revisit(self, person_id: int, response_id: int, question_id: int) -> Step:
        """From the summary, to one question to change its answer (then back to the summary)."""

        async def apply(tx: Transaction, sheet: Sheet) -> Step:
            ids = [q.id for q in sheet.questionnaire.questions]
            if question_id not in ids:
                return Step(sheet, Refusal.FORGED)
            if not sheet.response.reviewing:
                return Step(sheet, Refusal.STALE)
            await tx.responses.move(sheet.response.id, ids.index(question_id))
            return Step(await self._reload(tx, sheet))

        step = await self._run(person_id, response_id, apply)
        await self._follow(person_id, step)
        return step

    async def typed(self, person_id: int, response_id: int, text: str | None) -> Step:
        """A message typed while answering: the answer to a free-text question, else a word about buttons."""

        async def apply(tx: Transaction, sheet: Sheet) -> Step:
            question = sheet.question
            if question is None or question.kind is not QuestionKind.TEXT:
                return Step(sheet, Refusal.BUTTONS)
            cleaned = (text or "").strip()
            if not cleaned:
                return Step(sheet, Refusal.NOT_TEXT)
            if question.max_length is not None and units(cleaned) > question.max_length:
                return Step(sheet, Refusal.TOO_LONG, length=units(cleaned))
            await tx.responses.answer(sheet.response.id, question.id, self._clock.now(), text=cleaned)
            return await _advance(tx, sheet)

        step = await self._run(person_id, response_id, apply)
        await self._follow(person_id, step)
        return step

    async def submit(self, person_id: int, response_id: int) -> Step:
        """Send the answers, once: a second press is told they were sent."""

        async def apply(tx: Transaction, sheet: Sheet) -> Step:
            missing = sheet.missing()
            if missing is not None or sheet.position < sheet.total:
                return Step(sheet, Refusal.REQUIRED if missing is not None else Refusal.STALE)
            if not await tx.responses.submit(sheet.response.id, self._clock.now()):
                return Step(sheet, Refusal.SUBMITTED)
            return Step(await self._reload(tx, sheet), submitted=True)

        step = await self._run(person_id, response_id, apply)
        await self._follow(person_id, step)
        return step

    async def later(self, person_id: int, response_id: int) -> Step:
        """The person stops for now: everything is kept, and typed text is no longer read as an answer."""
        step = await self._run(person_id, response_id, lambda tx, sheet: _nothing(sheet))
        await self._stop_listening(person_id)
        return step

    async def _at_question(self, person_id: int, response_id: int, question_id: int, apply) -> Step:
        """Run ``apply`` when the person is at ``question_id``; a press for another question changes nothing."""

        async def checked(tx: Transaction, sheet: Sheet) -> Step:
            if question_id not in {q.id for q in sheet.questionnaire.questions}:
                return Step(sheet, Refusal.FORGED)
            if sheet.question is None or sheet.question.id != question_id:
                return Step(sheet, Refusal.STALE)
            return await apply(tx, sheet)

        step = await self._run(person_id, response_id, checked)
        await self._follow(person_id, step)
        return step

    async def _run(self, person_id: int, response_id: int, apply) -> Step:
        now = self._clock.now()
        async with self._db.transaction() as tx:
            response = await tx.responses.get(response_id)
            if response is None or response.participant_id != person_id:
                return Step(None, Refusal.UNKNOWN)
            sheet = await self._sheet(tx, response)
            if sheet is None:
                return Step(None, Refusal.UNKNOWN)
            if response.submitted_at is not None:
                return Step(sheet, Refusal.SUBMITTED)
            if now >= response.closes_at:
                return Step(sheet, Refusal.CLOSED)
            return await apply(tx, sheet)

    async def _follow(self, person_id: int, step: Step) -> None:
        """While a questionnaire is open on the person's screen, what they type is read as its answer."""
        if step.sheet is not None and step.sheet.response.open_at(self._clock.now()) and not step.submitted:
            wanted = Pending(PendingStep.FEEDBACK, response_id=step.sheet.response.id)
            if pending_of(await self._people.get(person_id)) != wanted:
                await self._people.ask(person_id, wanted)
        elif step.refusal in (Refusal.SUBMITTED, Refusal.CLOSED, Refusal.UNKNOWN) or step.submitted:
            await self._stop_listening(person_id)

    async def _stop_listening(self, person_id: int) -> None:
        pending = pending_of(await self._people.get(person_id))
        if pending is not None and pending.step is PendingStep.FEEDBACK:
            await self._people.drop_question(person_id)

    async def _sheet(self, tx: Transaction, response: Response) -> Sheet | None:
        questionnaire = await tx.questionnaires.by_id(response.questionnaire_id)
        event = await tx.events.by_id(response.event_id)
        if questionnaire is None or event is None:
            return None
        return Sheet(response, questionnaire, event, await tx.responses.answers(response.id))

    async def _reload(self, tx: Transaction, sheet: Sheet) -> Sheet:
        response = await tx.responses.get(sheet.response.id)
        return Sheet(response, sheet.questionnaire, sheet.event, await tx.responses.answers(response.id))


async def _nothing(sheet: Sheet) -> Step:
    return Step(sheet)


async def _advance(tx: Transaction, sheet: Sheet) -> Step:
    """After an answer: the next question, or the summary once reached (and always, when reviewing)."""
    position = sheet.total if sheet.response.reviewing else sheet.position + 1
    reviewing = True if position >= sheet.total else None
    await tx.responses.move(sheet.response.id, position, reviewing=reviewing)
    response = await tx.responses.get(sheet.response.id)
    return Step(Sheet(response, sheet.questionnaire, sheet.event, await tx.responses.answers(response.id)))
