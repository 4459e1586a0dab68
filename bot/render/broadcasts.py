"""Organisers' broadcasts, as people read them: the message itself, its preview, its progress while it goes
out, and its delivery report."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.text_length import MESSAGE_LIMIT, visible_units
from bot.render.i18n import Translator, translator
from bot.render.timefmt import day_at
from storage.records import Audience, Texts

_TAG = re.compile(r"<[^>]*>")
# Where a reader without a zone of their own reads the moment a broadcast was sent.
_HOME_ZONE = "Europe/Rome"


def message_text(t: Translator, body: str) -> str:
    """A broadcast as its recipient reads it: who it is from, then the organiser's own words (HTML)."""
    return t._("📣 <b>From the organizers of the exchange</b>") + "\n\n" + body


def framed(language: str, body: str) -> str:
    """:func:`message_text` for a reader of ``language`` (the frame bot.domain.broadcasts.send applies)."""
    return message_text(translator(language), body)


def too_long_by(t: Translator, body: str) -> int:
    """How far the broadcast, once formatted for readers of ``t``'s language, is over Telegram's limit (0: fits)."""
    return max(visible_units(message_text(t, body)) - MESSAGE_LIMIT, 0)


def audience_label(t: Translator, audience: Audience, event_title: Texts | None) -> str:
    title = html.escape(event_title.get(t.language)) if event_title else "?"
    labels = {
        Audience.EVERYONE: t._("everyone who has agreed to the privacy notice"),
        Audience.TORINO: t._("the people based in Turin"),
        Audience.BALTIMORE: t._("the people based in Baltimore"),
        Audience.ELSEWHERE: t._("the people based elsewhere"),
        Audience.CONFIRMED: t._("the confirmed participants of {title}", title=title),
        Audience.SIGNED_UP: t._("the confirmed participants and the waiting list of {title}", title=title),
    }
    return labels[audience]


def reach_lines(t: Translator, by_language: dict[str, int], blocked: int) -> list[str]:
    """How many people get each language's version, and how many will not get it (blocked the bot)."""
    lines = [t.n_("🇮🇹 {n} person will get the Italian version.", "🇮🇹 {n} people will get the Italian version.",
                  by_language.get("it", 0)),
             t.n_("🇺🇸 {n} person will get the English version.", "🇺🇸 {n} people will get the English version.",
                  by_language.get("en", 0))]
    if blocked:
        lines.append(t.n_("🚫 {n} more person has blocked the bot and won't get it.",
                          "🚫 {n} more people have blocked the bot and won't get it.", blocked))
    return lines


def time_left(t: Translator, seconds: float) -> str:
    if seconds < 60:
        n = max(round(seconds / 5.0) * 5, 5)
        return t.n_("about {n} second left", "about {n} seconds left", n)
    n = round(seconds / 60.0)
    return t.n_("about {n} minute left", "about {n} minutes left", n)


def progress_text(t: Translator, audience: str, done: int, total: int, seconds_left: float | None) -> str:
    """The one message that follows a broadcast as it goes out."""
    head = t._("📣 Sending to {audience}…", audience=audience)
    count = t.n_("{done} of {n} message sent", "{done} of {n} messages sent", total, done=done)
    if seconds_left is None:
        return f"{head}\n{count}"
    return f"{head}\n{count} · {time_left(t, seconds_left)}"


def finished_text(t: Translator, audience: str, total: int) -> str:
    return t.n_("📣 Sent to {audience}: all {n} person accounted for. The report follows.",
                "📣 Sent to {audience}: all {n} people accounted for. The report follows.", total,
                audience=audience)


@dataclass(frozen=True)
class Figures:
    """A broadcast's delivery report: delivered + blocked + failed + uncertain (+ still going) = total."""

    total: int
    delivered: int
    blocked: int
    failed: Sequence[tuple[str, int]]
    uncertain: int
    waiting: int = 0


def report_lines(t: Translator, figures: Figures) -> list[str]:
    lines = [
        t.n_("✅ Delivered: {n}", "✅ Delivered: {n}", figures.delivered),
        t.n_("🚫 Blocked the bot or left Ponte: {n}", "🚫 Blocked the bot or left Ponte: {n}", figures.blocked),
    ]
    failed = sum(n for _, n in figures.failed)
    lines.append(t.n_("⚠️ Failed: {n}", "⚠️ Failed: {n}", failed))
    lines.extend(t.n_("   · {reason}: {n}", "   · {reason}: {n}", n, reason=html.escape(reason or "?"))
                 for reason, n in figures.failed)
    if figures.uncertain:
        lines.append(t.n_(
            "❔ Uncertain: {n} (in flight when Ponte stopped; perhaps delivered, not sent again)",
            "❔ Uncertain: {n} (in flight when Ponte stopped; perhaps delivered, not sent again)", figures.uncertain))
    if figures.waiting:
        lines.append(t.n_("⏳ Still going out: {n}", "⏳ Still going out: {n}", figures.waiting))
    return lines


def report_text(t: Translator, audience: str, figures: Figures) -> str:
    head = t.n_("📊 <b>Delivery report</b> of your broadcast to {audience} ({n} person):",
                "📊 <b>Delivery report</b> of your broadcast to {audience} ({n} people):", figures.total,
                audience=audience)
    return "\n".join([head, *report_lines(t, figures)])


def past_entry(t: Translator, audience: str, created_at: datetime, reader_tz: str | None, body: str,
               figures: Figures) -> str:
    """One broadcast in /broadcasts: when, to whom, the start of its text, and its report."""
    when = day_at(t, created_at, _HOME_ZONE, reader_tz)
    plain = " ".join(html.unescape(_TAG.sub("", body)).split())
    excerpt = html.escape(plain if len(plain) <= 80 else plain[:79] + "…")
    head = t.n_("<b>{when}</b>, to {audience} ({n} person)", "<b>{when}</b>, to {audience} ({n} people)",
                figures.total, when=when, audience=audience)
    return "\n".join([head, f"<i>{excerpt}</i>", *report_lines(t, figures)])
