"""Roles held by people (granted by the settings or by an invitation) and the invitations that grant them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.timestamps import from_db, to_db


@dataclass(frozen=True)
class RoleGrant:
    telegram_id: int
    role: str
    by_settings: bool
    granted_by: int | None  # the organiser whose invitation granted it, if one did
    granted_at: datetime


@dataclass(frozen=True)
class Invite:
    id: int
    role: str
    created_by: int
    created_at: datetime
    expires_at: datetime
    used_by: int | None
    used_at: datetime | None
    revoked_at: datetime | None


def _grant(row: aiosqlite.Row) -> RoleGrant:
    return RoleGrant(row["telegram_id"], row["role"], bool(row["by_settings"]), row["granted_by"],
                     from_db(row["granted_at"]))


def _invite(row: aiosqlite.Row) -> Invite:
    return Invite(row["id"], row["role"], row["created_by"], from_db(row["created_at"]), from_db(row["expires_at"]),
                  row["used_by"], from_db(row["used_at"]), from_db(row["revoked_at"]))


class RoleRepository:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def grants(self) -> list[RoleGrant]:
        rows = await self._db.execute_fetchall("SELECT * FROM role_grant ORDER BY granted_at, telegram_id")
        return [_grant(row) for row in rows]

    async def sync_settings(self, wanted: Iterable[tuple[int, str]], now: datetime) -> None:
        """Make the settings' grants exactly ``wanted``: new ones start now, and a role the settings no
        longer grant goes, unless an invitation granted it too."""
        wanted = set(wanted)
        for telegram_id, role in wanted:
            await self._db.execute(
                "INSERT INTO role_grant (telegram_id, role, by_settings, granted_at) VALUES (?, ?, 1, ?) "
                "ON CONFLICT (telegram_id, role) DO UPDATE SET by_settings = 1",
                (telegram_id, role, to_db(now)))
        for grant in await self.grants():
            if grant.by_settings and (grant.telegram_id, grant.role) not in wanted:
                if grant.granted_by is None:
                    await self._db.execute("DELETE FROM role_grant WHERE telegram_id = ? AND role = ?",
                                           (grant.telegram_id, grant.role))
                else:
                    await self._db.execute("UPDATE role_grant SET by_settings = 0 WHERE telegram_id = ? AND role = ?",
                                           (grant.telegram_id, grant.role))

    async def grant(self, telegram_id: int, role: str, granted_by: int, now: datetime) -> bool:
        """Grant a role by invitation; False when the person held it already."""
        cursor = await self._db.execute(
            "INSERT INTO role_grant (telegram_id, role, granted_by, granted_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (telegram_id, role) DO NOTHING", (telegram_id, role, granted_by, to_db(now)))
        return cursor.rowcount == 1

    async def revoke(self, telegram_id: int, role: str) -> bool:
        """Take back a role an invitation granted; False when there was none to take (or the settings grant it)."""
        cursor = await self._db.execute(
            "DELETE FROM role_grant WHERE telegram_id = ? AND role = ? AND by_settings = 0", (telegram_id, role))
        return cursor.rowcount == 1

    async def add_invite(self, token_hash: str, role: str, created_by: int, now: datetime,
                         expires_at: datetime) -> Invite:
        cursor = await self._db.execute(
            "INSERT INTO invite (token_hash, role, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            (token_hash, role, created_by, to_db(now), to_db(expires_at)))
        return await self.invite(int(cursor.lastrowid))

    async def invite(self, invite_id: int) -> Invite | None:
        rows = await self._db.execute_fetchall("SELECT * FROM invite WHERE id = ?", (invite_id,))
        return _invite(rows[0]) if rows else None

    async def invite_by_hash(self, token_hash: str) -> Invite | None:
        rows = await self._db.execute_fetchall("SELECT * FROM invite WHERE token_hash = ?", (token_hash,))
        return _invite(rows[0]) if rows else None

    async def pending_invites(self, now: datetime) -> list[Invite]:
        rows = await self._db.execute_fetchall(
            "SELECT * FROM invite WHERE used_at IS NULL AND revoked_at IS NULL AND expires_at > ? ORDER BY id",
            (to_db(now),))
        return [_invite(row) for row in rows]

    async def use_invite(self, invite_id: int, telegram_id: int, now: datetime) -> bool:
        """Spend an invitation, once: False when it was used, revoked or had expired meanwhile."""
        cursor = await self._db.execute(
            "UPDATE invite SET used_by = ?, used_at = ? "
            "WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
            (telegram_id, to_db(now), invite_id, to_db(now)))
        return cursor.rowcount == 1

    async def revoke_invite(self, invite_id: int, now: datetime) -> bool:
        """Withdraw a pending invitation; False when it was used, withdrawn or expired already."""
        cursor = await self._db.execute(
            "UPDATE invite SET revoked_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL "
            "AND expires_at > ?", (to_db(now), invite_id, to_db(now)))
        return cursor.rowcount == 1

    async def revoke_invites_by(self, created_by: int, now: datetime) -> int:
        """Withdraw every pending invitation someone made (they are no longer an organiser)."""
        cursor = await self._db.execute(
            "UPDATE invite SET revoked_at = ? WHERE created_by = ? AND used_at IS NULL AND revoked_at IS NULL",
            (to_db(now), created_by))
        return cursor.rowcount

    async def forget(self, telegram_id: int) -> None:
        """A person who deletes their data: the roles invitations gave them go, with the invitations they made
        or used; in the roles they granted others, the inviter becomes unknown. The notices telling them who
        accepted their invitations, and telling others that they accepted, go too."""
        # A role the settings grant goes from the table too (nothing of the person stays behind); the settings
        # still name them, so they keep it, and the next start writes the row again.
        await self._db.execute("DELETE FROM role_grant WHERE telegram_id = ?", (telegram_id,))
        await self._db.execute("UPDATE role_grant SET granted_by = NULL WHERE granted_by = ?", (telegram_id,))
        await self._db.execute("DELETE FROM invite WHERE created_by = ? OR used_by = ?", (telegram_id, telegram_id))
        await self._db.execute(
            "DELETE FROM outbox WHERE kind = 'invite_accepted' AND (recipient_id = ? "
            "OR json_extract(payload, '$.person') = ?)", (telegram_id, telegram_id))
