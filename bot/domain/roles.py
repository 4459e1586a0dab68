"""Who may do what: the rule lives here, so that every way in (handler, CLI, later an API) obeys it."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    ORGANISER = "organiser"  # loads the agenda, sees who is coming
    STAKEHOLDER = "stakeholder"  # everyone else


class NotAllowedError(Exception):
    """The person asked for something their role does not allow."""

    def __init__(self, telegram_id: int, needed: Role) -> None:
        super().__init__(f"{telegram_id} is not an {needed}")
        self.needed = needed


class Roles:
    def __init__(self, organisers: frozenset[int]) -> None:
        self._organisers = organisers

    def role_of(self, telegram_id: int) -> Role:
        return Role.ORGANISER if telegram_id in self._organisers else Role.STAKEHOLDER

    def is_organiser(self, telegram_id: int) -> bool:
        return self.role_of(telegram_id) is Role.ORGANISER

    def require(self, telegram_id: int, role: Role) -> None:
        if self.role_of(telegram_id) is not role:
            raise NotAllowedError(telegram_id, role)

    def require_organiser(self, telegram_id: int) -> None:
        self.require(telegram_id, Role.ORGANISER)
