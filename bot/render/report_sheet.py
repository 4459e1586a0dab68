"""Every answer as a table: one row per response, one column per question, in the reader's language. Written
as it is read, as .xlsx (bot.render.xlsx_stream: rows go into the file as they come) or as CSV.

Excel opens both the same in Italian and in US English: numbers are numbers, moments are real dates with a
format code (not text in one language's order), and every text is stored as text, so that an answer such as
``=HYPERLINK(...)`` is shown, never run."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, timedelta
from itertools import chain, repeat
from typing import IO

from bot.domain.reports import Export
from bot.render.i18n import Translator
from bot.render.report_words import city_label
from bot.render.timefmt import city_name, local_day
from bot.render.xlsx_stream import (
    BOLD,
    DATE_TIME,
    EMPTY,
    FORMULA_LEADS,
    SheetWriter,
    cell_day,
    cell_number,
    cell_shared,
    cell_text,
)
from storage.feedback_results import ResponseChunk
from storage.questionnaires import Question, QuestionKind, Questionnaire

# Excel reads a CSV with the list separator of its language: a semicolon where the comma is the decimal mark.
CSV_DELIMITER = {"it": ";", "en": ","}
WIDEST = 50
_DAY_ZERO = datetime(1899, 12, 30)  # what the day numbers of the rows count from
Value = str | int | date | datetime | None


class Table:
    """The columns of an export and what goes in them, in the reader's language."""

    def __init__(self, t: Translator, export: Export) -> None:
        self.t = t
        self.export = export
        report = export.report
        self.several = len(report.questionnaires) > 1
        self.questions: list[Question] = [q for qn in report.questionnaires for q in qn.questions]
        self.first_answer = (1 if self.several else 0) + 5 + (2 if export.with_names else 0)
        self._offsets: dict[int, int] = {}  # questionnaire id -> the column of its first question
        column = self.first_answer
        for questionnaire in report.questionnaires:
            self._offsets[questionnaire.id] = column
            column += len(questionnaire.questions)
        self.events = {str(e.event.id): e.event for e in report.events}  # by id as the rows give it (text)
        self.titles = {qn.id: qn.title.get(t.language) for qn in report.questionnaires}
        self.cities = {city or "": city_label(t, city) for city in ("torino", "baltimore", "elsewhere", None)}
        self.languages = {"it": t._("Italian"), "en": t._("English")}

    def header(self) -> list[str]:
        t = self.t
        columns = [t._("Questionnaire")] if self.several else []
        columns += [t._("Event"), t._("Event date"), t._("City"), t._("Language"),
                    t._("Finished at ({city} time)", city=city_name(self.export.report.home_zone, t.language))]
        if self.export.with_names:
            columns += [t._("Name"), t._("Telegram username")]
        return columns + [q.text.get(t.language) for q in self.questions]

    def widths(self) -> list[int]:
        """Column widths from the header and the kind of each column (the rows are not known yet)."""
        fixed = [24] * (1 if self.several else 0) + [36, 12, 12, 10, 18] + [20, 18] * self.export.with_names
        answers = [WIDEST if q.kind in (QuestionKind.TEXT, QuestionKind.MULTIPLE) else
                   min(max(len(q.text.get(self.t.language)) // 2, 12), 30) for q in self.questions]
        return fixed + answers

    def column(self, questionnaire: Questionnaire) -> int:
        """Where a questionnaire's answers start (0-based)."""
        return self._offsets[questionnaire.id]

    def choices(self, question: Question) -> Callable[[str], str]:
        """The labels of the choices picked (ids, comma-separated), in the question's order, ``; ``-joined."""
        labels = {str(c.id): (position, c.label.get(self.t.language)) for position, c in enumerate(question.choices)}
        known: dict[str, str] = {}

        def words(ids: str) -> str:
            text = known.get(ids)
            if text is None:
                picked = sorted(labels[i] for i in ids.split(",") if i in labels)
                text = known[ids] = "; ".join(label for _, label in picked)
            return text
        return words

    async def rows(self) -> AsyncIterator[list[Value]]:
        """Every response as a row of values."""
        width = self.first_answer + len(self.questions)
        readers: dict[int, list[Callable[[str], Value]]] = {}
        for questionnaire in self.export.report.questionnaires:
            readers[questionnaire.id] = [self.choices(q) if q.choices else int if q.kind.bounds else (lambda v: v)
                                         for q in questionnaire.questions]
        async for questionnaire, chunk in self.export.responses():
            column = self.column(questionnaire)
            read = readers[questionnaire.id]
            for n in range(len(chunk.ids)):
                values: list[Value] = [None] * width
                values[:self.first_answer] = self._fixed(questionnaire, chunk, n)
                for offset, answers in enumerate(chunk.answers):
                    value = answers[n]
                    values[column + offset] = read[offset](value) if value else None
                yield values

    def _fixed(self, questionnaire: Questionnaire, chunk: ResponseChunk, n: int) -> list[Value]:
        event = self.events.get(chunk.event_ids[n])
        values: list[Value] = [self.titles[questionnaire.id]] if self.several else []
        submitted = chunk.submitted[n]
        values += [event.title.get(self.t.language) if event else "",
                   local_day(event.starts_at, event.timezone) if event else None,
                   self.cities.get(chunk.cities[n], ""), self.languages.get(chunk.languages[n], chunk.languages[n]),
                   _DAY_ZERO + timedelta(seconds=round(float(submitted) * 86400)) if submitted else None]
        if self.export.with_names:
            values += [chunk.names[n] or None, f"@{chunk.usernames[n]}" if chunk.usernames[n] else None]
        return values


async def write_xlsx(t: Translator, export: Export, out: str | IO[bytes]) -> int:
    """The answers as an .xlsx, written row by row; returns how many responses it holds. Rows and cells carry
    no reference (ECMA-376 makes both optional: each row is the next row, each cell the next column, an empty
    ``<c/>`` holds a gap), so that the cells that repeat down a column (event, city, a rating, a set of
    choices) are made once, and a chunk of rows is one join of its columns."""
    table = Table(t, export)
    written = 0
    with SheetWriter(out, t._("Answers"), table.widths()) as sheet:
        sheet.write('<row r="1">' + "".join(cell_shared(sheet.shared(label), BOLD) for label in table.header())
                    + "</row>")
        leads = _LeadCells(table, sheet)
        for questionnaire in export.report.questionnaires:
            leads.answers[questionnaire.id] = _answer_cells(table, sheet, questionnaire)
        with_names = export.with_names
        async for questionnaire, chunk in export.responses():
            # Column by column over a chunk of rows (map and comprehensions loop in C, or nearly), then the
            # rows in one join: by the ten thousand rows, statements in a Python loop cost several times more.
            before = EMPTY * (table.column(questionnaire) - table.first_answer)
            columns = [list(map(leads.of(questionnaire).__getitem__,
                                zip(chunk.event_ids, chunk.cities, chunk.languages, strict=True))),
                       leads.moments(chunk.submitted)]
            if with_names:
                columns += [[cell_text(name) if name else EMPTY for name in chunk.names],
                            [cell_text(f"@{user}") if user else EMPTY for user in chunk.usernames]]
            for answers, cell in zip(chunk.answers, leads.answers[questionnaire.id], strict=True):
                if cell is cell_text:
                    columns.append([cell_text(text) if text else EMPTY for text in answers])
                else:  # cells made once per value, EMPTY for '' among them
                    columns.append(list(map(cell, answers)))
            if before:  # the columns of the questionnaires before this one, between who answered and the answers
                columns.insert(2 + 2 * with_names, repeat(before))
            sheet.write("".join(chain.from_iterable(zip(repeat("<row>"), *columns, repeat("</row>")))))
            written += len(chunk.ids)
    return written


class _Made(dict):
    """Cells made once for each value they show, on first use."""

    def __init__(self, make: Callable[[object], str]) -> None:
        super().__init__({"": EMPTY})
        self._make = make

    def __missing__(self, value: object) -> str:
        cell = self[value] = self._make(value)
        return cell


class _LeadCells:
    """The cells before the answers: questionnaire, event, its date, city, language, when, and who."""

    def __init__(self, table: Table, sheet: SheetWriter) -> None:
        self.table = table
        self.sheet = sheet
        self.answers: dict[int, list[Callable[[str], str]]] = {}
        self._leads: dict[int, _Made] = {}

    def of(self, questionnaire: Questionnaire) -> _Made:
        """The lead cells of a questionnaire's rows, by (event id, city, language)."""
        lead = self._leads.get(questionnaire.id)
        if lead is None:
            lead = self._leads[questionnaire.id] = _Made(lambda key: self._lead(questionnaire, *key))
        return lead

    def _lead(self, questionnaire: Questionnaire, event_id: str, city: str, language: str) -> str:
        table, sheet = self.table, self.sheet
        cells = cell_shared(sheet.shared(table.titles[questionnaire.id])) if table.several else ""
        event = table.events.get(event_id)
        if event is not None:
            cells += cell_shared(sheet.shared(event.title.get(table.t.language)))
            cells += cell_day(local_day(event.starts_at, event.timezone))
        else:
            cells += EMPTY * 2
        return (cells + cell_shared(sheet.shared(table.cities.get(city, "")))
                + cell_shared(sheet.shared(table.languages.get(language, language))))

    @staticmethod
    def moments(moments: list[str]) -> list[str]:
        """Moments given as day numbers on the home clock (see Export.responses; '' for none), as cells of
        that number, at the precision given (Excel reads back the very second), shown to the minute."""
        return [f'<c s="{DATE_TIME}"><v>{day}</v></c>' if day else EMPTY for day in moments]


def _answer_cells(table: Table, sheet: SheetWriter, questionnaire: Questionnaire) -> list[Callable[[str], str]]:
    """For each question of a questionnaire, how its answer becomes a cell."""
    cells: list[Callable[[str], str]] = []
    for question in questionnaire.questions:
        if question.choices:
            words = table.choices(question)
            cells.append(_Made(lambda ids, words=words: cell_shared(sheet.shared(words(ids)))).__getitem__)
        elif question.kind.bounds:
            cells.append(_Made(cell_number).__getitem__)
        else:
            cells.append(cell_text)
    return cells



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
