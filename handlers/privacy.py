"""The privacy notice and consent, and deleting everything on request."""

from __future__ import annotations

import html

from telegram import Update

from bot.domain.people import Participant
from bot.render import callback_data
from bot.render.buttons import Button
from bot.render.i18n import N_
from handlers.common import reply
from handlers.context import PonteContext
from handlers.journeys import Command, Contribution, Press
from handlers.menus import city_buttons, language_buttons


def _notice_text(context: PonteContext) -> str:
    t = context.t
    return t._(
        "🔒 <b>Your privacy</b>\n"
        "To sign you up for events, remind you of them and tell you when a seat opens up or an event changes, "
        "Ponte keeps your Telegram ID, your name and username, your language, your city and time zone, whether "
        "you want reminders, and the events you sign up for. They are "
        "used only to run the Turin–Baltimore exchange, and are shared with no one outside the organizing team.\n"
        "You can delete all of it at any time with /privacy."
    )


async def show_privacy_notice(update: Update, context: PonteContext, event_slug: str | None,
                              agree: str | None = None) -> None:
    """Ask for consent; nothing but the id and the language is kept until the person agrees. ``agree``: the
    payload of the "I agree" button when another journey takes over from there (a check-in link)."""
    t = context.t
    extra = (event_slug,) if event_slug else ()
    text = t._(
        "👋 Welcome to <b>Ponte</b>, the bot of the Turin–Baltimore exchange of the EU International Urban "
        "Cooperation program: the agenda, sign-ups and waiting lists, in Italian and English."
    ) + "\n\n" + _notice_text(context) + "\n\n" + t._("Do you agree?")
    rows = [
        [Button(t._("✅ I agree"), agree or callback_data.build("consent", "yes", *extra)),
         Button(t._("No, thanks"), callback_data.build("consent", "no"))],
        *language_buttons(),
    ]
    await reply(update, context, text, rows)


async def answer_consent(update: Update, context: PonteContext) -> None:
    """Record consent, then ask where the person is based; a refusal keeps nothing."""
    action = context.action
    t = context.t
    user = update.effective_user
    if action.arg(0) == "yes":
        await context.services.people.consent(user.id, user.full_name, t.language)
        person = await context.services.people.note_username(user.id, user.username)
        context.person = person
        # The event to show afterwards travels in the buttons: only a real one (a forged or stale slug
        # could not even fit in the next button's data).
        slug = action.arg(1) or None
        if slug and await context.services.agenda.find(slug) is None:
            slug = None
        await reply(update, context, t._(
            "Thank you, {name}! Where are you based? I'll show every time in your time zone too.",
            name=html.escape(person.display_name or user.first_name)), city_buttons(t, slug))
        return
    if context.person and context.person.consented:
        # A "No, thanks" from an old notice: deleting is /privacy's job, with its own confirmation.
        await reply(update, context, t._(
            "You've already agreed, so nothing changes. To delete your data, use /privacy."))
        return
    await context.services.people.forget(user.id)
    await reply(update, context, t._(
        "All right: I haven't kept anything about you. If you change your mind, send /start."))


async def record_consent(update: Update, context: PonteContext) -> Participant:
    """The person agreed: keep their name, username and language from now on."""
    user = update.effective_user
    await context.services.people.consent(user.id, user.full_name, context.t.language)
    context.person = await context.services.people.note_username(user.id, user.username)
    return context.person


async def show_privacy(update: Update, context: PonteContext) -> None:
    """/privacy: what is kept and why, with the button that deletes it all."""
    t = context.t
    if not (context.person and context.person.consented):
        await show_privacy_notice(update, context, event_slug=None)
        return
    rows = [[Button(t._("🗑 Delete my data"), callback_data.build("forget"))]]
    await reply(update, context, _notice_text(context), rows)


async def confirm_forget(update: Update, context: PonteContext) -> None:
    """Deleting cannot be undone: ask once more."""
    t = context.t
    rows = [[Button(t._("Yes, delete everything"), callback_data.build("forget-yes")),
             Button(t._("No, keep my data"), callback_data.build("privacy"))]]
    await reply(update, context, t._(
        "This deletes your profile and cancels your sign-ups; the seats you free up go to whoever's on the "
        "waiting list, if anyone is. Are you sure?"), rows)


async def forget_me(update: Update, context: PonteContext) -> None:
    """Delete the person and everything about them."""
    await context.services.people.forget(update.effective_user.id)
    await reply(update, context, context.t._(
        "Done: everything about you has been deleted. Send /start if you ever want to come back."))


JOURNEYS = Contribution(
    commands=(Command("privacy", show_privacy, N_("What I keep about you, and how to delete it"),
                      before_consent=True),),
    presses=(
        Press("consent", answer_consent, (1, 2), before_consent=True),  # consent:yes[:slug] / consent:no
        Press("privacy", show_privacy),
        Press("forget", confirm_forget),  # asks first
        Press("forget-yes", forget_me),
    ),
)
