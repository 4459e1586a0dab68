"""What every update passes before any journey, in this order: it comes from a person's private chat, that
person is not flooding, and they are loaded with their language (and stopped if they have not consented)."""

from __future__ import annotations

from telegram import Update

from handlers.context import PonteContext
from handlers.flood import hold_back_floods
from handlers.groups import keep_to_private_chats, private_membership
from handlers.people import load_person


async def admit(update: Update, context: PonteContext) -> None:
    """One handler for the three gates: each raises ApplicationHandlerStop to keep an update out. As one
    handler they cost one dispatch per update instead of three (measured on the sign-up benchmark)."""
    await keep_to_private_chats(update, context)
    if private_membership(update):
        return  # nothing to answer, nobody to load: a person blocked or unblocked the bot (people.note_blocking)
    await hold_back_floods(update, context)
    await load_person(update, context)
