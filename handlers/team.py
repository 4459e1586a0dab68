"""/team: who holds a role, invitations that bring people in, and taking roles back (organisers only); and
opening an invitation link, ``?start=r_<token>``."""

from __future__ import annotations

import base64
import binascii

from telegram import Update

from bot.domain.roles import NotAllowedError, Role
from bot.domain.team import INVITABLE, INVITE_PAYLOAD, TOKEN, Opening
from bot.render import callback_data
from bot.render.buttons import Button
from bot.render.i18n import N_
from bot.render.team import confirm_revoke_text, invite_text, opened_text, revoked_note, team_buttons, team_text
from handlers.command_menus import publish_menu
from handlers.common import reply
from handlers.context import PonteContext
from handlers.journeys import Command, Contribution, Press

# An invitation's token through the consent button: button data allows no "_", so it travels there as hex,
# after an "R" no event's slug (lowercase) can start with. A bare "R" is a link that was no invitation's.
_BUTTON_PREFIX = "R"


def invite_token(payload: str) -> str | None:
    """The token of a ``?start=r_<token>`` payload (whatever it holds after the prefix), or None for another
    payload."""
    return payload[len(INVITE_PAYLOAD):] if payload.startswith(INVITE_PAYLOAD) else None


def token_to_button(token: str) -> str:
    """The token as the consent button carries it."""
    if not TOKEN.match(token):
        return _BUTTON_PREFIX
    return _BUTTON_PREFIX + base64.urlsafe_b64decode(token + "==").hex()


def token_from_button(arg: str) -> str | None:
    """The token a consent button carried ("" for a broken one), or None when the argument is no invitation."""
    if not arg.startswith(_BUTTON_PREFIX):
        return None
    try:
        return base64.urlsafe_b64encode(bytes.fromhex(arg[len(_BUTTON_PREFIX):])).decode().rstrip("=")
    except (ValueError, binascii.Error):
        return ""


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
    ),
)
