"""What the bot sends on its own: the outbox dispatcher and pacing under Telegram's limits."""
