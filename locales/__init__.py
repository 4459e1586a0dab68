"""gettext catalogs (``<lang>/LC_MESSAGES/messages.po``); compiled in memory by :mod:`bot.i18n` at load time."""
