"""bench/broadcast.py runs, and its figures add up (its timings are the benchmark's business, not a test's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_broadcast_benchmark_accounts_for_everyone(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PONTE_")}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "broadcast.py"), "--recipients", "40", "--rate", "200"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert (figures["recipients"], figures["blocked_the_bot"]) == (40, 2)
    for side in ("ponte", "aio_rate_limiter_loop"):
        counts = figures[side]
        assert counts["accounted_for"] == 40
        assert counts["delivered"] + counts["blocked"] + counts["failed"] + counts["uncertain"] == 40
        assert (counts["delivered"], counts["blocked"]) == (38, 2)
    assert figures["ponte"]["freed_seat_wait_seconds"] is not None  # the freed seat went out
