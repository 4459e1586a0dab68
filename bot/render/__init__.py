"""Text and files for people, in their language and zone: i18n, times, buttons, views, notices, files.
No telegram here: the adapters in bot.telegram turn these neutral values into Bot API calls."""
