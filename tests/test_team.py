"""Roles by invitation: /team, invitation links (good and bad), revoking, menus that follow roles, the roles
kept across restarts, and what deleting one's data does to them."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.app.application import publish_profile
from bot.app.services import open_services
from bot.config.clock import FixedClock
from bot.domain.audit import AuditAction
from bot.domain.notices import NoticeKind
from bot.domain.roles import Role, Roles
from bot.domain.team import Opening, Revoking
from handlers.team import token_from_button, token_to_button
from tests.conftest import ORGANISER
from tests.harness import Harness

ANNA, LUCA, MARA = 1003, 1004, 1005
_LINK = re.compile(r"https://t\.me/ponte_test_bot\?start=(r_[A-Za-z0-9_-]+)")


async def _invite(bot: Harness, which: str = "coordinator") -> str:
    """The organiser (English, Baltimore) asks /team for an invitation; the link's start payload."""
    await bot.send(ORGANISER, "/team")
    await bot.press(ORGANISER, "Invite an organizer" if which == "organiser" else "Invite a coordinator")
    found = _LINK.search(bot.last(ORGANISER).text)
    assert found, bot.last(ORGANISER).text
    return found.group(1)


@pytest.fixture
async def team_bot(bot: Harness) -> Harness:
    await bot.onboard(ORGANISER, "Olga", "en", "Baltimore")
    return bot


async def _outbox(bot: Harness, kind: NoticeKind) -> list:
    async with bot.services.db.serialized() as tx:
        return [m for m in await tx.outbox.all() if m.kind == kind]


async def _audit(bot: Harness) -> list:
    return list(reversed(await bot.services.audit.latest(100)))


async def test_a_newcomer_opens_a_coordinator_invitation_consents_and_joins(team_bot: Harness) -> None:
    bot = team_bot
    payload = await _invite(bot)
    assert "works once" in bot.last(ORGANISER).text
    bot.person(ANNA, "Anna", "it", username="anna_to")
    await bot.send(ANNA, f"/start {payload}")
    assert "privacy" in bot.last(ANNA).text.lower()
    assert bot.services.roles.role_of(ANNA) is Role.STAKEHOLDER, "nothing before consent"
    await bot.press(ANNA, "✅")
    texts = bot.texts(ANNA)
    assert any("Ti diamo il benvenuto nella squadra" in t and "coordinatore" in t for t in texts[-2:]), texts[-2:]
    assert "Dove ti trovi" in texts[-1] or "Dove" in texts[-1]
    assert bot.services.roles.role_of(ANNA) is Role.COORDINATOR
    # The organiser hears of it, through the outbox.
    assert await bot.services.dispatcher.dispatch_due() == 1
    told = bot.last(ORGANISER).text
    assert "Anna (@anna_to) accepted your invitation and is now a coordinator" in told
    # Her menu is her own now, in Italian.
    assert ("commands", "", ANNA) in bot.telegram.profile and ("commands", "it", ANNA) in bot.telegram.profile
    actions = [(e.action, e.actor_id) for e in await _audit(bot)]
    assert (AuditAction.INVITE_CREATED, ORGANISER) in actions and (AuditAction.ROLE_GRANTED, ORGANISER) in actions


async def test_an_organiser_invitation_gives_the_organiser_commands_and_menu(team_bot: Harness) -> None:
    bot = team_bot
    payload = await _invite(bot, "organiser")
    await bot.onboard(LUCA, "Luca", "en", "Turin")
    await bot.send(LUCA, f"/start {payload}")
    text = bot.last(LUCA).text
    assert "You're now an organizer" in text and "/team" in text and "/attendees" in text
    assert "/agenda" not in text, "only what the role adds"
    assert bot.services.roles.is_organiser(LUCA)
    menu = bot.telegram.menu(LUCA, "en")
    assert {"team", "attendees", "broadcast", "agenda"} <= set(menu)
    await bot.send(LUCA, "/team")
    assert "Luca" in bot.last(LUCA).text and "invited by Olga" in bot.last(LUCA).text


async def test_a_used_link_grants_nothing_to_the_next_person_and_says_so(team_bot: Harness) -> None:
    bot = team_bot
    payload = await _invite(bot)
    await bot.onboard(LUCA, "Luca", "en", "Turin")
    await bot.onboard(MARA, "Mara", "it")
    await bot.send(LUCA, f"/start {payload}")
    await bot.send(MARA, f"/start {payload}")
    assert "già stato usato" in bot.last(MARA).text
    assert bot.services.roles.role_of(MARA) is Role.STAKEHOLDER
    await bot.send(LUCA, f"/start {payload}")  # the same person again
    assert "already a coordinator" in bot.last(LUCA).text
    assert len(await _outbox(bot, NoticeKind.INVITE_ACCEPTED)) == 1, "the inviter is told once"


