"""The sign-up benchmark still runs and still checks its own result (its figures are not judged here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_signup_burst_runs_and_ends_with_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, "bench/signup_burst.py", "--people", "60", "--seats", "7", "--batch", "25", "--rounds", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert (figures["confirmed"], figures["waiting"]) == (7, 53)
    assert {"signups_per_second", "p50_ms", "p99_ms", "floor_per_second", "ratio"} <= figures.keys()
    assert "ratio ponte/floor" in done.stdout
