"""A questionnaire on the person's screen: one question at a time with its buttons, the summary before
sending, the thanks, the list of questionnaires waiting (/feedback), and the word for a step that changed
nothing. Texts of questions and choices are data, in both languages; every sentence around them is a catalog
message."""

from __future__ import annotations

import html
from datetime import datetime

from bot.domain.feedback import Refusal, Sheet, Step
from bot.domain.text_length import shorten
from bot.render import callback_data
from bot.render.buttons import Button
from bot.render.i18n import Translator
from bot.render.timefmt import day_at, starts_in
from storage.questionnaires import Question, QuestionKind
from storage.records import Event
from storage.responses import Answer

Rows = list[list[Button]]
MARK = "✅"
UNMARKED = "▫️"
SHOWN_IN_SUMMARY = 200  # of a free-text answer or a question's text, in the summary
SUMMARY_BUDGET = 3200  # of a message's 4,096, shared by the questions and answers the summary lists
TITLE_ON_BUTTON = 40
EDIT_BUTTONS_PER_ROW = 5


def anonymity_line(t: Translator, anonymous: bool) -> str:
    if anonymous:
        return t._("Your answers are anonymous: the coordinators see them without your name.")
    return t._("Your answers are not anonymous: the coordinators see your name next to them.")


def closing_line(t: Translator, closes_at: datetime, event: Event, reader_tz: str | None, now: datetime) -> str:
    """When it closes, how long from now, in the reader's zone (or saying whose time)."""
    return t._("You can answer until {moment} ({left}).", moment=day_at(t, closes_at, event.timezone, reader_tz),
               left=starts_in(t, closes_at - now))


def _heading(t: Translator, sheet: Sheet) -> str:
    return t._("📝 <b>{questionnaire}</b>\nAbout: {event}",
               questionnaire=html.escape(sheet.questionnaire.title.get(t.language)),
               event=html.escape(sheet.event.title.get(t.language)))


def question_view(t: Translator, sheet: Sheet, reader_tz: str | None, now: datetime) -> tuple[str, Rows]:
    """The question the person is at, or the summary once they are past the last one."""
    question = sheet.question
    if question is None:
        return summary_view(t, sheet)
    language = t.language
    lines = [_heading(t, sheet)]
    if sheet.position == 0:
        intro = sheet.questionnaire.intro.get(language)
        if intro:
            lines.append(html.escape(intro))
        lines += [anonymity_line(t, sheet.questionnaire.anonymous),
                  closing_line(t, sheet.response.closes_at, sheet.event, reader_tz, now)]
    lines += ["", t._("<i>Question {number} of {total}</i>", number=sheet.position + 1, total=sheet.total),
              f"<b>{html.escape(question.text.get(language))}</b>"]
    lines += _how_to_answer(t, question)
    answer = sheet.answered(question)
    if answer is not None and answer.skipped:
        lines.append(t._("You skipped this question."))
    elif answer is not None and question.kind is QuestionKind.TEXT and answer.text:
        lines.append(t._("Your answer: {answer}", answer=html.escape(shorten(answer.text, SHOWN_IN_SUMMARY))))
        lines.append(t._("Type a new answer to replace it."))
    return "\n".join(lines), [*_answer_rows(t, sheet, question, answer), *_navigation(t, sheet, question)]


def _how_to_answer(t: Translator, question: Question) -> list[str]:
    language = t.language
    lines = []
    if question.kind.bounds is not None and (question.low.get(language) or question.high.get(language)):
        low, high = question.kind.bounds
        # The labelled ends, as a legend of the buttons (numbers and the questionnaire's own words, no sentence).
        lines.append(f"{low} = {html.escape(question.low.get(language))} · "
                     f"{high} = {html.escape(question.high.get(language))}")
    if question.kind is QuestionKind.MULTIPLE:
        lines.append(t._("Choose all that apply, then press Done."))
    if question.kind is QuestionKind.TEXT:
        if question.max_length:
            lines.append(t.n_("Type your answer as a message (at most {n} character).",
                              "Type your answer as a message (at most {n} characters).", question.max_length))
        else:
            lines.append(t._("Type your answer as a message."))
    if not question.required:
        lines.append(t._("This question is optional."))
    return lines


