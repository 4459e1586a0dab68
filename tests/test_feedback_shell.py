"""Done when, for answering: in `ponte shell`, a person confirmed for a visit waits until after it, the request
arrives, they answer half, leave, come back with /feedback and finish."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from bot.config.clock import FixedClock
from bot.domain.agenda import Agenda
from bot.domain.agenda_file import parse_agenda
from storage import Database
from tests.conftest import BEFORE_THE_WEEK
from tests.harness import EXAMPLE
from tests.questionnaires import ASKED, visit_questionnaire
from tests.test_end_to_end import _env


async def _prepare(db_path: Path) -> None:
    """The example agenda and a questionnaire asked after the site visits."""
    db = await Database.open(db_path)
    await Agenda(db, FixedClock(BEFORE_THE_WEEK), lambda: None).apply(parse_agenda(EXAMPLE.read_text(encoding="utf-8")))
    async with db.transaction() as tx:
        await tx.questionnaires.save(visit_questionnaire(), BEFORE_THE_WEEK)
    await db.close()


def test_in_the_shell_a_person_answers_half_leaves_and_finishes_later(tmp_path: Path) -> None:
    db_path = tmp_path / "feedback.db"
    asyncio.run(_prepare(db_path))
    minutes = int((ASKED - BEFORE_THE_WEEK).total_seconds() // 60) + 1
    script = "\n".join([
        "/start", "1", "1", "/start e_roccafranca-visit", "1",  # Giulia signs up for the visit
        f"/wait {minutes}m",  # past the visit and the hour after it: the request arrives
        "1", "4", "9",  # Answer; useful 4; transferable 8
        "/agenda",  # she leaves
        "/feedback", "1",  # and comes back to the third question
        "2", "1", "4",  # Rules; The city, Done
        "Case del quartiere",  # the idea, typed
        "6",  # Send
        "/quit",
    ])
    result = subprocess.run([sys.executable, "-m", "bot", "shell", "--db", str(db_path)], input=script,
                            capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    moved = out.index("The shell's clock moved")
    request = out.index("┌─ Ponte → Giulia\n│ 📝 L'evento Visita a Cascina Roccafranca", moved)
    assert "Ho 5 brevi domande per te" in out[request:]
    half = out.index("Domanda 3 di 5", request)
    again = out.index("Questionari che ti aspettano", half)
    assert "Continua: Visita a Cascina" in out[again:]
    assert "Domanda 3 di 5" in out[again:] and "Domanda 5 di 5" in out[again:]
    summary = out.index("Ecco le tue risposte", again)
    assert "4 su 5" in out[summary:] and "8 su 10" in out[summary:] and "“Case del quartiere”" in out[summary:]
    assert "Grazie! Le tue risposte su Visita a Cascina Roccafranca" in out[summary:]
