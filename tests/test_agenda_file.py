"""The agenda file: every mistake with its line and field; nothing changes unless the file is clean."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from bot.domain.agenda_file import AgendaFileError, dump_agenda, parse_agenda
from tests.harness import EXAMPLE

ROOT = Path(__file__).resolve().parent.parent
GOOD = """
[[event]]
slug = "workshop"
kind = "workshop"
start = 2027-01-20T11:00:00
end = 2027-01-20T13:00:00
capacity = 30
title.it = "Servizi collaborativi"
title.en = "Collaborative services"
venue.it = "Bagni Pubblici di via Agliè"
venue.en = "Public baths of via Agliè"
description.it = "Laboratorio."
description.en = "Workshop."
"""


def _problems(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(AgendaFileError) as caught:
        parse_agenda(text)
    return [(p.line, p.field, p.message.format(**p.values)) for p in caught.value.problems]


def test_the_example_agenda_follows_the_article() -> None:
    events = {e.slug: e for e in parse_agenda(EXAMPLE.read_text(encoding="utf-8"))}
    kinds = {e.kind for e in events.values()}
    assert kinds == {"presentation", "round_table", "site_visit", "workshop", "video_conference"}
    text = EXAMPLE.read_text(encoding="utf-8")
    for place in ("Cascina Roccafranca", "Bagni Pubblici di via Agliè", "Incet", "Laboratori di Barriera",
                  "Torino Nuova Economia", "Intesa Sanpaolo Innovation Center", "Torino City Lab"):
        assert place in text
    speakers = {s.name for e in events.values() for s in e.speakers}
    assert speakers == {"Mario Calderini", "Simone Grillo", "Raffaele Fedele", "Laura Orestano",
                        "Matteo Bartolomeo", "Fabio Sgaragli", "Monica Bertola", "Colin Tarbert"}
    assert "INVENTED" in text.split("[agenda]")[0] and "capacities" in text.split("[agenda]")[0]
    assert events["baltimore-call"].timezone == "America/New_York"


def test_export_then_import_round_trips() -> None:
    events = parse_agenda(EXAMPLE.read_text(encoding="utf-8"))
    assert parse_agenda(dump_agenda(events, "header")) == events


def test_bad_time_end_before_start_and_unknown_zone() -> None:
    text = GOOD.replace("start = 2027-01-20T11:00:00", 'start = "next tuesday"')
    assert (5, "workshop.start", 'next tuesday is not a date and time; write it as 2026-11-17T09:30:00') in \
        _problems(text)
    text = GOOD.replace("end = 2027-01-20T13:00:00", "end = 2027-01-20T10:00:00")
    assert _problems(text) == [(6, "workshop.end", "The event ends before it starts")]
    text = GOOD.replace('kind = "workshop"', 'kind = "workshop"\ntimezone = "Europe/Turin"')
    assert _problems(text)[0][:2] == (5, "workshop.timezone")


def test_missing_translation_and_duplicate_slug() -> None:
    text = GOOD.replace('title.en = "Collaborative services"\n', "") + GOOD
    problems = _problems(text)
    assert (8, "workshop.title.en", "The en translation is missing") in problems
    assert (15, "workshop.slug", "The slug workshop is already used by event number 1") in problems


def test_toml_syntax_error_names_its_line() -> None:
    assert _problems(GOOD + "\nslug = = 3\n")[0][0] == 15


async def test_import_reports_added_changed_and_left_alone(bot) -> None:
    report = await bot.services.agenda.apply(parse_agenda(GOOD))
    assert report.added == ["workshop"]
    report = await bot.services.agenda.apply(parse_agenda(GOOD.replace("Laboratorio.", "Laboratorio sui servizi.")))
    assert (report.added, report.changed, report.unchanged) == ([], ["workshop"], [])
    report = await bot.services.agenda.apply(parse_agenda(GOOD.replace("Laboratorio.", "Laboratorio sui servizi.")))
    assert report.unchanged == ["workshop"]


def _ponte(tmp_path: Path, *args: str, db: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PONTE_")}
    env |= {"PONTE_DB": str(db or tmp_path / "agenda.db"), "LANG": "en_US.UTF-8"}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)


def test_cli_changes_nothing_when_the_file_has_a_mistake(tmp_path: Path) -> None:
    assert _ponte(tmp_path, "agenda", "import", str(EXAMPLE)).returncode == 0
    broken = tmp_path / "broken.toml"
    broken.write_text(EXAMPLE.read_text(encoding="utf-8").replace("capacity = 25", "capacity = -3", 1)
                      .replace('title.en = "Turin and Baltimore: two strategies side by side"', 'title.en = ""'))
    result = _ponte(tmp_path, "agenda", "import", str(broken))
    assert result.returncode == 1
    assert "2 mistakes, nothing was changed" in result.stderr
    assert "strategies.title.en: The en translation is missing" in result.stderr
    assert "roccafranca-visit.capacity" in result.stderr
    exported = _ponte(tmp_path, "agenda", "export")
    assert parse_agenda(exported.stdout) == parse_agenda(EXAMPLE.read_text(encoding="utf-8"))


def test_cli_import_prints_what_changed(tmp_path: Path) -> None:
    first = _ponte(tmp_path, "agenda", "import", str(EXAMPLE))
    assert "Added: 8" in first.stdout
    out = tmp_path / "exported.toml"
    assert _ponte(tmp_path, "agenda", "export", "-o", str(out)).returncode == 0
    out.write_text(out.read_text(encoding="utf-8").replace("capacity = 120", "capacity = 150"))
    second = _ponte(tmp_path, "agenda", "import", str(out))
    assert "Changed: 1  (strategies)" in second.stdout and "Left alone: 7" in second.stdout


def test_help_is_complete() -> None:
    for args in ([], ["run"], ["shell"], ["agenda"], ["agenda", "import"], ["agenda", "export"]):
        result = subprocess.run([sys.executable, "-m", "bot", *args, "--help"], capture_output=True, text=True,
                                cwd=ROOT, timeout=60, env=os.environ | {"LANG": "en_US.UTF-8"})
        assert result.returncode == 0 and "usage: ponte" in result.stdout


def test_unknown_keys_anywhere_are_mistakes_listed_in_line_order() -> None:
    text = GOOD.replace('kind = "workshop"', 'kind = "workshop"\ncolour = "red"') + \
        '\n[agenda]\ntimezone = "Europe/Rome"\nlanguage = "it"\n\n[extras]\nx = 1\n'
    problems = _problems(text)
    assert [(line, where) for line, where, _ in problems] == [(5, "workshop.colour"), (18, "agenda.language"),
                                                             (20, "extras")]
    assert problems[1][2] == "Unknown field language"


def test_a_time_with_an_offset_is_refused_with_the_reason() -> None:
    for written in ("2027-01-20T11:00:00+05:00", "2027-01-20T11:00:00Z", '"2027-01-20T11:00:00+05:00"'):
        problems = _problems(GOOD.replace("start = 2027-01-20T11:00:00", f"start = {written}"))
        assert len(problems) == 1
        line, where, message = problems[0]
        assert (line, where) == (5, "workshop.start")
        shown = written.strip('"')
        assert message.startswith(f"{shown} has a time offset: write the time without it, as the clock reads in "
                                  "Europe/Rome")
    # Without seconds TOML cannot even read it: the reason is the same, on one line.
    with pytest.raises(AgendaFileError) as caught:
        parse_agenda(GOOD.replace("start = 2027-01-20T11:00:00", "start = 2027-01-20T11:00+05:00"))
    assert caught.value.syntax and "has a time offset" in caught.value.problems[0].message


def test_toml_syntax_mistakes_are_said_without_python_words() -> None:
    for broken, line, words in ((GOOD + "\nslug = = 3\n", 15, "the value is not valid"),
                                (GOOD + '\nnote = "unclosed\n', 15, "a text is not closed with its quotes"),
                                ("[[event]\nslug = 'x'\n", 1, "a table header is not closed"),
                                (GOOD + GOOD.split("capacity")[0].split("\n", 2)[2], 14, "a key or a table is")):
        with pytest.raises(AgendaFileError) as caught:
            parse_agenda(broken)
        assert caught.value.syntax and len(caught.value.problems) == 1
        problem = caught.value.problems[0]
        assert problem.line == line and problem.message.startswith(words), (broken, problem)


def _ponte_it(tmp_path: Path, *args: str, db: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PONTE_")}
    env |= {"PONTE_DB": str(db or tmp_path / "agenda.db"), "LANG": "it_IT.UTF-8"}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)


def test_cli_says_a_toml_syntax_error_in_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(GOOD + "\nslug = = 3\n", encoding="utf-8")
    for run, expected in ((_ponte, f"{broken}, line 15: this is not valid TOML: the value is not valid"),
                          (_ponte_it, f"{broken}, riga 15: questo non è TOML valido: il valore non è valido")):
        result = run(tmp_path, "agenda", "import", str(broken))
        assert result.returncode == 1 and result.stdout == ""
        assert result.stderr.count("\n") == 1 and result.stderr.startswith(expected), result.stderr
        assert "(at line" not in result.stderr and "Traceback" not in result.stderr


def test_cli_refuses_an_offset_and_explains(tmp_path: Path) -> None:
    offset = tmp_path / "offset.toml"
    offset.write_text(GOOD.replace("start = 2027-01-20T11:00:00", "start = 2027-01-20T11:00:00Z"), encoding="utf-8")
    result = _ponte_it(tmp_path, "agenda", "import", str(offset))
    assert result.returncode == 1
    assert "riga 5, workshop.start: 2027-01-20T11:00:00Z contiene uno scostamento orario" in result.stderr
    assert not (tmp_path / "agenda.db").exists() or _ponte(tmp_path, "agenda", "export").stdout.count("[[event]]") == 0


def test_cli_export_problems_are_one_line_and_never_create_a_database(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    result = _ponte_it(tmp_path, "agenda", "export", db=missing)
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"Non c'è nessun database in {missing}")
    assert not missing.exists()
    result = _ponte_it(tmp_path, "agenda", "import", "--dry-run", str(EXAMPLE), db=missing)
    assert result.returncode == 0 and "Aggiunti: 8" in result.stdout and "creerà" in result.stdout
    assert not missing.exists(), "a dry run changes nothing, not even by creating the database"
    assert _ponte(tmp_path, "agenda", "import", str(EXAMPLE)).returncode == 0
    assert (tmp_path / "agenda.db").exists(), "a real import still loads a fresh install"
    for run, expected in (
        (_ponte, "Cannot write /no/such/dir/x.toml: the folder /no/such/dir does not exist."),
        (_ponte_it, "Non riesco a scrivere /no/such/dir/x.toml: la cartella /no/such/dir non esiste."),
    ):
        result = run(tmp_path, "agenda", "export", "-o", "/no/such/dir/x.toml")
        assert result.returncode == 1 and result.stderr == expected + "\n"
    folder = tmp_path / "a-folder"
    folder.mkdir()
    result = _ponte(tmp_path, "agenda", "export", "-o", str(folder))
    assert result.returncode == 1 and result.stderr == f"Cannot write {folder}: it is a folder, not a file\n"
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("not a database\n" * 100)
    result = _ponte(tmp_path, "agenda", "export", db=not_a_db)
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "not a Ponte database" in result.stderr


def test_cli_over_capacity_warning_counts_seats_with_plural_forms(tmp_path: Path, capsys) -> None:
    from bot.cli.agenda import _print_report
    from bot.domain.agenda import ImportReport, OverCapacity
    from bot.render.i18n import translator

    event = parse_agenda(GOOD)[0]
    for capacity, english, italian in ((1, "now has 1 seat, fewer than the people confirmed (2)",
                                        "ora ha 1 posto, meno delle persone confermate (2)"),
                                       (2, "now has 2 seats, fewer than the people confirmed (3)",
                                        "ora ha 2 posti, meno delle persone confermate (3)")):
        report = ImportReport(over_capacity=[OverCapacity(replace(event, capacity=capacity), capacity + 1, [])])
        _print_report(translator("en"), report, dry_run=False)
        _print_report(translator("it"), report, dry_run=False)
        out = capsys.readouterr().out
        assert english in out and italian in out
