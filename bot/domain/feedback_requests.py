"""Feedback requests after an event, derived from the database like reminders: nothing is scheduled ahead.

An event's request moment is its end plus its own ``feedback_delay`` (else PONTE_FEEDBACK_DELAY). From that
moment, each dispatch asks everyone :func:`recipients` names (the people confirmed for it, or those checked
in when it used check-in) who has not been asked yet, as long as the questionnaire is open (``open_for``
after the request moment): a response row (the report counts it as "asked") and an outbox row in one
transaction, the row's dedupe key naming the event and the person, so a request is written once, also when
its moment passed while the bot was down. Once, ``PONTE_FEEDBACK_REMINDER`` after the request, a person who
has not finished gets a reminder while the questionnaire is still open. A cancelled event asks nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.checkins import present_in
from bot.domain.languages import language_for
from bot.domain.notices import NoticeKind
from storage import Database, Transaction
from storage.questionnaires import Questionnaire, asked_after
from storage.records import Event
from storage.responses import Askable, Response


def request_moment(event: Event, default_delay: timedelta) -> datetime:
    """When the people who came to ``event`` are asked for feedback."""
    return event.ends_at + (default_delay if event.feedback_delay is None else event.feedback_delay)


async def recipients(tx: Transaction, event: Event) -> list[Askable]:
    """Who is asked about ``event``, and the only place that decides it: the people who consented and can
    be reached, not asked yet, among those present when the event used check-in (walk-ins too: they saw
    it), else among those confirmed for it."""
    if await present_in(tx, event.id) is None:
        return await tx.responses.confirmed_not_asked(event.id)
    return await tx.responses.present_not_asked(event.id)


def request_payload(response_id: int, questionnaire: Questionnaire, closes_at: datetime) -> dict[str, object]:
    """What the request and its reminder say, fixed when the person is asked; the rest comes from the event."""
    return {"response": response_id, "closes_at": closes_at.isoformat(), "anonymous": questionnaire.anonymous,
            "questions": len(questionnaire.questions)}


class FeedbackRequests:
    def __init__(self, db: Database, delay: timedelta, reminder_after: timedelta) -> None:
        self._db = db
        self._delay = delay
        self._reminder_after = reminder_after

    async def materialise(self, now: datetime) -> int:
        """Write the requests and reminders due by ``now`` to the outbox; returns how many. Looks first, and
        takes the write lock only when someone is to be asked or reminded."""
        async with self._db.serialized() as tx:
            asks = await self._asks(tx, now)
            reminders = await tx.responses.to_remind(now - self._reminder_after, now)
        if not asks and not reminders:
            return 0
        written = 0
        async with self._db.transaction() as tx:
            for event, questionnaire in asks:
                written += await self._ask(tx, event, questionnaire, now)
            for response in await tx.responses.to_remind(now - self._reminder_after, now):
                written += await self._remind(tx, response, now)
        return written

    async def _asks(self, tx: Transaction, now: datetime) -> list[tuple[Event, Questionnaire]]:
        """The events whose request moment has come, with the questionnaire asked after each while it is
        open, where somebody is still to be asked."""
        widest = await tx.responses.widest_open_window()
        if widest is None:
            return []
        due = [e for e in await tx.events.all() if not e.cancelled
               and request_moment(e, self._delay) <= now < request_moment(e, self._delay) + widest]
        questionnaires = await tx.questionnaires.all() if due else []
        asks = []
        for event in due:
            questionnaire = asked_after(questionnaires, event.slug, event.kind)
            if (questionnaire is not None and now < request_moment(event, self._delay) + questionnaire.open_for
                    and await recipients(tx, event)):
                asks.append((event, questionnaire))
        return asks

    async def _ask(self, tx: Transaction, event: Event, questionnaire: Questionnaire, now: datetime) -> int:
        moment = request_moment(event, self._delay)
        closes_at = moment + questionnaire.open_for
        if now >= closes_at:
            return 0
        written = 0
        for person in await recipients(tx, event):
            response_id = await tx.responses.start(questionnaire.id, person, language_for(person.language, None),
                                                   now, closes_at)
            if response_id is None:
                continue
            written += await tx.outbox.add(
                person.participant_id, NoticeKind.FEEDBACK_REQUEST, due_at=now, now=now, event_id=event.id,
                payload=request_payload(response_id, questionnaire, closes_at),
                dedupe_key=f"feedback:{event.id}:{person.participant_id}")
        return written

    async def _remind(self, tx: Transaction, response: Response, now: datetime) -> int:
        questionnaire = await tx.questionnaires.by_id(response.questionnaire_id)
        await tx.responses.mark_reminded(response.id, now)
        if questionnaire is None:
            return 0
        return int(await tx.outbox.add(
            response.participant_id, NoticeKind.FEEDBACK_REMINDER, due_at=now, now=now, event_id=response.event_id,
            payload=request_payload(response.id, questionnaire, response.closes_at),
            dedupe_key=f"feedback-reminder:{response.id}"))

    async def next_due(self, now: datetime) -> datetime | None:
        """The next request moment of an event someone is confirmed for, or the next reminder."""
        async with self._db.serialized() as tx:
            if await tx.responses.widest_open_window() is None:
                return None
            events = await tx.events.with_seats()
            first_asked = await tx.responses.first_unreminded(now - self._reminder_after, now)
        moments = [request_moment(e.event, self._delay) for e in events if not e.event.cancelled and e.confirmed]
        moments = [moment for moment in moments if moment > now]
        if first_asked is not None:
            moments.append(first_asked + self._reminder_after)
        return min(moments, default=None)

