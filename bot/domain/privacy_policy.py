"""What the privacy notice says about who answers for the data and how long it is kept (from the settings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PrivacyPolicy:
    controller: str | None  # None outside `ponte run` (the shell, the tests): the notice says it is not set
    contact: str | None
    retention_days: int
