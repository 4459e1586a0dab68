"""deploy/: the systemd unit passes ``systemd-analyze verify`` and the container image builds, where this
machine has the tools; what each must hold is checked everywhere."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "ponte.service"
CONTAINERFILE = ROOT / "deploy" / "Containerfile"


def _settings(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith(("#", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_the_unit_restarts_stops_cleanly_and_runs_as_its_own_user() -> None:
    unit = _settings(UNIT.read_text(encoding="utf-8"))
    assert unit["Restart"] == ["on-failure"] and unit["KillSignal"] == ["SIGTERM"]
    assert unit["TimeoutStopSec"] == ["30"] and unit["User"] == ["ponte"]
    assert unit["EnvironmentFile"] == ["/etc/ponte/ponte.env"]
    assert "PONTE_DB=/var/lib/ponte/ponte.db" in unit["Environment"] and unit["StateDirectory"] == ["ponte"]
    assert unit["ExecStart"] == ["/opt/ponte/bin/ponte run"]


def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not on PATH (no systemd on this machine)")
    # The unit names where the recipe installs Ponte (/opt/ponte); verify checks that the program exists,
    # so the copy verified here points at this checkout's ponte instead. Everything else is verbatim.
    ponte = Path(sys.executable).with_name("ponte")
    text = UNIT.read_text(encoding="utf-8").replace("ExecStart=/opt/ponte/bin/ponte", f"ExecStart={ponte}")
    (tmp_path / "ponte.service").write_text(text, encoding="utf-8")
    result = subprocess.run([tool, "verify", str(tmp_path / "ponte.service")], capture_output=True, text=True,
                            timeout=120)
    # Unknown keys and other mistakes are warnings with exit code 0: any word from it is a failure.
    assert result.returncode == 0 and result.stderr.strip() == "" and result.stdout.strip() == "", result.stderr


def test_the_image_runs_ponte_as_a_user_with_the_database_on_a_volume() -> None:
    text = CONTAINERFILE.read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert "USER ponte" in lines and 'VOLUME ["/data"]' in lines
    assert "PONTE_DB=/data/ponte.db" in text and 'ENTRYPOINT ["ponte"]' in lines and 'CMD ["run"]' in lines
    # The image's user is the last word: nothing runs as root once it starts.
    assert [line for line in lines if line.startswith("USER ")][-1] == "USER ponte"


def _engine() -> tuple[str | None, str]:
    """The container engine that answers, or why there is none."""
    reasons = []
    for name in ("podman", "docker"):
        path = shutil.which(name)
        if path is None:
            reasons.append(f"{name} is not on PATH")
            continue
        answer = subprocess.run([path, "info"], capture_output=True, text=True, timeout=60)
        if answer.returncode == 0:
            return path, ""
        reasons.append(f"{name} is on PATH but does not answer ({answer.stderr.strip().splitlines()[-1:]})")
    return None, "; ".join(reasons)


def test_the_container_image_builds_and_its_ponte_answers() -> None:
    engine, why = _engine()
    if engine is None:
        pytest.skip(f"no container engine to build with: {why}")
    tag = "ponte-test:deploy"
    build = subprocess.run([engine, "build", "-f", str(CONTAINERFILE), "-t", tag, str(ROOT)], capture_output=True,
                           text=True, timeout=1200)
    assert build.returncode == 0, build.stderr[-3000:]
    try:
        # No token: `ponte run` must stop at once with its one line, as the user of the image.
        run = subprocess.run([engine, "run", "--rm", tag], capture_output=True, text=True, timeout=120)
        assert run.returncode == 2 and "PONTE_TOKEN" in run.stderr and "Traceback" not in run.stderr
        whoami = subprocess.run([engine, "run", "--rm", "--entrypoint", "id", tag, "-u"], capture_output=True,
                                text=True, timeout=120)
        assert whoami.stdout.strip() == "10001"
    finally:
        subprocess.run([engine, "rmi", "-f", tag], capture_output=True, timeout=120)
