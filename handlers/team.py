"""/team: who holds a role, invitations that bring people in, and taking roles back (organisers only); and
opening an invitation link, ``?start=r_<token>``."""

from __future__ import annotations

import base64
import binascii
import html

from telegram import Update

from bot.domain.roles import NotAllowedError, Role
from bot.domain.team import INVITABLE, INVITE_PAYLOAD, TOKEN, Opened, Opening
from bot.render import callback_data
from bot.render.buttons import Button
from bot.render.i18n import N_
from bot.render.team import confirm_revoke_text, invite_text, opened_text, revoked_note, team_buttons, team_text
from handlers.command_menus import publish_menu
from handlers.common import reply
from handlers.context import PonteContext
from handlers.journeys import Command, Contribution, Press
from handlers.menus import city_buttons
from handlers.privacy import record_consent, show_privacy_notice

# An invitation's token through the "I agree" button of a newcomer's privacy notice: button data allows no "_",
# so it travels there as hex, after an "R".
_BUTTON_PREFIX = "R"


def token_to_button(token: str) -> str:
    """The token as the consent button carries it (a well-formed one only)."""
    return _BUTTON_PREFIX + base64.urlsafe_b64decode(token + "==").hex()


def token_from_button(arg: str) -> str:
    """The token a consent button carried, or "" for anything that was never one (opening it says so)."""
    if not arg.startswith(_BUTTON_PREFIX):
        return ""
    try:
        return base64.urlsafe_b64encode(bytes.fromhex(arg[len(_BUTTON_PREFIX):])).decode().rstrip("=")
    except (ValueError, binascii.Error):
        return ""


async def open_link(update: Update, context: PonteContext, payload: str) -> None:
    """``/start r_<token>``, an invitation to the team: a newcomer consents first, with the invitation riding on
    the "I agree" button; a link that cannot be one says so at once."""
    token = payload[len(INVITE_PAYLOAD):]
    person = context.person
    if person and person.consented:
        await open_invite(update, context, token)
        if person.timezone is None:
            await reply(update, context, context.t._("Where are you based?"), city_buttons(context.t))
        return
    await context.services.people.meet(update.effective_user.id)
    if TOKEN.match(token):
        await show_privacy_notice(update, context, event_slug=None,
                                  agree=callback_data.build("team-join", token_to_button(token)))
        return
    await reply(update, context, opened_text(context.t, Opened(Opening.UNKNOWN), Role.STAKEHOLDER, (), None,
                                             context.services.team.home_timezone))
    await show_privacy_notice(update, context, event_slug=None)


async def join_after_consent(update: Update, context: PonteContext) -> None:
    """"I agree" on the privacy notice of a newcomer who opened an invitation: consent, join the team, then the
    city question every newcomer gets."""
    t = context.t
    person = await record_consent(update, context)
    await open_invite(update, context, token_from_button(context.action.arg(0)))
    if person.timezone is not None:
        return  # an old notice's button, pressed by someone who has met the bot since
    await reply(update, context, t._(
        "Thank you, {name}! Where are you based? I'll show every time in your time zone too.",
        name=html.escape(person.display_name or update.effective_user.first_name)), city_buttons(t), new=True)


def _refusal(context: PonteContext) -> str:
    return context.t._("Sorry, only the organizers of the exchange can see and manage the team.")


async def show_team(update: Update, context: PonteContext, note: str | None = None) -> None:
    """/team, or Back to it: the people with roles and the pending invitations, with what can be done."""
    t = context.t
    team = context.services.team
    try:
        view = await team.view(update.effective_user.id)
    except NotAllowedError:
        await reply(update, context, _refusal(context))
        return
    reader_tz = context.person.timezone if context.person else None
    await reply(update, context, team_text(t, view, reader_tz, team.home_timezone, note), team_buttons(t, view))


async def back_to_team(update: Update, context: PonteContext) -> None:
    """Back, from the question before revoking a role."""
    await show_team(update, context)


