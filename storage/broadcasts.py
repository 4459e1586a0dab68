"""The broadcast table, the audiences a broadcast can go to, and the tally of its outbox rows."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.records import Audience, Broadcast, BroadcastStatus, BroadcastTally, Recipient, Texts
from storage.timestamps import from_db, to_db

# A broadcast's outbox rows are one batch, "broadcast:<id>" (the outbox indexes rows by batch and status, so
# a tally is cheap), and each carries the dedupe key "broadcast:<id>:<recipient>", which makes a second
# queueing of the same broadcast to the same person impossible.


def batch_of(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}"


def dedupe_prefix(broadcast_id: int) -> str:
    """The outbox makes each row's key ``<prefix>:<recipient>``."""
    return f"broadcast:{broadcast_id}"


def _broadcast(row: aiosqlite.Row) -> Broadcast:
    titled = row["event_title_it"] is not None
    written = row["text_it"] is not None and row["text_en"] is not None
    return Broadcast(
        id=row["id"],
        author_id=row["author_id"],
        audience=Audience(row["audience"]),
        event_id=row["event_id"],
        event_title=Texts(row["event_title_it"], row["event_title_en"]) if titled else None,
        one_text=bool(row["one_text"]),
        texts=Texts(row["text_it"], row["text_en"]) if written else None,
        status=BroadcastStatus(row["status"]),
        audience_size=row["audience_size"],
        blocked_before=row["blocked_before"],
        created_at=from_db(row["created_at"]),
        started_at=from_db(row["started_at"]),
        finished_at=from_db(row["finished_at"]),
        progress_chat_id=row["progress_chat_id"],
        progress_message_id=row["progress_message_id"],
        progress_text=row["progress_text"],
        progress_at=from_db(row["progress_at"]),
    )


_AUDIENCE_SQL = {
    Audience.EVERYONE: ("SELECT telegram_id, language, unreachable_at FROM participant "
                        "WHERE consent_at IS NOT NULL ORDER BY telegram_id"),
    Audience.TORINO: ("SELECT telegram_id, language, unreachable_at FROM participant "
                      "WHERE consent_at IS NOT NULL AND city = 'torino' ORDER BY telegram_id"),
    Audience.BALTIMORE: ("SELECT telegram_id, language, unreachable_at FROM participant "
                         "WHERE consent_at IS NOT NULL AND city = 'baltimore' ORDER BY telegram_id"),
    Audience.ELSEWHERE: ("SELECT telegram_id, language, unreachable_at FROM participant "
                         "WHERE consent_at IS NOT NULL AND city = 'elsewhere' ORDER BY telegram_id"),
    Audience.CONFIRMED: ("SELECT p.telegram_id, p.language, p.unreachable_at FROM participant p "
                         "JOIN registration r ON r.participant_id = p.telegram_id "
                         "WHERE p.consent_at IS NOT NULL AND r.event_id = ? AND r.status = 'confirmed' "
                         "ORDER BY p.telegram_id"),
    Audience.SIGNED_UP: ("SELECT p.telegram_id, p.language, p.unreachable_at FROM participant p "
                         "JOIN registration r ON r.participant_id = p.telegram_id "
                         "WHERE p.consent_at IS NOT NULL AND r.event_id = ? "
                         "AND r.status IN ('confirmed', 'waitlisted') ORDER BY p.telegram_id"),
}


