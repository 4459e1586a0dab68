"""What Ponte's TOML files (the agenda, questionnaires) share: reading them safely, and saying each mistake
with its line and field."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from bot.domain.languages import LANGUAGES, N_
from bot.domain.text_length import units
from storage.records import Texts


@dataclass(frozen=True)
class Problem:
    """One mistake in the file; ``message`` is a catalog msgid, filled in with ``values``."""

    line: int | None
    field: str
    message: str
    values: dict[str, object] = field(default_factory=dict)


class TomlFileError(Exception):
    """A file's mistakes, in line order; ``syntax`` when the file is not TOML at all (then there is one)."""

    def __init__(self, problems: list[Problem], *, syntax: bool = False) -> None:
        super().__init__(f"{len(problems)} problem(s) in the file")
        self.problems = sorted(problems, key=lambda p: (p.line is None, p.line or 0))
        self.syntax = syntax


# tomllib's messages (Python 3.11 to 3.13), each said as a person editing the file needs to hear it.
_TOML_MISTAKES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("Cannot overwrite", "Cannot declare", "Cannot mutate", "Cannot redefine", "Duplicate"),
     N_("a key or a table is written twice")),
    (("Expected '=' after a key",), N_("a key needs = and a value after it")),
    (("Expected ']' at the end", "Expected ']]' at the end"), N_("a table header is not closed with ] or ]]")),
    (("Invalid date or datetime",), N_("this date or time is not valid; write it as 2027-01-20T09:30:00")),
    (("Invalid value",), N_("the value is not valid: put text in quotes, and write numbers and dates without quotes")),
    (("Invalid initial character", "Invalid statement", "Found invalid character"),
     N_("this line is neither key = value nor a [table] header")),
    (("Unclosed array",), N_("a list is not closed with ]")),
    (("Unclosed inline table",), N_("an inline table is not closed with its closing brace")),
    (("Unterminated string",), N_("a text is not closed with its quotes")),
    (("Unescaped", "Escaped character", "Invalid hex value"),
     N_("a backslash in a text starts an escape that is not valid; write \\\\ for a backslash")),
    # A line break inside a one-line text: its closing quotes are missing.
    (("Illegal character '\\n'",), N_("a text is not closed with its quotes")),
    (("Illegal character",), N_("the line has a character that TOML does not allow there")),
)
_WHERE = re.compile(r"\(at line (\d+), column (\d+)\)$")
_OFFSET_TIME = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*([Zz]|[+-]\d{2}:?\d{2})")
_NO_SECONDS = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?!:)")


def syntax_problem(text: str, error: tomllib.TOMLDecodeError) -> Problem:
    """One line: where the file stops being TOML, and what to do about it (no Python wording)."""
    detail = str(error)
    where = _WHERE.search(detail)
    lines = text.splitlines()
    # "(at end of document)": the last line, where the reader was when the file ended.
    line = int(where.group(1)) if where else max(len(lines), 1)
    column = int(where.group(2)) if where else None
    source = lines[line - 1] if line <= len(lines) else ""
    value = source.split("=", 1)[1].strip() if "=" in source else source.strip()
    if _OFFSET_TIME.search(value):
        message = N_("{value} has a time offset: write the time without it, as the clock reads where the event "
                     "happens (the agenda's times are local to each event's time zone)")
    elif _NO_SECONDS.search(value):
        message = N_("{value}: write the seconds too, as 2027-01-20T09:30:00")
    else:
        message = next((msgid for starts, msgid in _TOML_MISTAKES if detail.startswith(starts)), None)
        if message is None:
            message = (N_("a text is not closed with its quotes") if detail.startswith(('Expected "', "Expected '"))
                       else N_("the TOML syntax is not valid here"))
    return Problem(line, "", message, {"value": value, "column": column or "?"})


MAX_DEPTH = 8  # lists and inline tables inside one another; Ponte's files need 3
MAX_KEY_PARTS = 8  # parts of a dotted key or a table header; Ponte's files need 3
_LEXEME = re.compile(r'"""|\'\'\'|["\'#\[\]{},=.\n]')
_BASIC_END = re.compile(r'[\\"\n]')


