"""Organisers writing to many people at once: /broadcast (audience, texts, preview, send) and /broadcasts."""

from __future__ import annotations

import html

from telegram import Update

from bot.domain.broadcasts import Audience, Broadcast, BroadcastStatus, DraftGoneError, Sending
from bot.domain.pending import Pending, PendingStep
from bot.domain.roles import NotAllowedError
from bot.domain.text_length import MESSAGE_LIMIT
from bot.render import callback_data
from bot.render.broadcasts import Figures as ReportFigures
from bot.render.broadcasts import (
    audience_label,
    framed,
    past_entry,
    progress_text,
    reach_lines,
    too_long_by,
)
from bot.render.buttons import Button
from bot.render.i18n import N_, Translator, translator
from handlers.common import reply, toast
from handlers.context import PonteContext
from handlers.journeys import Command, Contribution, Press

# Button codes for the audiences (callback data allows letters, digits and hyphens).
_CODES = {"all": Audience.EVERYONE, "torino": Audience.TORINO, "baltimore": Audience.BALTIMORE,
          "elsewhere": Audience.ELSEWHERE, "c": Audience.CONFIRMED, "w": Audience.SIGNED_UP}
_WHOLE_GROUPS = (("all", Audience.EVERYONE), ("torino", Audience.TORINO), ("baltimore", Audience.BALTIMORE),
                 ("elsewhere", Audience.ELSEWHERE))
_STEP_LANGUAGE = {PendingStep.BROADCAST_IT: "it", PendingStep.BROADCAST_EN: "en", PendingStep.BROADCAST_ONE: None}
STEPS = frozenset(_STEP_LANGUAGE)
_PAST_LIMIT = 4000


def _cancel_button(t: Translator, broadcast_id: int | None = None) -> list[Button]:
    data = callback_data.build("bc-cancel", broadcast_id) if broadcast_id else callback_data.build("bc-cancel")
    return [Button(t._("✖️ Cancel"), data)]


async def _refuse(update: Update, context: PonteContext) -> None:
    """A stakeholder who typed the command, or pressed a forged button, gets a polite no."""
    text = context.t._("Sorry, only the organizers of the exchange can send broadcasts.")
    if update.callback_query is not None:
        await toast(update, context, text, alert=True)
        return
    await reply(update, context, text)


async def _closed(update: Update, context: PonteContext, broadcast: Broadcast | None) -> None:
    """A button of a draft that was cancelled, replaced or sent already: say which, and send nothing."""
    t = context.t
    if broadcast is not None and broadcast.status in (BroadcastStatus.SENDING, BroadcastStatus.DONE):
        text = t._("This broadcast has already been sent, once. /broadcasts shows its report.")
    else:
        text = t._("This draft was canceled: nothing was sent. Start again with /broadcast.")
    if update.callback_query is not None:
        await toast(update, context, text, alert=True)
        return
    await reply(update, context, text)


async def _refused(update: Update, context: PonteContext, error: NotAllowedError | DraftGoneError) -> None:
    """What a stakeholder's press, or a press on a draft that is gone, is told; nothing is sent."""
    if isinstance(error, NotAllowedError):
        await _refuse(update, context)
    else:
        await _closed(update, context, None)


async def broadcast(update: Update, context: PonteContext) -> None:
    """/broadcast: whom to write to (organisers only)."""
    await _choose_audience(update, context)


async def restart_broadcast(update: Update, context: PonteContext) -> None:
    """Back to the choice of audience."""
    await _choose_audience(update, context)


