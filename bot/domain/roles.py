"""Who may do what: the rule lives here, so that every way in (handler, CLI, later an API) obeys it."""

from __future__ import annotations

import enum


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
    def __init__(self, organisers: frozenset[int], coordinators: frozenset[int] = frozenset()) -> None:
        self._organisers = organisers
        self._coordinators = coordinators

    def role_of(self, telegram_id: int) -> Role:
        if telegram_id in self._organisers:
            return Role.ORGANISER
        return Role.COORDINATOR if telegram_id in self._coordinators else Role.STAKEHOLDER

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
