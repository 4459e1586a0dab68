"""How people call each kind of event."""

from bot.domain.languages import N_

KIND_LABELS = {
    "presentation": N_("Presentation"),
    "round_table": N_("Round table"),
    "site_visit": N_("Site visit"),
    "workshop": N_("Workshop"),
    "video_conference": N_("Video conference"),
}
