"""The aiosqlite store: it knows nothing of Telegram or of the domain's rules."""

from storage.database import Database, SchemaTooNewError, Transaction

__all__ = ["Database", "SchemaTooNewError", "Transaction"]