class BroadcastRepository:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def recipients(self, audience: Audience, event_id: int | None) -> list[Recipient]:
        """Who the audience is now: people who consented, with whether they have blocked the bot."""
        parameters = (event_id,) if audience.of_an_event else ()
        rows = await self._db.execute_fetchall(_AUDIENCE_SQL[audience], parameters)
        return [Recipient(row[0], row[1], row[2] is not None) for row in rows]

    async def create_draft(self, author_id: int, audience: Audience, event_id: int | None,
                           event_title: Texts | None, now: datetime) -> int:
        cursor = await self._db.execute(
            "INSERT INTO broadcast (author_id, audience, event_id, event_title_it, event_title_en, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (author_id, str(audience), event_id, event_title.it if event_title else None,
             event_title.en if event_title else None, to_db(now)),
        )
        return cursor.lastrowid

    async def get(self, broadcast_id: int) -> Broadcast | None:
        rows = await self._db.execute_fetchall("SELECT * FROM broadcast WHERE id = ?", (broadcast_id,))
        return _broadcast(rows[0]) if rows else None

    async def latest_draft(self, author_id: int) -> Broadcast | None:
        rows = await self._db.execute_fetchall(
            "SELECT * FROM broadcast WHERE author_id = ? AND status = 'draft' ORDER BY id DESC LIMIT 1",
            (author_id,))
        return _broadcast(rows[0]) if rows else None

    async def cancel_drafts(self, author_id: int) -> None:
        await self._db.execute(
            "UPDATE broadcast SET status = 'cancelled' WHERE author_id = ? AND status = 'draft'", (author_id,))

    async def cancel(self, broadcast_id: int) -> bool:
        cursor = await self._db.execute(
            "UPDATE broadcast SET status = 'cancelled' WHERE id = ? AND status = 'draft'", (broadcast_id,))
        return cursor.rowcount == 1

    async def clear_texts(self, broadcast_id: int) -> None:
        """The texts are being written again: until they are, the draft has none to send."""
        await self._db.execute(
            "UPDATE broadcast SET text_it = NULL, text_en = NULL WHERE id = ? AND status = 'draft'", (broadcast_id,))

    async def write_one_text(self, broadcast_id: int, text: str) -> None:
        """One text for every reader."""
        await self._db.execute(
            "UPDATE broadcast SET one_text = 1, text_it = ?, text_en = ? WHERE id = ? AND status = 'draft'",
            (text, text, broadcast_id))

    async def write_italian(self, broadcast_id: int, text: str) -> None:
        """The Italian text, written first: any English one from before must be written again."""
        await self._db.execute(
            "UPDATE broadcast SET one_text = 0, text_it = ?, text_en = NULL WHERE id = ? AND status = 'draft'",
            (text, broadcast_id))

    async def write_english(self, broadcast_id: int, text: str) -> None:
        await self._db.execute(
            "UPDATE broadcast SET one_text = 0, text_en = ? WHERE id = ? AND status = 'draft' "
            "AND text_it IS NOT NULL", (text, broadcast_id))

    async def start_sending(self, broadcast_id: int, *, audience_size: int, blocked_before: int,
                            progress_chat_id: int | None, progress_message_id: int | None, now: datetime) -> bool:
        """Draft -> sending, once: False when it was no longer a draft (sent already, or cancelled)."""
        cursor = await self._db.execute(
            "UPDATE broadcast SET status = 'sending', audience_size = ?, blocked_before = ?, started_at = ?, "
            "progress_chat_id = ?, progress_message_id = ? WHERE id = ? AND status = 'draft'",
            (audience_size, blocked_before, to_db(now), progress_chat_id, progress_message_id, broadcast_id))
        return cursor.rowcount == 1

    async def note_progress(self, broadcast_id: int, text: str, now: datetime) -> None:
        await self._db.execute("UPDATE broadcast SET progress_text = ?, progress_at = ? WHERE id = ?",
                               (text, to_db(now), broadcast_id))

    async def finish(self, broadcast_id: int, now: datetime) -> bool:
        cursor = await self._db.execute(
            "UPDATE broadcast SET status = 'done', finished_at = ? WHERE id = ? AND status = 'sending'",
            (to_db(now), broadcast_id))
        return cursor.rowcount == 1

    async def sending(self) -> list[Broadcast]:
        rows = await self._db.execute_fetchall("SELECT * FROM broadcast WHERE status = 'sending' ORDER BY id")
        return [_broadcast(row) for row in rows]

    async def past(self, limit: int) -> list[Broadcast]:
        rows = await self._db.execute_fetchall(
            "SELECT * FROM broadcast WHERE status IN ('sending', 'done') ORDER BY id DESC LIMIT ?", (limit,))
        return [_broadcast(row) for row in rows]

    async def tally(self, broadcast_id: int) -> BroadcastTally:
        """Its outbox rows by status; failures by reason. Any status the outbox may use for a row still on
        its way (pending, being sent) counts as waiting, one whose fate a crash left unknown as uncertain."""
        rows = await self._db.execute_fetchall(
            "SELECT status, CASE WHEN status = 'failed' THEN COALESCE(last_error, '') END AS reason, COUNT(*) "
            "FROM outbox WHERE batch = ? GROUP BY 1, 2", (batch_of(broadcast_id),))
        counts: dict[str, int] = {}
        failed: list[tuple[str, int]] = []
        for status, reason, n in rows:
            counts[status] = counts.get(status, 0) + n
            if status == "failed":
                failed.append((reason, n))
        queued = await self._db.execute_fetchall(
            "SELECT audience_size - blocked_before FROM broadcast WHERE id = ?", (broadcast_id,))
        known = {"sent", "skipped", "failed", "uncertain"}
        return BroadcastTally(
            queued=queued[0][0] if queued else 0,
            sent=counts.get("sent", 0),
            skipped=counts.get("skipped", 0),
            failed=tuple(sorted(failed, key=lambda item: (-item[1], item[0]))),
            uncertain=counts.get("uncertain", 0),
            waiting=sum(n for status, n in counts.items() if status not in known),
        )
