"""Done when, for answering: in `ponte shell` on a fresh database (the example agenda and the default
questionnaire), a person confirmed for a visit waits until after it, the request arrives, they answer half,
leave, come back with /feedback and finish."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import BEFORE_THE_WEEK
from tests.questionnaires import ASKED
from tests.test_end_to_end import _env


def test_in_the_shell_a_person_answers_half_leaves_and_finishes_later(tmp_path: Path) -> None:
    minutes = int((ASKED - BEFORE_THE_WEEK).total_seconds() // 60) + 1
    script = "\n".join([
        "/start", "1", "1", "/start e_roccafranca-visit", "1",  # Giulia signs up for the visit
        f"/wait {minutes}m",  # past the visit and the hour after it: the request arrives
        "1", "4",  # Answer; useful: 4
        "2", "7",  # who runs it: the residents, Done
        "9",  # transferable: 8
        "/agenda",  # she leaves
        "/feedback", "1",  # and comes back to the fourth question
        "1", "6",  # obstacles: funding, Done
        "Case del quartiere",  # the idea, typed
        "6",  # Send
        "/quit",
    ])
    result = subprocess.run([sys.executable, "-m", "bot", "shell", "--db", str(tmp_path / "feedback.db")],
                            input=script, capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    moved = out.index("The shell's clock moved")
    request = out.index("┌─ Ponte → Giulia\n│ 📝 L'evento Visita a Cascina Roccafranca", moved)
    assert "Ho 5 brevi domande per te" in out[request:]
    half = out.index("Domanda 4 di 5", request)
    again = out.index("Questionari che ti aspettano", half)
    assert "Continua: Visita a Cascina" in out[again:]
    assert "Domanda 4 di 5" in out[again:] and "Domanda 5 di 5" in out[again:]
    summary = out.index("Ecco le tue risposte", again)
    assert "4 su 5" in out[summary:] and "8 su 10" in out[summary:] and "“Case del quartiere”" in out[summary:]
    assert "Grazie! Le tue risposte su Visita a Cascina Roccafranca" in out[summary:]
