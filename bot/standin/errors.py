"""A refusal of the stand-in, answered as Telegram answers it."""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
