"""/mydata: a copy of everything Ponte keeps about the person, as a file."""

from __future__ import annotations

from telegram import InputFile, Update

from bot.render.i18n import N_
from bot.render.personal_data_file import filename, personal_data_file
from handlers.common import reply, toast
from handlers.context import PonteContext
from handlers.journeys import Command, Contribution, Press


async def send_my_data(update: Update, context: PonteContext) -> None:
    """The person's own record, and only theirs: whose it is comes from who wrote, never from the button."""
    t = context.t
    record = await context.services.personal_data.collect(update.effective_user.id)
    if record is None:
        await reply(update, context, t._("I keep nothing about you. If you send /start, I'll ask first."))
        return
    await toast(update, context)
    await context.bot.send_document(
        update.effective_chat.id,
        InputFile(personal_data_file(t, record, context.services.privacy), filename=filename(t), attach=False),
        caption=t._("📄 Here's everything Ponte keeps about you. To delete it, use /privacy."),
    )


JOURNEYS = Contribution(
    commands=(Command("mydata", send_my_data, N_("A copy of everything I keep about you"), before_consent=True),),
    presses=(Press("mydata", send_my_data, before_consent=True),),
)