async def _choose_audience(update: Update, context: PonteContext) -> None:
    t = context.t
    user_id = update.effective_user.id
    try:
        reaches = [(code, audience, await context.services.broadcasts.reach_of(user_id, audience))
                   for code, audience in _WHOLE_GROUPS]
    except NotAllowedError:
        await _refuse(update, context)
        return
    labels = {
        Audience.EVERYONE: t.n_("Everyone ({n})", "Everyone ({n})", reaches[0][2].audience_size),
        Audience.TORINO: t.n_("Based in Turin ({n})", "Based in Turin ({n})", reaches[1][2].audience_size),
        Audience.BALTIMORE: t.n_("Based in Baltimore ({n})", "Based in Baltimore ({n})", reaches[2][2].audience_size),
        Audience.ELSEWHERE: t.n_("Based elsewhere ({n})", "Based elsewhere ({n})", reaches[3][2].audience_size),
    }
    rows = [[Button(labels[audience], callback_data.build("bc-to", code))] for code, audience, _ in reaches]
    rows.append([Button(t._("An event's confirmed participants"), callback_data.build("bc-events", "c"))])
    rows.append([Button(t._("An event's participants and waiting list"), callback_data.build("bc-events", "w"))])
    rows.append(_cancel_button(t))
    await reply(update, context, t._(
        "📣 <b>New broadcast</b>\nWho should get it? Everyone counts only people who have agreed to the "
        "privacy notice."), rows)


async def choose_event(update: Update, context: PonteContext) -> None:
    """The events, to send to one event's participants (with or without its waiting list)."""
    t = context.t
    code = context.action.arg(0)
    try:
        events = await context.services.broadcasts.events(update.effective_user.id)
    except NotAllowedError:
        await _refuse(update, context)
        return
    if code not in ("c", "w"):
        await _choose_audience(update, context)
        return
    rows = [[Button(t.n_("{title} ({n} confirmed)", "{title} ({n} confirmed)", seats.confirmed,
                         title=seats.event.title.get(t.language)),
                    callback_data.build("bc-to", code, seats.event.slug))] for seats in events[:90]]
    rows.append([Button(t._("⬅️ Back"), callback_data.build("bc-start"))])
    question = (t._("Which event's confirmed participants?") if code == "c"
                else t._("Which event's participants and waiting list?"))
    if not events:
        question = t._("There are no events yet: import the agenda first.")
    await reply(update, context, question, rows)


async def choose_audience(update: Update, context: PonteContext) -> None:
    """An audience button: the draft begins; next, one text for all or one per language."""
    t = context.t
    audience = _CODES.get(context.action.arg(0))
    slug = context.action.arg(1) or None
    if audience is None or audience.of_an_event != (slug is not None):
        await _choose_audience(update, context)
        return
    try:
        draft = await context.services.broadcasts.open(update.effective_user.id, audience, slug)
    except NotAllowedError:
        await _refuse(update, context)
        return
    if draft is None:
        await reply(update, context, t._("There is no event with the code {code}.", code=html.escape(slug or "")))
        return
    await _ask_languages(update, context, draft)


async def _ask_languages(update: Update, context: PonteContext, draft: Broadcast) -> None:
    t = context.t
    _, reach = await context.services.broadcasts.reach(update.effective_user.id, draft.id)
    text = "\n".join([
        t._("📣 To {audience}.", audience=audience_label(t, draft.audience, draft.event_title)),
        *reach_lines(t, reach.by_language, reach.blocked),
        "",
        t._("Will you write it in Italian and in English, or one text for everyone?"),
    ])
    rows = [[Button(t._("🇮🇹 🇺🇸 Italian and English"), callback_data.build("bc-lang", draft.id, "two"))],
            [Button(t._("One text for everyone"), callback_data.build("bc-lang", draft.id, "one"))],
            _cancel_button(t, draft.id)]
    await reply(update, context, text, rows)


async def choose_languages(update: Update, context: PonteContext) -> None:
    """Italian and English, or one text: then the bot waits for the text."""
    t = context.t
    user_id = update.effective_user.id
    found = await _own_draft(update, context, context.action.number(0, -1))
    if found is None:
        return
    step = PendingStep.BROADCAST_ONE if context.action.arg(1) == "one" else PendingStep.BROADCAST_IT
    context.person = await context.services.people.ask(user_id, Pending(step))
    await reply(update, context, _prompt(t, step), [_cancel_button(t, found.id)])


def _prompt(t: Translator, step: PendingStep) -> str:
    formatting = t._("Bold, italics and links you use in Telegram are kept.")
    if step is PendingStep.BROADCAST_IT:
        return t._("✏️ Write the message <b>in Italian</b>, as its readers should see it.") + "\n" + formatting
    if step is PendingStep.BROADCAST_EN:
        return t._("✏️ Now write the same message <b>in English</b>.") + "\n" + formatting
    return t._("✏️ Write the message, as everyone should see it.") + "\n" + formatting


