"""The audit log: every privileged action is recorded where the domain allows it (agenda imports from the
command line and from the chat, broadcasts sent, roles and invitations, exports), and `ponte audit` prints it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.app.services import open_services
from bot.cli.main import main
from bot.config.clock import FixedClock
from bot.config.settings import Settings
from bot.domain.audit import AuditAction
from bot.domain.roles import NotAllowedError, Role
from storage import Database
from tests.conftest import ORGANISER, TEST_TOKEN
from tests.harness import EXAMPLE, Harness

GIULIA = 801


async def _actions(bot: Harness) -> list[tuple[str, int | None, dict]]:
    return [(e.action, e.actor_id, e.detail) for e in reversed(await bot.services.audit.latest(100))]


async def test_an_import_from_the_command_line_is_recorded_with_no_person(bot: Harness) -> None:
    await bot.load_example()
    assert await _actions(bot) == [(AuditAction.AGENDA_IMPORTED, None, {"added": 8, "changed": 0, "cancelled": 0})]
    await bot.services.agenda.apply([], dry_run=True)
    assert len(await _actions(bot)) == 1, "a dry run changes nothing, so records nothing"


async def test_a_file_sent_in_the_chat_is_recorded_when_applied_once(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(ORGANISER, "Olga", "en")
    changed = EXAMPLE.read_text(encoding="utf-8").replace('slug = "strategies"',
                                                           'slug = "strategies"\nstatus = "cancelled"')
    await bot.process(bot.telegram.document_update(ORGANISER, "agenda.toml", changed.encode(),
                                                   mime_type="application/toml"))
    assert len(await _actions(bot)) == 1, "a preview is no import"
    preview = bot.last(ORGANISER)
    apply = bot.telegram.button(preview, "Apply")
    await bot.press(ORGANISER, "Apply")
    await bot.press_data(ORGANISER, apply, preview.message_id)
    action, actor, detail = (await _actions(bot))[-1]
    assert (action, actor) == (AuditAction.AGENDA_IMPORTED, ORGANISER) and detail["cancelled"] == 1
    assert len(await _actions(bot)) == 2


async def test_a_broadcast_is_recorded_when_sent_once(bot: Harness) -> None:
    await bot.onboard(ORGANISER, "Olga", "en", "Baltimore")
    await bot.onboard(GIULIA, "Giulia", "it")
    await bot.send(ORGANISER, "/broadcast")
    await bot.press(ORGANISER, "Everyone")
    await bot.press(ORGANISER, "One text")
    await bot.send(ORGANISER, "Hello everyone")
    await bot.press(ORGANISER, "Send")
    sends = [a for a in await _actions(bot) if a[0] == AuditAction.BROADCAST_SENT]
    assert sends == [(AuditAction.BROADCAST_SENT, ORGANISER, {"broadcast": 1, "audience": "everyone",
                                                              "recipients": 2})]


async def test_an_export_is_recorded_by_whoever_makes_it(bot: Harness) -> None:
    await bot.services.audit.record(ORGANISER, AuditAction.EXPORT, {"event": 3, "answers": 12})
    assert (await _actions(bot))[-1] == (AuditAction.EXPORT, ORGANISER, {"event": 3, "answers": 12})


async def test_a_refused_action_records_nothing(bot: Harness) -> None:
    with pytest.raises(NotAllowedError):
        await bot.services.team.invite(GIULIA, Role.ORGANISER)
    assert await _actions(bot) == []


def _filled_database(path) -> None:
    async def fill() -> None:
        settings = Settings(token=TEST_TOKEN, db_path=path, admins=frozenset({ORGANISER}))
        db = await Database.open(path)
        clock = FixedClock(datetime(2027, 1, 11, 9, 0, tzinfo=UTC))
        services = await open_services(settings, clock, db=db, automatic_outbox=False)
        await services.people.meet(GIULIA)
        token, _ = await services.team.invite(ORGANISER, Role.COORDINATOR)
        clock.set(datetime(2027, 1, 11, 14, 30, tzinfo=UTC))
        await services.team.open_invite(GIULIA, token)
        await services.audit.record(None, AuditAction.EXPORT, {"answers": 4})
        await db.close()

    asyncio.run(fill())


@pytest.mark.parametrize(("language", "lines"), [
    ("en_US.UTF-8", ["Newest first; times are Turin time (Europe/Rome).",
                     "2027-01-11 3:30 PM  command line  answers exported answers=4",
                     "2027-01-11 3:30 PM  ID 900  ID 801 became a coordinator (invitation #1)",
                     "2027-01-11 10:00 AM  ID 900  invitation #1 created for a coordinator"]),
    ("it_IT.UTF-8", ["Dal più recente; orari di Torino (Europe/Rome).",
                     "2027-01-11 15:30  riga di comando  risposte esportate answers=4",
                     "2027-01-11 15:30  ID 900  ID 801 ha ricevuto il ruolo di coordinatore (invito n. 1)",
                     "2027-01-11 10:00  ID 900  invito n. 1 creato per un coordinatore"]),
])
def test_ponte_audit_prints_newest_first_in_the_terminals_language(tmp_path, monkeypatch, capsys, language,
                                                                   lines) -> None:
    path = tmp_path / "ponte.db"
    _filled_database(path)
    for name in ("LC_ALL", "LC_MESSAGES", "PONTE_LANGUAGE", "PONTE_ADMINS", "PONTE_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", language)
    monkeypatch.setenv("PONTE_DB", str(path))
    monkeypatch.chdir(tmp_path)
    assert main(["audit"]) == 0
    assert capsys.readouterr().out.splitlines() == lines
    assert main(["audit", "--limit", "1"]) == 0
    assert capsys.readouterr().out.splitlines() == lines[:2]


def test_ponte_audit_refuses_a_bad_limit_and_a_missing_database(tmp_path, monkeypatch, capsys) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "PONTE_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.setenv("PONTE_DB", str(tmp_path / "none.db"))
    monkeypatch.chdir(tmp_path)
    assert main(["audit"]) == 1
    assert "There is no database at" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()
    with pytest.raises(SystemExit):
        main(["audit", "--limit", "0"])
    assert "0 is not a valid value for --limit" in capsys.readouterr().err
