"""Organisers writing to many people at once: a draft (audience, then texts), its preview, sending it once,
its progress and its delivery report.

A broadcast is a row of its own; sending it writes, in the same transaction that turns the draft into a
broadcast on its way, one outbox row per recipient (dedupe key per broadcast and recipient), so a second
press of Send, a redelivered update or a restart cannot queue anybody twice. People known to have blocked
the bot get no row: they are counted apart from the start."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from bot.config.clock import Clock
from bot.domain.audit import AuditAction, note
from bot.domain.languages import LANGUAGES, language_for
from bot.domain.notices import NoticeKind
from bot.domain.roles import Roles
from storage import Database, Transaction
from storage.broadcasts import batch_of, dedupe_prefix
from storage.records import (
    Audience,
    Broadcast,
    BroadcastStatus,
    BroadcastTally,
    Event,
    EventSeats,
    OutboxLane,
    Recipient,
)

__all__ = ["Audience", "Broadcast", "BroadcastStatus", "Broadcasts", "DraftGoneError", "Frame", "Reach",
           "Report", "Sending", "report_of", "report_payload"]

PAST_SHOWN = 10
# (reader's language, the organiser's text) -> the message as its readers get it (the heading, in bot.render).
Frame = Callable[[str, str], str]


class DraftGoneError(Exception):
    """The broadcast a button or a typed text refers to does not exist, or is not this organiser's."""


class Sending(enum.Enum):
    STARTED = "started"
    ALREADY = "already"  # Send was pressed before: it went (or is going) once
    CANCELLED = "cancelled"
    UNWRITTEN = "unwritten"  # no text yet (a forged or very old button)


@dataclass(frozen=True)
class Reach:
    """Who a broadcast would reach now: how many get each language, and how many blocked the bot."""

    by_language: dict[str, int]
    blocked: int

    @property
    def reachable(self) -> int:
        return sum(self.by_language.values())

    @property
    def audience_size(self) -> int:
        return self.reachable + self.blocked


@dataclass(frozen=True)
class Report:
    """A broadcast and what became of it: delivered + blocked + failed + uncertain (+ waiting, while it goes
    out) = its audience."""

    broadcast: Broadcast
    delivered: int
    blocked: int  # blocked the bot before or during the send, or left Ponte meanwhile
    failed: tuple[tuple[str, int], ...]
    uncertain: int
    waiting: int

    @property
    def failed_count(self) -> int:
        return sum(n for _, n in self.failed)

    @property
    def done(self) -> int:
        return self.delivered + self.blocked + self.failed_count + self.uncertain

    @property
    def total(self) -> int:
        return self.broadcast.audience_size

    @property
    def finished(self) -> bool:
        return self.waiting == 0


def report_of(broadcast: Broadcast, tally: BroadcastTally) -> Report:
    return Report(
        broadcast=broadcast,
        delivered=tally.sent,
        blocked=broadcast.blocked_before + tally.skipped + tally.missing,
        failed=tally.failed,
        uncertain=tally.uncertain,
        waiting=tally.waiting,
    )


def report_payload(report: Report) -> dict[str, object]:
    """The delivery report as its outbox row carries it (the renderer reads no database)."""
    broadcast = report.broadcast
    title = broadcast.event_title
    return {
        "broadcast": broadcast.id,
        "audience": str(broadcast.audience),
        "event_it": title.it if title else None,
        "event_en": title.en if title else None,
        "total": report.total,
        "delivered": report.delivered,
        "blocked": report.blocked,
        "failed": [[reason, n] for reason, n in report.failed],
        "uncertain": report.uncertain,
    }


def _reach(recipients: list[Recipient]) -> Reach:
    by_language = dict.fromkeys(LANGUAGES, 0)
    blocked = 0
    for recipient in recipients:
        if recipient.unreachable:
            blocked += 1
        else:
            by_language[language_for(recipient.language, None)] += 1
    return Reach(by_language, blocked)


