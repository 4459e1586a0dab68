"""The report in the chat: the choice of scope (all events together, or one), and the figures of one
scope in pages that each fit a message, with the buttons for the files."""

from __future__ import annotations

import html

from bot.domain.reports import FeedbackReport, Tally
from bot.domain.text_length import MESSAGE_LIMIT, shorten, visible_units
from bot.render import callback_data
from bot.render.buttons import Button
from bot.render.event_view import paged
from bot.render.i18n import Translator
from bot.render.report_words import LANGUAGE_MARK, average, choice_labels, percent
from bot.render.timefmt import local_day, short_weekday
from storage.feedback_results import EventTurnout
from storage.questionnaires import Question, QuestionKind

EVENTS_PER_PAGE = 8  # event buttons under the choice: enough to scan, few enough to tap
TITLE_SHOWN = 36  # characters of a title on a button
TEXT_SHOWN = 300  # characters of a free-text answer in the chat; the files have them whole
PAGE_BUDGET = MESSAGE_LIMIT - 400  # room for the heading and the turnout line
# One block per share of the most frequent value: a value nobody gave shows as the lowest, flat block.
BLOCKS = "▂▃▄▅▆▇█"
NONE_BLOCK = "▁"

Rows = list[list[Button]]


def spark(counts: dict[int, int], low: int, high: int) -> str:
    """A distribution as one line of blocks, one per value from ``low`` to ``high`` (``▂▃▅█▁``)."""
    most = max(counts.values(), default=0)
    if not most:
        return NONE_BLOCK * (high - low + 1)
    return "".join(BLOCKS[max(0, -(-n * len(BLOCKS) // most) - 1)] if (n := counts.get(v, 0)) else NONE_BLOCK
                   for v in range(low, high + 1))


def _title(text: str) -> str:
    return text if len(text) <= TITLE_SHOWN else text[:TITLE_SHOWN - 1] + "…"


def report_menu(t: Translator, turnouts: list[EventTurnout], page: int = 0) -> tuple[str, Rows]:
    """The whole programme, then the events after which people were asked, as buttons (paged)."""
    if not turnouts:
        return t._("📋 Nobody has been asked for feedback yet: the report fills in after the first events."), []
    asked = sum(e.asked for e in turnouts)
    finished = sum(e.finished for e in turnouts)
    rows: Rows = [[Button(t._("🌍 All events · {finished}/{asked}", finished=finished, asked=asked),
                          callback_data.build("reportall", 0))]]
    pages = [turnouts[i:i + EVENTS_PER_PAGE] for i in range(0, len(turnouts), EVENTS_PER_PAGE)]
    page = min(max(page, 0), len(pages) - 1)
    for turnout in pages[page]:
        event = turnout.event
        day = f"{short_weekday(event.starts_at, event.timezone, t.language)} " \
              f"{local_day(event.starts_at, event.timezone).day}"
        rows.append([Button(f"{day} · {_title(event.title.get(t.language))} · {turnout.finished}/{turnout.asked}",
                            callback_data.build("reportev", event.slug, 0))])
    if len(pages) > 1:
        rows.append(_navigation(page, len(pages), lambda p: callback_data.build("reports", p)))
    text = "\n".join([t._("📋 <b>Feedback after the events</b>"),
                      t._("Choose all events together, or one of them. Each button shows how many finished the "
                          "questionnaire out of the people asked.")])
    return text, rows


def _navigation(page: int, pages: int, data) -> list[Button]:
    row = []
    if page > 0:
        row.append(Button("◀️", data(page - 1)))
    row.append(Button(f"{page + 1}/{pages}", data(page)))
    if page < pages - 1:
        row.append(Button("▶️", data(page + 1)))
    return row


def _turnout_lines(t: Translator, report: FeedbackReport, questionnaire_id: int | None = None) -> list[str]:
    turnout = report.figures.turnout(questionnaire_id)
    lines = [t.n_("{n} person asked · {finished} finished ({rate})",
                  "{n} people asked · {finished} finished ({rate})",
                  turnout.asked, finished=turnout.finished, rate=percent(t, turnout.rate))]
    if turnout.partly:
        lines.append(t.n_("{n} more person answered part of it: those answers count below too.",
                          "{n} more people answered part of it: those answers count below too.", turnout.partly))
    return lines


def _numbers(t: Translator, question: Question, tally: Tally) -> list[str]:
    low, high = question.kind.bounds
    lines = [t.n_("Average {average} of {top} · {n} answer", "Average {average} of {top} · {n} answers",
                  tally.answered, average=average(t, tally.average), top=high),
             f"<code>{low} {spark(dict(tally.counts), low, high)} {high}</code>"]
    ends = [f"{low} = {question.low.get(t.language)}" if question.low.get(t.language) else "",
            f"{high} = {question.high.get(t.language)}" if question.high.get(t.language) else ""]
    if any(ends):
        lines.append(f"<i>{html.escape(' · '.join(e for e in ends if e))}</i>")
    return lines


def _choices(t: Translator, question: Question, tally: Tally) -> list[str]:
    lines = [t.n_("{n} answer", "{n} answers", tally.answered)
             + (" " + t._("(more than one choice each)") if question.kind is QuestionKind.MULTIPLE else "")]
    for choice_id, label in choice_labels(t, question).items():
        count = tally.counts.get(choice_id, 0)
        share = percent(t, count / tally.answered) if tally.answered else percent(t, 0)
        lines.append(f"• {html.escape(label)}: {count} ({share})")
    return lines


def _texts(t: Translator, question: Question, tally: Tally, report: FeedbackReport) -> list[str]:
    lines = [t.n_("{n} answer", "{n} answers", tally.answered)]
    recent = report.recent.get(question.id, ())
    if recent:
        lines.append(t._("The latest ({italian} written in Italian, {english} in English):",
                         italian=LANGUAGE_MARK["it"], english=LANGUAGE_MARK["en"]))
    for answer in recent:
        said = f"{LANGUAGE_MARK.get(answer.language, '')} «{html.escape(shorten(answer.text, TEXT_SHOWN))}»"
        lines.append(f"{said} — {html.escape(answer.name)}" if answer.name else said)
    return lines


def question_block(t: Translator, number: int, question: Question, report: FeedbackReport) -> str:
    tally = report.figures.tally(question)
    lines = [f"<b>{number}. {html.escape(question.text.get(t.language))}</b>"]
    if not tally.answered:
        lines.append(t._("No answers yet."))
    elif question.kind.bounds:
        lines += _numbers(t, question, tally)
    elif question.kind is QuestionKind.TEXT:
        lines += _texts(t, question, tally, report)
    else:
        lines += _choices(t, question, tally)
    if tally.skipped:
        lines.append(t.n_("{n} person skipped it.", "{n} people skipped it.", tally.skipped))
    return "\n".join(lines)


def _blocks(t: Translator, report: FeedbackReport) -> list[str]:
    blocks = []
    several = len(report.questionnaires) > 1
    for questionnaire in report.questionnaires:
        if several:
            blocks.append("\n".join([f"🗒 <b>{html.escape(questionnaire.title.get(t.language))}</b>",
                                     *_turnout_lines(t, report, questionnaire.id)]))
        blocks += [question_block(t, n, q, report) for n, q in enumerate(questionnaire.questions, start=1)]
    return blocks


def _heading(t: Translator, report: FeedbackReport, page: int, pages: int) -> str:
    if report.event is None:
        if pages == 1:
            return t._("📋 <b>Feedback: all events</b>")
        return t.n_("📋 <b>Feedback: all events</b> (page {page} of {n})",
                    "📋 <b>Feedback: all events</b> (page {page} of {n})", pages, page=page + 1)
    title = html.escape(report.event.title.get(t.language))
    if pages == 1:
        return t._("📋 <b>Feedback: {title}</b>", title=title)
    return t.n_("📋 <b>Feedback: {title}</b> (page {page} of {n})", "📋 <b>Feedback: {title}</b> (page {page} of {n})",
                pages, title=title, page=page + 1)


def report_pages(t: Translator, report: FeedbackReport) -> list[list[str]]:
    return paged(_blocks(t, report), lambda block: visible_units(block) + 2, PAGE_BUDGET, most=50)


def report_view(t: Translator, report: FeedbackReport, page: int = 0) -> tuple[str, Rows]:
    """One page of a scope's figures, with the pages, the files and the way back as buttons."""
    pages = report_pages(t, report)
    page = min(max(page, 0), len(pages) - 1)
    slug = report.event.slug if report.event else None
    parts = [_heading(t, report, page, len(pages))]
    if page == 0:
        parts.append("\n".join(_turnout_lines(t, report)))
    if report.empty:
        parts.append(t._("Nobody has been asked about this event yet."))
    parts += pages[page]
    rows: Rows = []
    if len(pages) > 1:
        rows.append(_navigation(page, len(pages), lambda p: callback_data.build("reportall", p) if slug is None
                                else callback_data.build("reportev", slug, p)))
    if not report.empty:
        scope = (slug,) if slug else ()
        rows.append([Button(t._("📊 Spreadsheet"), callback_data.build("reportfile", "xlsx", *scope)),
                     Button(t._("📄 Report document"), callback_data.build("reportfile", "html", *scope))])
    rows.append([Button(t._("◀️ All events"), callback_data.build("reports", 0))])
    return "\n\n".join(parts), rows
