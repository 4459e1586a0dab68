"""The list of who is coming, as a CSV file for organisers."""

from __future__ import annotations

import csv
import io

from bot.render.i18n import Translator
from storage.registrations import RosterEntry


def roster_csv(t: Translator, roster: list[RosterEntry]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([t._("Status"), t._("Waiting list position"), t._("Name"), t._("Telegram id"),
                     t._("Language"), t._("City"), t._("Signed up at (UTC)")])
    for entry in roster:
        status = t._("confirmed") if entry.registration.status == "confirmed" else t._("waiting list")
        writer.writerow([
            status,
            entry.waitlist_position or "",
            entry.participant.display_name or "",
            entry.participant.telegram_id,
            entry.participant.language or "",
            entry.participant.city or "",
            entry.registration.updated_at.strftime("%Y-%m-%d %H:%M:%S"),
        ])
    # The byte-order mark lets spreadsheet programs read accents (Cascina, Agliè) as UTF-8.
    return ("\ufeff" + out.getvalue()).encode()
