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


def test_the_report_benchmark_runs_and_ends_with_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, "bench/report.py", "--respondents", "100", "--answers", "1000", "--events", "4",
         "--rounds", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=180, check=False,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    # 25 part way (4 answers each), 180 finished (5 each), 30 never answered.
    assert (figures["answers"], figures["answers_counted"], figures["finished"], figures["partly"]) == (1000, 1000,
                                                                                                        180, 25)
    assert (figures["asked"], figures["responses"], figures["xlsx_rows"]) == (235, 235, 205)
    assert {"floor_ms", "summary_ms", "xlsx_ms", "html_ms", "three_ms", "ratio", "peak_rss_mb"} <= figures.keys()
    assert figures["xlsx_bytes"] > 0 and figures["html_bytes"] > 0
