"""Carry built databases between machines: export the base and template databases of a server to a
directory, import them into another server, so that a cold CI job starts warm.

``export_cache(server, DIR)`` writes, for every ``supaseed_base_*`` and ``supaseed_tpl_*`` database
(named by a hash of everything that decides their content), a ``pg_dump`` custom-format archive
``<name>.dump``, the cluster's roles (``roles.sql``, ``pg_dumpall --roles-only`` without
passwords: the Supabase roles the dumps' grants name) and ``manifest.json``: the names, the sha256
of every file, each database's metadata (its ``SeedResult`` report) and database-level settings,
the plugin version and the server version.

``import_cache(server, DIR)`` verifies everything before it writes anything (format, plugin version,
server major version, every file's sha256) and refuses a mismatch or a tampered file with one
:class:`~pytest_supaseed.errors.CacheTransferError` naming the file; then restores each database not
already present under a temporary name, renamed when complete (as every build is).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from .. import __version__
from ..backends.binaries import find_binaries
from ..errors import CacheTransferError
from .databases import (
    Server,
    check_name,
    clone_database,
    drop_database,
    dsn_for,
    ensure_database,
    list_databases,
    read_metadata,
    write_metadata,
)
from .leases import SHARED_PREFIXES, RunLease

__all__ = ["MANIFEST", "TransferReport", "dump_tools", "export_cache", "import_cache"]

MANIFEST = "manifest.json"
FORMAT = "pytest-supaseed cache 1"
ROLES_FILE = "roles.sql"
_SETTING_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_LIST_SETTINGS = frozenset({"search_path", "temp_tablespaces"})


@dataclass
class TransferReport:
    """What an export or import did: databases written/restored, and those already present."""

    directory: Path
    done: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _tool_version(path: Path) -> int | None:
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.search(r"\)\s+(\d+)", out.stdout)
    return int(match.group(1)) if match else None


def dump_tools(server_major: int) -> Path:
    """A directory holding ``pg_dump``, ``pg_dumpall`` and ``pg_restore`` of the server's major
    version (a newer one when no exact match exists): the embedded backend's binaries first, then
    ``/usr/lib/postgresql/*/bin``, then ``PATH``."""
    candidates: list[Path] = []
    try:
        candidates.append(find_binaries().bin_dir)
    except Exception:  # no embedded binaries: the others may do
        pass
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    found = shutil.which("pg_dump")
    if found:
        candidates.append(Path(found).resolve().parent)
    newer: list[tuple[int, Path]] = []
    for directory in candidates:
        if not all((directory / t).exists() for t in ("pg_dump", "pg_dumpall", "pg_restore")):
            continue
        major = _tool_version(directory / "pg_dump")
        if major == server_major:
            return directory
        if major is not None and major > server_major:
            newer.append((major, directory))
    if newer:
        return min(newer)[1]
    raise CacheTransferError(
        f"No pg_dump/pg_restore of PostgreSQL {server_major} or newer found (looked in "
        f"{', '.join(str(c) for c in candidates) or 'nothing'}): install the PostgreSQL client "
        f"tools of version {server_major}, e.g. apt-get install postgresql-client-{server_major}."
    )


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise CacheTransferError(f"{what} failed: {' / '.join(detail[-3:]) or result.returncode}")


def _server_info(server: Server) -> tuple[int, str]:
    admin = server if isinstance(server, str) else server.dsn
    with psycopg.connect(admin, autocommit=True) as conn:
        row = conn.execute("show server_version").fetchone()
        return int(conn.info.server_version), str(row[0]) if row else ""


def _settings(conn: psycopg.Connection, name: str) -> list[str]:
    row = conn.execute(
        "select s.setconfig from pg_db_role_setting s join pg_database d on d.oid = s.setdatabase "
        "where d.datname = %s and s.setrole = 0",
        (name,),
    ).fetchone()
    return [str(entry) for entry in (row[0] if row and row[0] else [])]


def _apply_settings(conn: psycopg.Connection, name: str, entries: list[str]) -> None:
    for entry in entries:
        key, _, value = entry.partition("=")
        if not _SETTING_KEY.fullmatch(key):
            raise CacheTransferError(f"{MANIFEST}: database {name}: bad setting {entry!r}")
        if key in _LIST_SETTINGS:
            items = [i.strip().strip('"') for i in value.split(",") if i.strip()]
            rendered: sql.Composable = sql.SQL(", ").join(sql.Literal(i) for i in items)
        else:
            rendered = sql.Literal(value)
        conn.execute(
            sql.SQL("alter database {} set {} = {}").format(
                sql.Identifier(name), sql.Identifier(key), rendered
            )
        )


def _shared_names(server: Server) -> list[str]:
    return [n for n in list_databases(server) if n.startswith(SHARED_PREFIXES)]


def export_cache(server: Server, directory: Path | str) -> TransferReport:
    """Dump every base and template database of ``server`` into ``directory`` with a manifest.

    Each database is held by this export's lease (no run prunes it meanwhile) and dumped from a
    short-lived clone, so no run that clones it at the same moment is disturbed.
    """
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    version_num, version = _server_info(server)
    tools = dump_tools(version_num // 10000)
    admin = server if isinstance(server, str) else server.dsn
    report = TransferReport(target)
    entries: list[dict[str, Any]] = []
    with RunLease(server, "export-" + uuid.uuid4().hex) as lease:
        for name in _shared_names(server):
            lease.hold(name)
            with psycopg.connect(admin, autocommit=True) as conn:
                metadata = read_metadata(conn, name)
                settings = _settings(conn, name)
            if metadata is None:
                continue  # pruned between the listing and the lease
            file = target / f"{name}.dump"
            copy = lease.database_name("t", hashlib.sha256(name.encode()).hexdigest()[:16])
            try:
                clone_database(server, name, copy)
                _run(
                    [
                        str(tools / "pg_dump"),
                        "-Fc",
                        "-f",
                        str(file),
                        "--dbname",
                        dsn_for(server, copy),
                    ],
                    f"pg_dump of {name}",
                )
            finally:
                drop_database(server, copy)
            metadata.pop("built_at", None)
            entries.append(
                {
                    "name": name,
                    "kind": "base" if name.startswith("supaseed_base_") else "template",
                    "file": file.name,
                    "sha256": _sha256(file),
                    "metadata": metadata,
                    "settings": settings,
                }
            )
            report.done.append(name)
    roles = target / ROLES_FILE
    _run(
        [
            str(tools / "pg_dumpall"),
            "--roles-only",
            "--no-role-passwords",
            "-f",
            str(roles),
            "--dbname",
            admin,
        ],
        "pg_dumpall --roles-only",
    )
    manifest = {
        "format": FORMAT,
        "plugin_version": __version__,
        "server_version": version,
        "server_version_num": version_num,
        "roles": {"file": ROLES_FILE, "sha256": _sha256(roles)},
        "databases": entries,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return report


def _load_manifest(source: Path) -> dict[str, Any]:
    path = source / MANIFEST
    if not path.is_file():
        raise CacheTransferError(
            f"{path} does not exist: import takes a directory written by 'supaseed cache export'."
        )
    try:
        manifest = json.loads(path.read_text())
    except ValueError as exc:
        raise CacheTransferError(f"{path} is not valid JSON ({exc}): export it again.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CacheTransferError(f"{path}: not a {FORMAT!r} manifest; export it again.")
    return manifest


def _verify(source: Path, manifest: dict[str, Any], version_num: int) -> list[dict[str, Any]]:
    """Check everything before anything is written; return the database entries."""
    where = source / MANIFEST
    if manifest.get("plugin_version") != __version__:
        raise CacheTransferError(
            f"{where}: exported by pytest-supaseed {manifest.get('plugin_version')}, this is "
            f"{__version__}; its databases would never be reused (their names hash the version). "
            "Export again with this version."
        )
    exported = int(manifest.get("server_version_num", 0))
    if exported // 10000 != version_num // 10000:
        raise CacheTransferError(
            f"{where}: exported from PostgreSQL {manifest.get('server_version')}, this server is "
            f"major version {version_num // 10000}; export from a server of the same major version."
        )
    files = [manifest.get("roles", {}), *manifest.get("databases", [])]
    for entry in files:
        name = str(entry.get("file", ""))
        path = source / name
        if not name or "/" in name or not path.is_file():
            raise CacheTransferError(f"{where}: file {name!r} is missing from {source}.")
        if _sha256(path) != entry.get("sha256"):
            raise CacheTransferError(
                f"{path}: sha256 does not match {MANIFEST} (the file was changed or damaged after "
                "export); nothing was imported. Export it again."
            )
    databases = list(manifest.get("databases", []))
    for entry in databases:
        name = check_name(str(entry.get("name", "")))
        if not name.startswith(SHARED_PREFIXES):
            raise CacheTransferError(f"{where}: {name!r} is not a base or template database.")
    return databases


def _restore_roles(server: Server, roles_sql: Path) -> None:
    """Create the roles the dumps name that this server lacks (existing ones are left alone)."""
    admin = server if isinstance(server, str) else server.dsn
    statements = [
        line
        for line in roles_sql.read_text().splitlines()
        if line.startswith(("CREATE ROLE ", "ALTER ROLE ", "GRANT "))
    ]
    with psycopg.connect(admin, autocommit=True) as conn:
        existing = {str(r[0]) for r in conn.execute("select rolname from pg_roles").fetchall()}
        created: set[str] = set()
        for line in statements:
            match = re.match(r'(CREATE|ALTER) ROLE ("?)([^" ;]+)\2', line)
            if match and match.group(3) in existing and match.group(3) not in created:
                continue  # never change a role this server already has
            try:
                conn.execute(line.encode())
            except psycopg.errors.DuplicateObject:
                continue
            if match and match.group(1) == "CREATE":
                created.add(match.group(3))


def import_cache(server: Server, directory: Path | str) -> TransferReport:
    """Restore the databases exported to ``directory`` into ``server``, after verifying the
    manifest and every file; databases already present are left as they are."""
    source = Path(directory)
    manifest = _load_manifest(source)
    version_num, _version = _server_info(server)
    databases = _verify(source, manifest, version_num)
    tools = dump_tools(version_num // 10000)
    report = TransferReport(source)
    _restore_roles(server, source / str(manifest["roles"]["file"]))
    jobs = str(max(1, min(4, os.cpu_count() or 1)))
    with RunLease(server, "import-" + uuid.uuid4().hex) as lease:
        for entry in databases:
            name = str(entry["name"])
            lease.hold(name)
            restored: list[str] = []

            def restore(
                dsn: str, entry: dict[str, Any] = entry, restored: list[str] = restored
            ) -> None:
                _run(
                    [
                        str(tools / "pg_restore"),
                        "--exit-on-error",
                        "-j",
                        jobs,
                        "--dbname",
                        dsn,
                        str(source / str(entry["file"])),
                    ],
                    f"pg_restore of {source / str(entry['file'])}",
                )
                with psycopg.connect(dsn, autocommit=True) as conn:
                    dbname = conn.info.dbname
                    write_metadata(conn, dbname, dict(entry.get("metadata") or {}))
                    _apply_settings(conn, dbname, [str(s) for s in entry.get("settings", [])])
                restored.append(dbname)

            ensure_database(server, name, restore)
            (report.done if restored else report.present).append(name)
    return report
