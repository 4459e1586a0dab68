"""Outside private chats: nothing personal in a group, one pointer to the private chat, and silence."""

from __future__ import annotations

from bot.app.services import open_services
from tests.harness import Harness

GIULIA, MIKE = 101, 102
TEAM, OTHER_TEAM, NEWS = -1001, -1002, -1003


def _group_messages(bot: Harness, chat_id: int) -> list[str]:
    return [m.text for m in bot.telegram.chat(chat_id)]


def _sent(bot: Harness) -> list[str]:
    """Every method the bot called that speaks to someone."""
    return [c.method for c in bot.telegram.calls if c.method.startswith(("send", "edit"))]


async def test_a_command_in_a_group_gets_one_pointer_and_no_privacy_notice(agenda_bot: Harness) -> None:
    bot = agenda_bot
    bot.person(GIULIA, "Giulia", "it")
    bot.telegram.group(TEAM, "Team Torino")
    await bot.process(bot.telegram.group_text_update(TEAM, GIULIA, "/start@ponte_test_bot"))
    [pointer] = bot.telegram.chat(TEAM)
    assert "Sono Ponte" in pointer.text and "chat privata" in pointer.text
    assert "privacy" not in pointer.text.lower()
    assert pointer.keyboard == [[{"text": "💬 Scrivi a Ponte", "url": "https://t.me/ponte_test_bot"}]]
    assert bot.telegram.chat(GIULIA) == []  # nothing sent to her privately either
    assert await bot.services.people.get(GIULIA) is None  # typing in a group does not make her known
    for text in ("/agenda", "/my@ponte_test_bot", "/start", "ciao a tutti", "/attendees"):
        await bot.process(bot.telegram.group_text_update(TEAM, GIULIA, text))
    assert len(bot.telegram.chat(TEAM)) == 1


async def test_the_pointer_is_in_the_language_of_whoever_asked_and_once_per_group(bot: Harness) -> None:
    bot.person(MIKE, "Mike", "en")
    bot.telegram.group(TEAM, "Team", kind="supergroup")
    bot.telegram.group(OTHER_TEAM, "Other team")
    await bot.process(bot.telegram.group_text_update(TEAM, MIKE, "/help"))
    await bot.process(bot.telegram.group_text_update(OTHER_TEAM, MIKE, "/agenda@ponte_test_bot"))
    assert _group_messages(bot, TEAM) == _group_messages(bot, OTHER_TEAM) == [
        "👋 I'm Ponte, the bot of the Turin–Baltimore exchange. I talk with each person in a private chat, so "
        "that what you tell me stays between us: write to me there."]
    assert bot.telegram.last(TEAM).keyboard[0][0]["text"] == "💬 Write to Ponte"


async def test_a_consented_person_gets_nothing_personal_in_a_group(agenda_bot: Harness) -> None:
    bot = agenda_bot
    await bot.onboard(GIULIA)
    await bot.send(GIULIA, "/start e_collaborative-services")
    await bot.press(GIULIA, "Iscriviti")
    private = len(bot.telegram.chat(GIULIA))
    bot.telegram.group(TEAM, "Team")
    await bot.process(bot.telegram.group_text_update(TEAM, GIULIA, "/my"))
    assert len(bot.telegram.chat(TEAM)) == 1 and "Sono Ponte" in bot.telegram.last(TEAM).text
    assert len(bot.telegram.chat(GIULIA)) == private


async def test_text_and_other_bots_commands_in_a_group_get_no_answer(bot: Harness) -> None:
    bot.person(GIULIA, "Giulia", "it")
    bot.telegram.group(TEAM, "Team")
    await bot.process(bot.telegram.group_text_update(TEAM, GIULIA, "ciao, chi viene giovedì?"))
    await bot.process(bot.telegram.group_text_update(TEAM, GIULIA, "/start@another_bot"))
    await bot.process(bot.telegram.group_text_update(TEAM, None, "/start"))  # an anonymous admin
    assert _sent(bot) == []
    # None of those used up the group's one pointer.
    await bot.process(bot.telegram.group_text_update(TEAM, GIULIA, "/start"))
    assert len(bot.telegram.chat(TEAM)) == 1


async def test_a_press_in_a_group_is_answered_silently(bot: Harness) -> None:
    bot.person(GIULIA, "Giulia", "it")
    bot.telegram.group(TEAM, "Team")
    await bot.process(bot.telegram.group_text_update(TEAM, GIULIA, "/start"))
    pointer = bot.telegram.last(TEAM)
    for data in ("consent:yes", "signup:collaborative-services", "forget-yes", "garbage"):
        await bot.process(bot.telegram.press_update(GIULIA, pointer.message_id, data, chat_id=TEAM))
    answers = bot.telegram.calls_to("answerCallbackQuery")
    assert len(answers) == 4 and all("text" not in call.params for call in answers)
    assert len(bot.telegram.chat(TEAM)) == 1 and bot.telegram.chat(GIULIA) == []
    assert await bot.services.people.get(GIULIA) is None


async def test_channel_posts_edits_and_membership_changes_are_ignored(bot: Harness) -> None:
    bot.person(GIULIA, "Giulia", "it")
    bot.telegram.group(TEAM, "Team")
    bot.telegram.group(NEWS, "Ponte news", kind="channel")
    post = bot.telegram.group_text_update(NEWS, None, "/start")
    edited_post = bot.telegram.edited_update(NEWS, post["channel_post"]["message_id"], None, "/agenda")
    typed = bot.telegram.text_update(GIULIA, "ciao")
    edited_private = bot.telegram.edited_update(GIULIA, typed["message"]["message_id"], GIULIA, "/start")
    said = bot.telegram.group_text_update(TEAM, GIULIA, "ciao")
    edited_in_group = bot.telegram.edited_update(TEAM, said["message"]["message_id"], GIULIA, "/start")
    for update in (post, edited_post, edited_private, edited_in_group,
                   bot.telegram.membership_update(TEAM, GIULIA, "member"),
                   bot.telegram.membership_update(GIULIA, GIULIA, "kicked")):
        await bot.process(update)
    assert [c.method for c in bot.telegram.calls if c.method != "getMe"] == []
    assert await bot.services.people.get(GIULIA) is None


async def test_an_update_with_no_sender_at_all_is_ignored(bot: Harness) -> None:
    """A kind of update Ponte never asked for, with no chat and no sender, goes through without a crash."""
    poll = {"id": "1", "question": "?", "options": [], "total_voter_count": 0, "is_closed": False,
            "is_anonymous": True, "type": "regular", "members_only": False, "allows_multiple_answers": False,
            "allows_revoting": False}
    await bot.process({"update_id": 999, "poll": poll})
    assert [c.method for c in bot.telegram.calls if c.method != "getMe"] == []


async def test_a_group_is_pointed_once_even_after_a_restart(services, settings, clock, db) -> None:
    async with Harness(services) as first:
        first.person(GIULIA, "Giulia", "it")
        first.telegram.group(TEAM, "Team")
        await first.process(first.telegram.group_text_update(TEAM, GIULIA, "/start"))
        assert len(first.telegram.chat(TEAM)) == 1
    restarted = await open_services(settings, clock, db=db, automatic_outbox=False)
    async with Harness(restarted) as second:
        second.person(GIULIA, "Giulia", "it")
        second.telegram.group(TEAM, "Team")
        await second.process(second.telegram.group_text_update(TEAM, GIULIA, "/start"))
        assert second.telegram.chat(TEAM) == []
