"""Every button press, parsed once and routed to the journey that declared its action."""

from __future__ import annotations

from telegram import Update

from handlers.context import PonteContext
from handlers.help import stale_button


async def press_button(update: Update, context: PonteContext) -> None:
    """Route a press; anything unparseable (old, forged, truncated) gets a polite word."""
    found = context.routing.press(update.callback_query.data)
    if found is None:
        await stale_button(update, context)
        return
    press, context.action = found
    await press.run(update, context)
