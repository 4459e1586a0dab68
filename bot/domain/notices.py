"""The kinds of message the bot sends on its own. Each is an outbox row first; bot.render.notices has one
renderer per kind."""

from __future__ import annotations

import enum


class NoticeKind(enum.StrEnum):
    SEAT_CONFIRMED = "seat_confirmed"  # a seat opened up and went to the first person waiting
    REMINDER = "reminder"  # an event someone is signed up for is coming (bot.domain.reminders)
    EVENT_CHANGED = "event_changed"  # its time, place or link changed, or it was cancelled or restored
    BROADCAST = "broadcast"  # an organiser's message to many people, in each one's language (bulk lane)
    BROADCAST_REPORT = "broadcast_report"  # to the organiser: what became of their broadcast
    INVITE_ACCEPTED = "invite_accepted"  # to an organiser: the person they invited joined the team
    FEEDBACK_REQUEST = "feedback_request"  # after an event: its questionnaire (bot.domain.feedback_requests)
    FEEDBACK_REMINDER = "feedback_reminder"  # the one reminder to a person who has not finished it
