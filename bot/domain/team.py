"""The team: organisers and coordinators, the invitations that bring them in, and taking roles back.

The settings (PONTE_ADMINS, PONTE_COORDINATORS) grant roles at every start; an organiser's invitation grants
one for good, until an organiser revokes it or the person deletes their data. Every change is written to the
database and, in the same step, through to :class:`~bot.domain.roles.Roles`, the view asked on every press.
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config.clock import Clock
from bot.domain.audit import AuditAction, note
from bot.domain.notices import NoticeKind
from bot.domain.roles import NotAllowedError, Role, Roles
from storage import Database, Transaction
from storage.records import Participant
from storage.roles import Invite

DEFAULT_INVITE_TTL = timedelta(days=7)
INVITE_PAYLOAD = "r_"  # ?start=r_<token>
_TOKEN_BYTES = 16  # 128 bits: unguessable
TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")  # what secrets.token_urlsafe(16) gives: 22 characters
INVITABLE = (Role.ORGANISER, Role.COORDINATOR)


def token_hash(token: str) -> str:
    """Only this is stored: whoever reads the database cannot open an invitation with it."""
    return hashlib.sha256(token.encode()).hexdigest()


class Opening(enum.Enum):
    GRANTED = "granted"
    ALREADY = "already"  # the person holds this role, or one above it: the invitation stays unused
    OWN = "own"  # the organiser opened their own invitation
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"  # withdrawn, or its maker is no longer an organiser
    UNKNOWN = "unknown"  # forged, mistyped or cut short


@dataclass(frozen=True)
class Opened:
    outcome: Opening
    role: Role | None = None
    invite: Invite | None = None


class Revoking(enum.Enum):
    REVOKED = "revoked"
    GONE = "gone"  # revoked already, or never held: nothing changes
    BY_SETTINGS = "by_settings"  # PONTE_ADMINS or PONTE_COORDINATORS grant it: only the settings can take it
    LAST_ORGANISER = "last_organiser"  # there must always be an organiser


@dataclass(frozen=True)
class Member:
    telegram_id: int
    role: Role
    by_settings: bool
    granted_by: int | None
    granted_at: datetime
    person: Participant | None  # None: has not opened Ponte yet (or deleted their data)


@dataclass(frozen=True)
class TeamView:
    members: list[Member]  # organisers first, then coordinators, each in the order they joined
    invites: list[Invite]  # pending ones, oldest first
    people: dict[int, Participant]  # the members and the invitations' makers who have met the bot


class Team:
    def __init__(self, db: Database, clock: Clock, roles: Roles, wake_outbox: Callable[[], None], *,
                 invite_ttl: timedelta = DEFAULT_INVITE_TTL, home_timezone: str = "Europe/Rome") -> None:
        self._db = db
        self._clock = clock
        self._roles = roles
        self._wake_outbox = wake_outbox
        self.invite_ttl = invite_ttl
        self.home_timezone = home_timezone  # the exchange's zone: times for a reader who has none

    async def start(self) -> None:
        """At every start: the settings' roles into the database, and the database's roles into the view."""
        async with self._db.transaction() as tx:
            await tx.roles.sync_settings(
                ((telegram_id, role.value) for telegram_id, role in self._roles.from_settings), self._clock.now())
            await self._reload(tx)

    async def _reload(self, tx: Transaction) -> None:
        held: dict[int, set[Role]] = defaultdict(set)
        for grant in await tx.roles.grants():
            held[grant.telegram_id].add(Role(grant.role))
        self._roles.load(held)

    async def view(self, organiser_id: int) -> TeamView:
        """Who holds a role, and the invitations not yet used. Organisers only."""
        self._roles.require_organiser(organiser_id)
        async with self._db.serialized() as tx:
            grants = await tx.roles.grants()
            invites = await tx.roles.pending_invites(self._clock.now())
            ids = {g.telegram_id for g in grants} | {g.granted_by for g in grants if g.granted_by} \
                | {i.created_by for i in invites}
            people = {i: p for i in sorted(ids) if (p := await tx.participants.get(i)) is not None}
        order = {Role.ORGANISER: 0, Role.COORDINATOR: 1}
        members = sorted((Member(g.telegram_id, Role(g.role), g.by_settings, g.granted_by, g.granted_at,
                                 people.get(g.telegram_id)) for g in grants),
                         key=lambda m: (order[m.role], m.granted_at, m.telegram_id))
        return TeamView(members, invites, people)

    async def invite(self, organiser_id: int, role: Role) -> tuple[str, Invite]:
        """A new single-use invitation for ``role``: its token (for the link, shown once and never stored)
        and its record. Organisers only."""
        self._roles.require_organiser(organiser_id)
        if role not in INVITABLE:
            raise ValueError(f"no invitation for the role {role}")
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            invite = await tx.roles.add_invite(token_hash(token), role.value, organiser_id, now, now + self.invite_ttl)
            await note(tx, self._clock, organiser_id, AuditAction.INVITE_CREATED,
                       {"invite": invite.id, "role": role.value})
        return token, invite

    async def open_invite(self, telegram_id: int, token: str) -> Opened:
        """A consenting person opened an invitation link: grant its role once, and queue a word to its maker."""
        if not TOKEN.match(token):
            return Opened(Opening.UNKNOWN)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            invite = await tx.roles.invite_by_hash(token_hash(token))
            if invite is None:
                return Opened(Opening.UNKNOWN)
            role = Role(invite.role)
            outcome = self._refusal(invite, telegram_id, role, now)
            if outcome is not None:
                return Opened(outcome, role, invite)
            if not await tx.roles.use_invite(invite.id, telegram_id, now):
                return Opened(Opening.USED, role, invite)
            await tx.roles.grant(telegram_id, role.value, invite.created_by, now)
            await note(tx, self._clock, invite.created_by, AuditAction.ROLE_GRANTED,
                       {"person": telegram_id, "role": role.value, "invite": invite.id})
            person = await tx.participants.get(telegram_id)
            if await tx.participants.get(invite.created_by) is not None:
                await tx.outbox.add(
                    invite.created_by, NoticeKind.INVITE_ACCEPTED, due_at=now, now=now,
                    dedupe_key=f"invite:{invite.id}",
                    payload={"person": telegram_id, "role": role.value,
                             "name": person.display_name if person else None,
                             "username": person.username if person else None})
            await self._reload(tx)
        self._wake_outbox()
        return Opened(Opening.GRANTED, role, invite)

    def _refusal(self, invite: Invite, telegram_id: int, role: Role, now: datetime) -> Opening | None:
        if invite.used_at is not None:
            return Opening.ALREADY if invite.used_by == telegram_id else Opening.USED
        if invite.revoked_at is not None or not self._roles.is_organiser(invite.created_by):
            return Opening.REVOKED
        if invite.expires_at <= now:
            return Opening.EXPIRED
        if invite.created_by == telegram_id:
            return Opening.OWN
        held = self._roles.role_of(telegram_id)
        if held is role or held is Role.ORGANISER:
            return Opening.ALREADY
        return None

    async def revoke(self, organiser_id: int, telegram_id: int, role: Role) -> Revoking:
        """Take back a role an invitation granted. Organisers only; never the last organiser's, never one
        the settings grant; a second time changes nothing."""
        self._roles.require_organiser(organiser_id)
        async with self._db.transaction() as tx:
            grants = await tx.roles.grants()
            grant = next((g for g in grants if g.telegram_id == telegram_id and g.role == role.value), None)
            if grant is None:
                return Revoking.GONE
            if grant.by_settings:
                return Revoking.BY_SETTINGS
            organisers = {g.telegram_id for g in grants if g.role == Role.ORGANISER.value}
            if role is Role.ORGANISER and organisers <= {telegram_id}:
                return Revoking.LAST_ORGANISER
            if not await tx.roles.revoke(telegram_id, role.value):
                return Revoking.GONE
            await note(tx, self._clock, organiser_id, AuditAction.ROLE_REVOKED,
                       {"person": telegram_id, "role": role.value})
            await self._reload(tx)
            if not self._roles.is_organiser(telegram_id):
                # Their invitations were made with a power they no longer have.
                await tx.roles.revoke_invites_by(telegram_id, self._clock.now())
        return Revoking.REVOKED

    async def withdraw_invite(self, organiser_id: int, invite_id: int) -> bool:
        """Withdraw a pending invitation (any organiser may); False when it was used, withdrawn or expired."""
        self._roles.require_organiser(organiser_id)
        async with self._db.transaction() as tx:
            if not await tx.roles.revoke_invite(invite_id, self._clock.now()):
                return False
            await note(tx, self._clock, organiser_id, AuditAction.INVITE_REVOKED, {"invite": invite_id})
        return True

    async def forget(self, tx: Transaction, telegram_id: int) -> None:
        """A person deleting their data (inside that transaction): the roles invitations gave them go; the
        audit keeps what was done and when, with "deleted" where their id stood."""
        had = {g.role for g in await tx.roles.grants() if g.telegram_id == telegram_id and not g.by_settings}
        await tx.roles.forget(telegram_id)
        for role in sorted(had):
            await note(tx, self._clock, telegram_id, AuditAction.ROLE_REVOKED,
                       {"person": telegram_id, "role": role, "reason": "data deleted"})
        await tx.audit.forget(telegram_id)
        await self._reload(tx)


__all__ = ["INVITABLE", "NotAllowedError", "Opened", "Opening", "Revoking", "Team", "TeamView"]
