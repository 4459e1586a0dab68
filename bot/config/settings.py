"""Settings: one frozen object built from ``PONTE_*`` environment variables and a ``.env`` file."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.config.clock import ShiftedClock
from bot.config.durations import DurationError, parse_duration

DEFAULT_API_URL = "https://api.telegram.org/bot"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_REMINDERS = (timedelta(hours=24), timedelta(hours=1))
DEFAULT_CHANGE_DELAY = timedelta(minutes=2)
MAX_SEND_RATE = 30  # Telegram's overall limit for free messages, a second
SWITCH = {"on": True, "true": True, "yes": True, "1": True, "off": False, "false": False, "no": False, "0": False}


# A bot's @username as Telegram allows it: 5 to 32 letters, digits or underscores, ending in "bot".
BOT_USERNAME_SHAPE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]$")
# A bot token as @BotFather gives it: the bot's numeric id, a colon, and 35 characters of A-Za-z0-9_-.
TOKEN_SHAPE = re.compile(r"^[0-9]+:[A-Za-z0-9_-]{35}$")


def N_(message: str) -> str:
    """Mark a message for the catalogs; the CLI translates it into the terminal's language."""
    return message


class SettingsError(Exception):
    """A setting is missing or malformed; the message (a catalog msgid, filled in with ``values``) names it and
    says how to fix it."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message.format(**values))
        self.message = message
        self.values = values


@dataclass(frozen=True)
class Settings:
    token: str
    api_url: str = DEFAULT_API_URL
    db_path: Path = Path("ponte.db")
    admins: frozenset[int] = frozenset()
    coordinators: frozenset[int] = frozenset()  # read feedback and pull the report
    timezone: str = "Europe/Rome"
    log_level: str = "INFO"
    # How long before an event its participants are reminded, unless the agenda file says otherwise.
    reminders: tuple[timedelta, ...] = DEFAULT_REMINDERS
    # The quiet period after an event changes: changes within it make one notice with the net change.
    change_delay: timedelta = DEFAULT_CHANGE_DELAY
    send_rate: float = 25.0  # messages a second overall, below Telegram's 30
    paid_broadcasts: bool = False  # broadcasts as Telegram's paid broadcasts: up to 1,000 a second, in Stars
    # The moment the clock starts at instead of now (it runs on from there): to rehearse the exchange's week
    # in the shell before it comes, and for tests that run the bot as a process.
    start_at: datetime | None = None
    # The bot's @username, for the links the command line prints (ponte checkin qr) without asking Telegram;
    # the running bot asks Telegram itself.
    bot_username: str | None = None

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        env_file: str | Path | None = ".env",
        *,
        require_token: bool = True,
    ) -> Settings:
        """Read the settings; the real environment wins over the ``.env`` file."""
        values: dict[str, str] = {}
        if env_file is not None and Path(env_file).is_file():
            values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        values.update(os.environ if environ is None else environ)

        def get(name: str) -> str | None:
            raw = values.get(f"PONTE_{name}")
            return raw.strip() if raw is not None and raw.strip() else None

        token = get("TOKEN")
        if token is None:
            if require_token:
                raise SettingsError(N_(
                    "PONTE_TOKEN is not set: ask @BotFather for a bot token and put it in the environment "
                    "or in .env as PONTE_TOKEN=123456789:AA..."
                ))
            token = "0:local-shell"
        elif not TOKEN_SHAPE.match(token):
            # The token itself is a secret: the message describes its shape and never repeats it.
            raise SettingsError(N_(
                "PONTE_TOKEN does not look like a bot token: @BotFather gives digits, a colon and 35 letters, "
                "digits, - or _ (such as 123456789:AA...). Copy it again, whole."
            ))

        api_url = get("API_URL") or DEFAULT_API_URL
        if not api_url.startswith(("http://", "https://")):
            raise SettingsError(
                N_("PONTE_API_URL must start with http:// or https:// (it is {value}), for example {example}"),
                value=api_url, example=DEFAULT_API_URL,
            )

        admins = _ids(get("ADMINS"), N_(
            "PONTE_ADMINS must be Telegram user ids separated by commas ({value} is not one), "
            "for example PONTE_ADMINS=12345,67890"))
        coordinators = _ids(get("COORDINATORS"), N_(
            "PONTE_COORDINATORS must be Telegram user ids separated by commas ({value} is not one), "
            "for example PONTE_COORDINATORS=12345,67890"))

        timezone = get("TIMEZONE") or "Europe/Rome"
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                N_("PONTE_TIMEZONE is not a known IANA time zone (it is {value}), for example Europe/Rome"),
                value=timezone,
            ) from None

        log_level = (get("LOG_LEVEL") or "INFO").upper()
        if log_level not in LOG_LEVELS:
            raise SettingsError(N_("PONTE_LOG_LEVEL must be one of {choices} (it is {value})"),
                                choices=", ".join(LOG_LEVELS), value=log_level)

        reminders = _reminders(get("REMINDERS"))
        change_delay = DEFAULT_CHANGE_DELAY
        if get("CHANGE_DELAY") is not None:
            try:
                change_delay = parse_duration(get("CHANGE_DELAY"))
            except DurationError:
                raise SettingsError(
                    N_("PONTE_CHANGE_DELAY must be a duration such as 90s, 2m or 1h (it is {value})"),
                    value=get("CHANGE_DELAY"),
                ) from None

        raw_rate = get("SEND_RATE") or "25"
        try:
            send_rate = float(raw_rate)
        except ValueError:
            send_rate = 0.0
        if not 0 < send_rate <= MAX_SEND_RATE:
            raise SettingsError(
                N_("PONTE_SEND_RATE must be how many messages the bot may send a second, more than 0 and at most "
                   "{limit} (Telegram's limit); it is {value}. For example PONTE_SEND_RATE=25"),
                limit=MAX_SEND_RATE, value=raw_rate,
            )

        raw_paid = (get("PAID_BROADCASTS") or "off").lower()
        if raw_paid not in SWITCH:
            raise SettingsError(
                N_("PONTE_PAID_BROADCASTS must be on or off (it is {value}); on sends broadcasts as Telegram's "
                   "paid broadcasts, up to 1,000 messages a second, charged in Stars"),
                value=raw_paid,
            )

        start_at = None
        if get("NOW") is not None:
            try:
                start_at = datetime.fromisoformat(get("NOW"))
            except ValueError:
                start_at = None
            if start_at is None or start_at.tzinfo is None:
                raise SettingsError(
                    N_("PONTE_NOW must be a date and time with its offset, such as 2027-01-18T08:30:00+01:00 "
                       "(it is {value})"), value=get("NOW"))

        bot_username = get("BOT_USERNAME")
        if bot_username is not None:
            bot_username = bot_username.removeprefix("@")
            if not BOT_USERNAME_SHAPE.match(bot_username):
                raise SettingsError(
                    N_("PONTE_BOT_USERNAME must be the bot's username as @BotFather gave it, 5 to 32 letters, "
                       "digits or _ ending in bot (it is {value}), for example PONTE_BOT_USERNAME=ponte_bot"),
                    value=bot_username)

        return cls(
            token=token,
            api_url=api_url,
            db_path=Path(get("DB") or "ponte.db"),
            admins=admins,
            coordinators=coordinators,
            timezone=timezone,
            log_level=log_level,
            reminders=reminders,
            change_delay=change_delay,
            send_rate=send_rate,
            paid_broadcasts=SWITCH[raw_paid],
            start_at=start_at,
            bot_username=bot_username,
        )

    def clock(self) -> ShiftedClock:
        """The clock the bot runs on: the real time, or the real time moved to start at ``PONTE_NOW``."""
        clock = ShiftedClock()
        if self.start_at is not None:
            clock.shift(self.start_at - clock.now())
        return clock

    def configure_logging(self) -> None:
        logging.basicConfig(
            level=getattr(logging, self.log_level),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        # httpx logs every long-poll request at INFO: noise, and it would print the token.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        # python-telegram-bot logs whole updates at DEBUG, names and usernames included: logs keep ids only,
        # so its loggers stay at INFO even when Ponte's own run at DEBUG.
        if self.log_level == "DEBUG":
            logging.getLogger("telegram").setLevel(logging.INFO)


def _ids(raw: str | None, problem: str) -> frozenset[int]:
    """Telegram user ids separated by commas; ``problem`` (a msgid with ``{value}``) names a bad one."""
    ids: set[int] = set()
    for part in (raw or "").split(","):
        if part.strip():
            if not part.strip().isdigit():
                raise SettingsError(problem, value=part.strip())
            ids.add(int(part))
    return frozenset(ids)


def _reminders(raw: str | None) -> tuple[timedelta, ...]:
    """``PONTE_REMINDERS=24h,1h``; ``none`` for no reminders at all; unset for the default."""
    if raw is None:
        return DEFAULT_REMINDERS
    if raw.lower() == "none":
        return ()
    offsets = []
    for part in raw.split(","):
        try:
            offset = parse_duration(part)
        except DurationError:
            raise SettingsError(
                N_("PONTE_REMINDERS must be durations before the event separated by commas, such as 24h,1h "
                   "(or none); {value} is not one"),
                value=part.strip() or "(empty)",
            ) from None
        if not offset:
            raise SettingsError(N_("PONTE_REMINDERS: a reminder 0 minutes before the event comes too late; "
                                   "write durations such as 24h,1h"))
        offsets.append(offset)
    return tuple(sorted(set(offsets), reverse=True))
