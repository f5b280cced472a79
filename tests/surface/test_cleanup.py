"""A run killed with SIGKILL leaves its server behind; the next run stops it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(path: Path, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text()
        time.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


def test_server_of_killed_run_is_stopped_by_next_run(pytester: pytest.Pytester) -> None:
    pid_file = pytester.path / "server.pid"
    pytester.makepyfile(
        test_hang=f"""
        import time
        from pathlib import Path

        def test_hang(supaseed_server):
            Path({str(pid_file)!r}).write_text(supaseed_server.details["pid"])
            time.sleep(120)
        """
    )
    killed = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider", "-q"],
        cwd=pytester.path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        server_pid = int(_wait_for(pid_file))
    finally:
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait()
    assert _alive(server_pid), "SIGKILL gives pytest no chance to stop its server"

    # The next run (of any project) stops it before starting its own.
    other = pytester.mkdir("other")
    (other / "test_ok.py").write_text("def test_ok(supaseed_server):\n    pass\n")
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "no:cacheprovider", str(other)
    )
    result.assert_outcomes(passed=1)
    deadline = time.monotonic() + 10
    while _alive(server_pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _alive(server_pid)


def test_normal_run_stops_its_server(pytester: pytest.Pytester) -> None:
    pid_file = pytester.path / "server.pid"
    pytester.makepyfile(
        f"""
        from pathlib import Path

        def test_x(supaseed_server):
            Path({str(pid_file)!r}).write_text(supaseed_server.details["pid"])
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert not _alive(int(pid_file.read_text()))
