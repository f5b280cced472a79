"""The test session's schema check: the run's plan against the base database it seeds on.

Run once the base database exists (the plugin's ``supaseed_base_database`` fixture): the plan (the
``--supaseed-template`` option, else the project's plan file) is compiled against the base
database's schema exactly as ``supaseed plan --check`` does, so a migration that dropped a column
the plan names stops the run before anything is seeded, with the same words. The base's schema is
also remembered for the next session header (:mod:`pytest_supaseed.schema.drift`).
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from ..backends import ServerHandle
from ..config.loader import find_plan_file
from ..config.resolve import ResolvedPlan, resolve_plan
from ..plancheck.check import check_plan
from ..project_dirs import REMEMBERED_SCHEMA_DIR
from ..schema.drift import drift_note, remember_schema
from ..schema.introspect import introspect
from ..schema.model import Schema

__all__ = ["check_base_schema", "check_resolved_plan"]


def check_base_schema(
    server: ServerHandle,
    base_database: str,
    rootdir: Path,
    template: str | None = None,
    migrations_dir: str | Path | None = None,
) -> str | None:
    """Check the run's plan against ``base_database``; return the drift note (None when the
    schema is the snapshot's, or there is no snapshot).

    Raises :class:`~pytest_supaseed.errors.ConfigError` listing every problem (file, line, key
    path, fix). A plan whose schema is not the project's migrations (a template's demo schema,
    explicit ``migrations.paths``) is checked when its template database is built instead.
    """
    root = Path(rootdir)
    dsn = server.dsn_for(base_database)
    schema = introspect(dsn)
    if not (root / REMEMBERED_SCHEMA_DIR / f"{base_database}.json").is_file():
        remember_schema(schema, root, base_database)  # a base's schema never changes: once
    if template is not None or find_plan_file(root) is not None:
        resolved = resolve_plan(template, rootdir=root)
        check_resolved_plan(server, base_database, root, resolved, migrations_dir, schema)
    return drift_note(schema, root)


def check_resolved_plan(
    server: ServerHandle,
    base_database: str,
    rootdir: Path,
    resolved: ResolvedPlan,
    migrations_dir: str | Path | None = None,
    schema: Schema | None = None,
) -> None:
    """Check ``resolved`` against ``base_database`` (``supaseed seed`` calls this, as the test
    session does through :func:`check_base_schema`), when it seeds on the project's schema; a
    plan with a demo schema or explicit ``migrations.paths`` is checked by its build. Raises
    :class:`~pytest_supaseed.errors.ConfigError` listing every problem."""
    if resolved.migrations(Path(rootdir), migrations_dir).kind not in ("project", "none"):
        return
    dsn = server.dsn_for(base_database)
    with psycopg.connect(dsn, autocommit=True) as conn:
        check_plan(
            resolved, schema if schema is not None else introspect(dsn), conn
        ).raise_for_errors()
