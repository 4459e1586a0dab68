"""`ponte` speaks the terminal's language from the first word of its help to its last error, argparse's too."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.arguments import translate_error
from bot.render.i18n import translator

ROOT = Path(__file__).resolve().parent.parent
# What argparse says on its own, in English, in Python 3.11 to 3.13.
ARGPARSE_WORDS = re.compile(
    r"\b(usage|positional arguments|options|optional arguments|show this help|message and exit|error|"
    r"the following arguments|are required|invalid choice|choose from|unrecognized|expected one argument|"
    r"ambiguous|arguments?|COMMAND|ACTION|commands)\b",
)


def _ponte(language: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PONTE_", "LC_"))} | {"LANG": language}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("args", [["--help"], ["agenda", "--help"], ["agenda", "import", "--help"],
                                  ["agenda", "export", "-h"], ["shell", "--help"], ["checkin", "qr", "--help"],
                                  ["audit", "--help"], ["run", "--help"], ["backup", "--help"],
                                  ["status", "--help"], ["report", "--help"]])
def test_help_is_all_italian_for_an_italian_terminal(args: list[str]) -> None:
    result = _ponte("it_IT.UTF-8", *args)
    assert result.returncode == 0 and result.stdout.startswith("uso: ponte")
    assert not ARGPARSE_WORDS.search(result.stdout), ARGPARSE_WORDS.search(result.stdout)
    assert "opzioni:" in result.stdout and "mostra questo aiuto ed esce" in result.stdout


def test_the_commands_are_listed_under_italian_titles() -> None:
    top = _ponte("it_IT.UTF-8", "--help").stdout
    assert "comandi:" in top and "COMANDO" in top and "agenda" in top
    load = _ponte("it_IT.UTF-8", "agenda", "import", "--help").stdout
    assert "argomenti:" in load and "FILE" in load and "--dry-run" in load


@pytest.mark.parametrize(("args", "words"), [
    ([], "ponte: errore: manca: COMANDO"),
    (["agenda"], "ponte agenda: errore: manca: AZIONE"),
    (["agenda", "import"], "ponte agenda import: errore: manca: FILE"),
    (["checkin", "qr", "strategies"], "ponte checkin qr: errore: manca: --out"),
    (["bogus"], "ponte: errore: COMANDO: bogus non è tra le scelte possibili; scegli tra: run, shell, agenda, "
                "audit, questionnaire, checkin, purge, backup, status, report"),
    (["agenda", "export", "-o"], "ponte agenda export: errore: dopo -o/--output serve un valore"),
    (["run", "--loud"], "ponte: errore: non so cosa fare con: --loud"),
])
def test_usage_errors_are_all_italian(args: list[str], words: str) -> None:
    result = _ponte("it_IT.UTF-8", *args)
    assert result.returncode == 2 and result.stdout == ""
    usage, error = result.stderr.splitlines()
    assert usage.startswith("uso: ponte") and error == words
    assert not ARGPARSE_WORDS.search(result.stderr), ARGPARSE_WORDS.search(result.stderr)


def test_english_terminals_keep_english() -> None:
    result = _ponte("en_US.UTF-8", "agenda")
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["usage: ponte agenda [-h] ACTION ...",
                                          "ponte agenda: error: this is missing: ACTION"]
    assert "show this help and exit" in _ponte("en_US.UTF-8", "--help").stdout


def test_an_argparse_message_ponte_does_not_know_is_still_said_in_the_terminal_language() -> None:
    assert translate_error(translator("it"), "something new from a future argparse") == \
        "questa riga di comando non è valida; vedi --help"
    assert translate_error(translator("it"), "argument --db: expected one argument") == \
        "dopo --db serve un valore"
