"""Every answer as a table: one row per response, one column per question, in the reader's language. Written
as it is read, as .xlsx (openpyxl's write-only mode: rows go to disk as they come) or as CSV.

Excel opens both the same in Italian and in US English: numbers are numbers, moments are real dates with a
format code (not text in one language's order), and every text is stored as text, so that an answer such as
``=HYPERLINK(...)`` is shown, never run."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.domain.reports import Export
from bot.domain.zones import zone
from bot.render.i18n import Translator
from bot.render.report_words import choice_labels, city_label
from bot.render.rosters import DATE_TIME_FORMAT, FORMULA_LEADS, text_cell
from bot.render.timefmt import city_name, local_day
from storage.feedback_results import ResponseRow
from storage.questionnaires import Question, QuestionKind

DATE_FORMAT = "yyyy-mm-dd"
# Excel reads a CSV with the list separator of its language: a semicolon where the comma is the decimal mark.
CSV_DELIMITER = {"it": ";", "en": ","}
WIDEST = 50
Value = str | int | date | datetime | None


class Table:
    """The header and the rows of an export, in the reader's language."""

    def __init__(self, t: Translator, export: Export) -> None:
        self.t = t
        self.export = export
        report = export.report
        self._several = len(report.questionnaires) > 1
        self._questions: list[Question] = [q for qn in report.questionnaires for q in qn.questions]
        self._labels = {q.id: choice_labels(t, q) for q in self._questions}
        self._events = {e.event.id: e.event for e in report.events}
        self._titles = {qn.id: qn.title.get(t.language) for qn in report.questionnaires}
        self._home = zone(report.home_zone)
        self._cities = {city: city_label(t, city) for city in ("torino", "baltimore", "elsewhere", None)}
        self._languages = {"it": t._("Italian"), "en": t._("English")}

    def header(self) -> list[str]:
        t = self.t
        columns = [t._("Questionnaire")] if self._several else []
        columns += [t._("Event"), t._("Event date"), t._("City"), t._("Language"),
                    t._("Finished at ({city} time)", city=city_name(self.export.report.home_zone, t.language))]
        if self.export.with_names:
            columns += [t._("Name"), t._("Telegram username")]
        return columns + [q.text.get(t.language) for q in self._questions]

    def widths(self) -> list[int]:
        """Column widths from the header and the kind of each column (the rows are not known yet)."""
        fixed = [24] * (1 if self._several else 0) + [36, 12, 12, 10, 18] + [20, 18] * self.export.with_names
        answers = [WIDEST if q.kind in (QuestionKind.TEXT, QuestionKind.MULTIPLE) else
                   min(max(len(q.text.get(self.t.language)) // 2, 12), 30) for q in self._questions]
        return fixed + answers

    async def rows(self) -> AsyncIterator[list[Value]]:
        async for response in self.export.responses():
            yield self._row(response)

    def _row(self, response: ResponseRow) -> list[Value]:
        event = self._events.get(response.event_id)
        values: list[Value] = [self._titles[response.questionnaire_id]] if self._several else []
        values += [event.title.get(self.t.language) if event else "",
                   local_day(event.starts_at, event.timezone) if event else None,
                   self._cities.get(response.city, ""), self._languages.get(response.language, response.language),
                   response.submitted_at.astimezone(self._home).replace(tzinfo=None)
                   if response.submitted_at else None]
        if self.export.with_names:
            values += [response.name, f"@{response.username}" if response.username else None]
        for question in self._questions:
            given = response.answers.get(question.id)
            if given is None or given.skipped:
                values.append(None)
            elif question.kind.bounds:
                values.append(given.number)
            elif question.kind is QuestionKind.TEXT:
                values.append(given.text)
            else:
                labels = self._labels[question.id]
                values.append("; ".join(labels.get(c, "") for c in given.choices) or None)
        return values


async def write_xlsx(t: Translator, export: Export, out: str | IO[bytes]) -> int:
    """The answers as an .xlsx, written row by row; returns how many responses it holds."""
    table = Table(t, export)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(t._("Answers"))
    for column, width in enumerate(table.widths(), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for label in table.header():
        cell = WriteOnlyCell(sheet)
        text_cell(cell, label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    written = 0
    async for values in table.rows():
        sheet.append([_xlsx_value(sheet, value) for value in values])
        written += 1
    book.save(out)
    return written


def _xlsx_value(sheet, value: Value) -> object:
    if isinstance(value, str):
        if not value.startswith(FORMULA_LEADS):
            return value
        cell = WriteOnlyCell(sheet)
        text_cell(cell, value)
        return cell
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_TIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


async def write_csv(t: Translator, export: Export, out: IO[str]) -> int:
    """The answers as CSV for Excel in the reader's language: ``out`` is opened with encoding "utf-8-sig"
    (the mark tells Excel it is UTF-8) and newline="". Returns how many responses it holds."""
    writer = csv.writer(out, delimiter=CSV_DELIMITER[t.language])
    table = Table(t, export)
    writer.writerow(table.header())
    written = 0
    async for values in table.rows():
        writer.writerow([_csv_value(value) for value in values])
        written += 1
    return written


def _csv_value(value: Value) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        # Excel runs a CSV cell that starts like a formula; a leading apostrophe keeps it text.
        return "'" + value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value
