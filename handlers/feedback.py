"""After an event: /feedback, and answering a questionnaire in one message edited in place."""

from __future__ import annotations

from telegram import Update

from bot.domain.feedback import Refusal, Step
from bot.domain.pending import Pending, PendingStep
from bot.render.i18n import N_
from bot.render.questionnaire_view import later_text, question_view, refusal_text, thanks_text, waiting_view
from handlers.common import reply, toast
from handlers.context import PonteContext
from handlers.journeys import Command, Contribution, Press

# Refusals that leave the person where they were: a word, and the screen they are at.
_ON_SCREEN = (None, Refusal.STALE, Refusal.FORGED, Refusal.REQUIRED, Refusal.BUTTONS, Refusal.NOT_TEXT,
              Refusal.TOO_LONG)


def _reader_tz(context: PonteContext) -> str | None:
    return context.person.timezone if context.person else None


async def list_feedback(update: Update, context: PonteContext) -> None:
    """/feedback: the questionnaires waiting for the person, to start or resume."""
    sheets = await context.services.feedback.waiting(update.effective_user.id)
    now = context.services.clock.now()
    text, rows = waiting_view(context.t, sheets, _reader_tz(context), now)
    await reply(update, context, text, rows)


async def _show(update: Update, context: PonteContext, step: Step) -> None:
    """The screen a step leads to, or the word saying why it changed nothing."""
    t = context.t
    reader_tz = _reader_tz(context)
    if step.submitted:
        await reply(update, context, thanks_text(t, step.sheet), notice=t._("Sent. Thank you!"))
        return
    word = refusal_text(t, step, reader_tz) if step.refusal else None
    if step.sheet is not None and step.refusal in _ON_SCREEN:
        text, rows = question_view(t, step.sheet, reader_tz, context.services.clock.now())
        if word is None or update.callback_query is not None:
            await reply(update, context, text, rows, notice=word, alert=word is not None)
        else:
            # Typed where it does not fit: the word, then the question again, below the person's message.
            await reply(update, context, word + "\n\n" + text, rows)
        return
    if step.refusal is Refusal.UNKNOWN and update.callback_query is not None:
        await toast(update, context, word, alert=True)
        return
    # Sent or closed: the word replaces the questionnaire, and its buttons go with it.
    await reply(update, context, word)


def _ids(context: PonteContext) -> tuple[int, int, int]:
    """The response, question and value a button names (-1 for a missing or malformed one)."""
    action = context.action
    return action.number(0, -1), action.number(1, -1), action.number(2, -1)


async def open_questionnaire(update: Update, context: PonteContext) -> None:
    """Start or resume a questionnaire, from its request or from /feedback: that message becomes the
    questionnaire, edited in place question after question."""
    response_id, _, _ = _ids(context)
    step = await context.services.feedback.open(update.effective_user.id, response_id)
    await _show(update, context, step)


async def pick_answer(update: Update, context: PonteContext) -> None:
    """A rating, a number of a scale, or a single choice."""
    response_id, question_id, value = _ids(context)
    await _show(update, context, await context.services.feedback.pick(
        update.effective_user.id, response_id, question_id, value))


async def mark_choice(update: Update, context: PonteContext) -> None:
    """A multiple choice's mark on or off."""
    response_id, question_id, choice_id = _ids(context)
    await _show(update, context, await context.services.feedback.toggle(
        update.effective_user.id, response_id, question_id, choice_id))


async def done_choosing(update: Update, context: PonteContext) -> None:
    response_id, question_id, _ = _ids(context)
    await _show(update, context, await context.services.feedback.done(
        update.effective_user.id, response_id, question_id))


async def skip_question(update: Update, context: PonteContext) -> None:
    response_id, question_id, _ = _ids(context)
    await _show(update, context, await context.services.feedback.skip(
        update.effective_user.id, response_id, question_id))


async def go_back(update: Update, context: PonteContext) -> None:
    response_id, question_id, _ = _ids(context)
    await _show(update, context, await context.services.feedback.back(
        update.effective_user.id, response_id, question_id))


async def change_answer(update: Update, context: PonteContext) -> None:
    """A question's number on the summary: to that question, then back to the summary."""
    response_id, question_id, _ = _ids(context)
    await _show(update, context, await context.services.feedback.revisit(
        update.effective_user.id, response_id, question_id))


async def send_answers(update: Update, context: PonteContext) -> None:
    response_id, _, _ = _ids(context)
    await _show(update, context, await context.services.feedback.submit(update.effective_user.id, response_id))


async def continue_later(update: Update, context: PonteContext) -> None:
    """Stop for now: everything is kept."""
    response_id, _, _ = _ids(context)
    step = await context.services.feedback.later(update.effective_user.id, response_id)
    if step.refusal is not None or step.sheet is None:
        await _show(update, context, step)
        return
    await reply(update, context, later_text(context.t, step.sheet, _reader_tz(context),
                                            context.services.clock.now()))


async def receive_text(update: Update, context: PonteContext, pending: Pending) -> None:
    """A message typed while a questionnaire is open: a free-text answer, or a word about the buttons."""
    step = await context.services.feedback.typed(update.effective_user.id, pending.response_id,
                                                 update.effective_message.text)
    # The next question goes below the person's message, where they are reading.
    await _show(update, context, step)


_ANSWERS = PendingStep.FEEDBACK
JOURNEYS = Contribution(
    commands=(Command("feedback", list_feedback, N_("Questionnaires after the events")),),
    presses=(
        Press("fb", open_questionnaire, (1, 1), answers=_ANSWERS),  # fb:<response>
        Press("fb-pick", pick_answer, (3, 3), answers=_ANSWERS),  # fb-pick:<response>:<question>:<number or choice>
        Press("fb-mark", mark_choice, (3, 3), answers=_ANSWERS),  # fb-mark:<response>:<question>:<choice>
        Press("fb-done", done_choosing, (2, 2), answers=_ANSWERS),  # fb-done:<response>:<question>
        Press("fb-skip", skip_question, (2, 2), answers=_ANSWERS),
        Press("fb-back", go_back, (2, 2), answers=_ANSWERS),
        Press("fb-edit", change_answer, (2, 2), answers=_ANSWERS),  # from the summary
        Press("fb-send", send_answers, (1, 1), answers=_ANSWERS),
        Press("fb-later", continue_later, (1, 1), answers=_ANSWERS),
    ),
)
