"""Check-in at the venue: the QR code for the door (organisers), scanning it (everyone), and checking
people in by hand from the attendee list (organisers)."""

from __future__ import annotations

import logging

from telegram import InputFile, Update

from bot.domain.checkins import CheckinResult, Outcome, checkin_link, token_in
from bot.domain.roles import NotAllowedError
from bot.render import callback_data
from bot.render.checkins import hand_answer, hand_list, qr_caption, qr_filename, qr_png, scan_text, unknown_code
from handlers.common import reply, toast
from handlers.context import PonteContext
from handlers.journeys import Contribution, Press
from handlers.menus import city_buttons
from handlers.privacy import record_consent, show_privacy_notice

log = logging.getLogger(__name__)


def _refusal(context: PonteContext) -> str:
    return context.t._("Sorry, only the organizers of the exchange can do this.")


async def scan_link(update: Update, context: PonteContext, payload: str) -> None:
    """``/start c_<token>``, from the QR code at the door: check the person in. A newcomer consents
    first: the code travels in the consent button, and the check-in happens as they agree."""
    user_id = update.effective_user.id
    token = token_in(payload)
    person = context.person
    if person and person.consented:
        result = await context.services.checkins.scan(user_id, token) if token else None
        if result is not None and result.present:
            log.info("checked in: person %s, event %s", user_id, result.event.id)
        text = scan_text(context.t, result, person.timezone) if result else unknown_code(context.t)
        await reply(update, context, text)
        return
    await context.services.people.meet(user_id)
    if token and await context.services.checkins.known(token):
        await show_privacy_notice(update, context, event_slug=None,
                                  agree=callback_data.build("checkin-consent", token))
        return
    await reply(update, context, unknown_code(context.t))
    await show_privacy_notice(update, context, event_slug=None)


async def consent_and_check_in(update: Update, context: PonteContext) -> None:
    """"I agree" on the privacy notice of a newcomer who scanned the code: consent, check in, then the
    city question every newcomer gets."""
    t = context.t
    person = await record_consent(update, context)
    result = await context.services.checkins.scan(person.telegram_id, context.action.arg(0))
    if result.present:
        log.info("checked in: person %s, event %s", person.telegram_id, result.event.id)
    text = scan_text(t, result, person.timezone)
    if person.timezone is None:
        await reply(update, context, text + "\n\n" + t._(
            "Where are you based? I'll show every time in your time zone too."), city_buttons(t))
        return
    await reply(update, context, text)


async def send_qr(update: Update, context: PonteContext) -> None:
    """The attendee view's "Check-in QR code": the code of the event's door as a PNG file, which keeps
    every pixel for printing (a photo would be recompressed as JPEG), with the link in its caption."""
    t = context.t
    try:
        found = await context.services.checkins.code(update.effective_user.id, context.action.arg(0))
    except NotAllowedError:
        await toast(update, context, _refusal(context), alert=True)
        return
    if found is None:
        await toast(update, context, t._("That event is no longer on the agenda."), alert=True)
        return
    event, token = found
    link = checkin_link(context.bot.username, token)
    await toast(update, context)
    await context.bot.send_document(
        update.effective_chat.id, InputFile(qr_png(link), filename=qr_filename(event), attach=False),
        caption=qr_caption(t, event, link))


async def show_hand_list(update: Update, context: PonteContext) -> None:
    """"Check people in": the people confirmed or waiting who have not checked in, as buttons."""
    await _hand_list(update, context, context.action.arg(0), context.action.number(1))


async def check_in_by_hand(update: Update, context: PonteContext) -> None:
    """A name on that list: check the person in, and show the list without them."""
    action = context.action
    # Ids as Telegram gives them fit in 16 digits; anything longer is forged (and too big for SQLite).
    if not all(action.arg(i).isdigit() and len(action.arg(i)) <= 16 for i in (0, 1)):
        await toast(update, context, context.t._("That button no longer works."), alert=True)
        return
    try:
        result = await context.services.checkins.by_hand(
            update.effective_user.id, int(action.arg(0)), int(action.arg(1)))
    except NotAllowedError:
        await toast(update, context, _refusal(context), alert=True)
        return
    if result.event is None:
        await toast(update, context, context.t._("That event is no longer on the agenda."), alert=True)
        return
    person = await context.services.people.get(int(action.arg(1)))
    name = (person.display_name if person else None) or action.arg(1)
    if result.present:
        log.info("checked in by hand: person %s, event %s, by %s", action.arg(1), result.event.id,
                 update.effective_user.id)
    await toast(update, context, hand_answer(context.t, result, name, context.person.timezone),
                alert=not result.present)
    await _hand_list(update, context, result.event.slug, action.number(2))


async def _hand_list(update: Update, context: PonteContext, slug: str, page: int) -> None:
    t = context.t
    requester = update.effective_user.id
    try:
        seats, roster = await context.services.signups.attendees(requester, slug)
        if seats is None:
            await toast(update, context, t._("That event is no longer on the agenda."), alert=True)
            return
        present = await context.services.checkins.present_at(requester, seats.event.id)
    except NotAllowedError:
        await toast(update, context, _refusal(context), alert=True)
        return
    event = seats.event
    if not context.services.checkins.is_open(event):
        closed = CheckinResult(Outcome.CANCELLED if event.cancelled else Outcome.NOT_YET, event)
        await toast(update, context, hand_answer(t, closed, "", context.person.timezone), alert=True)
        return
    text, rows = hand_list(t, event, roster, present, page)
    await reply(update, context, text, rows)


JOURNEYS = Contribution(
    presses=(
        # checkin-consent:<token>: "I agree" on the privacy notice of a newcomer who scanned a check-in code
        Press("checkin-consent", consent_and_check_in, (1, 1), before_consent=True),
        Press("checkin-qr", send_qr, (1, 1)),  # checkin-qr:<slug>, from the attendee view
        Press("checkin-list", show_hand_list, (2, 2)),  # checkin-list:<slug>:<page>
        Press("checkin-hand", check_in_by_hand, (3, 3)),  # checkin-hand:<event id>:<telegram id>:<page>
    ),
)
