"""The kinds of event on the agenda."""

from __future__ import annotations

import enum


class EventKind(enum.StrEnum):
    PRESENTATION = "presentation"
    ROUND_TABLE = "round_table"
    SITE_VISIT = "site_visit"
    WORKSHOP = "workshop"
    VIDEO_CONFERENCE = "video_conference"


KINDS = tuple(kind.value for kind in EventKind)
