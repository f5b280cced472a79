"""The project's *base database*: the Supabase compatibility layer plus the project's migrations
and seed files, named by a hash of everything that decides its content, built once and reused."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from .. import __version__
from ..backends import ServerHandle, connect_server
from ..backends.extensions import pack_fingerprint
from ..backends.extensions.preflight import check_extensions
from ..backends.supabase import install_supabase_layer
from .databases import ensure_database
from .migrations import apply_migrations, source_files

__all__ = [
    "base_database_name",
    "build_base_database",
    "ensure_base_database",
    "project_database",
    "project_server",
]

_SUPABASE_LAYER = Path(__file__).parent.parent / "backends" / "supabase"


def _layer_fingerprint() -> bytes:
    """Hash input for the Supabase layer: every file of ``backends/supabase/`` (SQL and code)."""
    digest = hashlib.sha256()
    if _SUPABASE_LAYER.is_dir():
        for path in sorted(_SUPABASE_LAYER.rglob("*")):
            if path.is_file() and path.suffix in {".sql", ".py"}:
                digest.update(path.relative_to(_SUPABASE_LAYER).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    digest.update(pack_fingerprint().encode())
    return digest.digest()


def base_database_name(project_root: Path, migrations_dir: str | Path | None = None) -> str:
    """``supaseed_base_<hash>``: hash of the layer SQL, migration and seed files, package version."""
    digest = hashlib.sha256(__version__.encode() + b"\0" + _layer_fingerprint())
    for path in source_files(Path(project_root), migrations_dir):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return "supaseed_base_" + digest.hexdigest()[:16]


def build_base_database(
    dsn: str, project_root: Path, migrations_dir: str | Path | None = None
) -> None:
    """Install the Supabase layer, then the project's migrations and seed files, into ``dsn``.

    First, one answer before anything runs: every extension the migrations and seed files create
    that the server cannot provide is named in one :class:`~pytest_supaseed.errors.MissingExtensionsError`.
    """
    with psycopg.connect(dsn, autocommit=True) as conn:
        check_extensions(conn, source_files(Path(project_root), migrations_dir), Path(project_root))
        install_supabase_layer(conn)
        apply_migrations(conn, Path(project_root), migrations_dir)


def ensure_base_database(
    server: ServerHandle,
    project_root: Path,
    migrations_dir: str | Path | None = None,
    *,
    rebuild: bool = False,
    before: Callable[[str], None] | None = None,
) -> str:
    """Name of the project's base database on ``server``, built now if missing (or ``rebuild``).

    ``before(name)`` runs first (a run's lease ``hold``: pruning then leaves the database alone).
    """
    name = base_database_name(project_root, migrations_dir)
    if before is not None:
        before(name)
    ensure_database(
        server,
        name,
        lambda dsn: build_base_database(dsn, project_root, migrations_dir),
        rebuild=rebuild,
    )
    return name


@contextmanager
def project_server(
    rootdir: Path | str, dsn: str | None = None, keep: bool = False, *, allow_remote: bool = False
) -> Iterator[ServerHandle]:
    """The server of ``dsn`` when given (external; its host must be local unless
    ``allow_remote``), else a new embedded server for ``rootdir``, stopped on exit unless ``keep``."""
    server = connect_server(Path(rootdir), dsn, allow_remote=allow_remote)
    try:
        yield server
    finally:
        server.stop(keep=keep)


@contextmanager
def project_database(
    rootdir: Path | str,
    dsn: str | None = None,
    migrations: str | Path | None = None,
    keep: bool = False,
    *,
    allow_remote: bool = False,
) -> Iterator[str]:
    """Yield the DSN of the project's base database (Supabase layer + migrations).

    On the server of ``dsn`` when given (external; its host must be local unless ``allow_remote``),
    else on a new embedded server for ``rootdir`` that is stopped on exit unless ``keep``.
    """
    root = Path(rootdir)
    with project_server(root, dsn, keep, allow_remote=allow_remote) as server:
        yield server.dsn_for(ensure_base_database(server, root, migrations))
