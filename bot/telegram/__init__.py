"""python-telegram-bot adapters used by the composition root and delivery: the bot class, the courier,
keyboards."""
