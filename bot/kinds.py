"""The kinds of event on the agenda and how people call them."""

from bot.i18n import N_

KIND_LABELS = {
    "presentation": N_("Presentation"),
    "round_table": N_("Round table"),
    "site_visit": N_("Site visit"),
    "workshop": N_("Workshop"),
    "video_conference": N_("Video-conference"),
}
KINDS = tuple(KIND_LABELS)
