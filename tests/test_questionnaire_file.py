"""Questionnaire files: every mistake said with its line and field; re-imports keep answers comparable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from bot.domain.agenda_file import EXAMPLE_AGENDA
from bot.domain.questionnaire_file import DEFAULT_QUESTIONNAIRE, QuestionnaireFileError, parse_questionnaire
from storage.questionnaires import QuestionKind

DEFAULT = DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8")
SMALL = """\
[questionnaire]
slug = "quick"
title.it = "Due domande"
title.en = "Two questions"
kinds = ["workshop"]

[[question]]
id = "useful"
kind = "rating"
text.it = "Utile?"
text.en = "Useful?"
low.it = "Poco"
low.en = "Barely"
high.it = "Molto"
high.en = "Very"

[[question]]
id = "who"
kind = "single"
text.it = "Chi?"
text.en = "Who?"

[[question.choices]]
id = "city"
label.it = "Comune"
label.en = "City"

[[question.choices]]
id = "ngo"
label.it = "Associazioni"
label.en = "Nonprofits"
"""


def _mistakes(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(QuestionnaireFileError) as caught:
        parse_questionnaire(text)
    return [(p.line, p.field, p.message.format(**p.values)) for p in caught.value.problems]


def test_the_default_questionnaire_asks_what_the_report_needs() -> None:
    q = parse_questionnaire(DEFAULT).questionnaire
    assert q.slug == "after-the-visit" and q.kinds == {"site_visit", "workshop"} and q.anonymous
    assert [(x.key, x.kind) for x in q.questions] == [
        ("useful", QuestionKind.RATING), ("actors", QuestionKind.MULTIPLE), ("transferable", QuestionKind.SCALE),
        ("obstacles", QuestionKind.MULTIPLE), ("idea", QuestionKind.TEXT)]
    assert "Baltimore" in q.questions[2].text.en and "Baltimora" in q.questions[2].text.it
    assert "A STARTING POINT" in DEFAULT  # what an organiser reads first
    assert not q.questions[4].required and q.questions[4].max_length == 500


def test_each_mistake_has_its_line_and_field() -> None:
    broken = (SMALL.replace('kind = "single"', 'kind = "pick one"')
              .replace('low.en = "Barely"\n', '')
              .replace('slug = "quick"', 'slug = "Quick!"\ncolour = "red"')
              .replace('title.en = "Two questions"', 'title.en = "' + "🙂" * 60 + '"'))
    found = _mistakes(broken)
    lines = broken.splitlines()
    by_field = {field: (line, message) for line, field, message in found}
    assert "questionnaire.slug" in by_field and lines[by_field["questionnaire.slug"][0] - 1].startswith("slug")
    assert by_field["questionnaire.colour"][1] == "Unknown field colour"
    assert "120 characters long and may be at most 100" in by_field["questionnaire.title.en"][1]
    assert by_field["useful.low.en"][1] == "The en translation is missing"
    assert lines[by_field["who.kind"][0] - 1] == 'kind = "pick one"'
    assert "rating, scale, single, multiple, text" in by_field["who.kind"][1]


@pytest.mark.parametrize(("change", "field", "words"), [
    (('kinds = ["workshop"]', 'kinds = ["party"]'), "questionnaire.kinds", "party is not a kind of event"),
    (('kinds = ["workshop"]', ''), "questionnaire.kinds", "Say which events"),
    (('kinds = ["workshop"]', 'kinds = ["workshop"]\nopen_for = "1y"'), "questionnaire.open_for", "from 1h to 180d"),
    (('id = "who"', 'id = "useful"'), "useful.id", "already used by question number 1"),
    (('high.en = "Very"', 'high.en = "Very"\nmax_length = 10'), "useful.max_length", "Only a free-text"),
    (('id = "ngo"', 'id = "city"'), "who.choices[2].id", "The choice city is written twice"),
    (('text.en = "Who?"', 'text.en = "Who?\\u0000"'), "who.text.en", "invisible control character (U+0000)"),
    (('label.en = "City"', 'label.en = "City"\nlabel.de = "Stadt"'), "who.choices[1].label.de",
     "Unknown language de"),
])
def test_one_mistake_at_a_time(change: tuple[str, str], field: str, words: str) -> None:
    found = {f: m for _, f, m in _mistakes(SMALL.replace(*change))}
    assert field in found and words in found[field], found


def test_choices_and_lengths_follow_the_kind() -> None:
    text_question = SMALL + '\n[[question]]\nid = "idea"\nkind = "text"\nmax_length = 5000\ntext.it = "Idea?"\n' \
        'text.en = "Idea?"\n'
    found = {f: m for _, f, m in _mistakes(text_question)}
    assert "from 1 to 2000" in found["idea.max_length"]
    one_choice = SMALL.split('[[question.choices]]\nid = "ngo"')[0]
    found = {f: m for _, f, m in _mistakes(one_choice)}
    assert "from 2 to 12 choices" in found["who.choices"]
    many = SMALL + "".join(f'\n[[question]]\nid = "q{i}"\nkind = "text"\ntext.it = "?"\ntext.en = "?"\n'
                           for i in range(20))
    assert "at most 20 questions; this one has 22" in _mistakes(many)[0][2]


def test_a_file_that_is_not_toml_is_said_in_one_line() -> None:
    problems = _mistakes(SMALL.replace('title.it = "Due domande"', 'title.it = "Due domande'))
    assert problems == [(3, "", "a text is not closed with its quotes")]


def _cli(monkeypatch, tmp_path: Path, *args: str, language: str = "en_US.UTF-8") -> int:
    monkeypatch.setenv("PONTE_DB", str(tmp_path / "q.db"))
    monkeypatch.setenv("LANG", language)
    for name in ("LC_ALL", "LC_MESSAGES", "PONTE_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return main(list(args))


def _answer(db: Path, question_key: str, choice_key: str | None = None) -> None:
    """Someone answered: the rows the answering flow writes."""
    import sqlite3

    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA foreign_keys = ON")
        event = connection.execute("SELECT id FROM event LIMIT 1").fetchone()[0]
        questionnaire, question = connection.execute(
            "SELECT questionnaire_id, id FROM question WHERE key = ?", (question_key,)).fetchone()
        connection.execute("INSERT OR IGNORE INTO response (id, questionnaire_id, event_id, language, asked_at, "
                           "closes_at) VALUES (1, ?, ?, 'it', '2027-01-20T10:00:00Z', '2027-02-03T10:00:00Z')",
                           (questionnaire, event))
        connection.execute("INSERT INTO answer (response_id, question_id, number, answered_at) "
                           "VALUES (1, ?, 4, '2027-01-20T10:05:00Z')", (question,))
        if choice_key:
            choice = connection.execute("SELECT id FROM choice WHERE question_id = ? AND key = ?",
                                        (question, choice_key)).fetchone()[0]
            connection.execute("INSERT INTO answer_choice VALUES (1, ?, ?)", (question, choice))


def test_the_command_line_imports_and_refuses_to_lose_answers(monkeypatch, tmp_path: Path, capsys) -> None:
    assert _cli(monkeypatch, tmp_path, "agenda", "import", str(EXAMPLE_AGENDA)) == 0
    path = tmp_path / "quick.toml"
    path.write_text(SMALL, encoding="utf-8")
    capsys.readouterr()
    assert _cli(monkeypatch, tmp_path, "questionnaire", "import", str(path)) == 0
    out = capsys.readouterr().out
    assert "New questionnaire quick: 2 questions." in out
    assert "asked after 1 event on the agenda: collaborative-services." in out

    _answer(tmp_path / "q.db", "who", "city")
    path.write_text(SMALL.replace('id = "ngo"', 'id = "residents"').replace('kind = "rating"', 'kind = "scale"'),
                    encoding="utf-8")
    assert _cli(monkeypatch, tmp_path, "questionnaire", "import", str(path)) == 0  # "useful" was not answered
    capsys.readouterr()
    _answer(tmp_path / "q.db", "useful")
    path.write_text(SMALL.split("[[question]]\nid = \"who\"")[0].replace('kind = "rating"', 'kind = "text"')
                    .replace('low.it = "Poco"\nlow.en = "Barely"\nhigh.it = "Molto"\nhigh.en = "Very"\n', ''),
                    encoding="utf-8")
    assert _cli(monkeypatch, tmp_path, "questionnaire", "import", str(path)) == 1
    err = capsys.readouterr().err
    assert "2 mistakes, nothing was changed" in err
    assert "who: The question who has answers already and cannot be removed" in err
    assert "useful.kind: The question useful has answers already as scale: its kind cannot become text" in err

    path.write_text(SMALL.replace('id = "city"', 'id = "family"').replace('kind = "rating"', 'kind = "scale"'),
                    encoding="utf-8")
    assert _cli(monkeypatch, tmp_path, "questionnaire", "import", str(path)) == 1
    assert "who.choices: The choice city of who has been picked already" in capsys.readouterr().err

    # Rewording keeps everything, and says what changed.
    path.write_text(SMALL.replace('id = "ngo"', 'id = "residents"').replace('kind = "rating"', 'kind = "scale"')
                    .replace('text.en = "Who?"', 'text.en = "Who runs it?"'), encoding="utf-8")
    assert _cli(monkeypatch, tmp_path, "questionnaire", "import", str(path), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "Nothing was changed (--dry-run)" in out and "Changed: 1  (who)" in out
    assert _cli(monkeypatch, tmp_path, "questionnaire", "list") == 0
    assert "quick: Two questions (2 questions), asked after: workshop" in capsys.readouterr().out


def test_an_event_named_by_slug_must_be_on_the_agenda_and_italian_is_spoken(monkeypatch, tmp_path: Path,
                                                                            capsys) -> None:
    path = tmp_path / "quick.toml"
    path.write_text(SMALL.replace('kinds = ["workshop"]', 'events = ["roccafranca"]'), encoding="utf-8")
    assert _cli(monkeypatch, tmp_path, "questionnaire", "import", str(path), language="it_IT.UTF-8") == 1
    err = capsys.readouterr().err
    assert "1 errore, non è stato cambiato nulla" in err and "Non c'è nessun evento roccafranca nel programma" in err
    assert _cli(monkeypatch, tmp_path, "questionnaire", "example", language="it_IT.UTF-8") == 0
    assert capsys.readouterr().out == DEFAULT


async def test_the_default_is_installed_once_and_only_on_an_empty_database(db, clock) -> None:
    from bot.domain.questionnaires import Questionnaires

    questionnaires = Questionnaires(db, clock)
    assert await questionnaires.install_default()
    assert not await questionnaires.install_default()
    assert [q.slug for q in await questionnaires.all()] == ["after-the-visit"]
