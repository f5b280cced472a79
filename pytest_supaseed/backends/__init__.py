"""How a PostgreSQL server comes to exist: ``embedded`` (default), ``external`` or ``docker``.

Also the run's *base database*: the Supabase compatibility layer plus the project's migrations,
named by a hash of everything that decides its content, built once and reused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .base import MAINTENANCE_DB, ServerHandle, is_local_host
from .extensions import pack_fingerprint

if TYPE_CHECKING:
    from ..settings import Settings

__all__ = [
    "MAINTENANCE_DB",
    "ServerHandle",
    "base_database_name",
    "build_base_database",
    "ensure_base_database",
    "is_local_host",
    "project_database",
    "start_server",
]


def start_server(settings: Settings) -> ServerHandle:
    """Start (embedded, docker) or reach (external) the server ``settings.backend`` names."""
    if settings.backend == "external":
        from .external import connect_external

        return connect_external(settings.dsn, settings.allow_remote)
    if settings.backend == "docker":
        from .docker import start_docker

        return start_docker(settings.image)
    from .embedded import start_embedded

    return start_embedded(settings.pg_bin, settings.rootdir)


def _layer_fingerprint() -> bytes:
    """Hash input for the Supabase layer: every file of ``backends/supabase/`` (SQL and code)."""
    folder = Path(__file__).parent / "supabase"
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in {".sql", ".py"}:
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    digest.update(pack_fingerprint().encode())
    return digest.digest()


def base_database_name(project_root: Path, migrations_dir: str | Path | None = None) -> str:
    """``supaseed_base_<hash>``: hash of the layer SQL, migration and seed files, package version."""
    from .. import __version__
    from ..migrations import source_files

    digest = hashlib.sha256(__version__.encode() + b"\0" + _layer_fingerprint())
    for path in source_files(Path(project_root), migrations_dir):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return "supaseed_base_" + digest.hexdigest()[:16]


def build_base_database(
    dsn: str, project_root: Path, migrations_dir: str | Path | None = None
) -> None:
    """Install the Supabase layer, then the project's migrations and seed files, into ``dsn``."""
    import psycopg

    from ..migrations import apply_migrations, source_files
    from .extensions.preflight import check_extensions
    from .supabase import install_supabase_layer  # type: ignore[import-not-found, attr-defined, unused-ignore]

    with psycopg.connect(dsn, autocommit=True) as conn:
        # One answer before anything runs: every extension the SQL creates that the server lacks.
        check_extensions(conn, source_files(Path(project_root), migrations_dir), Path(project_root))
        install_supabase_layer(conn)
        apply_migrations(conn, Path(project_root), migrations_dir)


def ensure_base_database(
    server: ServerHandle,
    project_root: Path,
    migrations_dir: str | Path | None = None,
    *,
    rebuild: bool = False,
) -> str:
    """Name of the project's base database on ``server``, built now if missing (or ``rebuild``)."""
    from ..databases import ensure_database

    name = base_database_name(project_root, migrations_dir)
    ensure_database(
        server,
        name,
        lambda dsn: build_base_database(dsn, project_root, migrations_dir),
        rebuild=rebuild,
    )
    return name


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
    if dsn:
        from .external import connect_external

        server = connect_external(dsn, allow_remote)
    else:
        from .embedded import start_embedded

        server = start_embedded(None, root)
    try:
        name = ensure_base_database(server, root, migrations)
        yield server.dsn_for(name)
    finally:
        server.stop(keep=keep)