async def _own_draft(update: Update, context: PonteContext, broadcast_id: int) -> Broadcast | None:
    """The draft a button refers to, still being written; else the right answer is given and None returned."""
    try:
        draft = await context.services.broadcasts.get(update.effective_user.id, broadcast_id)
    except (NotAllowedError, DraftGoneError) as error:
        await _refused(update, context, error)
        return None
    if draft.status is not BroadcastStatus.DRAFT:
        await _closed(update, context, draft)
        return None
    return draft


async def receive_text(update: Update, context: PonteContext, step: PendingStep) -> None:
    """The text of a broadcast being written, kept with its formatting (as HTML)."""
    t = context.t
    user_id = update.effective_user.id
    message = update.effective_message
    try:
        draft = await context.services.broadcasts.draft(user_id)
    except NotAllowedError:
        context.person = await context.services.people.drop_question(user_id)
        await _refuse(update, context)
        return
    if draft is None:
        context.person = await context.services.people.drop_question(user_id)
        await _closed(update, context, None)
        return
    cancel = [_cancel_button(t, draft.id)]
    if message.text is None:
        await reply(update, context, t._(
            "A broadcast is text only: photos, stickers and files are not sent. Write the text the people "
            "should read.") + "\n\n" + _prompt(t, step), cancel)
        return
    if not message.text.strip():
        await reply(update, context, t._("That message is empty. Write the text the people should read.")
                    + "\n\n" + _prompt(t, step), cancel)
        return
    body = message.text_html
    language = _STEP_LANGUAGE[step]
    readers = [language] if language else ["it", "en"]
    over = max(too_long_by(translator(reader), body) for reader in readers)
    if over:
        await reply(update, context, t.n_(
            "That's too long for Telegram: with its heading and formatting the message would be {n} character "
            "over the limit of {limit}. Shorten it and send it again.",
            "That's too long for Telegram: with its heading and formatting the message would be {n} characters "
            "over the limit of {limit}. Shorten it and send it again.", over, limit=MESSAGE_LIMIT), cancel)
        return
    try:
        draft = await context.services.broadcasts.write(user_id, draft.id, language, body)
    except DraftGoneError:
        # Cancelled or replaced (from another message) while this text was on its way.
        context.person = await context.services.people.drop_question(user_id)
        await _closed(update, context, None)
        return
    if step is PendingStep.BROADCAST_IT:
        context.person = await context.services.people.ask(user_id, Pending(PendingStep.BROADCAST_EN))
        await reply(update, context, _prompt(t, PendingStep.BROADCAST_EN), cancel)
        return
    context.person = await context.services.people.drop_question(user_id)
    await _preview(update, context, draft)


async def _preview(update: Update, context: PonteContext, draft: Broadcast) -> None:
    """Each language's version exactly as its readers will get it, then who gets which, and Send."""
    t = context.t
    _, reach = await context.services.broadcasts.reach(update.effective_user.id, draft.id)
    for language in ("it", "en"):
        title = (t._("👀 Preview of the Italian version, as its readers will see it:") if language == "it"
                 else t._("👀 Preview of the English version, as its readers will see it:"))
        await reply(update, context, title, new=True)
        await reply(update, context, framed(language, draft.texts.get(language)), new=True)
    summary = "\n".join([
        t._("📣 Ready to send to {audience}.", audience=audience_label(t, draft.audience, draft.event_title)),
        *reach_lines(t, reach.by_language, reach.blocked),
    ])
    rows = [[Button(t._("📣 Send"), callback_data.build("bc-send", draft.id))],
            [Button(t._("✏️ Edit"), callback_data.build("bc-edit", draft.id))],
            _cancel_button(t, draft.id)]
    await reply(update, context, summary, rows, new=True)


async def edit_draft(update: Update, context: PonteContext) -> None:
    """Edit: write the texts again (the audience stays)."""
    draft = await _own_draft(update, context, context.action.number(0, -1))
    if draft is None:
        return
    try:
        draft = await context.services.broadcasts.rewrite(update.effective_user.id, draft.id)
    except DraftGoneError:
        await _closed(update, context, None)
        return
    await _ask_languages(update, context, draft)


