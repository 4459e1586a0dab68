"""What /team shows, the invitation links, and what opening one says: in the reader's language and zone."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

from bot.domain.roles import Role
from bot.domain.team import Member, Opened, Opening, Revoking, TeamView
from bot.render import callback_data
from bot.render.buttons import Button
from bot.render.i18n import Translator
from bot.render.timefmt import day_at, day_label, local_day, reader_zone
from storage.records import Participant
from storage.roles import Invite

LISTED = 40  # people or invitations listed at most in each part: a team is a handful, the message stays short
BUTTON_NAME = 24  # characters of a name on a button


def who(t: Translator, telegram_id: int, person: Participant | None) -> str:
    """A person as organisers know them: name and @username, else their Telegram id (HTML-escaped)."""
    if person is None or not person.display_name:
        return t._("ID {id} (hasn't opened Ponte yet)", id=telegram_id)
    name = html.escape(person.display_name)
    return f"{name} (@{person.username})" if person.username else name


def _short_name(t: Translator, telegram_id: int, person: Participant | None) -> str:
    if person is None or not person.display_name:
        return t._("ID {id}", id=telegram_id)
    name = person.display_name
    return name if len(name) <= BUTTON_NAME else name[: BUTTON_NAME - 1] + "…"


def _member_line(t: Translator, member: Member, view: TeamView, zone: str) -> str:
    name = who(t, member.telegram_id, member.person)
    since = day_label(local_day(member.granted_at, zone), t.language)
    if member.by_settings:
        source = "PONTE_ADMINS" if member.role is Role.ORGANISER else "PONTE_COORDINATORS"
        return t._("• {name}, since {day}: set in the settings ({setting})", name=name, day=since, setting=source)
    if member.granted_by is None:
        return t._("• {name}, since {day}: invited by someone who has since left Ponte", name=name, day=since)
    inviter = who(t, member.granted_by, view.people.get(member.granted_by))
    return t._("• {name}, since {day}: invited by {inviter}", name=name, day=since, inviter=inviter)


def _invite_line(t: Translator, invite: Invite, view: TeamView, reader_tz: str | None, home: str) -> str:
    maker = who(t, invite.created_by, view.people.get(invite.created_by))
    until = day_at(t, invite.expires_at, home, reader_tz)
    if invite.role == Role.ORGANISER.value:
        return t._("• #{number}, organizer: made by {maker}, valid until {until}", number=invite.id, maker=maker,
                   until=until)
    return t._("• #{number}, coordinator: made by {maker}, valid until {until}", number=invite.id, maker=maker,
               until=until)


def _listed(t: Translator, lines: Sequence[str]) -> list[str]:
    shown = list(lines[:LISTED])
    if len(lines) > LISTED:
        shown.append(t.n_("…and {n} more", "…and {n} more", len(lines) - LISTED))
    return shown


def team_text(t: Translator, view: TeamView, reader_tz: str | None, home: str, note: str | None = None) -> str:
    zone = reader_zone(reader_tz) or home
    parts = [note] if note else []
    parts.append(t._("👥 <b>The team</b>"))
    for role, heading in ((Role.ORGANISER, t._("<b>Organizers</b>")), (Role.COORDINATOR, t._("<b>Coordinators</b>"))):
        lines = [_member_line(t, m, view, zone) for m in view.members if m.role is role]
        parts.append("\n".join([heading, *(_listed(t, lines) or [t._("Nobody yet.")])]))
    if view.invites:
        lines = [_invite_line(t, i, view, reader_zone(reader_tz), home) for i in view.invites]
        parts.append("\n".join([t._("<b>Invitations not yet used</b>"), *_listed(t, lines)]))
    parts.append(t._("An invitation is a link that works once: whoever opens it first joins the team in that role."))
    return "\n\n".join(parts)


def team_buttons(t: Translator, view: TeamView) -> list[list[Button]]:
    """Revoke each role an invitation granted, withdraw each invitation, and make new ones."""
    rows = []
    for member in [m for m in view.members if not m.by_settings][:LISTED]:
        name = _short_name(t, member.telegram_id, member.person)
        label = (t._("Revoke {name} as organizer", name=name) if member.role is Role.ORGANISER
                 else t._("Revoke {name} as coordinator", name=name))
        rows.append([Button("✖️ " + label, callback_data.build("team-revoke", member.telegram_id, member.role.value))])
    for invite in view.invites[:LISTED]:
        rows.append([Button(t._("Withdraw invitation #{number}", number=invite.id),
                            callback_data.build("team-withdraw", invite.id))])
    rows.append([Button(t._("➕ Invite an organizer"), callback_data.build("team-invite", Role.ORGANISER.value))])
    rows.append([Button(t._("➕ Invite a coordinator"), callback_data.build("team-invite", Role.COORDINATOR.value))])
    return rows


def invite_text(t: Translator, role: Role, link: str, expires_at: datetime, reader_tz: str | None, home: str) -> str:
    until = day_at(t, expires_at, home, reader_zone(reader_tz))
    if role is Role.ORGANISER:
        return t._("Here's an invitation to join the team as an <b>organizer</b>:\n{link}\n\nSend it to that person "
                   "only. It works once, until {until}: whoever opens it first becomes an organizer.",
                   link=link, until=until)
    return t._("Here's an invitation to join the team as a <b>coordinator</b>:\n{link}\n\nSend it to that person "
               "only. It works once, until {until}: whoever opens it first becomes a coordinator.",
               link=link, until=until)


def confirm_revoke_text(t: Translator, telegram_id: int, role: Role, person: Participant | None) -> str:
    name = who(t, telegram_id, person)
    if role is Role.ORGANISER:
        return t._("Revoke {name}'s organizer role? They'll no longer manage the agenda, broadcasts or the team.",
                   name=name)
    return t._("Revoke {name}'s coordinator role? They'll no longer read the feedback or pull the report.",
               name=name)


def revoked_note(t: Translator, outcome: Revoking, role: Role) -> str:
    if outcome is Revoking.REVOKED:
        return (t._("Done: that person is no longer an organizer.") if role is Role.ORGANISER
                else t._("Done: that person is no longer a coordinator."))
    if outcome is Revoking.BY_SETTINGS:
        return t._("This role comes from the settings (PONTE_ADMINS or PONTE_COORDINATORS), so it can't be revoked "
                   "from the chat: whoever runs Ponte can change the settings and restart it.")
    if outcome is Revoking.LAST_ORGANISER:
        return t._("Ponte must always have an organizer: invite another one before giving up this role.")
    return t._("That role was already revoked, so nothing changed.")


def opened_text(t: Translator, opened: Opened, held: Role, role_commands: Sequence[tuple[str, str]],
                reader_tz: str | None, home: str) -> str:
    """What opening an invitation link says to the person who opened it."""
    outcome = opened.outcome
    if outcome is Opening.GRANTED:
        if opened.role is Role.ORGANISER:
            text = t._("🎉 Welcome to the team! You're now an <b>organizer</b> of the Turin–Baltimore exchange: you "
                       "load the agenda, see who's coming, write to everyone and manage the team.")
        else:
            text = t._("🎉 Welcome to the team! You're now a <b>coordinator</b> of the Turin–Baltimore exchange: "
                       "you read the feedback people give after the visits and pull the report.")
        if role_commands:
            text += "\n\n" + t._("Here's what you can do now:") + "\n" + "\n".join(
                f"/{name} — {t._(description)}" for name, description in role_commands)
        return text + "\n\n" + t._(
            "What the team does (imports, broadcasts, roles, exports) is recorded in an audit log with your Telegram "
            "ID only. If you delete your data, the record of what was done stays, and your ID is taken out of it.")
    if outcome is Opening.ALREADY:
        return (t._("You're already an organizer, so this invitation changes nothing.") if held is Role.ORGANISER
                else t._("You're already a coordinator, so this invitation changes nothing."))
    if outcome is Opening.OWN:
        return t._("This is your own invitation: send the link to the person you want to invite. Opening it "
                   "yourself changes nothing, and it still works for them.")
    if outcome is Opening.USED:
        return t._("This invitation has already been used. If it was meant for you, ask the organizer who sent it "
                   "for a new one.")
    if outcome is Opening.EXPIRED:
        return t._("This invitation expired on {day}. Ask the organizer who sent it for a new one.",
                   day=day_at(t, opened.invite.expires_at, home, reader_zone(reader_tz)))
    if outcome is Opening.REVOKED:
        return t._("This invitation was withdrawn, so it no longer works. If you think that's a mistake, ask an "
                   "organizer.")
    return t._("This invitation link doesn't work: it may be incomplete or mistyped. Open it exactly as you "
               "received it, or ask for a new one.")