def _closing(text: str, pos: int, quote: str) -> int:
    """Where a string that opened just before ``pos`` ends (the index after its closing quotes), or the end of
    the text; a one-line string also ends at its line's end, where tomllib will say what is wrong."""
    if quote in ('"""', "'''"):
        while True:
            end = text.find(quote, pos)
            if end < 0:
                return len(text)
            if quote == '"""':
                slashes = end
                while slashes > pos and text[slashes - 1] == "\\":
                    slashes -= 1
                if (end - slashes) % 2:
                    pos = end + 1
                    continue
            end += 3
            # Up to two quotes of the text itself may stand right before the closing three.
            for _ in range(2):
                if text.startswith(quote[0], end):
                    end += 1
            return end
    if quote == "'":
        end = text.find("'", pos)
        line_end = text.find("\n", pos)
        if end < 0 or 0 <= line_end < end:
            return line_end if line_end >= 0 else len(text)
        return end + 1
    while True:
        found = _BASIC_END.search(text, pos)
        if found is None:
            return len(text)
        if found.group() == "\\":
            pos = found.end() + 1
            continue
        return found.end() if found.group() == '"' else found.start()


def prescan(text: str) -> Problem | None:
    """Nesting and dotted keys beyond anything Ponte's files need, found in one pass over the text before
    tomllib reads it: tomllib recurses once per level of nesting (10,000 levels overflow Python's stack)
    and its time and memory grow with the square of a dotted key's parts (20,000 parts took 7.4 s and
    1.6 GB). The pass knows strings and comments, so a bracket or a dot inside them counts for nothing."""
    stack: list[str] = []  # the open lists ("[") and inline tables ("{")
    in_key = True  # reading a key (or a [table] header), as opposed to a value
    parts = 1
    line = 1
    line_start = 0
    pos = 0
    while True:
        found = _LEXEME.search(text, pos)
        if found is None:
            return None
        lexeme, pos = found.group(), found.end()
        if lexeme == "\n":
            line, line_start = line + 1, pos
            if not stack:
                in_key, parts = True, 1
        elif lexeme == "#":
            newline = text.find("\n", pos)
            pos = len(text) if newline < 0 else newline
        elif lexeme in ('"""', "'''", '"', "'"):
            end = _closing(text, pos, lexeme)
            last_newline = text.rfind("\n", pos, end)
            if last_newline >= 0:
                line += text.count("\n", pos, end)
                line_start = last_newline + 1
            pos = end
        elif lexeme == "." and in_key:
            parts += 1
            if parts > MAX_KEY_PARTS:
                return Problem(line, _key_at(text, line_start), N_(
                    "This key has more than {limit} parts separated by dots; Ponte's files need at most 3"),
                    {"limit": MAX_KEY_PARTS})
        elif lexeme == "=":
            in_key = False
        elif lexeme in "[{":
            if in_key and not stack and lexeme == "[" and not text[line_start:found.start()].strip():
                # A [table] or [[table]] header: its name is a key, its brackets are no nesting.
                if text.startswith("[", pos):
                    pos += 1
                continue
            stack.append(lexeme)
            if len(stack) > MAX_DEPTH:
                return Problem(line, _key_at(text, line_start), N_(
                    "Lists and tables are nested more than {limit} deep here; Ponte's files need at most 3"),
                    {"limit": MAX_DEPTH})
            in_key, parts = lexeme == "{", 1
        elif lexeme in "]}":
            if stack:
                stack.pop()
            in_key = False
        elif lexeme == ",":
            in_key, parts = bool(stack) and stack[-1] == "{", 1


def _key_at(text: str, line_start: int) -> str:
    """The key a line sets, as far as it can be told, for naming the field of a problem."""
    head = text[line_start:line_start + 200].split("=", 1)[0].split("\n", 1)[0].strip()
    return head if len(head) <= 40 else head[:24] + "…"


