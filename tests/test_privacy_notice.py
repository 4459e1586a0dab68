"""The privacy notice names who answers for the data and how to reach them (required by `ponte run`), says
how long data is kept, and that feedback stays anonymous; the shell and the tests say plainly when unset."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config.settings import Settings, SettingsError
from tests.conftest import ORGANISER, PRIVACY_SETTINGS, TEST_TOKEN
from tests.harness import Harness

MIKE, GIULIA = 6201, 6102
CONTROLLER = "Città di Torino <Divisione Innovazione>"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(token=TEST_TOKEN, db_path=tmp_path / "ponte.db", admins=frozenset({ORGANISER}),
                    controller=CONTROLLER, privacy_contact="privacy@comune.torino.example", retention_days=180)


async def test_the_notice_names_the_controller_the_contact_and_the_time_kept(bot: Harness) -> None:
    bot.person(MIKE, "Mike", "en")
    await bot.send(MIKE, "/start")
    notice = bot.last(MIKE)
    assert "Responsible for your data: Città di Torino <Divisione Innovazione>" in notice.text
    assert "Responsible for your data: Città di Torino &lt;Divisione Innovazione&gt;" in notice.markup
    assert "Contact: privacy@comune.torino.example" in notice.text
    assert "deleted 180 days after your last event or your last activity, whichever is later" in notice.text
    assert "reach the report without your name" in notice.text
    assert "your answers stay in the report with nothing linking them to you" in notice.text
    assert "/mydata sends you a copy" in notice.text and "Do you agree?" in notice.text
    await bot.onboard(GIULIA, "Giulia", "it")
    await bot.send(GIULIA, "/privacy")
    shown = bot.last(GIULIA).text
    assert "Responsabile dei tuoi dati: Città di Torino" in shown and "Contatto: privacy@comune" in shown
    assert "180 giorni dopo il più recente tra il tuo ultimo evento e la tua ultima attività" in shown


def test_without_the_settings_the_notice_says_they_are_not_set() -> None:
    from bot.domain.privacy_policy import PrivacyPolicy
    from bot.render.i18n import translator
    from bot.render.privacy_notice import notice_text

    policy = PrivacyPolicy(None, None, 365)
    english = notice_text(translator("en"), policy)
    assert "Responsible for your data: the exchange's organizers (PONTE_CONTROLLER is not set)" in english
    assert "Contact: none yet: PONTE_PRIVACY_CONTACT is not set" in english
    italian = notice_text(translator("it"), policy)
    assert "gli organizzatori dello scambio (PONTE_CONTROLLER non è impostato)" in italian
    assert "365 giorni" in italian
    assert len(english) < 1500 and len(italian) < 1600  # one phone screen, give or take


def test_run_requires_the_controller_and_the_contact() -> None:
    for missing in ("PONTE_CONTROLLER", "PONTE_PRIVACY_CONTACT"):
        environ = {"PONTE_TOKEN": TEST_TOKEN, **PRIVACY_SETTINGS}
        del environ[missing]
        with pytest.raises(SettingsError, match=missing):
            Settings.from_env(environ, env_file=None, require_privacy=True)
        assert Settings.from_env(environ, env_file=None).controller == environ.get("PONTE_CONTROLLER")
    settings = Settings.from_env({"PONTE_TOKEN": TEST_TOKEN, **PRIVACY_SETTINGS}, env_file=None,
                                 require_privacy=True)
    assert settings.privacy_contact == "privacy@example.org" and settings.retention_days == 365


@pytest.mark.parametrize("value", ["0", "-3", "a year", "1.5", "٣"])
def test_retention_days_must_be_a_whole_number(value: str) -> None:
    with pytest.raises(SettingsError, match="PONTE_RETENTION_DAYS"):
        Settings.from_env({"PONTE_TOKEN": TEST_TOKEN, "PONTE_RETENTION_DAYS": value}, env_file=None)
    assert Settings.from_env({"PONTE_RETENTION_DAYS": "30"}, env_file=None, require_token=False).retention_days == 30


@pytest.mark.parametrize(("language", "start"), [
    ("en_US.UTF-8", "Ponte cannot start: PONTE_CONTROLLER is not set: the privacy notice must name who"),
    ("it_IT.UTF-8", "Ponte non può partire: PONTE_CONTROLLER non è impostato: l'informativa sulla privacy"),
])
def test_run_without_the_controller_exits_2_with_one_line(tmp_path: Path, language: str, start: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PONTE_")} | {
        "LANG": language, "PONTE_TOKEN": TEST_TOKEN, "PONTE_PRIVACY_CONTACT": "privacy@example.org"}
    result = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(start), result.stderr


async def test_deleting_says_the_feedback_stays_anonymous_before_it_happens(bot: Harness) -> None:
    await bot.onboard(GIULIA, "Giulia", "it")
    await bot.send(GIULIA, "/privacy")
    await bot.press(GIULIA, "Cancella i miei dati")
    asked = bot.last(GIULIA).text
    assert "Le tue risposte ai questionari restano nel resoconto, senza più nulla che le colleghi a te." in asked
    assert asked.endswith("Confermi?")