async def send_broadcast(update: Update, context: PonteContext) -> None:
    """Send: queued once for everyone; this message then shows its progress."""
    t = context.t
    user_id = update.effective_user.id
    query = update.callback_query
    try:
        outcome, sent = await context.services.broadcasts.send(
            user_id, context.action.number(0, -1), framed, chat_id=query.message.chat.id if query.message else None,
            progress_message_id=query.message.message_id if query.message else None)
    except (NotAllowedError, DraftGoneError) as error:
        await _refused(update, context, error)
        return
    if outcome is Sending.UNWRITTEN:
        # An old Send of a draft whose text is being written again (Edit): it is still alive, so say so.
        await toast(update, context, t._("This draft's text is being written again: send it from its new "
                                         "preview, once the text is in."), alert=True)
        return
    if outcome is not Sending.STARTED:
        await _closed(update, context, sent if outcome is Sending.ALREADY else None)
        return
    text = progress_text(t, audience_label(t, sent.audience, sent.event_title),
                         sent.blocked_before, sent.audience_size, None)
    await reply(update, context, text, notice=t._("On its way"))
    await context.services.broadcasts.note_progress(sent.id, text)


async def cancel_draft(update: Update, context: PonteContext) -> None:
    """Cancel: the draft is dropped and nothing is sent."""
    t = context.t
    user_id = update.effective_user.id
    if not context.action.args:
        try:
            context.services.roles.require_organiser(user_id)
        except NotAllowedError:
            await _refuse(update, context)
            return
        await reply(update, context, t._("Broadcast canceled: nothing was sent."))
        return
    try:
        draft = await context.services.broadcasts.cancel(user_id, context.action.number(0, -1))
    except (NotAllowedError, DraftGoneError) as error:
        await _refused(update, context, error)
        return
    if draft.status is not BroadcastStatus.CANCELLED:
        await _closed(update, context, draft)
        return
    await reply(update, context, t._("Broadcast canceled: nothing was sent."))


async def list_broadcasts(update: Update, context: PonteContext) -> None:
    """/broadcasts: the latest broadcasts and their delivery reports (organisers only)."""
    t = context.t
    try:
        reports = await context.services.broadcasts.past(update.effective_user.id)
    except NotAllowedError:
        await _refuse(update, context)
        return
    if not reports:
        await reply(update, context, t._("No broadcasts yet. Write one with /broadcast."))
        return
    zone = context.person.timezone if context.person else None
    entries: list[str] = []
    used = 0
    for report in reports:
        b = report.broadcast
        figures = ReportFigures(total=report.total, delivered=report.delivered, blocked=report.blocked,
                                failed=report.failed, uncertain=report.uncertain, waiting=report.waiting)
        entry = past_entry(t, audience_label(t, b.audience, b.event_title), b.started_at or b.created_at, zone,
                           b.texts.get(t.language) if b.texts else "", figures)
        if used + len(entry) + 2 > _PAST_LIMIT:
            break
        entries.append(entry)
        used += len(entry) + 2
    await reply(update, context, "\n\n".join([t._("📣 <b>Latest broadcasts</b>"), *entries]))


JOURNEYS = Contribution(
    commands=(
        Command("broadcast", broadcast, N_("Write to many people at once (organizers)"), organisers_only=True),
        Command("broadcasts", list_broadcasts, N_("Past broadcasts and their reports (organizers)"),
                organisers_only=True),
    ),
    presses=(
        Press("bc-start", restart_broadcast),
        Press("bc-events", choose_event, (1, 1)),  # bc-events:c|w
        Press("bc-to", choose_audience, (1, 2)),  # bc-to:all|torino|baltimore|elsewhere, bc-to:c|w:<slug>
        Press("bc-lang", choose_languages, (2, 2)),  # bc-lang:<draft>:two|one
        Press("bc-edit", edit_draft, (1, 1)),
        Press("bc-send", send_broadcast, (1, 1)),
        Press("bc-cancel", cancel_draft, (0, 1)),
    ),
)
