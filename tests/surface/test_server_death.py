"""The embedded server killed in the middle of a ``-n 2`` run: named once, one line per test that
needed it, and the next run passes."""

from __future__ import annotations

import re

TESTS = """
import os
import signal
import time
from pathlib import Path

import pytest

MARK = Path(__file__).parent / "killed"


def wait_for_the_kill():
    for _ in range(6000):
        if MARK.exists():
            return
        time.sleep(0.01)
    raise AssertionError("the server was never killed")


@pytest.mark.supaseed("small")
def test_0_kill_the_server(supaseed_db, supaseed_server):
    assert supaseed_db.execute("select count(*) from notes").fetchone() == (6,)
    if os.environ.get("KILL_SERVER"):
        os.kill(int(supaseed_server.details["pid"]), signal.SIGKILL)
        MARK.write_text(supaseed_server.details["pid"])


@pytest.mark.supaseed("small")
@pytest.mark.parametrize("i", range(12))
def test_notes(supaseed_db, i):
    if os.environ.get("KILL_SERVER"):
        wait_for_the_kill()
    assert supaseed_db.execute("select count(*) from notes").fetchone() == (6,)


def test_without_a_database():
    assert 1 + 1 == 2
"""


def test_a_killed_server_is_named_once_and_the_next_run_passes(project, monkeypatch) -> None:
    project.tests(TESTS)
    monkeypatch.setenv("KILL_SERVER", "1")
    result = project.run("-p", "no:randomly", "-n", "2")
    out = "\n".join(result.stdout.lines + result.stderr.lines)
    pid = (project.root / "killed").read_text()
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 2, out  # the killer and the test without a database
    assert outcomes.get("failed", 0) + outcomes.get("errors", 0) >= 12, out
    # the death is named once, with the end of the server's log ...
    assert len(re.findall(rf"embedded PostgreSQL server \(pid {pid}\) exited", out)) == 1, out
    assert "supaseed: server exited" in out
    # ... and every test that needed the server says so in one line, without a traceback
    assert out.count("the run's PostgreSQL server is gone") >= 12, out
    assert "Traceback" not in out, out
    assert "OperationalError" not in out, out
    assert "Connection refused" not in out, out
    # the next run starts a new server on the same cluster and passes
    monkeypatch.delenv("KILL_SERVER")
    (project.root / "killed").unlink()
    project.run("-p", "no:randomly", "-n", "2").assert_outcomes(passed=14)
