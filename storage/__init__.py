"""The aiosqlite store: it knows nothing of Telegram or of the domain's rules."""

from storage.database import Database, SchemaTooNewError, Transaction
from storage.errors import StorageError, StorageProblem

__all__ = ["Database", "SchemaTooNewError", "StorageError", "StorageProblem", "Transaction"]
