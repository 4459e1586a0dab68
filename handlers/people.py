"""Before any journey: who is writing, in which language, and whether they have consented yet."""

from __future__ import annotations

from telegram import ChatMember, Update, User
from telegram.ext import ApplicationHandlerStop

from bot.domain.languages import language_for
from bot.domain.pending import pending_of
from bot.domain.people import Participant
from bot.domain.services import Domain
from bot.render.i18n import Translator, translator
from handlers.context import PonteContext
from handlers.groups import in_private_chat
from handlers.journeys import command_name
from handlers.privacy import show_privacy_notice


async def reader(services: Domain, user: User | None) -> tuple[Participant | None, Translator]:
    """The person behind an update and the language to answer them in: their stored choice, else their
    phone's."""
    person = await services.people.get(user.id) if user else None
    stored = person.language if person else None
    return person, translator(language_for(stored, user.language_code if user else None))


async def load_person(update: Update, context: PonteContext) -> None:
    """Load the person once per update and choose their language; stop updates that need consent."""
    if not in_private_chat(update):
        raise ApplicationHandlerStop  # the consent gate must never answer in a group
    user = update.effective_user
    if user is None or user.is_bot:
        raise ApplicationHandlerStop
    context.person, context.t = await reader(context.services, user)
    if context.person and context.person.consented:
        context.person = await context.services.people.note_username(user.id, user.username)
        if context.person.unreachable_at is not None:
            context.person = await context.services.people.came_back(user.id)
        await _drop_a_left_question(update, context)
        return
    if context.routing.open_before_consent(update):
        return
    await show_privacy_notice(update, context, event_slug=None)
    raise ApplicationHandlerStop


async def _drop_a_left_question(update: Update, context: PonteContext) -> None:
    """A command or another button ends the question the person was asked, so later text is not read as
    its answer."""
    pending = pending_of(context.person)
    if pending is None:
        return
    if update.callback_query:
        found = context.routing.press(update.callback_query.data)
        if found is not None and found[0].answers is pending.step:
            return
    elif command_name(update) is None:
        return
    context.person = await context.services.people.drop_question(context.person.telegram_id)



async def note_blocking(update: Update, context: PonteContext) -> None:
    """Telegram says a person blocked the bot (kicked) or unblocked it (member): broadcasts count them apart
    while they are away. No answer: a person who blocked the bot cannot read one."""
    member = update.my_chat_member
    if member.new_chat_member.status == ChatMember.BANNED:
        await context.services.people.blocked_us(member.from_user.id)
    elif member.new_chat_member.status == ChatMember.MEMBER:
        await context.services.people.came_back(member.from_user.id)
