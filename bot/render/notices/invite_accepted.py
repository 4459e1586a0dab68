"""To an organiser: the person they invited opened the link and joined the team."""

from __future__ import annotations

import html
from datetime import datetime

from bot.domain.roles import Role
from bot.render.buttons import Notice
from bot.render.i18n import Translator
from storage.records import Event, OutboxMessage, Participant


def render(message: OutboxMessage, person: Participant, event: Event | None, t: Translator,
           now: datetime) -> Notice | None:
    data = message.data
    name = data.get("name")
    if name:
        who = html.escape(str(name)) + (f" (@{data['username']})" if data.get("username") else "")
    else:
        who = t._("ID {id}", id=data.get("person"))
    if data.get("role") == Role.ORGANISER.value:
        return Notice(t._("✅ {who} accepted your invitation and is now an organizer. /team shows the whole team.",
                          who=who))
    return Notice(t._("✅ {who} accepted your invitation and is now a coordinator. /team shows the whole team.",
                      who=who))
