"""The phone's command menu in both languages, and the one-way imports of the architecture."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.app.application import publish_profile
from handlers.journeys import Contribution, Press, Routing
from tests.harness import Harness

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage")

# package -> the packages its modules must never import. Imports point down:
# handlers -> bot.domain / bot.render -> storage; only the composition root (bot.app) knows handlers.
FORBIDDEN = {
    "storage": ("telegram", "handlers", "bot"),
    "bot.config": ("telegram", "handlers", "bot.app", "bot.cli", "bot.domain", "bot.render", "bot.delivery",
                   "bot.telegram", "storage"),
    "bot.domain": ("telegram", "handlers", "bot.app", "bot.cli", "bot.render", "bot.delivery", "bot.telegram"),
    "bot.render": ("telegram", "handlers", "bot.app", "bot.cli", "bot.delivery", "bot.telegram"),
    "bot.delivery": ("telegram", "handlers", "bot.app", "bot.cli", "bot.telegram"),
    "bot.telegram": ("handlers", "bot.app", "bot.cli", "storage"),
    "bot.standin": ("handlers", "bot.app", "bot.cli", "bot.domain", "storage"),
    "handlers": ("storage", "bot.app", "bot.cli"),
    "bot.cli": ("handlers",),
}


async def test_menu_and_descriptions_in_both_languages(bot: Harness) -> None:
    await publish_profile(bot.app)
    profile = bot.telegram.profile
    english = [c["description"] for c in profile[("commands", "")]]
    italian = [c["description"] for c in profile[("commands", "it")]]
    assert "The agenda of the exchange" in english and "Il programma dello scambio" in italian
    assert [c["command"] for c in profile[("commands", "")]] == [c["command"] for c in profile[("commands", "it")]]
    assert "Torino e Baltimora" in profile[("description", "it")]
    assert "Turin–Baltimore" in profile[("short_description", "")]


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _crossings() -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = _module(path)
            owner = max((p for p in FORBIDDEN if _within(module, p)), key=len, default=None)
            if owner is None:
                continue
            for name in _imports(path):
                for banned in FORBIDDEN[owner]:
                    if _within(name, banned) and not _within(name, owner):
                        found.append(f"{module} imports {name}")
    return found


def test_imports_point_down_package_by_package() -> None:
    assert _crossings() == []


def test_every_package_of_bot_has_its_rules() -> None:
    """A new sub-package of bot/ must say what it may not import, or the layer test would ignore it."""
    packages = {f"bot.{p.name}" for p in (ROOT / "bot").iterdir() if (p / "__init__.py").exists()}
    assert packages - set(FORBIDDEN) == {"bot.app"}


def _built_payloads() -> list[tuple[str, str, int]]:
    """(module, action, number of arguments) for every callback_data.build(...) call with a literal name."""
    found = []
    for package in ("bot", "handlers"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "build"
                        and isinstance(node.func.value, ast.Name) and node.func.value.id == "callback_data"):
                    name = node.args[0]
                    assert isinstance(name, ast.Constant), f"{path.name}: build the payload with a literal name"
                    starred = any(isinstance(a, ast.Starred) for a in node.args[1:])
                    found.append((path.name, name.value, -1 if starred else len(node.args) - 1))
    return found


async def test_every_button_the_bot_builds_has_a_journey_that_takes_it(bot: Harness) -> None:
    presses = bot.app.routing.presses
    payloads = _built_payloads()
    assert len(payloads) > 20
    for module, action, args in payloads:
        assert action in presses, f"{module} builds {action!r} buttons that no journey handles"
        fewest, most = presses[action].arity
        assert args == -1 or fewest <= args <= most, f"{module}: {action} with {args} arguments"


def test_two_journeys_cannot_claim_one_button() -> None:
    async def journey(update, context) -> None:
        return None

    with pytest.raises(ValueError, match="signup"):
        Routing([Contribution(presses=(Press("signup", journey, (1, 1)),)),
                 Contribution(presses=(Press("signup", journey, (1, 1)),))])


def test_a_payload_with_the_wrong_number_of_arguments_is_refused() -> None:
    async def journey(update, context) -> None:
        return None

    routing = Routing([Contribution(presses=(Press("signup", journey, (1, 1)),))])
    assert routing.press("signup:workshop") is not None
    assert routing.press("signup") is None
    assert routing.press("signup:workshop:extra") is None
    assert routing.press("unknown:workshop") is None
    assert routing.press("signup:<b>") is None


def test_a_payload_part_with_a_trailing_newline_is_refused() -> None:
    from bot.render import callback_data

    assert callback_data.parse("event:workshop\n") is None
    with pytest.raises(ValueError):
        callback_data.build("event", "workshop\n")
