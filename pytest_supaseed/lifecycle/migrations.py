"""Apply a project's ``supabase/migrations`` and seed files the way ``supabase db reset`` does.

Order: every ``<version>_<name>.sql`` of the migrations folder in file-name order, then the seed
files: ``[db.seed] sql_paths`` of ``supabase/config.toml`` (globs, relative to ``supabase/``,
each pattern's matches sorted, duplicates run once; ``enabled = false`` skips seeding), or
``supabase/seed.sql`` when there is no such setting. Each file runs as one implicit transaction,
so a failing file leaves nothing behind; the error names the file and the line.
"""

from __future__ import annotations

import re
import tomllib
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError, MigrationError, SupaseedWarning

if TYPE_CHECKING:
    import psycopg

#: The Supabase CLI's migration file pattern; other ``.sql`` files in the folder are skipped.
MIGRATION_FILE_RE = re.compile(r"^([0-9]+)_(.*)\.sql$")


def migrations_folder(project_root: Path, migrations_dir: str | Path | None = None) -> Path:
    """The migrations folder: ``migrations_dir`` (relative to ``project_root``) or ``supabase/migrations``."""
    if migrations_dir is None:
        return project_root / "supabase" / "migrations"
    path = Path(migrations_dir).expanduser()
    folder = path if path.is_absolute() else project_root / path
    if not folder.is_dir():
        raise ConfigError(
            f"Migrations folder {folder} does not exist; fix --supaseed-migrations / "
            "supaseed_migrations (a path relative to the rootdir, or absolute)."
        )
    return folder


def migration_files(project_root: Path, migrations_dir: str | Path | None = None) -> list[Path]:
    """The migration files that :func:`apply_migrations` runs, in order."""
    folder = migrations_folder(project_root, migrations_dir)
    if not folder.is_dir():
        return []
    files = sorted(p for p in folder.glob("*.sql") if p.is_file())
    skipped = [p.name for p in files if not MIGRATION_FILE_RE.match(p.name)]
    if skipped:
        warnings.warn(
            f"Skipping {', '.join(skipped)} in {folder}: migration file names must look like "
            "<version>_<name>.sql (e.g. 20240101000000_init.sql), as the Supabase CLI requires.",
            SupaseedWarning,
            stacklevel=2,
        )
    return [p for p in files if MIGRATION_FILE_RE.match(p.name)]


def seed_files(project_root: Path) -> list[Path]:
    """The seed files ``supabase db reset`` would run after the migrations, in order."""
    supabase_dir = project_root / "supabase"
    config_file = supabase_dir / "config.toml"
    patterns = ["./seed.sql"]
    if config_file.is_file():
        try:
            config = tomllib.loads(config_file.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"invalid TOML: {exc}", file=str(config_file)) from None
        seed = config.get("db", {}).get("seed", {})
        if not isinstance(seed, dict):
            raise ConfigError("must be a table", file=str(config_file), key_path="db.seed")
        if seed.get("enabled", True) is False:
            return []
        if "sql_paths" in seed:
            raw = seed["sql_paths"]
            if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
                raise ConfigError(
                    "must be a list of paths or globs relative to supabase/",
                    file=str(config_file),
                    key_path="db.seed.sql_paths",
                )
            patterns = list(raw)
    files: list[Path] = []
    for pattern in patterns:
        if any(ch in pattern for ch in "*?["):
            matches = sorted(p for p in supabase_dir.glob(pattern) if p.is_file())
        else:
            candidate = supabase_dir / pattern
            matches = [candidate] if candidate.is_file() else []
        if not matches and patterns != ["./seed.sql"]:
            warnings.warn(
                f"{config_file} at 'db.seed.sql_paths': '{pattern}' matches no file under "
                f"{supabase_dir}; fix the path (relative to supabase/) or remove it",
                SupaseedWarning,
                stacklevel=2,
            )
        for match in matches:
            resolved = match.resolve()
            if resolved not in [f.resolve() for f in files]:
                files.append(match)
    return files


def split_statements(sql: str) -> list[tuple[int, str]]:
    """Split SQL text into ``(offset, statement)`` pairs at top-level semicolons.

    Knows quoted strings, quoted identifiers, ``E''`` escapes, dollar quoting and both comment
    styles; used only to locate a runtime error that PostgreSQL reports without a position.
    """
    out: list[tuple[int, str]] = []
    i, start, n = 0, 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
        elif ch == "/" and sql.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if sql.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif sql.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif ch in "'\"":
            escapes = ch == "'" and i > 0 and sql[i - 1] in "eE"
            i += 1
            while i < n:
                if escapes and sql[i] == "\\":
                    i += 2
                    continue
                if sql[i] == ch:
                    if sql.startswith(ch * 2, i):
                        i += 2
                        continue
                    break
                i += 1
            i += 1
        elif ch == "$":
            match = re.match(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$", sql[i:])
            if match and not (i > 0 and (sql[i - 1].isalnum() or sql[i - 1] == "_")):
                tag = match.group(0)
                end = sql.find(tag, i + len(tag))
                i = n if end < 0 else end + len(tag)
            else:
                i += 1
        elif ch == ";":
            if sql[start:i].strip():
                out.append((start, sql[start : i + 1]))
            start = i = i + 1
        else:
            i += 1
    if sql[start:].strip():
        out.append((start, sql[start:]))
    return out


_TX_CONTROL = re.compile(r"^\s*(begin|commit|rollback|end|start\s+transaction|abort)\b", re.I)


def _strip_leading_comments(stmt: str) -> str:
    return re.sub(r"^(\s*(--[^\n]*\n|/\*.*?\*/))*", "", stmt, flags=re.S).lstrip()


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, max(offset, 0)) + 1


