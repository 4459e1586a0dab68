"""Telegram-facing journeys: each module parses updates, calls the domain in :mod:`bot` and renders."""
