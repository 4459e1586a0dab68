"""The phone's command menu in both languages, and the one-way imports of the architecture."""

from __future__ import annotations

import ast
from pathlib import Path

from bot import callback_data
from bot.app import publish_profile
from handlers.buttons import ROUTES
from tests.harness import Harness

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ["agenda", "agenda_file", "calendar_file", "callback_data", "clock", "i18n", "kinds", "notices",
          "outbox", "pacing", "pending", "people", "roles", "rosters", "settings", "signups", "timefmt", "zones"]


async def test_menu_and_descriptions_in_both_languages(bot: Harness) -> None:
    await publish_profile(bot.app)
    profile = bot.telegram.profile
    english = [c["description"] for c in profile[("commands", "")]]
    italian = [c["description"] for c in profile[("commands", "it")]]
    assert "The program of the exchange" in english and "Il programma dello scambio" in italian
    assert [c["command"] for c in profile[("commands", "")]] == [c["command"] for c in profile[("commands", "it")]]
    assert "Torino e Baltimora" in profile[("description", "it")]
    assert "Turin–Baltimore" in profile[("short_description", "")]


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_domain_knows_nothing_of_telegram_and_storage_nothing_of_either() -> None:
    for name in DOMAIN:
        assert not _imports(ROOT / "bot" / f"{name}.py") & {"telegram", "handlers"}, name
    for path in (ROOT / "storage").glob("*.py"):
        assert not _imports(path) & {"telegram", "handlers", "bot"}, path.name


def test_every_button_action_has_a_journey() -> None:
    assert set(ROUTES) == set(callback_data.ACTIONS)