async def test_an_expired_link_says_when_it_expired(team_bot: Harness, clock: FixedClock) -> None:
    bot = team_bot
    payload = await _invite(bot)
    clock.advance(timedelta(days=7, minutes=1))
    await bot.onboard(LUCA, "Luca", "en", "Turin")
    await bot.send(LUCA, f"/start {payload}")
    assert "This invitation expired on Monday, January 18" in bot.last(LUCA).text
    assert bot.services.roles.role_of(LUCA) is Role.STAKEHOLDER


async def test_the_invitation_ttl_setting_is_used(settings, clock, db, sleeper) -> None:
    services = await open_services(replace(settings, invite_ttl=timedelta(hours=2)), clock, db=db,
                                   automatic_outbox=False)
    _, invite = await services.team.invite(ORGANISER, Role.COORDINATOR)
    assert invite.expires_at - invite.created_at == timedelta(hours=2)


async def test_a_withdrawn_invitation_no_longer_works_and_withdrawing_twice_changes_nothing(team_bot: Harness) -> None:
    bot = team_bot
    payload = await _invite(bot)
    await bot.send(ORGANISER, "/team")
    assert "Invitations not yet used" in bot.last(ORGANISER).text
    await bot.press(ORGANISER, "Withdraw invitation #1")
    assert "Invitation withdrawn" in bot.last(ORGANISER).text
    assert "Invitations not yet used" not in bot.last(ORGANISER).text
    await bot.press_data(ORGANISER, "team-withdraw:1")
    assert "already used, withdrawn or expired, so nothing changed" in bot.last(ORGANISER).text
    await bot.onboard(LUCA, "Luca", "en", "Turin")
    await bot.send(LUCA, f"/start {payload}")
    assert "withdrawn, so it no longer works" in bot.last(LUCA).text
    assert bot.services.roles.role_of(LUCA) is Role.STAKEHOLDER
    assert [e.action for e in await _audit(bot)].count(AuditAction.INVITE_REVOKED) == 1


@pytest.mark.parametrize("payload", [
    "r_" + "A" * 22,                       # the right shape, made up
    "r_abc",                                # cut short
    "r_",                                   # nothing after the prefix
    "r_" + "A" * 60,                        # too long
    "r_" + "!" * 22,                        # not the alphabet of a token
])
async def test_forged_or_truncated_links_grant_nothing(team_bot: Harness, payload: str) -> None:
    bot = team_bot
    real = await _invite(bot)
    await bot.onboard(LUCA, "Luca", "en", "Turin")
    await bot.send(LUCA, f"/start {payload}")
    assert "This invitation link doesn't work" in bot.last(LUCA).text
    await bot.send(LUCA, f"/start {real[:-3]}")
    assert "This invitation link doesn't work" in bot.last(LUCA).text
    assert bot.services.roles.role_of(LUCA) is Role.STAKEHOLDER


async def test_a_newcomer_with_a_forged_link_hears_it_does_not_work_and_meets_the_bot_as_anyone(
        team_bot: Harness) -> None:
    bot = team_bot
    bot.person(MARA, "Mara", "en")
    await bot.send(MARA, "/start r_tooShort")
    assert "This invitation link doesn't work" in bot.texts(MARA)[-2]
    await bot.press(MARA, "✅")
    assert "Where are you based?" in bot.last(MARA).text
    assert bot.services.roles.role_of(MARA) is Role.STAKEHOLDER


async def test_an_organiser_opening_their_own_invitation_grants_nothing_and_it_still_works(team_bot: Harness) -> None:
    bot = team_bot
    payload = await _invite(bot)
    await bot.send(ORGANISER, f"/start {payload}")
    assert "This is your own invitation" in bot.last(ORGANISER).text
    await bot.onboard(LUCA, "Luca", "en", "Turin")
    await bot.send(LUCA, f"/start {payload}")
    assert bot.services.roles.role_of(LUCA) is Role.COORDINATOR


