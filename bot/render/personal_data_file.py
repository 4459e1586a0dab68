"""The file ``/mydata`` sends: a person's record as indented UTF-8 JSON whose keys and labels are in their
language. Times are ISO 8601 with the offset of the person's own zone (UTC for someone who never chose one),
and the file says which zone that is."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.domain.pending import pending_of
from bot.domain.personal_data import PersonalRecord
from bot.domain.privacy_policy import PrivacyPolicy
from bot.domain.zones import zone
from bot.render.broadcasts import audience_label
from bot.render.i18n import N_, Translator
from bot.render.privacy_notice import contact_text, controller_text
from bot.render.timefmt import city_name, full_date, local_day
from storage.personal_data import (
    KeptAgendaFile,
    KeptAuditEntry,
    KeptBroadcast,
    KeptCheckin,
    KeptInvite,
    KeptMessage,
    KeptRegistration,
    KeptResponse,
    KeptRole,
)
from storage.records import Audience, Texts

_LANGUAGE_NAMES = {"it": "Italiano", "en": "English"}
_CITIES = {"torino": N_("Turin"), "baltimore": N_("Baltimore"), "elsewhere": N_("Elsewhere")}
_SIGNUP_STATUS = {"confirmed": N_("confirmed"), "waitlisted": N_("on the waiting list"),
                  "cancelled": N_("cancelled")}
_MESSAGE_KINDS = {
    "seat_confirmed": N_("a seat opened up for you"),
    "reminder": N_("a reminder of an event"),
    "event_changed": N_("an event changed"),
    "broadcast": N_("a message from the organizers"),
    "broadcast_report": N_("the delivery report of your broadcast"),
}
_MESSAGE_STATUS = {
    "pending": N_("waiting to be sent"),
    "sending": N_("being sent"),
    "sent": N_("sent"),
    "skipped": N_("not sent, as it was no longer needed"),
    "failed": N_("could not be delivered"),
    "uncertain": N_("perhaps sent: the bot stopped while sending it"),
}
_BROADCAST_STATUS = {"draft": N_("draft, not sent"), "cancelled": N_("cancelled before it was sent"),
                     "sending": N_("being sent"), "done": N_("sent")}
_QUESTION_KINDS_WITH_NUMBERS = ("rating", "scale")
# A moment as the reader's zone writes it (ISO 8601 with its offset); a stored value put in words.
Moment = Callable[[datetime | None], str | None]
Label = Callable[[dict[str, str], str], str]


def filename(t: Translator) -> str:
    return t._("ponte-my-data.json")


def personal_data_file(t: Translator, record: PersonalRecord, policy: PrivacyPolicy) -> bytes:
    """The whole record, nothing left out: each section is present, empty when nothing is kept in it."""
    reader_zone = record.profile.timezone or "UTC"

    def moment(value: datetime | None) -> str | None:
        return value.astimezone(zone(reader_zone)).isoformat() if value else None

    def label(table: dict[str, str], value: str) -> str:
        return t._(table[value]) if value in table else value

    content: dict[str, Any] = {
        t._("About this file"): t._(
            "Everything Ponte keeps about you on {day}. Times are in your time zone, {zone}.",
            day=full_date(local_day(record.taken_at, reader_zone), t.language),
            zone=_zone_name(t, reader_zone)),
        t._("Responsible for your data"): controller_text(t, policy),
        t._("Contact"): contact_text(t, policy),
        t._("Your profile"): _profile(t, record, moment, label),
        t._("Your sign-ups"): [_registration(t, entry, moment, label) for entry in record.registrations],
        t._("Events you checked in at"): [_checkin(t, entry, moment) for entry in record.checkins],
        t._("Your answers to the questionnaires"): [_response(t, entry, moment) for entry in record.responses],
        t._("Messages for you"): [_message(t, entry, moment, label) for entry in record.messages],
        t._("Broadcasts you wrote"): [_broadcast(t, entry, moment, label) for entry in record.broadcasts],
        t._("Agenda files you sent"): [_agenda_file(t, entry, moment) for entry in record.agenda_files],
        t._("Your roles in the team"): [_role(t, entry, moment) for entry in record.roles],
        t._("Invitations you made"): [_invite(t, entry, moment) for entry in record.invites],
        t._("What you did as a team member (the audit log)"): [_audit(t, entry, moment) for entry in record.audit],
    }
    return (json.dumps(content, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _zone_name(t: Translator, reader_zone: str) -> str:
    if reader_zone == "UTC":
        return t._("UTC (you haven't chosen one)")
    return t._("{zone} ({city} time)", zone=reader_zone, city=city_name(reader_zone, t.language))


def _yes_no(t: Translator, value: bool) -> str:
    return t._("yes") if value else t._("no")


def _profile(t: Translator, record: PersonalRecord, moment: Moment, label: Label) -> dict[str, Any]:
    person = record.profile
    return {
        t._("Telegram ID"): person.telegram_id,
        t._("Name"): person.display_name,
        t._("Telegram username"): f"@{person.username}" if person.username else None,
        t._("Language"): _LANGUAGE_NAMES.get(person.language or ""),
        t._("City"): label(_CITIES, person.city) if person.city else None,
        t._("Time zone"): person.timezone,
        t._("Agreed to the privacy notice"): moment(person.consent_at),
        t._("Reminders before your events"): _yes_no(t, person.reminders),
        t._("Waiting for your answer to a question"): _yes_no(t, pending_of(person) is not None),
        t._("Telegram told me you blocked the bot"): moment(person.unreachable_at),
    }


def _registration(t: Translator, entry: KeptRegistration, moment: Moment, label: Label) -> dict[str, Any]:
    return {
        t._("Event"): entry.event_title.get(t.language),
        t._("Status"): label(_SIGNUP_STATUS, entry.status),
        t._("Starts"): moment(entry.starts_at),
        t._("Ends"): moment(entry.ends_at),
        t._("Signed up"): moment(entry.signed_up_at),
        t._("Last changed"): moment(entry.changed_at),
    }


def _checkin(t: Translator, entry: KeptCheckin, moment: Moment) -> dict[str, Any]:
    return {
        t._("Event"): entry.event_title.get(t.language),
        t._("Checked in"): moment(entry.checked_in_at),
        t._("Signed up beforehand"): _yes_no(t, not entry.walk_in),
        t._("Checked in by an organizer"): _yes_no(t, entry.by_hand),
    }


def _response(t: Translator, entry: KeptResponse, moment: Moment) -> dict[str, Any]:
    return {
        t._("Questionnaire"): entry.questionnaire_title.get(t.language),
        t._("Event"): entry.event_title.get(t.language),
        t._("Asked"): moment(entry.asked_at),
        t._("Submitted"): moment(entry.submitted_at),
        t._("Answers"): [
            {
                t._("Question"): answer.question.get(t.language),
                t._("Answer"): _answer_value(t, answer.kind, answer.number, answer.text, answer.skipped,
                                             answer.choices),
                t._("Answered"): moment(answer.answered_at),
            }
            for answer in entry.answers
        ],
    }


def _answer_value(t: Translator, kind: str, number: int | None, text: str | None, skipped: bool,
                  choices: tuple[Texts, ...]) -> Any:
    if skipped:
        return t._("skipped")
    if kind in _QUESTION_KINDS_WITH_NUMBERS:
        return number
    if kind == "text":
        return text
    labels = [choice.get(t.language) for choice in choices]
    return labels[0] if kind == "single" and len(labels) == 1 else labels


def _message(t: Translator, entry: KeptMessage, moment: Moment, label: Label) -> dict[str, Any]:
    return {
        t._("Kind"): label(_MESSAGE_KINDS, entry.kind),
        t._("Event"): entry.event_title.get(t.language) if entry.event_title else None,
        t._("Due"): moment(entry.due_at),
        t._("Status"): label(_MESSAGE_STATUS, entry.status),
        t._("Sent"): moment(entry.sent_at),
    }


def _broadcast(t: Translator, entry: KeptBroadcast, moment: Moment, label: Label) -> dict[str, Any]:
    try:
        # audience_label writes HTML for a chat message; the file holds plain text.
        audience = html.unescape(audience_label(t, Audience(entry.audience), entry.event_title))
    except ValueError:
        audience = entry.audience
    return {
        t._("To"): audience,
        t._("Status"): label(_BROADCAST_STATUS, entry.status),
        t._("Text in Italian"): entry.texts.it if entry.texts else None,
        t._("Text in English"): entry.texts.en if entry.texts else None,
        t._("Written"): moment(entry.created_at),
        t._("Sent"): moment(entry.started_at),
    }


def _agenda_file(t: Translator, entry: KeptAgendaFile, moment: Moment) -> dict[str, Any]:
    return {
        t._("Sent"): moment(entry.sent_at),
        t._("Applied"): moment(entry.applied_at),
        t._("Dropped"): moment(entry.dropped_at),
    }


_ROLE_NAMES = {"organiser": N_("organizer"), "coordinator": N_("coordinator")}
_AUDIT_ACTIONS = {
    "agenda_imported": N_("imported the agenda"), "broadcast_sent": N_("sent a broadcast"),
    "invite_created": N_("made an invitation"), "invite_revoked": N_("withdrew an invitation"),
    "role_granted": N_("granted a role"), "role_revoked": N_("revoked a role"),
    "export": N_("exported the answers"),
}


def _role(t: Translator, entry: KeptRole, moment: Moment) -> dict[str, Any]:
    return {
        t._("Role"): t._(_ROLE_NAMES.get(entry.role, entry.role)),
        t._("Since"): moment(entry.granted_at),
        t._("Given by the settings"): _yes_no(t, entry.by_settings),
    }


def _invite(t: Translator, entry: KeptInvite, moment: Moment) -> dict[str, Any]:
    return {
        t._("Role"): t._(_ROLE_NAMES.get(entry.role, entry.role)),
        t._("Made"): moment(entry.created_at),
        t._("Expires"): moment(entry.expires_at),
        t._("Used"): _yes_no(t, entry.used),
        t._("Withdrawn"): _yes_no(t, entry.revoked),
    }


def _audit(t: Translator, entry: KeptAuditEntry, moment: Moment) -> dict[str, Any]:
    return {t._("When"): moment(entry.at), t._("What"): t._(_AUDIT_ACTIONS.get(entry.action, entry.action))}
