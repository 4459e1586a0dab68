"""Settings from PONTE_* variables and .env, and the clock."""
