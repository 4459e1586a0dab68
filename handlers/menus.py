"""Buttons that several journeys show."""

from __future__ import annotations

from bot.render import callback_data
from bot.render.buttons import Button
from bot.render.i18n import Translator


def main_menu(t: Translator) -> list[list[Button]]:
    return [
        [Button(t._("📅 Agenda"), callback_data.build("agenda", 0)),
         Button(t._("🗂 My events"), callback_data.build("my"))],
        [Button(t._("⚙️ Settings"), callback_data.build("settings"))],
    ]


def language_buttons(then: str = "") -> list[list[Button]]:
    # Each language is named in itself, so that a person who cannot read the current one finds theirs.
    extra = (then,) if then else ()
    return [[Button("🇮🇹 Italiano", callback_data.build("lang", "it", *extra)),
             Button("🇺🇸 English", callback_data.build("lang", "en", *extra))]]


def city_buttons(t: Translator, then_show: str | None = None) -> list[list[Button]]:
    """Where the person is based, when meeting the bot (then the welcome, or the event of their link)."""
    extra = (then_show,) if then_show else ()
    return [
        [Button(t._("🇮🇹 Turin"), callback_data.build("city", "torino", *extra)),
         Button(t._("🇺🇸 Baltimore"), callback_data.build("city", "baltimore", *extra))],
        [Button(t._("🌍 Elsewhere"), callback_data.build("city", "elsewhere", *extra))],
    ]


def city_change_buttons(t: Translator) -> list[list[Button]]:
    """Where the person is based, from the settings: each choice, and Back, lead to the settings again."""
    return [
        [Button(t._("🇮🇹 Turin"), callback_data.build("city-change", "torino")),
         Button(t._("🇺🇸 Baltimore"), callback_data.build("city-change", "baltimore"))],
        [Button(t._("🌍 Elsewhere"), callback_data.build("city-change", "elsewhere"))],
        [back_button(t, callback_data.build("settings"))],
    ]


def back_button(t: Translator, payload: str) -> Button:
    return Button(t._("↩️ Back"), payload)
