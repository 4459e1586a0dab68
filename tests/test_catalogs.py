"""Every user-facing string exists in Italian and English, with the same placeholders as its msgid."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.render.i18n import LANGUAGES, LOCALES_DIR

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "n_": (1, 2)}


def _catalog(language: str):
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=language)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _source_ids() -> set[str | tuple[str, str]]:
    ids: set[str | tuple[str, str]] = set()
    for folder in ("bot", "handlers"):
        for _, _, message, _, _ in extract_from_dir(ROOT / folder, method_map=[("**.py", "python")],
                                                    keywords=KEYWORDS):
            ids.add(message if isinstance(message, str) else tuple(message[:2]))
    return ids


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_with_the_same_placeholders(language: str) -> None:
    problems = []
    for message in _catalog(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = set().union(*(_fields(i) for i in ids)) - {"n"}
        for text in strings:
            if _fields(text) - {"n"} != wanted:
                problems.append(f"placeholders differ: {ids[0]!r} -> {text!r}")
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogs_hold_every_string_the_code_uses(language: str) -> None:
    in_catalog = {m.id if isinstance(m.id, str) else tuple(m.id[:2]) for m in _catalog(language) if m.id}
    missing = _source_ids() - in_catalog
    assert not missing, f"run the catalog update of the README; missing in {language}: {sorted(map(str, missing))}"


def test_no_translation_call_hides_inside_an_f_string() -> None:
    """Babel cannot see a t._("...") written inside an f-string on Python 3.11: it would stay English."""
    offenders = []
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "handlers").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                for part in ast.walk(node):
                    if (isinstance(part, ast.Call) and isinstance(part.func, ast.Attribute | ast.Name)
                            and getattr(part.func, "attr", getattr(part.func, "id", "")) in ("_", "n_")
                            and part.args and isinstance(part.args[0], ast.Constant)):
                        offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_italian_is_not_english() -> None:
    same = [m.id for m in _catalog("it") if isinstance(m.id, str) and m.id == m.string and re.search(r"[a-z]{4}", m.id)]
    # Words that are the same in both languages (proper names, loanwords) are few and known.
    assert set(same) <= {"Workshop", "{day}, {time}", "{label}: {count}"}


def test_english_catalog_uses_american_spelling() -> None:
    british = re.compile(r"\b(organis\w*|programme|neighbour\w*|cancelled|colour|centre|favour\w*)\b", re.I)
    found = [m.string for m in _catalog("en") if isinstance(m.string, str) and british.search(m.string)]
    assert found == []
