"""pg_dump for comparing two seeded databases (imported by the tests of this folder)."""

from __future__ import annotations

import subprocess

from pytest_supaseed.backends.binaries import find_binaries


def dump(dsn: str) -> str:
    """pg_dump of ``dsn`` without the random ``\\restrict`` key lines, each table's rows sorted."""
    out = subprocess.run(
        [find_binaries(None).tool("pg_dump"), "--no-owner", "-d", dsn],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines: list[str] = []
    rows: list[str] | None = None
    for line in out.splitlines():
        if line.startswith(("\\restrict", "\\unrestrict")):
            continue
        if rows is not None and line == "\\.":
            lines += sorted(rows)
            rows = None
        if rows is not None:
            rows.append(line)
            continue
        lines.append(line)
        if line.startswith("COPY ") and line.endswith("FROM stdin;"):
            rows = []
    return "\n".join(lines)
