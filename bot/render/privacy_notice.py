"""The privacy notice: who answers for the data, what is kept, why, for how long, and what stays anonymous.
Shown before consent and by /privacy; every sentence must stay true of what the code does."""

from __future__ import annotations

import html

from bot.domain.privacy_policy import PrivacyPolicy
from bot.render.i18n import Translator


def controller_text(t: Translator, policy: PrivacyPolicy) -> str:
    """Plain text. Outside `ponte run` the setting may be missing: the notice then says so plainly."""
    return policy.controller or t._("the exchange's organizers (PONTE_CONTROLLER is not set)")


def contact_text(t: Translator, policy: PrivacyPolicy) -> str:
    return policy.contact or t._("none yet: PONTE_PRIVACY_CONTACT is not set")


def notice_text(t: Translator, policy: PrivacyPolicy) -> str:
    """The notice, in HTML, short enough to read on a phone."""
    return t._(
        "🔒 <b>Your privacy</b>\n"
        "Responsible for your data: {controller}\n"
        "Contact: {contact}\n\n"
        "To sign you up for events, remind you of them and tell you when a seat opens up or an event changes, "
        "Ponte keeps your Telegram ID, your name and username, your language, your city and time zone, whether "
        "you want reminders, when you agreed, the events you sign up for, whether you checked in at them, your role "
        "if you're on the team, and the messages it sends you. They're "
        "used only to run the Turin–Baltimore exchange, and are shared with no one outside the organizing team.\n"
        "Your answers to the questionnaires after the visits reach the report without your name, unless a "
        "questionnaire tells you otherwise before you answer. If you delete your data, your answers stay in the "
        "report with nothing linking them to you.",
        controller=html.escape(controller_text(t, policy), quote=False),
        contact=html.escape(contact_text(t, policy), quote=False),
    ) + "\n" + t.n_(
        "Everything else is deleted {n} day after your last event or your last activity, whichever is later.",
        "Everything else is deleted {n} days after your last event or your last activity, whichever is later.",
        policy.retention_days,
    ) + "\n" + t._("/mydata sends you a copy of it all; /privacy deletes it at any time.")
