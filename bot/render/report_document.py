"""The report document: one HTML file, in the reader's language, with a chart per question and the figures
grouped by event and by the respondents' city; readable on a phone (the layout narrows, wide tables scroll)
and printable (each question kept on one page where it fits). Written part by part as it is read, the
free-text answers streamed from the database."""

from __future__ import annotations

import asyncio
import html
import textwrap
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from itertools import chain, repeat
from typing import IO

from bot.domain.reports import Export, FeedbackReport, Tally, Turnout
from bot.domain.zones import zone
from bot.render.i18n import Translator
from bot.render.report_charts import stacked_bars
from bot.render.report_words import LANGUAGE_MARK, average, choice_labels, city_label, percent
from bot.render.timefmt import clock_time, day_label, full_date, local_day
from storage.feedback_results import TextChunk
from storage.questionnaires import Question, QuestionKind
from storage.records import Event

LABEL_WIDTH = 28  # characters of a choice's label on one line of a chart

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;max-width:52rem;
margin:0 auto;padding:1rem 1.25rem;line-height:1.45;color:#1d1d1f;background:#fff}
h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.3rem;margin-top:2rem;border-bottom:2px solid #1f6f8b}
h3{font-size:1.05rem;margin:1.5rem 0 .25rem}h4{font-size:.95rem;margin:1rem 0 .25rem;color:#555}
p.meta{color:#555;margin:.25rem 0}img{max-width:100%;height:auto;display:block;margin:.5rem 0}
.wide{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;margin:.25rem 0 1rem;font-size:.9rem}
th,td{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f3f6f8}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
ul.said{padding-left:1.1rem}ul.said li{margin:.3rem 0}
@media (max-width:40rem){body{padding:.5rem .75rem;font-size:15px}h1{font-size:1.3rem}th,td{padding:.25rem .4rem}}
@media print{body{max-width:none;padding:0;font-size:10pt}h2{break-before:page}h2.first{break-before:auto}
section.question{break-inside:avoid}.wide{overflow:visible}}
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _text(text: str) -> str:
    """What people wrote, as the content of an element (no quotes to escape there): by the ten thousand."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(head: Sequence[str], rows: Sequence[Sequence[object]], numeric_from: int = 1) -> str:
    """A table whose columns from ``numeric_from`` on are numbers (aligned right)."""
    def cells(values: Sequence[object], tag: str) -> str:
        return "".join(f'<{tag} class="n">{_e(v)}</{tag}>' if i >= numeric_from else f"<{tag}>{_e(v)}</{tag}>"
                       for i, v in enumerate(values))
    body = "".join(f"<tr>{cells(row, 'td')}</tr>" for row in rows)
    return f'<div class="wide"><table><thead><tr>{cells(head, "th")}</tr></thead><tbody>{body}</tbody></table></div>\n'


class _Writer:
    def __init__(self, t: Translator, export: Export, out: IO[str]) -> None:
        self.t = t
        self.report: FeedbackReport = export.report
        self.export = export
        self.out = out
        self.cities = self.report.figures.cities()
        self.events = [e.event for e in self.report.events]

    def event_title(self, event: Event) -> str:
        day = full_date(local_day(event.starts_at, event.timezone), self.t.language)
        return f"{event.title.get(self.t.language)} ({day})"

    def turnout_row(self, label: str, turnout: Turnout) -> list[object]:
        return [label, turnout.asked, turnout.finished, turnout.partly, percent(self.t, turnout.rate)]

    def write_turnout(self) -> None:
        t, figures = self.t, self.report.figures
        head = [t._("Event"), t._("Asked"), t._("Finished"), t._("Part way"), t._("Response rate")]
        heading = t._("Who answered")
        self.out.write(f'<h2 class="first">{_e(heading)}</h2>\n')
        note = t._("Finished: submitted the whole questionnaire. Part way: answered some questions and stopped; "
                   "their answers count in the figures.")
        self.out.write(f'<p class="meta">{_e(note)}</p>\n')
        rows = [self.turnout_row(self.event_title(e), figures.turnout(event_id=e.id)) for e in self.events]
        if len(self.events) > 1:
            rows.append(self.turnout_row(t._("All events"), figures.turnout()))
        by_event = t._("By event")
        self.out.write(f"<h3>{_e(by_event)}</h3>\n" + _table(head, rows))
        head[0] = t._("City of the respondents")
        rows = [self.turnout_row(city_label(t, c), figures.turnout(city=c)) for c in self.cities]
        by_city = t._("By city")
        self.out.write(f"<h3>{_e(by_city)}</h3>\n" + _table(head, rows))

    def grouped(self, question: Question, row: Callable[[str, Tally], list[object]]
                ) -> tuple[list[list[object]], list[list[object]]]:
        """A question's figures for each city of the respondents, and for each event."""
        t, figures = self.t, self.report.figures
        by_city = [row(city_label(t, c), figures.tally(question, city=c)) for c in self.cities]
        by_event = [row(self.event_title(e), figures.tally(question, event_id=e.id)) for e in self.events]
        return by_city, by_event

    def write_numbers(self, question: Question) -> None:
        t, figures = self.t, self.report.figures
        low, high = question.kind.bounds
        values = range(low, high + 1)
        tally = figures.tally(question)
        ends = [f"{low} = {question.low.get(t.language)}" if question.low.get(t.language) else "",
                f"{high} = {question.high.get(t.language)}" if question.high.get(t.language) else ""]
        self.out.write('<p class="meta">' + _e(t.n_(
            "Average {average} of {top} · {n} answer", "Average {average} of {top} · {n} answers", tally.answered,
            average=average(t, tally.average), top=high)) + (f" · {_e(' · '.join(e for e in ends if e))}"
                                                             if any(ends) else "") + "</p>\n")
        series = [(city_label(t, c), [figures.tally(question, city=c).counts.get(v, 0) for v in values])
                  for c in self.cities]
        self.chart([str(v) for v in values], series, horizontal=False)

        def row(label: str, part: Tally) -> list[object]:
            return [label, part.answered, average(t, part.average), *(part.counts.get(v, 0) for v in values)]

        by_city, by_event = self.grouped(question, row)
        head = [t._("Answers"), t._("Average"), *(str(v) for v in values)]
        self.out.write(_table([t._("City of the respondents"), *head], by_city)
                       + _table([t._("Event"), *head], by_event))

    def write_choices(self, question: Question) -> None:
        t, figures = self.t, self.report.figures
        labels = choice_labels(t, question)
        tally = figures.tally(question)
        note = t.n_("{n} answer", "{n} answers", tally.answered)
        if question.kind is QuestionKind.MULTIPLE:
            note += " " + t._("(more than one choice each)")
        self.out.write(f'<p class="meta">{_e(note)}</p>\n')
        series = [(city_label(t, c), [figures.tally(question, city=c).counts.get(i, 0) for i in labels])
                  for c in self.cities]
        self.chart([textwrap.fill(label, LABEL_WIDTH) for label in labels.values()], series, horizontal=True)

        def row(label: str, part: Tally) -> list[object]:
            return [label, part.answered, *(part.counts.get(i, 0) for i in labels)]

        by_city, by_event = self.grouped(question, row)
        head = [t._("Answers"), *labels.values()]
        self.out.write(_table([t._("City of the respondents"), *head], by_city)
                       + _table([t._("Event"), *head], by_event))

    async def write_texts(self, question: Question, texts: AsyncIterator[tuple[int, TextChunk]]) -> None:
        t = self.t
        tally = self.report.figures.tally(question)
        self.out.write('<p class="meta">' + _e(t.n_("{n} answer", "{n} answers", tally.answered)) + " · " + _e(
            t._("{italian} written in Italian, {english} in English", italian=LANGUAGE_MARK["it"],
                english=LANGUAGE_MARK["en"])) + "</p>\n")
        current = None
        # Each line is three pieces: its opening with the language's mark, the text, and its close with the
        # city; the lines of a chunk are joined from those columns in one call: they are many.
        openings = {language: f"<li>{mark} " for language, mark in LANGUAGE_MARK.items()}
        closings = {city: f" <small>({_e(city_label(t, city))})</small></li>\n"
                    for city in ("torino", "baltimore", "elsewhere", "")}
        async for event_id, chunk in texts:
            if event_id != current:
                if current is not None:
                    self.out.write("</ul>\n")
                current = event_id
                event = self.report.event_by_id(current)
                self.out.write(f"<h4>{_e(self.event_title(event)) if event else ''}</h4>\n<ul class=\"said\">")
            if any(chunk.names):  # a questionnaire that is not anonymous
                said = [f"{_text(text)} — {_text(name)}" if name else _text(text)
                        for name, text in zip(chunk.names, chunk.texts, strict=True)]
            else:
                said = list(map(_text, chunk.texts))
            self.out.write("".join(chain.from_iterable(zip(
                map(openings.get, chunk.languages, repeat("<li>")), said,
                map(closings.get, chunk.cities, repeat("</li>\n")), strict=False))))
        if current is not None:
            self.out.write("</ul>\n")

    def chart(self, categories: list[str], series: list[tuple[str, list[int]]], *, horizontal: bool) -> None:
        self.out.write(f'<img alt="" src="{stacked_bars(categories, series, horizontal=horizontal)}">\n')


async def write_document(t: Translator, export: Export, out: IO[str], now: datetime) -> None:
    """The whole document, written to ``out`` as it goes."""
    report = export.report
    writer = _Writer(t, export, out)
    if report.event is None:
        title = t._("Feedback report: all events")
    else:
        title = t._("Feedback report: {title}", title=report.event.title.get(t.language))
    home = report.home_zone
    written = t._("Written on {day} at {time}.", day=day_label(local_day(now, home), t.language),
                  time=clock_time(now.astimezone(zone(home)), home, t.language))
    privacy = t._("Answers are shown without names.") if not export.with_names else t._(
        "This questionnaire is not anonymous: the people who answered were told their names are shown.")
    out.write(f'<!doctype html>\n<html lang="{t.language}">\n<head>\n<meta charset="utf-8">\n'
              f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{_e(title)}</title>\n'
              f"<style>{STYLE}</style>\n</head>\n<body>\n<h1>{_e(title)}</h1>\n"
              f'<p class="meta">{_e(written)} {_e(privacy)}</p>\n')
    # The free texts are read from now on, while the figures and the charts are written.
    texts = {question.id: export.texts(questionnaire, question) for questionnaire in report.questionnaires
             for question in questionnaire.questions if question.kind is QuestionKind.TEXT}
    await asyncio.sleep(0)  # the event loop turns once: the first reads reach SQLite's thread
    try:
        await _write_questions(writer, texts)
    finally:
        for reading in texts.values():
            await reading.aclose()
    out.write("</body>\n</html>\n")


async def _write_questions(writer: _Writer, texts: dict[int, AsyncIterator[tuple[int, TextChunk]]]) -> None:
    t, out, report = writer.t, writer.out, writer.report
    writer.write_turnout()
    for questionnaire in report.questionnaires:
        out.write(f"<h2>{_e(questionnaire.title.get(t.language))}</h2>\n")
        for number, question in enumerate(questionnaire.questions, start=1):
            kind = "texts" if question.kind is QuestionKind.TEXT else "question"
            out.write(f'<section class="{kind}">\n<h3>{number}. {_e(question.text.get(t.language))}</h3>\n')
            if question.kind.bounds:
                writer.write_numbers(question)
            elif question.kind is QuestionKind.TEXT:
                await writer.write_texts(question, texts[question.id])
            else:
                writer.write_choices(question)
            out.write("</section>\n")