class KeyLines:
    """Where each key of the file stands, since tomllib does not say. A path names arrays of tables by
    position: ``("event", 2, "speakers", 0, "name")`` is the name of the first speaker of the third event."""

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]\]?")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*=")
    _INLINE_KEY = re.compile(r"([A-Za-z0-9_\-]+)\s*=")

    def __init__(self, text: str) -> None:
        self._lines: dict[tuple[object, ...], int] = {}
        table: tuple[object, ...] = ()
        counts: dict[str, int] = {}  # the current index of each array of tables seen so far
        in_multiline = None
        for number, line in enumerate(text.splitlines(), start=1):
            if in_multiline:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            header = self._HEADER.match(line)
            if header:
                name = header.group(2)
                if header.group(1) == "[[":
                    counts[name] = counts.get(name, -1) + 1
                    for inner in [k for k in counts if k.startswith(name + ".")]:
                        del counts[inner]
                parts = name.split(".")
                path: list[object] = []
                for depth, part in enumerate(parts, start=1):
                    path.append(part)
                    prefix = ".".join(parts[:depth])
                    if prefix in counts:
                        path.append(counts[prefix])
                table = tuple(path)
                self._lines.setdefault(table, number)
                continue
            key = self._KEY.match(line)
            if key:
                path_of_key = table + tuple(key.group(1).split("."))
                for depth in range(len(table) + 1, len(path_of_key) + 1):
                    self._lines.setdefault(path_of_key[:depth], number)
                rest = line[key.end():]
                if rest.lstrip().startswith("{"):
                    for inner in self._INLINE_KEY.findall(rest):
                        self._lines.setdefault((*path_of_key, inner), number)
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2 == 1:
                        in_multiline = quote

    def line(self, *path: object) -> int | None:
        for depth in range(len(path), 0, -1):
            if path[:depth] in self._lines:
                return self._lines[path[:depth]]
        return None


# Invisible characters that have no place in a text people read: controls (NUL included), line and paragraph
# separators, and the bidirectional overrides that would turn the rest of a line around. A multi-line text
# may have line breaks and tabs; one-line fields may not.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CONTROL_IN_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def text_problems(text: str, limit: int, *, lines: bool = False) -> list[tuple[str, dict[str, object]]]:
    """What is wrong with a text for people's screens: an invisible control character, or a length beyond
    ``limit`` as Telegram counts it (UTF-16 code units: most emoji are two). Catalog msgids with their values."""
    found: list[tuple[str, dict[str, object]]] = []
    control = (_CONTROL_IN_LINES if lines else _CONTROL).search(text)
    if control:
        found.append((N_("This text has an invisible control character ({code}); remove it"),
                      {"code": f"U+{ord(control.group()):04X}"}))
    length = units(text)
    if length > limit:
        found.append((N_("This text is {length} characters long and may be at most {limit} "
                         "(Telegram counts most emoji as 2)"), {"length": length, "limit": limit}))
    return found


def read_toml(text: str) -> dict[str, Any]:
    """The document, or :class:`TomlFileError`: nesting beyond reason refused before tomllib reads it,
    and a syntax error said as a person editing the file needs to hear it."""
    too_deep = prescan(text)
    if too_deep is not None:
        raise TomlFileError([too_deep])
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TomlFileError([syntax_problem(text, error)], syntax=True) from None


class FieldReader:
    """What every reader of a Ponte file does: collect each mistake with its line, and read texts in both
    languages within their limits."""

    def __init__(self, lines: KeyLines) -> None:
        self._lines = lines
        self.problems: list[Problem] = []

    def _problem(self, path: tuple[object, ...], name: str, message: str, **values: object) -> None:
        self.problems.append(Problem(self._lines.line(*path), name, message, values))

    def _text(self, path: tuple[object, ...], label: str, text: str, limit: int, *, lines: bool = False) -> str:
        """A text within its limit (as Telegram counts) and free of invisible control characters."""
        for message, values in text_problems(text, limit, lines=lines):
            self._problem(path, label, message, **values)
        return text

    def _texts(self, at: tuple[object, ...], name: str, raw: dict[str, Any], key: str, *,
               required: bool, limit: int, lines: bool = False) -> Texts:
        value = raw.get(key)
        if value is None and not required:
            return Texts("", "")
        if not isinstance(value, dict):
            self._problem((*at, key), f"{name}.{key}",
                          N_("Write {key} in both languages, as {key}.it = \"...\" and {key}.en = \"...\""), key=key)
            return Texts("", "")
        for language in LANGUAGES:
            text = value.get(language)
            if not isinstance(text, str) or not text.strip():
                self._problem((*at, key, language), f"{name}.{key}.{language}",
                              N_("The {language} translation is missing"), language=language)
            else:
                self._text((*at, key, language), f"{name}.{key}.{language}", text.strip(), limit, lines=lines)
        for extra in set(value) - set(LANGUAGES):
            self._problem((*at, key, extra), f"{name}.{key}.{extra}",
                          N_("Unknown language {key}; Ponte speaks it and en"), key=extra)
        return Texts(str(value.get("it", "")).strip(), str(value.get("en", "")).strip())