def _answer_rows(t: Translator, sheet: Sheet, question: Question, answer: Answer | None) -> Rows:
    rid, qid = sheet.response.id, question.id
    if question.kind.bounds is not None:
        low, high = question.kind.bounds
        numbers = [Button(f"{MARK} {n}" if answer and answer.number == n else str(n),
                          callback_data.build("fb-pick", rid, qid, n)) for n in range(low, high + 1)]
        # 0-10 in two rows, so that the numbers stay readable on a phone.
        return [numbers] if len(numbers) <= 5 else [numbers[:6], numbers[6:]]
    picked = answer.choice_ids if answer else frozenset()
    if question.kind is QuestionKind.SINGLE:
        return [[Button(_marked(choice.label.get(t.language), choice.id in picked, single=True),
                        callback_data.build("fb-pick", rid, qid, choice.id))] for choice in question.choices]
    if question.kind is QuestionKind.MULTIPLE:
        rows = [[Button(_marked(choice.label.get(t.language), choice.id in picked),
                        callback_data.build("fb-mark", rid, qid, choice.id))] for choice in question.choices]
        return [*rows, [Button(t._("Done ➡️"), callback_data.build("fb-done", rid, qid))]]
    return []


def _marked(label: str, picked: bool, *, single: bool = False) -> str:
    if picked:
        return f"{MARK} {label}"
    return label if single else f"{UNMARKED} {label}"


def _navigation(t: Translator, sheet: Sheet, question: Question) -> Rows:
    rid, qid = sheet.response.id, question.id
    row = []
    if sheet.response.reviewing:
        row.append(Button(t._("⬅️ Back to the summary"), callback_data.build("fb-back", rid, qid)))
    elif sheet.position > 0:
        row.append(Button(t._("⬅️ Back"), callback_data.build("fb-back", rid, qid)))
    if not question.required:
        row.append(Button(t._("Skip ⏭"), callback_data.build("fb-skip", rid, qid)))
    rows = [row] if row else []
    rows.append([Button(t._("⏸ Continue later"), callback_data.build("fb-later", rid))])
    return rows


def answer_text(t: Translator, question: Question, answer: Answer | None, room: int = SHOWN_IN_SUMMARY) -> str:
    """An answer as the summary shows it (HTML-escaped), a free text cut to ``room``."""
    if answer is None:
        return t._("not answered yet")
    if answer.skipped:
        return t._("skipped")
    if question.kind.bounds is not None and answer.number is not None:
        return t._("{number} out of {top}", number=answer.number, top=question.kind.bounds[1])
    if question.kind is QuestionKind.TEXT:
        return f"“{html.escape(shorten(answer.text or '', room))}”"
    labels = [choice.label.get(t.language) for choice in question.choices if choice.id in answer.choice_ids]
    # The choices picked, as a list: data separated by commas, not a sentence.
    return html.escape(shorten(", ".join(labels), room))


