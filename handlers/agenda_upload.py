"""Organisers send the agenda file to the bot: it is checked, what it would change is shown, and it is
applied only when they confirm."""

from __future__ import annotations

import html

from telegram import Update
from telegram.error import TelegramError

from bot.domain.agenda import DraftGone, ImportReport
from bot.domain.agenda_file import AgendaFileError
from bot.domain.roles import NotAllowedError
from bot.domain.text_length import MESSAGE_LIMIT
from bot.render import callback_data
from bot.render.buttons import Button
from bot.render.i18n import Translator
from handlers.common import reply, toast
from handlers.context import PonteContext
from handlers.journeys import Contribution, Press

MAX_BYTES = 256 * 1024  # an agenda of a few hundred events; anything bigger is not an agenda file
PROBLEMS_SHOWN = 25


async def receive_document(update: Update, context: PonteContext) -> None:
    """A file in the chat: from an organiser, an agenda to check; from anybody else, a polite word."""
    t = context.t
    person = update.effective_user.id
    document = update.effective_message.document
    if not context.services.roles.is_organiser(person):
        await reply(update, context, t._("Thanks, but I only read agenda files from the organizers. To see the "
                                         "agenda, use /agenda."))
        return
    if document.file_size and document.file_size > MAX_BYTES:
        await _too_big(update, context, document.file_size)
        return
    try:
        telegram_file = await context.bot.get_file(document.file_id)
        content = bytes(await telegram_file.download_as_bytearray())
    except TelegramError:
        await reply(update, context, t._("I couldn't download that file from Telegram. Please send it again."))
        return
    if len(content) > MAX_BYTES:
        await _too_big(update, context, len(content))
        return
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        await reply(update, context, t._("This file isn't an agenda: it's not UTF-8 text. Send the agenda as a "
                                         ".toml file, the same one <code>ponte agenda import</code> reads."))
        return
    try:
        draft_id, report = await context.services.agenda.preview_file(person, text)
    except NotAllowedError:
        await reply(update, context, t._("Thanks, but I only read agenda files from the organizers. To see the "
                                         "agenda, use /agenda."))
        return
    except AgendaFileError as error:
        await reply(update, context, _problems(t, error, document.file_name or "agenda.toml"))
        return
    await reply(update, context, _preview(t, report), [[
        Button(t._("✅ Apply it"), callback_data.build("agenda-apply", draft_id)),
        Button(t._("✖️ Drop it"), callback_data.build("agenda-drop", draft_id)),
    ]])


async def _too_big(update: Update, context: PonteContext, size: int) -> None:
    await reply(update, context, context.t._(
        "This file is too big for an agenda ({size} KB; at most {limit} KB). Send the .toml file of the "
        "agenda.", size=round(size / 1024), limit=MAX_BYTES // 1024))


def _problems(t: Translator, error: AgendaFileError, name: str) -> str:
    """Each mistake with its line and field, in the organiser's language, within one message."""
    name = html.escape(name)
    if error.syntax:
        problem = error.problems[0]
        return t._("<b>{name}</b> isn't a valid TOML file, so nothing was changed. Line {line}: {problem}",
                   name=name, line=problem.line or "?", problem=html.escape(t._(problem.message, **problem.values)))
    lines = [t.n_("<b>{name}</b>: {n} mistake, nothing was changed:",
                  "<b>{name}</b>: {n} mistakes, nothing was changed:", len(error.problems), name=name)]
    for problem in error.problems[:PROBLEMS_SHOWN]:
        lines.append(html.escape(t._("line {line}, {field}: {problem}", line=problem.line or "?",
                                     field=problem.field or "-", problem=t._(problem.message, **problem.values))))
    hidden = len(error.problems) - PROBLEMS_SHOWN
    if hidden > 0:
        lines.append(t.n_("…and {n} more.", "…and {n} more.", hidden))
    text = "\n".join(lines)
    while len(text) > MESSAGE_LIMIT:
        lines = [*lines[:-2], t._("…and more: fix these first.")]
        text = "\n".join(lines)
    return text


def _slugs(slugs: list[str]) -> str:
    shown = ", ".join(slugs[:20]) + (", …" if len(slugs) > 20 else "")
    return html.escape(shown)


def _summary(t: Translator, report: ImportReport) -> list[str]:
    lines = []
    cancelled = set(report.cancelled)
    changed = [slug for slug in report.changed if slug not in cancelled]
    if report.added:
        lines.append(t.n_("➕ {n} event added: {slugs}", "➕ {n} events added: {slugs}", len(report.added),
                          slugs=_slugs(report.added)))
    if changed:
        lines.append(t.n_("✏️ {n} event changed: {slugs}", "✏️ {n} events changed: {slugs}", len(changed),
                          slugs=_slugs(changed)))
    if report.cancelled:
        lines.append(t.n_("❌ {n} event canceled: {slugs}", "❌ {n} events canceled: {slugs}",
                          len(report.cancelled), slugs=_slugs(report.cancelled)))
    for slug, count in list(report.notified.items())[:20]:
        lines.append(t.n_("🔔 {slug}: {n} person signed up or waiting will be told",
                          "🔔 {slug}: {n} people signed up or waiting will be told", count, slug=html.escape(slug)))
    if report.not_in_file:
        lines.append(t.n_("{n} event is on the agenda but not in the file: it stays as it is.",
                          "{n} events are on the agenda but not in the file: they stay as they are.",
                          len(report.not_in_file)))
    return lines


def _preview(t: Translator, report: ImportReport) -> str:
    if not (report.added or report.changed):
        return "\n".join([t._("📄 The file is valid, and it matches the agenda: applying it would change "
                              "nothing."), *_summary(t, report)])
    return "\n".join([t._("📄 <b>The file is valid.</b> If you apply it:"), *_summary(t, report),
                      "", t._("Nothing changes until you press Apply.")])


def _draft_id(context: PonteContext) -> int:
    return context.action.number(0, default=-1)


async def _not_yours(update: Update, context: PonteContext) -> None:
    await toast(update, context, context.t._("Only the organizers can change the agenda."), alert=True)


async def _settled_already(update: Update, context: PonteContext) -> None:
    await toast(update, context, context.t._("This file was already applied or dropped: nothing more to do."),
                alert=True)


async def apply_draft(update: Update, context: PonteContext) -> None:
    """Apply: once, however many times it is pressed."""
    t = context.t
    try:
        report = await context.services.agenda.apply_draft(update.effective_user.id, _draft_id(context))
    except NotAllowedError:
        await _not_yours(update, context)
        return
    except DraftGone:
        await _settled_already(update, context)
        return
    lines = [t._("✅ <b>The agenda is updated.</b>"), *_summary(t, report)]
    if report.notified:
        lines.append(t._("The people concerned will be told once the file has been left as it is for a moment "
                         "(in case you change your mind)."))
    await reply(update, context, "\n".join(lines), notice=t._("Applied."))


async def drop_draft(update: Update, context: PonteContext) -> None:
    t = context.t
    try:
        dropped = await context.services.agenda.drop_draft(update.effective_user.id, _draft_id(context))
    except NotAllowedError:
        await _not_yours(update, context)
        return
    if not dropped:
        await _settled_already(update, context)
        return
    await reply(update, context, t._("✖️ Dropped: the agenda is as it was."))


JOURNEYS = Contribution(
    presses=(
        Press("agenda-apply", apply_draft, (1, 1)),  # agenda-apply:<draft id>
        Press("agenda-drop", drop_draft, (1, 1)),
    ),
)