async def test_the_team_is_for_organisers_only_also_through_forged_buttons(team_bot: Harness) -> None:
    bot = team_bot
    await bot.onboard(LUCA, "Luca", "en", "Turin")
    await bot.send(LUCA, "/team")
    assert "only the organizers of the exchange can see and manage the team" in bot.last(LUCA).text
    for data in ("team", "team-invite:organiser", f"team-revoke:{ORGANISER}:organiser",
                 f"team-revoke-yes:{ORGANISER}:organiser", "team-withdraw:1"):
        await bot.press_data(LUCA, data)
        assert "only the organizers" in bot.last(LUCA).text, data
    assert bot.services.roles.is_organiser(ORGANISER) and not bot.services.roles.is_organiser(LUCA)
    async with bot.services.db.serialized() as tx:
        assert await tx.roles.pending_invites(bot.services.clock.now()) == []


@pytest.mark.parametrize("data", ["team-invite:stakeholder", "team-revoke:abc:organiser", "team-revoke:5:boss",
                                  "team-revoke-yes:5:stakeholder", "team-withdraw:x"])
async def test_a_forged_team_button_of_an_organiser_gets_a_clear_word(team_bot: Harness, data: str) -> None:
    bot = team_bot
    await bot.press_data(ORGANISER, data)
    assert "That button no longer works. Use /team" in bot.last(ORGANISER).text


async def test_revoking_a_role_asks_first_takes_the_menu_away_and_twice_changes_nothing(team_bot: Harness) -> None:
    bot = team_bot
    payload = await _invite(bot)
    await bot.onboard(LUCA, "Luca", "en", "Turin")
    await bot.send(LUCA, f"/start {payload}")
    assert ("commands", "", LUCA) in bot.telegram.profile
    await bot.send(ORGANISER, "/team")
    assert "Luca, since Monday, January 11: invited by Olga" in bot.last(ORGANISER).text
    assert "set in the settings (PONTE_ADMINS)" in bot.last(ORGANISER).text
    labels = [b["text"] for row in bot.last(ORGANISER).keyboard for b in row]
    assert not any("Olga" in label for label in labels), "a settings role has no revoke button"
    await bot.press(ORGANISER, "Revoke Luca as coordinator")
    assert "Revoke Luca's coordinator role?" in bot.last(ORGANISER).text
    assert bot.services.roles.role_of(LUCA) is Role.COORDINATOR, "asked, not done"
    await bot.press(ORGANISER, "Yes, revoke")
    assert "Done: that person is no longer a coordinator" in bot.last(ORGANISER).text
    assert bot.services.roles.role_of(LUCA) is Role.STAKEHOLDER
    assert not any(key[-1] == LUCA for key in bot.telegram.profile if len(key) == 3), "back to everyone's menu"
    await bot.press_data(ORGANISER, f"team-revoke-yes:{LUCA}:coordinator")  # the old button, again
    assert "already revoked, so nothing changed" in bot.last(ORGANISER).text
    assert [e.action for e in await _audit(bot)].count(AuditAction.ROLE_REVOKED) == 1


async def test_a_settings_role_cannot_be_revoked_from_the_chat(team_bot: Harness) -> None:
    bot = team_bot
    await bot.press_data(ORGANISER, f"team-revoke-yes:{ORGANISER}:organiser")
    assert "comes from the settings" in bot.last(ORGANISER).text
    assert bot.services.roles.is_organiser(ORGANISER)


async def test_there_is_always_an_organiser(settings, clock, db) -> None:
    services = await open_services(settings, clock, db=db, automatic_outbox=False)
    await services.people.meet(LUCA)
    token, _ = await services.team.invite(ORGANISER, Role.ORGANISER)
    assert (await services.team.open_invite(LUCA, token)).outcome is Opening.GRANTED
    # PONTE_ADMINS no longer names the first organiser: at the next start Luca is the only one.
    alone = await open_services(replace(settings, admins=frozenset()), clock, db=db, automatic_outbox=False)
    assert not alone.roles.is_organiser(ORGANISER) and alone.roles.is_organiser(LUCA)
    assert await alone.team.revoke(LUCA, LUCA, Role.ORGANISER) is Revoking.LAST_ORGANISER
    assert alone.roles.is_organiser(LUCA)


async def test_an_organiser_may_give_up_their_own_role_when_another_remains(settings, clock, db) -> None:
    services = await open_services(settings, clock, db=db, automatic_outbox=False)
    await services.people.meet(LUCA)
    token, _ = await services.team.invite(ORGANISER, Role.ORGANISER)
    await services.team.open_invite(LUCA, token)
    pending, _ = await services.team.invite(LUCA, Role.COORDINATOR)
    assert await services.team.revoke(LUCA, LUCA, Role.ORGANISER) is Revoking.REVOKED
    assert not services.roles.is_organiser(LUCA)
    await services.people.meet(MARA)
    opened = await services.team.open_invite(MARA, pending)
    assert opened.outcome is Opening.REVOKED, "an invitation is only as good as its maker's role"