async def make_invite(update: Update, context: PonteContext) -> None:
    """Invite an organiser or a coordinator: a fresh link, in a message of its own to forward or copy."""
    t = context.t
    team = context.services.team
    try:
        role = Role(context.action.arg(0))
    except ValueError:
        role = None
    if role not in INVITABLE:
        await reply(update, context, t._("That button no longer works. Use /team to carry on."))
        return
    try:
        token, invite = await team.invite(update.effective_user.id, role)
    except NotAllowedError:
        await reply(update, context, _refusal(context))
        return
    link = f"https://t.me/{context.bot.username}?start={INVITE_PAYLOAD}{token}"
    reader_tz = context.person.timezone if context.person else None
    await reply(update, context, invite_text(t, role, link, invite.expires_at, reader_tz, team.home_timezone),
                [[Button(t._("👥 Back to the team"), callback_data.build("team"))]], new=True)


def _role_and_person(context: PonteContext) -> tuple[int, Role] | None:
    target, role = context.action.arg(0), context.action.arg(1)
    if not target.isdigit() or len(target) > 20 or role not in {r.value for r in INVITABLE}:
        return None
    return int(target), Role(role)


async def ask_revoke(update: Update, context: PonteContext) -> None:
    """Revoking a role is asked once more."""
    t = context.t
    found = _role_and_person(context)
    if found is None:
        await reply(update, context, t._("That button no longer works. Use /team to carry on."))
        return
    if not context.services.roles.is_organiser(update.effective_user.id):
        await reply(update, context, _refusal(context))
        return
    target, role = found
    person = await context.services.people.get(target)
    rows = [[Button(t._("Yes, revoke"), callback_data.build("team-revoke-yes", target, role.value)),
             Button(t._("Back"), callback_data.build("team"))]]
    await reply(update, context, confirm_revoke_text(t, target, role, person), rows)


async def revoke_role(update: Update, context: PonteContext) -> None:
    """Revoke it: the person's menu loses the role's commands at once."""
    found = _role_and_person(context)
    if found is None:
        await reply(update, context, context.t._("That button no longer works. Use /team to carry on."))
        return
    target, role = found
    try:
        outcome = await context.services.team.revoke(update.effective_user.id, target, role)
    except NotAllowedError:
        await reply(update, context, _refusal(context))
        return
    person = await context.services.people.get(target)
    await publish_menu(context.bot, context.routing, target, context.services.roles.role_of(target),
                       person.language if person else None)
    await show_team(update, context, note=revoked_note(context.t, outcome, role))


async def withdraw_invite(update: Update, context: PonteContext) -> None:
    """Withdraw a pending invitation: its link stops working."""
    t = context.t
    invite_id = context.action.arg(0)
    if not invite_id.isdigit() or len(invite_id) > 12:
        await reply(update, context, t._("That button no longer works. Use /team to carry on."))
        return
    try:
        withdrawn = await context.services.team.withdraw_invite(update.effective_user.id, int(invite_id))
    except NotAllowedError:
        await reply(update, context, _refusal(context))
        return
    note = (t._("Invitation withdrawn: its link no longer works.") if withdrawn
            else t._("That invitation was already used, withdrawn or expired, so nothing changed."))
    await show_team(update, context, note=note)


async def open_invite(update: Update, context: PonteContext, token: str, *, new: bool = False) -> None:
    """A consenting person opened an invitation link: join the team, or hear politely why not."""
    services = context.services
    telegram_id = update.effective_user.id
    opened = await services.team.open_invite(telegram_id, token)
    role = services.roles.role_of(telegram_id)
    person = context.person
    if opened.outcome is Opening.GRANTED:
        await publish_menu(context.bot, context.routing, telegram_id, role, person.language if person else None)
    await reply(update, context, opened_text(context.t, opened, role, context.routing.role_menu(role),
                                             person.timezone if person else None, services.team.home_timezone),
                new=new)


JOURNEYS = Contribution(
    commands=(Command("team", show_team, N_("The team: roles and invitations (organizers)"), organisers_only=True),),
    presses=(
        Press("team", back_to_team),
        Press("team-invite", make_invite, (1, 1)),  # team-invite:<role>
        Press("team-revoke", ask_revoke, (2, 2)),  # team-revoke:<telegram id>:<role>, asks first
        Press("team-revoke-yes", revoke_role, (2, 2)),
        Press("team-withdraw", withdraw_invite, (1, 1)),  # team-withdraw:<invitation id>
        # "I agree" on a newcomer's privacy notice: team-join:R<the invitation's token in hex>
        Press("team-join", join_after_consent, (1, 1), before_consent=True),
    ),
)
