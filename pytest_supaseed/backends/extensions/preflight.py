"""One answer before anything runs: do the project's SQL files create extensions the server lacks?

:func:`created_extensions` reads ``create extension`` statements out of migration and seed files
(comments ignored); :func:`check_extensions` compares them with ``pg_available_extensions`` of the
server and raises one :class:`~pytest_supaseed.errors.MissingExtensionsError` listing every
missing extension, where it is created, and the remedies, before a single statement is applied.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import psycopg

from ...errors import MissingExtensionsError

__all__ = ["check_extensions", "created_extensions", "missing_extensions"]

_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_CREATE_EXTENSION = re.compile(
    r"\bcreate\s+extension\s+(?:if\s+not\s+exists\s+)?(\"(?:[^\"]|\"\")+\"|[A-Za-z_][\w$-]*)",
    re.I,
)

#: Where a missing extension can be had, by name, for the remedies of the error message.
_WHERE_TO_GET = {
    "vector": (
        "pgvector: no pip-installable PostgreSQL 17 ships it (docs/production/backends.md, 'vector'); "
        "Debian/Ubuntu: apt-get install postgresql-17-pgvector, then "
        "--supaseed-pg-bin /usr/lib/postgresql/17/bin"
    ),
    "postgis": "PostGIS: apt-get install postgresql-17-postgis-3, then --supaseed-pg-bin "
    "/usr/lib/postgresql/17/bin",
}


def _blank_comments(text: str) -> str:
    # Keep newlines so that line numbers still match the file.
    return _COMMENTS.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)


def created_extensions(files: Iterable[Path], root: Path | None = None) -> dict[str, list[str]]:
    """Extension name -> ``["file:line", ...]`` for every ``create extension`` in ``files``."""
    found: dict[str, list[str]] = {}
    for path in files:
        try:
            text = _blank_comments(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue  # applying the file reports it, with its name
        shown = _display(path, root)
        for match in _CREATE_EXTENSION.finditer(text):
            raw = match.group(1)
            name = raw[1:-1].replace('""', '"') if raw.startswith('"') else raw.lower()
            line = text.count("\n", 0, match.start()) + 1
            found.setdefault(name, []).append(f"{shown}:{line}")
    return found


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)


def missing_extensions(
    conn: psycopg.Connection[Any], files: Iterable[Path], root: Path | None = None
) -> dict[str, list[str]]:
    """The extensions ``files`` create that the server of ``conn`` does not offer."""
    wanted = created_extensions(files, root)
    if not wanted:
        return {}
    available = {
        str(name) for (name,) in conn.execute("select name from pg_catalog.pg_available_extensions")
    }
    return {name: places for name, places in wanted.items() if name not in available}


def check_extensions(
    conn: psycopg.Connection[Any], files: Iterable[Path], root: Path | None = None
) -> None:
    """Raise :class:`MissingExtensionsError` naming every extension ``files`` need and the server lacks."""
    missing = missing_extensions(conn, files, root)
    if not missing:
        return
    row = conn.execute("select current_setting('server_version')").fetchone()
    version = row[0] if row else "?"
    remedies = [_WHERE_TO_GET[name] for name in missing if name in _WHERE_TO_GET]
    remedies += [
        "Point the embedded backend at a PostgreSQL install that has them: "
        "--supaseed-pg-bin DIR (or env SUPASEED_PG_BIN), DIR being its bin directory "
        "(pg_config --bindir); the Supabase extension pack is added to a relocatable install.",
        "Run the tests on Supabase's own image, which has every Supabase extension: "
        '--supaseed-backend docker (pip install "pytest-supaseed[docker]").',
        "Or on a running Supabase: --supaseed-backend external --supaseed-dsn "
        "postgresql://postgres:postgres@127.0.0.1:54322/postgres (the DSN `supabase start` prints).",
        "Or drop the extension from the migrations if the tests do not need it.",
    ]
    raise MissingExtensionsError(missing, f"this PostgreSQL {version} server", remedies)