async def test_roles_by_invitation_persist_across_restarts_and_the_settings_grant_at_every_start(
        settings, clock, db) -> None:
    services = await open_services(replace(settings, coordinators=frozenset({MARA})), clock, db=db,
                                   automatic_outbox=False)
    await services.people.meet(LUCA)
    token, _ = await services.team.invite(ORGANISER, Role.COORDINATOR)
    await services.team.open_invite(LUCA, token)
    again = await open_services(settings, clock, db=db, automatic_outbox=False)
    assert again.roles.role_of(LUCA) is Role.COORDINATOR, "granted by invitation: kept"
    assert again.roles.role_of(MARA) is Role.STAKEHOLDER, "no longer in PONTE_COORDINATORS: gone"
    assert again.roles.is_organiser(ORGANISER)
    async with db.serialized() as tx:
        grants = {(g.telegram_id, g.role, g.by_settings) for g in await tx.roles.grants()}
    assert grants == {(ORGANISER, "organiser", True), (LUCA, "coordinator", False)}


def test_roles_built_from_settings_alone_still_answer() -> None:
    roles = Roles(frozenset({1}), frozenset({2}))
    assert roles.role_of(1) is Role.ORGANISER and roles.role_of(2) is Role.COORDINATOR
    roles.load({3: [Role.COORDINATOR, Role.ORGANISER]})
    assert roles.role_of(3) is Role.ORGANISER and roles.may_read_feedback(3) and roles.holders() == {1, 2, 3}


async def test_deleting_ones_data_takes_the_invited_role_and_the_audit_keeps_what_was_done_without_them(
        team_bot: Harness) -> None:
    bot = team_bot
    payload = await _invite(bot)
    await bot.onboard(LUCA, "Luca", "en", "Turin")
    await bot.send(LUCA, f"/start {payload}")
    await bot.send(LUCA, "/privacy")
    await bot.press(LUCA, "Delete my data")
    await bot.press(LUCA, "Yes, delete everything")
    assert bot.services.roles.role_of(LUCA) is Role.STAKEHOLDER
    assert not any(key[-1] == LUCA for key in bot.telegram.profile if len(key) == 3)
    async with bot.services.db.serialized() as tx:
        assert not [g for g in await tx.roles.grants() if LUCA in (g.telegram_id, g.granted_by)]
        rows = await tx.connection.execute_fetchall("SELECT * FROM invite WHERE used_by = ?", (LUCA,))
        notices = await tx.connection.execute_fetchall("SELECT payload FROM outbox WHERE kind = 'invite_accepted'")
    assert rows == [] and notices == []
    last = (await _audit(bot))[-1]
    assert last.action == AuditAction.ROLE_REVOKED and last.actor_id is None and last.detail == {
        "person": "deleted", "role": "coordinator", "reason": "data deleted", "actor": "deleted"}
    everything = repr(await _audit(bot))
    assert "Luca" not in everything and str(LUCA) not in everything
    assert any(entry.action == AuditAction.ROLE_GRANTED for entry in await _audit(bot))  # what was done stays


async def test_a_settings_organiser_gets_their_menu_at_start_in_their_language(team_bot: Harness) -> None:
    bot = team_bot
    bot.telegram.profile.clear()
    await publish_profile(bot.app)
    assert {"team", "attendees", "broadcast"} <= set(bot.telegram.menu(ORGANISER, "en"))
    assert "team" not in bot.telegram.menu(ANNA, "en")
    descriptions = [c["description"] for c in bot.telegram.profile[("commands", "it", ORGANISER)]]
    assert "The team: roles and invitations (organizers)" in descriptions, "Olga reads English, whatever her phone says"


async def test_changing_language_changes_an_organisers_menu(team_bot: Harness) -> None:
    bot = team_bot
    await bot.send(ORGANISER, "/language")
    await bot.press(ORGANISER, "Italiano")
    descriptions = [c["description"] for c in bot.telegram.profile[("commands", "", ORGANISER)]]
    assert "La squadra: ruoli e inviti (organizzatori)" in descriptions


async def test_the_stand_in_refuses_a_menu_for_a_chat_it_never_met(team_bot: Harness) -> None:
    from telegram import BotCommand, BotCommandScopeChat
    from telegram.error import BadRequest

    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await team_bot.app.bot.set_my_commands([BotCommand("x", "y")], scope=BotCommandScopeChat(424242))


