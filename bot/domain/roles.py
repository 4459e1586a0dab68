"""Who may do what: the rule lives here, so that every way in (handler, CLI, later an API) obeys it."""

from __future__ import annotations


class NotAllowedError(Exception):
    """The person asked for something their role does not allow."""


class Roles:
    def __init__(self, organisers: frozenset[int]) -> None:
        self._organisers = organisers

    def is_organiser(self, telegram_id: int) -> bool:
        return telegram_id in self._organisers

    def require_organiser(self, telegram_id: int) -> None:
        if not self.is_organiser(telegram_id):
            raise NotAllowedError(f"{telegram_id} is not an organiser")
