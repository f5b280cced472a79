"""The ``external`` backend: a server someone else runs, reached through a superuser DSN."""

from __future__ import annotations

from ..errors import BackendError, ConfigError, UnsafeDatabaseError
from .base import MAINTENANCE_DB, ServerHandle, non_local_hosts, redact, replace_dbname


def check_local(dsn: str, allow_remote: bool = False) -> None:
    """Refuse a DSN whose host is not on this machine unless ``allow_remote``."""
    remote = non_local_hosts(dsn)
    if remote and not allow_remote:
        raise UnsafeDatabaseError(
            f"Refusing the external server at {', '.join(remote)} ({redact(dsn)}): it is not on this "
            "machine, and pytest-supaseed creates and drops databases there. Pass "
            "--supaseed-allow-remote (ini supaseed_allow_remote = true, env SUPASEED_ALLOW_REMOTE=1) "
            "if that server is meant for tests."
        )


def connect_external(dsn: str | None, allow_remote: bool = False) -> ServerHandle:
    """A handle on the server of ``dsn`` (which must allow CREATE DATABASE); stopping it does nothing."""
    if not dsn:
        raise ConfigError(
            "The external backend needs a DSN: pass --supaseed-dsn postgresql://user@host:port/db, "
            "set env SUPASEED_DATABASE_URL, or ini supaseed_dsn."
        )
    import psycopg

    try:
        from psycopg.conninfo import conninfo_to_dict

        conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise ConfigError(
            f"--supaseed-dsn / SUPASEED_DATABASE_URL is not a valid DSN: {exc}"
        ) from None
    check_local(dsn, allow_remote)
    admin = replace_dbname(dsn, MAINTENANCE_DB)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            version_num = int(conn.info.server_version)
            row = conn.execute(
                "select rolsuper or rolcreatedb from pg_roles where rolname = current_user"
            ).fetchone()
    except psycopg.OperationalError as exc:
        raise BackendError(
            f"Cannot connect to the external server {redact(admin)}: {str(exc).strip()}. "
            "Check --supaseed-dsn / SUPASEED_DATABASE_URL, or use the default embedded backend."
        ) from None
    if not row or not row[0]:
        raise BackendError(
            f"The role of {redact(admin)} may not create databases; pytest-supaseed needs a "
            "superuser or a role with CREATEDB."
        )
    return ServerHandle(
        dsn=admin, backend="external", version_num=version_num, details={"dsn": redact(admin)}
    )
