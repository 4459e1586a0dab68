"""Errors of the running bot, noted in the database so that ``ponte status`` shows the last ones: their
type, where they were raised and the update's id, never their text (it may quote what a person wrote)."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

from telegram import Update
from telegram.ext import CallbackContext

from storage.problems import ProblemRepository

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
# Ponte's own packages: in a checkout or installed among the libraries in site-packages alike.
OWN = tuple(ROOT / package for package in ("bot", "handlers", "storage"))


async def record_problem(update: object, context: CallbackContext) -> None:
    """Note the error beside the log line ``handlers.errors.report_error`` writes (an error handler of its
    own, so that the journeys' error handler stays free of storage)."""
    error = context.error
    if error is None:
        return
    services = context.application.services  # type: ignore[attr-defined]
    update_id = update.update_id if isinstance(update, Update) else None
    try:
        async with services.db.transaction() as tx:
            await ProblemRepository(tx.connection).record(services.clock.now(), type(error).__name__,
                                                          where(error), update_id)
    except Exception:
        # The database may be what failed (a full disk): the log has the error all the same.
        log.warning("could not note the error in the database", exc_info=True)


def where(error: BaseException) -> str:
    """The deepest line of Ponte's own code the error passed through, as ``handlers/signup.py:120 in
    sign_up`` (a library's line says less about what to fix); else the deepest line of all."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "?"
    own = [frame for frame in frames if any(Path(frame.filename).resolve().is_relative_to(p) for p in OWN)]
    frame = (own or frames)[-1]
    path = Path(frame.filename).resolve()
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else Path(path.name)
    return f"{shown.as_posix()}:{frame.lineno} in {frame.name}"