def summary_view(t: Translator, sheet: Sheet) -> tuple[str, Rows]:
    rid = sheet.response.id
    lines = [_heading(t, sheet), "",
             t._("Here are your answers. To change one, press its number; when they're right, send them.")]
    # However many questions there are, the summary fits in one message.
    room = max(min(SHOWN_IN_SUMMARY, SUMMARY_BUDGET // max(sheet.total, 1) // 2), 20)
    for number, question in enumerate(sheet.questionnaire.questions, start=1):
        text = html.escape(shorten(question.text.get(t.language), room))
        lines += ["", f"<b>{number}.</b> {text}", f"→ {answer_text(t, question, sheet.answered(question), room)}"]
    edits = [Button(f"✏️ {number}", callback_data.build("fb-edit", rid, question.id))
             for number, question in enumerate(sheet.questionnaire.questions, start=1)]
    rows: Rows = [edits[i:i + EDIT_BUTTONS_PER_ROW] for i in range(0, len(edits), EDIT_BUTTONS_PER_ROW)]
    missing = sheet.missing()
    if missing is None:
        rows.append([Button(t._("📨 Send my answers"), callback_data.build("fb-send", rid))])
    else:
        lines += ["", t._("Question {number} still needs an answer before you can send them.", number=missing + 1)]
    rows.append([Button(t._("⏸ Continue later"), callback_data.build("fb-later", rid))])
    return "\n".join(lines), rows


def thanks_text(t: Translator, sheet: Sheet) -> str:
    return t._("🙏 Thank you! Your answers about <b>{event}</b> have been sent. They go into the report on "
               "collaborative services and on what each city can take from the other.",
               event=html.escape(sheet.event.title.get(t.language)))


def later_text(t: Translator, sheet: Sheet, reader_tz: str | None, now: datetime) -> str:
    return "\n".join([
        t._("⏸ Your answers so far are saved. Come back with /feedback and you'll pick up where you left off."),
        closing_line(t, sheet.response.closes_at, sheet.event, reader_tz, now),
    ])


def waiting_view(t: Translator, sheets: list[Sheet], reader_tz: str | None, now: datetime) -> tuple[str, Rows]:
    """/feedback: the questionnaires waiting for the person, each with a button to start or resume."""
    if not sheets:
        return t._("No questionnaires are waiting for you right now. After an event you take part in, I'll ask "
                   "you how it went."), []
    lines = [t._("📝 Questionnaires waiting for you:")]
    rows: Rows = []
    for sheet in sheets:
        title = sheet.event.title.get(t.language)
        # The event and its questionnaire's title: two names, no sentence.
        lines += ["", f"<b>{html.escape(title)}</b>: {html.escape(sheet.questionnaire.title.get(t.language))}",
                  closing_line(t, sheet.response.closes_at, sheet.event, reader_tz, now)]
        short = shorten(title, TITLE_ON_BUTTON)
        started = sheet.answers or sheet.position > 0
        label = (t._("Continue: {event}", event=short) if started else t._("Start: {event}", event=short))
        rows.append([Button(label, callback_data.build("fb", sheet.response.id))])
    return "\n".join(lines), rows


def refusal_text(t: Translator, step: Step, reader_tz: str | None) -> str:
    """Why nothing changed, in a sentence the person can act on."""
    sheet = step.sheet
    match step.refusal:
        case Refusal.CLOSED:
            return t._("This questionnaire closed on {moment}, so answers can no longer be sent. Thank you "
                       "anyway!", moment=day_at(t, sheet.response.closes_at, sheet.event.timezone, reader_tz))
        case Refusal.SUBMITTED:
            return t._("You've already sent your answers to this questionnaire. Thank you!")
        case Refusal.STALE:
            return t._("That button belongs to another step of the questionnaire: carry on from this one.")
        case Refusal.FORGED:
            return t._("That answer doesn't fit this question: please use the buttons below it.")
        case Refusal.BUTTONS if sheet is not None and sheet.question is None:
            return t._("All your answers are below: use the buttons to change one or to send them.")
        case Refusal.BUTTONS:
            return t._("For this question, please use the buttons below it.")
        case Refusal.NOT_TEXT:
            return t._("Please type your answer as text.")
        case Refusal.TOO_LONG:
            limit = sheet.question.max_length if sheet.question else 0
            return t._("Your answer is {length} characters long, and this question takes at most {limit}. Please "
                       "shorten it and send it again.", length=step.length, limit=limit)
        case Refusal.REQUIRED if sheet is not None and sheet.question is None:
            return t._("Question {number} still needs an answer before you can send them.",
                       number=(sheet.missing() or 0) + 1)
        case Refusal.REQUIRED:
            return t._("This question needs an answer before you go on.")
        case _:
            return t._("This questionnaire isn't available to you. Use /feedback to see the ones waiting for you.")