class Broadcasts:
    def __init__(self, db: Database, clock: Clock, roles: Roles, wake_outbox: Callable[[], None]) -> None:
        self._db = db
        self._clock = clock
        self._roles = roles
        self._wake_outbox = wake_outbox

    async def events(self, author_id: int) -> list[EventSeats]:
        """The events an audience can be chosen from (organisers only)."""
        self._roles.require_organiser(author_id)
        async with self._db.serialized() as tx:
            return await tx.events.with_seats()

    async def reach_of(self, author_id: int, audience: Audience) -> Reach:
        """How many people an audience that needs no event holds now (for its button)."""
        self._roles.require_organiser(author_id)
        async with self._db.serialized() as tx:
            return _reach(await tx.broadcasts.recipients(audience, None))

    async def open(self, author_id: int, audience: Audience, event_slug: str | None = None) -> Broadcast | None:
        """A new draft for this audience; the organiser's earlier drafts are cancelled (their buttons then
        say so). None for an event that does not exist."""
        self._roles.require_organiser(author_id)
        async with self._db.transaction() as tx:
            event: Event | None = None
            if audience.of_an_event:
                event = await tx.events.by_slug(event_slug or "")
                if event is None:
                    return None
            await tx.broadcasts.cancel_drafts(author_id)
            broadcast_id = await tx.broadcasts.create_draft(
                author_id, audience, event.id if event else None, event.title if event else None, self._clock.now())
            return await tx.broadcasts.get(broadcast_id)

    async def get(self, author_id: int, broadcast_id: int) -> Broadcast:
        self._roles.require_organiser(author_id)
        async with self._db.serialized() as tx:
            return await self._own(tx, author_id, broadcast_id)

    async def draft(self, author_id: int) -> Broadcast | None:
        """The draft the organiser is writing, if any."""
        self._roles.require_organiser(author_id)
        async with self._db.serialized() as tx:
            return await tx.broadcasts.latest_draft(author_id)

    async def write(self, author_id: int, broadcast_id: int, language: str | None, text: str) -> Broadcast:
        """Store one language's text (``language`` None: one text for everyone); Italian comes first, then
        English. Raises DraftGoneError when the draft is no longer being written."""
        self._roles.require_organiser(author_id)
        async with self._db.transaction() as tx:
            broadcast = await self._own(tx, author_id, broadcast_id)
            if broadcast.status is not BroadcastStatus.DRAFT:
                raise DraftGoneError(f"broadcast {broadcast_id} is {broadcast.status}")
            if language is None:
                await tx.broadcasts.write_one_text(broadcast_id, text)
            elif language == "it":
                await tx.broadcasts.write_italian(broadcast_id, text)
            else:
                await tx.broadcasts.write_english(broadcast_id, text)
            return await tx.broadcasts.get(broadcast_id)

    async def rewrite(self, author_id: int, broadcast_id: int) -> Broadcast:
        """Edit: the texts are written again, so the old preview's Send has nothing to send meanwhile.
        Raises DraftGoneError when the draft is no longer being written."""
        self._roles.require_organiser(author_id)
        async with self._db.transaction() as tx:
            broadcast = await self._own(tx, author_id, broadcast_id)
            if broadcast.status is not BroadcastStatus.DRAFT:
                raise DraftGoneError(f"broadcast {broadcast_id} is {broadcast.status}")
            await tx.broadcasts.clear_texts(broadcast_id)
            return await tx.broadcasts.get(broadcast_id)

    async def reach(self, author_id: int, broadcast_id: int) -> tuple[Broadcast, Reach]:
        """The draft and who it would reach if sent now (for the preview)."""
        self._roles.require_organiser(author_id)
        async with self._db.serialized() as tx:
            broadcast = await self._own(tx, author_id, broadcast_id)
            return broadcast, _reach(await tx.broadcasts.recipients(broadcast.audience, broadcast.event_id))

    async def send(self, author_id: int, broadcast_id: int, frame: Frame, *, chat_id: int | None = None,
                   progress_message_id: int | None = None) -> tuple[Sending, Broadcast]:
        """Queue the broadcast for everyone in its audience, once: each row carries the message in both
        languages as ``frame`` makes it from the organiser's text (the same frame as the preview's, so what
        the preview showed is what goes). ``progress_message_id`` is the message that shows its progress."""
        self._roles.require_organiser(author_id)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            broadcast = await self._own(tx, author_id, broadcast_id)
            if broadcast.status in (BroadcastStatus.SENDING, BroadcastStatus.DONE):
                return Sending.ALREADY, broadcast
            if broadcast.status is BroadcastStatus.CANCELLED:
                return Sending.CANCELLED, broadcast
            if broadcast.texts is None:
                return Sending.UNWRITTEN, broadcast
            recipients = await tx.broadcasts.recipients(broadcast.audience, broadcast.event_id)
            reachable = [r for r in recipients if not r.unreachable]
            await tx.broadcasts.start_sending(
                broadcast_id, audience_size=len(recipients), blocked_before=len(recipients) - len(reachable),
                progress_chat_id=chat_id, progress_message_id=progress_message_id, now=now)
            # The bulk lane: a freed seat or a change notice goes before any of these.
            await tx.outbox.add_many(
                [recipient.telegram_id for recipient in reachable], NoticeKind.BROADCAST, due_at=now, now=now,
                lane=OutboxLane.BULK, batch=batch_of(broadcast_id), dedupe_prefix=dedupe_prefix(broadcast_id),
                payload={"texts": {language: frame(language, broadcast.texts.get(language))
                                   for language in LANGUAGES}})
            broadcast = await tx.broadcasts.get(broadcast_id)
            await note(tx, self._clock, author_id, AuditAction.BROADCAST_SENT,
                       {"broadcast": broadcast_id, "audience": str(broadcast.audience), "recipients": len(reachable)})
        self._wake_outbox()
        return Sending.STARTED, broadcast

    async def cancel(self, author_id: int, broadcast_id: int) -> Broadcast:
        """Cancel a draft; a broadcast already on its way is not stopped (the result says which it was)."""
        self._roles.require_organiser(author_id)
        async with self._db.transaction() as tx:
            await self._own(tx, author_id, broadcast_id)
            await tx.broadcasts.cancel(broadcast_id)
            return await tx.broadcasts.get(broadcast_id)

    async def past(self, author_id: int) -> list[Report]:
        """The latest broadcasts of every organiser, newest first, with what became of them."""
        self._roles.require_organiser(author_id)
        async with self._db.serialized() as tx:
            return [report_of(b, await tx.broadcasts.tally(b.id)) for b in await tx.broadcasts.past(PAST_SHOWN)]

    # -- while broadcasts go out (the progress watch of bot.app calls these) -----------------------------

    async def on_their_way(self) -> list[Report]:
        async with self._db.serialized() as tx:
            return [report_of(b, await tx.broadcasts.tally(b.id)) for b in await tx.broadcasts.sending()]

    async def note_progress(self, broadcast_id: int, text: str) -> None:
        """The progress message now shows ``text`` (so the next edit can tell whether anything changed)."""
        async with self._db.serialized() as tx:
            await tx.broadcasts.note_progress(broadcast_id, text, self._clock.now())

    async def finish(self, broadcast_id: int) -> Report | None:
        """Everything went out: the broadcast is done and its author's delivery report is queued, in one
        transaction (so it is written once). None when it was finished already or is still going."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            broadcast = await tx.broadcasts.get(broadcast_id)
            if broadcast is None:
                return None
            report = report_of(broadcast, await tx.broadcasts.tally(broadcast_id))
            if not report.finished or not await tx.broadcasts.finish(broadcast_id, now):
                return None
            if broadcast.author_id is not None:  # None: the organiser deleted their data meanwhile
                await tx.outbox.add(broadcast.author_id, NoticeKind.BROADCAST_REPORT, due_at=now, now=now,
                                    payload=report_payload(report), dedupe_key=f"broadcast-report:{broadcast_id}")
        self._wake_outbox()
        return report

    async def report(self, broadcast_id: int) -> Report | None:
        async with self._db.serialized() as tx:
            broadcast = await tx.broadcasts.get(broadcast_id)
            return report_of(broadcast, await tx.broadcasts.tally(broadcast_id)) if broadcast else None

    @staticmethod
    async def _own(tx: Transaction, author_id: int, broadcast_id: int) -> Broadcast:
        broadcast = await tx.broadcasts.get(broadcast_id)
        if broadcast is None or broadcast.author_id != author_id:
            raise DraftGoneError(f"no broadcast {broadcast_id} by {author_id}")
        return broadcast
