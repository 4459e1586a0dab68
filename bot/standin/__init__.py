"""A local stand-in of the Telegram Bot API: the shell, the tests and the benchmarks talk to it.

It answers like Telegram does (including its refusals: over-long text, bad HTML, oversized button data,
editing a message into itself) and records every request so that tests can assert on them."""

from bot.standin.engine import ApiError, Call, FakeTelegram
from bot.standin.limits import SendLimits
from bot.standin.request import StandinRequest

__all__ = ["ApiError", "Call", "FakeTelegram", "SendLimits", "StandinRequest"]
