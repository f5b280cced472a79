"""Build template databases: resolve a plan, name its template database, seed it.

:mod:`.template_db` names, finds and records template databases without a plan; this module holds
what needs one (the plan models, the seeding engine): :func:`ensure_template_db` for the CLI and
library callers, and :class:`TemplateBuilder`, which a :class:`~.session.SeedSession` calls only
when a worker has no valid recorded resolution or must build.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from ..backends.extensions.preflight import check_extensions
from ..config.resolve import ResolvedPlan, plan_hash, resolve_plan
from ..options import Settings
from ..seed.engine import seed as seed_plan
from ..seed_result import SeedResult
from .databases import Server, write_metadata
from .migrations import apply_sql_paths, sql_files
from .request import SupaseedRequest, describe_customizations
from .template_db import TemplateDatabase, provide_template_db, template_db_name

__all__ = [
    "TemplateBuilder",
    "build_template_db",
    "ensure_template_db",
    "own_sql_files",
    "plan_identity",
]


class TemplateBuilder:
    """What a :class:`~.session.SeedSession` needs a plan for, for one run's ``settings``:
    resolve a request, name its template database, build it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def resolve(self, request: SupaseedRequest) -> tuple[ResolvedPlan, str]:
        """The resolved plan a request asks for, and a label for reports."""
        resolved = resolve_plan(
            request.template,
            rootdir=self.settings.rootdir,
            customizations=request.customizations or None,
        )
        label = request.template or resolved.source_label
        if request.customizations:
            label += " + " + describe_customizations(request.customizations)
        return resolved, label

    def identity(self, resolved: ResolvedPlan) -> tuple[str, tuple[Path, ...]]:
        """:func:`plan_identity` under the run's settings."""
        return plan_identity(resolved, self.settings.rootdir, self.settings.migrations)

    def build(self, dsn: str, resolved: ResolvedPlan, seed: int) -> tuple[SeedResult, float]:
        """:func:`build_template_db` under the run's settings."""
        return build_template_db(
            dsn,
            resolved,
            project_root=self.settings.rootdir,
            seed_value=seed,
            migrations_dir=self.settings.migrations,
        )


def plan_identity(
    resolved: ResolvedPlan, project_root: Path, migrations_dir: str | Path | None = None
) -> tuple[str, tuple[Path, ...]]:
    """What names the template database of ``resolved`` besides the base database and the seed:
    the plan's hash and the SQL files it applies itself (explicit ``migrations.paths``)."""
    return plan_hash(resolved), own_sql_files(resolved, project_root, migrations_dir)


def own_sql_files(
    resolved: ResolvedPlan, project_root: Path, migrations_dir: str | Path | None = None
) -> tuple[Path, ...]:
    """The SQL files the template database of ``resolved`` applies itself (explicit
    ``migrations.paths``; none otherwise)."""
    choice = resolved.migrations(project_root, migrations_dir)
    return tuple(sql_files(choice.paths)) if choice.kind == "explicit" else ()


def build_template_db(
    dsn: str,
    resolved: ResolvedPlan,
    project_root: Path,
    seed_value: int,
    *,
    progress: bool | None = False,
    migrations_dir: str | Path | None = None,
    jobs: int | None = None,
) -> tuple[SeedResult, float]:
    """Fill a new database (a copy of the base database) with the plan; store and return its
    :class:`SeedResult` and the build time in seconds.

    The plan's demo schema (when the project has no migrations of its own) or its explicit
    ``migrations.paths`` are applied first, then the seeding engine runs, on ``jobs`` connections
    (None: automatic, :func:`pytest_supaseed.seed.parallel.resolve_jobs`; the database is dropped
    when the build fails, and the rows do not depend on the number). ``migrations_dir`` is the
    project's migrations folder when it is not ``supabase/migrations`` (its files are in the base
    database already, so the demo schema is not applied on top).
    """
    choice = resolved.migrations(project_root, migrations_dir)
    started = time.perf_counter()
    if choice.kind in ("demo", "explicit"):
        with psycopg.connect(dsn, autocommit=True) as conn:
            # The same extension preflight as the base database: one answer before any SQL.
            check_extensions(conn, sql_files(choice.paths), project_root)
            apply_sql_paths(conn, choice.paths, project_root)
    result = seed_plan(
        resolved.plan, dsn, seed=seed_value, progress=progress, rootdir=project_root, jobs=jobs
    )
    seconds = time.perf_counter() - started
    # The users map is left out: tests read auth.users itself (``supaseed.users``), and thousands of
    # users would bloat a shared-catalog comment.
    stored = dataclasses.replace(result, users={})
    with psycopg.connect(dsn, autocommit=True) as conn:
        write_metadata(
            conn, conn.info.dbname, {"report": stored.to_json(), "build_seconds": seconds}
        )
    return result, seconds


def ensure_template_db(
    server: Server,
    base_database: str,
    resolved: ResolvedPlan,
    *,
    project_root: Path,
    seed: int,
    label: str,
    rebuild_token: str | None = None,
    progress: bool | None = False,
    before: Callable[[str], None] | None = None,
    migrations_dir: str | Path | None = None,
    jobs: int | None = None,
    check: Callable[[], None] | None = None,
) -> TemplateDatabase:
    """The template database for ``resolved`` at ``seed``, seeding it now if it does not exist.

    ``before(name)`` is called with the template database's name before it is looked at (a run's
    :meth:`~pytest_supaseed.lifecycle.leases.RunLease.hold`, so pruning leaves it alone).

    With a ``rebuild_token`` (``--supaseed-rebuild``: the run's id), a template database not built
    under that token is dropped and built again: once per run, however many xdist workers ask.
    ``migrations_dir``: the project's migrations folder when it is not ``supabase/migrations``.

    ``check()`` runs only when the template database is about to be built (the plan against the
    schema: a reused one was built from the same base, plan and asset files, so it passed); what it
    raises fails the build and leaves nothing behind.
    """
    digest, own_sql = plan_identity(resolved, project_root, migrations_dir)

    def build(dsn: str) -> tuple[SeedResult, float]:
        if check is not None:
            check()
        return build_template_db(
            dsn,
            resolved,
            project_root,
            seed,
            progress=progress,
            migrations_dir=migrations_dir,
            jobs=jobs,
        )

    return provide_template_db(
        server,
        base_database,
        template_db_name(base_database, digest, seed, own_sql),
        digest,
        build,
        seed=seed,
        label=label,
        rebuild_token=rebuild_token,
        before=before,
    )
