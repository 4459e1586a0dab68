"""Settings: one frozen object built from ``PONTE_*`` environment variables and a ``.env`` file."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.config.clock import ShiftedClock
from bot.config.durations import DurationError, parse_duration
from bot.config.logs import LOG_FORMATS, configure_logging

DEFAULT_API_URL = "https://api.telegram.org/bot"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_REMINDERS = (timedelta(hours=24), timedelta(hours=1))
DEFAULT_CHANGE_DELAY = timedelta(minutes=2)
DEFAULT_INVITE_TTL = timedelta(days=7)
DEFAULT_FEEDBACK_DELAY = timedelta(hours=1)
DEFAULT_FEEDBACK_REMINDER = timedelta(days=2)
MAX_SEND_RATE = 30  # Telegram's overall limit for free messages, a second
DEFAULT_RETENTION_DAYS = 365
SWITCH = {"on": True, "true": True, "yes": True, "1": True, "off": False, "false": False, "no": False, "0": False}


# A bot's @username as Telegram allows it: 5 to 32 letters, digits or underscores, ending in "bot".
BOT_USERNAME_SHAPE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]$")
# A bot token as @BotFather gives it: the bot's numeric id, a colon, and 35 characters of A-Za-z0-9_-.
TOKEN_SHAPE = re.compile(r"^[0-9]+:[A-Za-z0-9_-]{35}$")
# Telegram takes 1 to 256 of these for the secret of a webhook; fewer than 16 would be guessable.
WEBHOOK_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
# Behind a reverse proxy on the same machine, the usual case: nothing else on the network reaches it.
DEFAULT_WEBHOOK_LISTEN = "127.0.0.1"
DEFAULT_WEBHOOK_PORT = 8080


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
    # How long an invitation to the team (an organiser's or a coordinator's link) stays valid.
    invite_ttl: timedelta = DEFAULT_INVITE_TTL
    # How long after an event ends its participants are asked for feedback (an event's own delay wins), and
    # how long after that request the people who have not finished are reminded, once.
    feedback_delay: timedelta = DEFAULT_FEEDBACK_DELAY
    feedback_reminder: timedelta = DEFAULT_FEEDBACK_REMINDER
    send_rate: float = 25.0  # messages a second overall, below Telegram's 30
    paid_broadcasts: bool = False  # broadcasts as Telegram's paid broadcasts: up to 1,000 a second, in Stars
    # The moment the clock starts at instead of now (it runs on from there): to rehearse the exchange's week
    # in the shell before it comes, and for tests that run the bot as a process.
    start_at: datetime | None = None
    log_format: str = "text"  # or json, one object a line, for log collectors
    # Webhook mode (`ponte run --webhook URL`): Telegram's secret header, and where the bot listens.
    webhook_secret: str | None = None
    webhook_listen: str = DEFAULT_WEBHOOK_LISTEN
    webhook_port: int = DEFAULT_WEBHOOK_PORT
    # The bot's @username, for the links the command line prints (ponte checkin qr) without asking Telegram;
    # the running bot asks Telegram itself.
    bot_username: str | None = None
    # Who answers for the personal data Ponte keeps, and how to reach them: named in the privacy notice.
    # Required by `ponte run`; the shell and the tests run without them (the notice then says so).
    controller: str | None = None
    privacy_contact: str | None = None
    # A person's data is deleted this many days after their last event ended (or their last activity).
    retention_days: int = DEFAULT_RETENTION_DAYS

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        env_file: str | Path | None = ".env",
        *,
        require_token: bool = True,
        require_privacy: bool = False,
    ) -> Settings:
        """Read the settings; the real environment wins over the ``.env`` file. ``require_privacy`` (for
        ``ponte run``) insists on the data controller and the privacy contact that the notice names."""
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
        change_delay = _duration(get("CHANGE_DELAY"), DEFAULT_CHANGE_DELAY, N_(
            "PONTE_CHANGE_DELAY must be a duration such as 90s, 2m or 1h (it is {value})"))
        invite_ttl = _duration(get("INVITE_TTL"), DEFAULT_INVITE_TTL, N_(
            "PONTE_INVITE_TTL must be how long an invitation link stays valid, a duration such as 7d, 48h or 30m "
            "(it is {value})"), zero=False)
        feedback_delay = _duration(get("FEEDBACK_DELAY"), DEFAULT_FEEDBACK_DELAY, N_(
            "PONTE_FEEDBACK_DELAY must be how long after an event ends people are asked for feedback, a "
            "duration such as 30m, 1h or 1d (it is {value})"))
        feedback_reminder = _duration(get("FEEDBACK_REMINDER"), DEFAULT_FEEDBACK_REMINDER, N_(
            "PONTE_FEEDBACK_REMINDER must be how long after the feedback request people who have not finished "
            "are reminded, a duration such as 2d or 36h, more than 0 (it is {value})"), zero=False)

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

        log_format = (get("LOG_FORMAT") or "text").lower()
        if log_format not in LOG_FORMATS:
            raise SettingsError(N_("PONTE_LOG_FORMAT must be text or json (it is {value})"), value=log_format)
        webhook_secret, webhook_listen, webhook_port = _webhook(get)
        bot_username = get("BOT_USERNAME")
        if bot_username is not None:
            bot_username = bot_username.removeprefix("@")
            if not BOT_USERNAME_SHAPE.match(bot_username):
                raise SettingsError(
                    N_("PONTE_BOT_USERNAME must be the bot's username as @BotFather gave it, 5 to 32 letters, "
                       "digits or _ ending in bot (it is {value}), for example PONTE_BOT_USERNAME=ponte_bot"),
                    value=bot_username)
        controller, privacy_contact = get("CONTROLLER"), get("PRIVACY_CONTACT")
        if require_privacy and controller is None:
            raise SettingsError(N_(
                "PONTE_CONTROLLER is not set: the privacy notice must name who is responsible for people's data, "
                "for example PONTE_CONTROLLER=\"City of Turin, Piazza Palazzo di Città 1\""))
        if require_privacy and privacy_contact is None:
            raise SettingsError(N_(
                "PONTE_PRIVACY_CONTACT is not set: the privacy notice must say how people reach whoever is "
                "responsible for their data, for example PONTE_PRIVACY_CONTACT=privacy@example.org"))

        raw_retention = get("RETENTION_DAYS") or str(DEFAULT_RETENTION_DAYS)
        if not (raw_retention.isascii() and raw_retention.isdigit()) or int(raw_retention) < 1:
            raise SettingsError(
                N_("PONTE_RETENTION_DAYS must be a whole number of days, at least 1 (it is {value}); a person's "
                   "data is deleted that many days after their last event. For example PONTE_RETENTION_DAYS=365"),
                value=raw_retention)

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
            invite_ttl=invite_ttl,
            feedback_delay=feedback_delay,
            feedback_reminder=feedback_reminder,
            send_rate=send_rate,
            paid_broadcasts=SWITCH[raw_paid],
            start_at=start_at,
            log_format=log_format,
            webhook_secret=webhook_secret,
            webhook_listen=webhook_listen,
            webhook_port=webhook_port,
            bot_username=bot_username,
            controller=controller,
            privacy_contact=privacy_contact,
            retention_days=int(raw_retention),
        )

    def webhook(self, url: str) -> Webhook:
        """What webhook mode needs, for the public ``url`` Telegram is to post updates to."""
        if self.webhook_secret is None:
            raise SettingsError(N_(
                "PONTE_WEBHOOK_SECRET is not set: webhook mode needs it, so that only Telegram can post updates. "
                "Make one with: openssl rand -hex 32"))
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname or parts.fragment:
            raise SettingsError(N_("--webhook must be the bot's public address starting with https:// (Telegram "
                                   "posts only there), such as https://ponte.example.org/telegram (it is {value})"),
                                value=url)
        return Webhook(url=url, path=parts.path or "/", secret=self.webhook_secret, listen=self.webhook_listen,
                       port=self.webhook_port)

    def clock(self) -> ShiftedClock:
        """The clock the bot runs on: the real time, or the real time moved to start at ``PONTE_NOW``."""
        clock = ShiftedClock()
        if self.start_at is not None:
            clock.shift(self.start_at - clock.now())
        return clock

    def configure_logging(self) -> None:
        configure_logging(self.log_level, self.log_format)


@dataclass(frozen=True)
class Webhook:
    url: str  # where Telegram posts, through the reverse proxy
    path: str  # the path the bot answers on, the URL's own (the proxy passes it unchanged)
    secret: str
    listen: str
    port: int


def _webhook(get: Callable[[str], str | None]) -> tuple[str | None, str, int]:
    secret = get("WEBHOOK_SECRET")
    if secret is not None and not WEBHOOK_SECRET_SHAPE.match(secret):
        # The secret is not repeated: it describes the shape only.
        raise SettingsError(N_(
            "PONTE_WEBHOOK_SECRET must be 16 to 256 letters, digits, - or _ (Telegram's rule, and long enough "
            "not to be guessed). Make one with: openssl rand -hex 32"))
    listen = get("WEBHOOK_LISTEN") or DEFAULT_WEBHOOK_LISTEN
    try:
        ipaddress.ip_address(listen)
    except ValueError:
        raise SettingsError(N_("PONTE_WEBHOOK_LISTEN must be an IP address to listen on, such as 127.0.0.1 (behind "
                               "a reverse proxy on this machine) or 0.0.0.0 (in a container); it is {value}"),
                            value=listen) from None
    raw_port = get("WEBHOOK_PORT") or str(DEFAULT_WEBHOOK_PORT)
    if not raw_port.isdigit() or not 1 <= int(raw_port) <= 65535:
        raise SettingsError(N_("PONTE_WEBHOOK_PORT must be a port number from 1 to 65535 (it is {value}), "
                               "for example 8080"), value=raw_port)
    return secret, listen, int(raw_port)


def _ids(raw: str | None, problem: str) -> frozenset[int]:
    """Telegram user ids separated by commas; ``problem`` (a msgid with ``{value}``) names a bad one."""
    ids: set[int] = set()
    for part in (raw or "").split(","):
        if part.strip():
            if not part.strip().isdigit():
                raise SettingsError(problem, value=part.strip())
            ids.add(int(part))
    return frozenset(ids)


def _duration(raw: str | None, default: timedelta, problem: str, *, zero: bool = True) -> timedelta:
    """One duration setting (``2d``); unset, its default."""
    if raw is None:
        return default
    try:
        duration = parse_duration(raw)
    except DurationError:
        raise SettingsError(problem, value=raw) from None
    if not zero and not duration:
        raise SettingsError(problem, value=raw)
    return duration


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
