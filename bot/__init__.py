"""Ponte: the Telegram bot of the Turin–Baltimore best-practice exchange."""
