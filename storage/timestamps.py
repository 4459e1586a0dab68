"""UTC datetimes <-> the sortable text SQLite stores."""

from __future__ import annotations

from datetime import UTC, datetime

_FORMAT = "%Y-%m-%d %H:%M:%S"


def to_db(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; store aware ones")
    return moment.astimezone(UTC).strftime(_FORMAT)


def from_db(text: str | None) -> datetime | None:
    if text is None:
        return None
    # fromisoformat reads "YYYY-MM-DD HH:MM:SS" too, at a tenth of strptime's cost: rows are read often.
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
