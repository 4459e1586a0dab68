"""Logs, one line per event: as text for a person reading a terminal or the journal, or as one JSON object a
line (``PONTE_LOG_FORMAT=json``) for a log collector. What the bot logs names people by Telegram id only."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

LOG_FORMATS = ("text", "json")
# What every LogRecord carries; anything else on a record came through ``extra=`` and is worth showing.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "taskName"}


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The fields a log call added with ``extra={...}`` (an update's id, a person's Telegram id)."""
    return {key: value for key, value in record.__dict__.items() if key not in _STANDARD and not key.startswith("_")}


class TextFormatter(logging.Formatter):
    """``time level logger: message key=value``; a traceback joins the same line, so that one event is one
    line in the journal and a collector never splits it."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        extras = extra_fields(record)
        return line + "".join(f" {key}={value}" for key, value in extras.items())

    def format(self, record: logging.LogRecord) -> str:
        return " | ".join(part for part in super().format(record).splitlines() if part.strip())


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, the extra fields, and the
    exception as text when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in extra_fields(record).items():
            entry.setdefault(key, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # default=str: an extra field of any type is written, never a crash in the middle of logging.
        return json.dumps(entry, ensure_ascii=False, default=str)


def formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure_logging(level: str, log_format: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(log_format))
    logging.basicConfig(level=getattr(logging, level), handlers=[handler])
    # httpx logs every long-poll request at INFO: noise, and it would print the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # aiohttp's access log would print every webhook request, one line each, with the caller's address.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # python-telegram-bot logs whole updates at DEBUG, names and usernames included: logs keep ids only,
    # so its loggers stay at INFO even when Ponte's own run at DEBUG.
    if level == "DEBUG":
        logging.getLogger("telegram").setLevel(logging.INFO)
