"""One line for each reason a database cannot be used: which file, what is wrong, what to do."""

from __future__ import annotations

from bot.render.i18n import Translator
from storage import StorageError, StorageProblem

EXIT_STORAGE = 1


def storage_problem_line(t: Translator, error: StorageError) -> str:
    """The sentence for the terminal, on one line whatever the system said."""
    path = str(error.path)
    detail = " ".join(error.detail.split())
    problem = error.problem
    if problem is StorageProblem.IS_DIRECTORY:
        return t._("Ponte cannot use {path} as its database: it is a folder. Set PONTE_DB to a file path, "
                   "for example a ponte.db inside that folder.", path=path)
    if problem is StorageProblem.FOLDER_IS_FILE:
        return t._("Ponte cannot create the database {path}: {folder} is a file, not a folder. Move that file "
                   "away, or set PONTE_DB to a path in an existing folder.", path=path, folder=str(error.path.parent))
    if problem is StorageProblem.READ_ONLY_FILE:
        return t._("Ponte cannot write to the database {path}: the file is read-only. Make it writable for the "
                   "user running Ponte, or set PONTE_DB to a writable copy.", path=path)
    if problem is StorageProblem.READ_ONLY_FOLDER:
        return t._("Ponte cannot write in the folder of the database {path}: the folder is read-only, and SQLite "
                   "keeps two files next to the database. Make the folder writable for the user running Ponte, "
                   "or set PONTE_DB to a path in a writable folder.", path=path)
    if problem is StorageProblem.DISK_FULL:
        return t._("Ponte cannot write to the database {path}: the disk is full. Free some space on it, then "
                   "start Ponte again.", path=path)
    if problem is StorageProblem.NOT_A_DATABASE:
        return t._("{path} is not a Ponte database (it is not an SQLite file). Point PONTE_DB to the database, "
                   "or to a new path to start with an empty one.", path=path)
    if problem is StorageProblem.DAMAGED:
        return t._("The database {path} is damaged. Restore it from a backup, or move it away to start with an "
                   "empty one (the people and sign-ups it held would be lost).", path=path)
    return t._("Ponte cannot open the database {path} ({problem}). Check that the user running Ponte can read "
               "and write the file and its folder, or set PONTE_DB to another path.", path=path, problem=detail)
