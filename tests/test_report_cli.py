"""``ponte report``: the same report as a file from the command line, with one clear line for each mistake."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from bot.cli.report import export_report
from bot.config.clock import FixedClock
from bot.config.settings import Settings
from bot.domain.agenda import Agenda
from bot.domain.agenda_file import parse_agenda
from bot.domain.reports import ExportFormat
from bot.render.i18n import translator
from storage import Database
from tests.conftest import BEFORE_THE_WEEK, TEST_TOKEN
from tests.feedback_data import respond, save_questionnaire
from tests.harness import EXAMPLE

ROOT = Path(__file__).resolve().parent.parent
SITE = "roccafranca-visit"
TRICKY = '=HYPERLINK("http://evil.example","<b>click</b>")'


async def _prepare(path: Path, answers: bool = True) -> None:
    db = await Database.open(path)
    try:
        await Agenda(db, FixedClock(BEFORE_THE_WEEK), lambda: None).apply(
            parse_agenda(EXAMPLE.read_text(encoding="utf-8")))
        if answers:
            questionnaire = await save_questionnaire(db)
            await respond(db, questionnaire, SITE, 1, answers={"useful": 5, "actors": ("city",), "idea": TRICKY})
            await respond(db, questionnaire, SITE, 2, language="en", city="baltimore",
                          answers={"useful": 3, "transfer": 7, "idea": "Un'idea; con punto e virgola"})
    finally:
        await db.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    path = tmp_path / "ponte.db"
    asyncio.run(_prepare(path))
    return Settings(token=TEST_TOKEN, db_path=path)


def test_a_spreadsheet_in_italian_from_an_italian_terminal(tmp_path: Path, settings: Settings) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PONTE_", "LC_"))} | {
        "LANG": "it_IT.UTF-8", "PONTE_DB": str(settings.db_path)}
    out = tmp_path / "risposte.xlsx"
    done = subprocess.run([sys.executable, "-m", "bot", "report", "--format", "xlsx", "--out", str(out)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Ho scritto 2 risposte in {out}."
    sheet = openpyxl.load_workbook(out).active
    assert sheet["A1"].value == "Evento" and sheet["F1"].value == "Quanto ti è stata utile la visita?"
    assert sheet["F2"].value == 5 and sheet["J2"].value == TRICKY and sheet["J2"].data_type == "s"
    assert sheet["J2"].quotePrefix and sheet["B2"].is_date


def test_csv_for_excel_in_each_language(tmp_path: Path, settings: Settings, capsys) -> None:
    t = translator("en")
    for language, delimiter in (("it", ";"), ("en", ",")):
        out = tmp_path / f"answers-{language}.csv"
        assert export_report(settings, t, ExportFormat.CSV, out, None, language) == 0
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), "the byte order mark tells Excel it is UTF-8"
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=delimiter))
        assert rows[0][0] == {"it": "Evento", "en": "Event"}[language]
        assert rows[1][5] == "5" and rows[1][9] == "'" + TRICKY, "a formula-like text stays text"
        assert rows[2][9] == "Un'idea; con punto e virgola" and len(rows) == 3
    assert capsys.readouterr().out.splitlines()[-1] == f"Wrote 2 responses to {out}."


def test_a_report_document_for_one_event(tmp_path: Path, settings: Settings, capsys) -> None:
    out = tmp_path / "report.html"
    assert export_report(settings, translator("en"), ExportFormat.HTML, out, SITE, "en") == 0
    page = out.read_text(encoding="utf-8")
    assert "<title>Feedback report: Visit to Cascina Roccafranca" in page and "data:image/svg+xml;base64," in page
    assert "&lt;" not in page.split("<body>")[0], "the head is written by Ponte, not escaped text"
    assert '=HYPERLINK("http://evil.example","&lt;b&gt;click&lt;/b&gt;")' in page, "answers are escaped"
    assert "<b>" not in page
    assert capsys.readouterr().out.strip() == f"Wrote the report to {out}."


def test_one_clear_line_for_each_mistake(tmp_path: Path, settings: Settings, capsys) -> None:
    t = translator("en")
    out = tmp_path / "report.html"
    assert export_report(settings, t, ExportFormat.HTML, out, "nothing-here", None) == 1
    assert capsys.readouterr().err.strip() == "There is no event with the code nothing-here."
    assert not out.exists() and not list(tmp_path.glob("*.part"))
    missing = tmp_path / "no-such-folder" / "report.html"
    assert export_report(settings, t, ExportFormat.HTML, missing, None, None) == 1
    assert capsys.readouterr().err.strip() == f"Cannot write {missing}: there is no such file"
    assert export_report(settings, t, ExportFormat.HTML, out, "strategies", None) == 1
    assert capsys.readouterr().err.strip() == ("Nobody has been asked about strategies yet: there is nothing to "
                                               "report, and no file was written.")
    empty = tmp_path / "empty.db"
    asyncio.run(_prepare(empty, answers=False))
    assert export_report(Settings(token=TEST_TOKEN, db_path=empty), translator("it"), ExportFormat.XLSX, out,
                         None, None) == 1
    assert capsys.readouterr().err.strip() == ("Non è ancora stato chiesto un riscontro a nessuno: non c'è niente "
                                               "da riportare e non ho scritto nessun file.")
    assert not out.exists()
