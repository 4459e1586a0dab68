"""/report, for coordinators and organisers: what people said after the events, for all events
together or one, and the files (spreadsheet, report document) to write the report on collaborative services."""

from __future__ import annotations

import html
import io

from telegram import InputFile, Update

from bot.domain.reports import ExportFormat, UnknownEventError
from bot.domain.roles import NotAllowedError
from bot.render.i18n import N_
from bot.render.report_document import write_document
from bot.render.report_sheet import write_xlsx
from bot.render.report_text import report_menu, report_view
from handlers.common import reply, toast
from handlers.context import PonteContext
from handlers.journeys import Command, Contribution, Press


def _refusal(context: PonteContext) -> str:
    return context.t._("Sorry, only the coordinators of the exchange can read the feedback report.")


async def _refuse(update: Update, context: PonteContext) -> None:
    """A stakeholder who typed the command, or pressed a forged button, gets a polite no."""
    if update.callback_query is not None:
        await toast(update, context, _refusal(context), alert=True)
        return
    await reply(update, context, _refusal(context))


async def report(update: Update, context: PonteContext) -> None:
    """/report: all events together, and each event after which people were asked, as buttons;
    /report <event> goes straight to one."""
    slug = (context.args[0].lower() if context.args else "")[:40]
    if slug:
        await _show(update, context, slug, 0)
        return
    await _menu(update, context, 0)


async def report_events(update: Update, context: PonteContext) -> None:
    """A page of the events' buttons, or the way back to them."""
    await _menu(update, context, context.action.number(0))


async def report_all(update: Update, context: PonteContext) -> None:
    """The whole programme's figures (a page of them)."""
    await _show(update, context, None, context.action.number(0))


async def report_event(update: Update, context: PonteContext) -> None:
    """One event's figures (a page of them)."""
    await _show(update, context, context.action.arg(0), context.action.number(1))


async def report_file(update: Update, context: PonteContext) -> None:
    """The spreadsheet or the report document of the scope shown."""
    t = context.t
    kind, slug = context.action.arg(0), context.action.arg(1) or None
    if kind not in (ExportFormat.XLSX, ExportFormat.HTML):
        await toast(update, context, t._("This button no longer works. Type /report to start again."))
        return
    what = ExportFormat(kind)
    out = io.BytesIO()
    try:
        async with context.services.reports.export(update.effective_user.id, what, slug) as export:
            if what is ExportFormat.XLSX:
                await write_xlsx(t, export, out)
            else:
                text = io.StringIO()
                await write_document(t, export, text, context.services.clock.now())
                out.write(text.getvalue().encode("utf-8"))
            scope = export.report.event
    except NotAllowedError:
        await _refuse(update, context)
        return
    except UnknownEventError:
        await toast(update, context, t._("That event is no longer on the agenda. Type /report to start again."),
                    alert=True)
        return
    await toast(update, context, t._("Here's the file."))
    name = t._("{scope}-feedback.{extension}", scope=scope.slug if scope else t._("all-events"),
                 extension=what.value)
    caption = t._("Feedback: {title}", title=html.escape(scope.title.get(t.language))) if scope else t._(
        "Feedback: all events")
    await context.bot.send_document(update.effective_chat.id, InputFile(out.getvalue(), filename=name, attach=False),
                                    caption=caption)


async def _menu(update: Update, context: PonteContext, page: int) -> None:
    try:
        turnouts = await context.services.reports.events(update.effective_user.id)
    except NotAllowedError:
        await _refuse(update, context)
        return
    text, rows = report_menu(context.t, turnouts, page)
    await reply(update, context, text, rows)


async def _show(update: Update, context: PonteContext, slug: str | None, page: int) -> None:
    try:
        summary = await context.services.reports.summary(update.effective_user.id, slug)
    except NotAllowedError:
        await _refuse(update, context)
        return
    except UnknownEventError:
        if update.callback_query is not None:
            await toast(update, context, context.t._("That event is no longer on the agenda. Type /report to "
                                                     "start again."), alert=True)
            return
        await reply(update, context, context.t._("There is no event with the code {code}.",
                                                 code=html.escape(slug or "")))
        return
    text, rows = report_view(context.t, summary, page)
    await reply(update, context, text, rows)


JOURNEYS = Contribution(
    commands=(Command("report", report, N_("What people said after the events (coordinators)"),
                      feedback_readers=True),),
    presses=(
        Press("reports", report_events, (0, 1)),  # reports[:<page>]: the choice of scope
        Press("reportall", report_all, (0, 1)),  # reportall[:<page>]
        Press("reportev", report_event, (1, 2)),  # reportev:<slug>[:<page>]
        Press("reportfile", report_file, (1, 2)),  # reportfile:<xlsx|html>[:<slug>]
    ),
)
