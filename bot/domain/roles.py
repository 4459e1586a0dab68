"""Who may do what: the rule lives here, so that every way in (handler, CLI, later an API) obeys it."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping


class Role(enum.StrEnum):
    ORGANISER = "organiser"  # loads the agenda, sees who is coming
    COORDINATOR = "coordinator"  # pulls the feedback summaries and the report on collaborative services
    STAKEHOLDER = "stakeholder"  # everyone else


class NotAllowedError(Exception):
    """The person asked for something their role does not allow."""

    def __init__(self, telegram_id: int, needed: Role) -> None:
        super().__init__(f"{telegram_id} is not an {needed}")
        self.needed = needed


class Roles:
    """Who holds which role, asked on every press: an in-memory view, synchronous and cheap. The settings'
    roles are known from the start; bot.domain.team loads the database's (invitations) at start-up and writes
    every grant and revocation through (one bot process per database file, as docs/architecture.md says)."""

    def __init__(self, organisers: frozenset[int], coordinators: frozenset[int] = frozenset()) -> None:
        self._organisers = organisers
        self._coordinators = coordinators
        self._granted: dict[int, frozenset[Role]] = {}

    @property
    def from_settings(self) -> list[tuple[int, Role]]:
        """The roles PONTE_ADMINS and PONTE_COORDINATORS grant."""
        return [*((i, Role.ORGANISER) for i in sorted(self._organisers)),
                *((i, Role.COORDINATOR) for i in sorted(self._coordinators))]

    def load(self, held: Mapping[int, Iterable[Role]]) -> None:
        """The roles the database holds, replacing the view's: called at start-up and after every change."""
        self._granted = {telegram_id: frozenset(roles) for telegram_id, roles in held.items() if roles}

    def holders(self) -> set[int]:
        """Everyone with a role (and so a menu of their own)."""
        return set(self._organisers) | set(self._coordinators) | set(self._granted)

    def role_of(self, telegram_id: int) -> Role:
        granted = self._granted.get(telegram_id, ())
        if telegram_id in self._organisers or Role.ORGANISER in granted:
            return Role.ORGANISER
        if telegram_id in self._coordinators or Role.COORDINATOR in granted:
            return Role.COORDINATOR
        return Role.STAKEHOLDER

    def is_organiser(self, telegram_id: int) -> bool:
        return self.role_of(telegram_id) is Role.ORGANISER

    def may_read_feedback(self, telegram_id: int) -> bool:
        # Organisers run the programme, so they read what its visits taught as coordinators do.
        return self.role_of(telegram_id) in (Role.ORGANISER, Role.COORDINATOR)

    def require(self, telegram_id: int, role: Role) -> None:
        if self.role_of(telegram_id) is not role:
            raise NotAllowedError(telegram_id, role)

    def require_organiser(self, telegram_id: int) -> None:
        self.require(telegram_id, Role.ORGANISER)

    def require_coordinator(self, telegram_id: int) -> None:
        """Feedback summaries and exports: a coordinator's, or an organiser's."""
        if not self.may_read_feedback(telegram_id):
            raise NotAllowedError(telegram_id, Role.COORDINATOR)