def test_an_invitation_token_survives_the_consent_button() -> None:
    token = secrets.token_urlsafe(16)
    carried = token_to_button(token)
    assert token_from_button(carried) == token and len(f"team-join:{carried}") <= 64
    assert token_from_button("r-and-d") == token_from_button("Rxyz") == "", "never an invitation's"


async def test_two_people_opening_one_link_at_once_make_one_member(settings, clock, db) -> None:
    import asyncio

    services = await open_services(settings, clock, db=db, automatic_outbox=False)
    for person in (LUCA, MARA):
        await services.people.meet(person)
    token, _ = await services.team.invite(ORGANISER, Role.COORDINATOR)
    opened = await asyncio.gather(services.team.open_invite(LUCA, token), services.team.open_invite(MARA, token))
    assert sorted(o.outcome.value for o in opened) == ["granted", "used"]
    assert [services.roles.role_of(p) for p in (LUCA, MARA)].count(Role.COORDINATOR) == 1


@pytest.mark.parametrize("carried", ["R", "Rzz", "R" + "0" * 40])
async def test_a_forged_consent_button_with_an_invitation_grants_nothing(team_bot: Harness, carried: str) -> None:
    bot = team_bot
    bot.person(MARA, "Mara", "en")
    await bot.send(MARA, "/start")
    await bot.press_data(MARA, f"team-join:{carried}")
    assert any("This invitation link doesn't work" in t for t in bot.texts(MARA))
    assert bot.services.roles.role_of(MARA) is Role.STAKEHOLDER


async def test_the_inviter_hears_in_their_own_language(team_bot: Harness) -> None:
    bot = team_bot
    await bot.send(ORGANISER, "/language")
    await bot.press(ORGANISER, "Italiano")
    await bot.send(ORGANISER, "/team")
    await bot.press(ORGANISER, "Invita un organizzatore")
    assert "Funziona una volta sola, fino a lunedì 18 gennaio alle 04:00, ora di Baltimora" in bot.last(ORGANISER).text
    payload = _LINK.search(bot.last(ORGANISER).text).group(1)
    await bot.onboard(LUCA, "Luca", "en", "Turin")
    await bot.send(LUCA, f"/start {payload}")
    await bot.services.dispatcher.dispatch_due()
    assert "Luca ha accettato il tuo invito e ora ha il ruolo di organizzatore" in bot.last(ORGANISER).text


async def test_a_settings_coordinator_invited_as_organiser_is_a_coordinator_again_once_revoked(
        settings, clock, db) -> None:
    services = await open_services(replace(settings, coordinators=frozenset({LUCA})), clock, db=db,
                                   automatic_outbox=False)
    await services.people.meet(LUCA)
    token, _ = await services.team.invite(ORGANISER, Role.ORGANISER)
    assert (await services.team.open_invite(LUCA, token)).outcome is Opening.GRANTED
    assert services.roles.role_of(LUCA) is Role.ORGANISER
    assert await services.team.revoke(ORGANISER, LUCA, Role.ORGANISER) is Revoking.REVOKED
    assert services.roles.role_of(LUCA) is Role.COORDINATOR
    assert await services.team.revoke(ORGANISER, LUCA, Role.COORDINATOR) is Revoking.BY_SETTINGS


async def test_mydata_lists_ones_roles_invitations_and_audited_actions(team_bot: Harness) -> None:
    bot = team_bot
    payload = await _invite(bot)
    await bot.onboard(LUCA, "Luca", "en", "Turin")
    await bot.send(LUCA, f"/start {payload}")
    await bot.send(ORGANISER, "/mydata")
    _, content = bot.last(ORGANISER).document
    olga = json.loads(content)
    assert olga["Your roles in the team"][0]["Role"] == "organizer"
    assert olga["Your roles in the team"][0]["Given by the settings"] == "yes"
    [invite] = olga["Invitations you made"]
    assert (invite["Role"], invite["Used"], invite["Withdrawn"]) == ("coordinator", "yes", "no")
    assert "made an invitation" in [entry["What"] for entry in olga["What you did as a team member (the audit log)"]]
    assert payload.removeprefix("r_").encode() not in content  # the link itself is never kept
    await bot.send(LUCA, "/mydata")
    luca = json.loads(bot.last(LUCA).document[1])
    assert [(r["Role"], r["Given by the settings"]) for r in luca["Your roles in the team"]] == [("coordinator", "no")]
