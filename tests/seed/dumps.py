"""pg_dump for comparing two seeded databases (imported by the tests of this folder)."""

from __future__ import annotations

import subprocess

from pytest_supaseed.backends.binaries import find_binaries


def dump(dsn: str, *, sort_rows: bool = True, data_only: bool = False) -> str:
    """pg_dump of ``dsn`` without the random ``\\restrict`` key lines, each table's rows sorted
    (``sort_rows=False``: in their physical order); ``data_only``: the rows without the schema."""
    out = subprocess.run(
        [
            find_binaries(None).tool("pg_dump"),
            *(["--data-only"] if data_only else []),
            "--no-owner",
            "-d",
            dsn,
        ],
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
        if sort_rows and line.startswith("COPY ") and line.endswith("FROM stdin;"):
            rows = []
    return "\n".join(lines)