def _locate_runtime_error(conn: psycopg.Connection, sql: str) -> int | None:
    """Offset of the statement that fails, found by replaying the file inside a rolled-back transaction."""
    import psycopg

    statements = split_statements(sql)
    if any(_TX_CONTROL.match(_strip_leading_comments(s)) for _, s in statements):
        return None  # replaying would run the file's own COMMIT: not safe
    failing: int | None = None
    try:
        with conn.transaction(force_rollback=True):
            for offset, stmt in statements:
                try:
                    with conn.transaction():
                        conn.execute(stmt.encode())
                except psycopg.Error:
                    failing = offset + (len(stmt) - len(_strip_leading_comments(stmt)))
                    break
    except psycopg.Error:
        return failing
    return failing


def _display(path: Path, project_root: Path) -> str:
    try:
        return str(path.resolve().relative_to(project_root.resolve()))
    except ValueError:
        return str(path)


def run_sql_file(conn: psycopg.Connection, path: Path, project_root: Path | None = None) -> None:
    """Run one SQL file as a single implicit transaction; errors become :class:`MigrationError`."""
    import psycopg

    shown = _display(path, project_root) if project_root else str(path)
    try:
        sql = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MigrationError(f"cannot read the file: {exc}", file=shown) from None
    if not sql.strip():
        return
    try:
        # No parameters: psycopg uses the simple query protocol, which accepts many statements.
        conn.execute(sql.encode())
    except psycopg.Error as exc:
        if not conn.autocommit and conn.info.transaction_status != 0:
            conn.rollback()
        diag = exc.diag
        line: int | None = None
        if diag.statement_position:
            line = _line_of(sql, int(diag.statement_position) - 1)
        elif conn.autocommit and not conn.closed:
            offset = _locate_runtime_error(conn, sql)
            line = _line_of(sql, offset) if offset is not None else None
        message = (diag.message_primary or str(exc)).strip()
        if diag.sqlstate:
            message += f" (SQLSTATE {diag.sqlstate})"
        if diag.message_detail:
            message += f"\nDETAIL: {diag.message_detail}"
        if diag.message_hint:
            message += f"\nHINT: {diag.message_hint}"
        if diag.context:
            message += f"\nCONTEXT: {diag.context}"
        if line is not None:
            source = sql.splitlines()[line - 1] if line <= len(sql.splitlines()) else ""
            message += f"\n  {line} | {source.strip()}"
        raise MigrationError(message, file=shown, line=line) from exc


def apply_migrations(
    conn: psycopg.Connection, project_root: Path, migrations_dir: str | Path | None = None
) -> list[Path]:
    """Run the project's migrations then its seed files on ``conn``; returns the files run, in order.

    ``conn`` should be in autocommit mode so that each file is its own transaction, as with the
    Supabase CLI. ``migrations_dir`` (``--supaseed-migrations``) replaces ``supabase/migrations``.
    """
    project_root = Path(project_root)
    files = [*migration_files(project_root, migrations_dir), *seed_files(project_root)]
    for path in files:
        run_sql_file(conn, path, project_root)
    return files


def sql_files(paths: Iterable[Path]) -> list[Path]:
    """``.sql`` files of ``paths`` in the order to run them: a folder's files sorted by name."""
    files: list[Path] = []
    for path in paths:
        files += sorted(path.glob("*.sql")) if path.is_dir() else [path]
    return files


def apply_sql_paths(
    conn: psycopg.Connection, paths: Iterable[Path], project_root: Path
) -> list[Path]:
    """Run the SQL of ``paths`` (files, or folders of ``.sql`` files) in order; returns the files.

    Used for a plan's own schema: a template's demo schema or explicit ``migrations.paths``.
    """
    files = sql_files(paths)
    for path in files:
        run_sql_file(conn, path, Path(project_root))
    return files


def source_files(project_root: Path, migrations_dir: str | Path | None = None) -> list[Path]:
    """Every file whose content decides the migrated database (for cache keys)."""
    project_root = Path(project_root)
    files = [*migration_files(project_root, migrations_dir), *seed_files(project_root)]
    config = project_root / "supabase" / "config.toml"
    return [*files, config] if config.is_file() else files
