"""To the organiser who sent a broadcast: what became of it."""

from __future__ import annotations

import json
from datetime import datetime

from bot.render.broadcasts import Figures, audience_label, report_text
from bot.render.buttons import Notice
from bot.render.i18n import Translator
from storage.records import Audience, Event, OutboxMessage, Participant, Texts


def render(message: OutboxMessage, person: Participant, event: Event | None, t: Translator,
           now: datetime) -> Notice | None:
    report = json.loads(message.payload)
    title = Texts(report["event_it"], report["event_en"]) if report.get("event_it") is not None else None
    figures = Figures(total=report["total"], delivered=report["delivered"], blocked=report["blocked"],
                      failed=[(reason, n) for reason, n in report["failed"]], uncertain=report["uncertain"])
    return Notice(report_text(t, audience_label(t, Audience(report["audience"]), title), figures))
