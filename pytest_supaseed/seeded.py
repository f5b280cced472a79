"""Seed once, clone per worker, roll back per test.

Each distinct resolved plan is seeded once into a *template database* ``supaseed_tpl_<hash>``, where
the hash covers everything that decides its content: the base database (Supabase layer, migrations,
plugin version), the resolved plan with its demo schema and asset files, and the seed. Templates stay
between runs; a warm run costs one catalog lookup. The build happens under a temporary name and is
renamed when complete (:func:`pytest_supaseed.databases.ensure_database`), so a crash never leaves a
half-seeded template behind.

The seed result travels with the template as its database comment (JSON), so a run that reuses a
template reports what is in it without connecting to it (connections to a template block cloning).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

    from .backends.base import ServerHandle
    from .config import ResolvedPlan
    from .fixtures import ReusedConnection
    from .marker import SupaseedRequest
    from .settings import Settings

TEMPLATE_PREFIX = "supaseed_tpl_"


@dataclass
class TemplateInfo:
    """A seeded template database and what went into it (one line of the run's report)."""

    name: str
    label: str
    plan_hash: str
    seed: int
    cache_hit: bool
    build_seconds: float
    rows: dict[str, int] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    relaxations: list[str] = field(default_factory=list)
    histograms: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict (the xdist controller receives these from its workers)."""
        return dict(self.__dict__)


def effective_seed(request_seed: int | None, settings_seed: int | None, plan_seed: int) -> int:
    """``--supaseed-seed`` wins, then the marker's ``seed=``, then the plan's own ``seed``."""
    if settings_seed is not None:
        return settings_seed
    if request_seed is not None:
        return request_seed
    return plan_seed


def template_name(
    base_database: str, plan_digest: str, seed: int, migration_files: tuple[Path, ...] = ()
) -> str:
    """``supaseed_tpl_<hash>`` of the base database, the resolved plan's hash, the seed and the
    content of the SQL files the template applies itself (explicit ``migrations.paths``)."""
    from . import __version__

    digest = hashlib.sha256(f"{__version__}\0{base_database}\0{plan_digest}\0{seed}".encode())
    for path in migration_files:
        digest.update(b"\0" + path.name.encode() + b"\0" + path.read_bytes())
    return TEMPLATE_PREFIX + digest.hexdigest()[:16]


def build_template(
    dsn: str, resolved: ResolvedPlan, project_root: Path, seed: int, label: str
) -> dict[str, Any]:
    """Fill a new database (a copy of the base database) with the plan; return the stored report.

    The plan's demo schema (when the project has no migrations of its own) or its explicit
    ``migrations.paths`` are applied first, then the seeding engine runs.
    """
    import psycopg

    from .backends.extensions.preflight import check_extensions
    from .databases import write_metadata
    from .migrations import apply_sql_paths, sql_files
    from .seed import seed as run_seed

    choice = resolved.migrations(project_root)
    started = time.perf_counter()
    if choice.kind in ("demo", "explicit"):
        with psycopg.connect(dsn, autocommit=True) as conn:
            check_extensions(conn, sql_files(choice.paths), project_root)
            apply_sql_paths(conn, choice.paths, project_root)
    result = run_seed(resolved.plan, dsn, seed=seed, progress=False, rootdir=project_root)
    report = {
        "label": label,
        "seed": seed,
        "rows": dict(result.rows),
        "phases": dict(result.phases),
        "warnings": list(result.warnings),
        "relaxations": [str(r) for r in result.relaxations],
        "histograms": list(result.histograms),
        "build_seconds": time.perf_counter() - started,
    }
    with psycopg.connect(dsn, autocommit=True) as conn:
        write_metadata(conn, conn.info.dbname, {"report": report})
    return report


def read_report(server: ServerHandle, name: str) -> dict[str, Any] | None:
    """The seed report stored on template ``name``; None if there is no such template."""
    from .databases import database_metadata

    data = database_metadata(server, name)
    return None if data is None else dict(data.get("report", {}))


def ensure_template(
    server: ServerHandle,
    base_database: str,
    resolved: ResolvedPlan,
    *,
    project_root: Path,
    seed: int,
    label: str,
    rebuild_token: str | None = None,
) -> TemplateInfo:
    """The template database for ``resolved`` at ``seed``, seeding it now if it does not exist.

    With a ``rebuild_token`` (``--supaseed-rebuild``: the run's id), a template not built under
    that token is dropped and built again: once per run, however many xdist workers ask.
    """
    from .config import plan_hash
    from .databases import ensure_database
    from .migrations import sql_files

    digest = plan_hash(resolved)
    choice = resolved.migrations(project_root)
    own_sql = tuple(sql_files(choice.paths)) if choice.kind == "explicit" else ()
    name = template_name(base_database, digest, seed, own_sql)
    built: dict[str, Any] = {}

    def build(dsn: str) -> None:
        built.update(build_template(dsn, resolved, project_root, seed, label))

    ensure_database(server, name, build, template=base_database, rebuild_token=rebuild_token)
    report = built or read_report(server, name) or {}
    return TemplateInfo(
        name=name,
        label=label,
        plan_hash=digest,
        seed=seed,
        cache_hit=not built,
        build_seconds=float(report.get("build_seconds", 0.0)) if built else 0.0,
        rows=dict(report.get("rows", {})),
        phases=dict(report.get("phases", {})),
        warnings=list(report.get("warnings", [])),
        relaxations=list(report.get("relaxations", [])),
        histograms=list(report.get("histograms", [])),
    )


@dataclass
class SeededDatabase:
    """A worker's clone of a template: its DSN, the template's report and the plan behind it."""

    dsn: str
    template: TemplateInfo
    resolved: ResolvedPlan


class SeedSession:
    """Everything a worker seeds and clones in one run: templates, worker clones, connections.

    Tests on the same template share one open connection per worker; each test runs inside its own
    transaction on it, rolled back at teardown (so the per-test cost is a BEGIN and a ROLLBACK).
    """

    def __init__(
        self,
        server: ServerHandle,
        base_database: str,
        settings: Settings,
        worker_id: str,
        run_id: str,
    ) -> None:
        self.server = server
        self.base_database = base_database
        self.settings = settings
        self.worker_id = worker_id
        self.run_id = run_id
        self.templates: dict[str, TemplateInfo] = {}
        self._clones: dict[str, SeededDatabase] = {}
        self._by_request: dict[str, SeededDatabase] = {}
        self._connections: dict[str, ReusedConnection] = {}
        self._stack = ExitStack()

    def resolve(self, request: SupaseedRequest) -> tuple[ResolvedPlan, str]:
        """The resolved plan a request asks for, and a label for reports."""
        from .config import resolve_plan

        resolved = resolve_plan(
            request.template,
            rootdir=self.settings.rootdir,
            customizations=request.customizations or None,
        )
        label = request.template or resolved.source_label
        if request.customizations:
            label += " + " + ", ".join(sorted(request.customizations))
        return resolved, label

    def seeded(self, request: SupaseedRequest) -> SeededDatabase:
        """This worker's clone of the template for ``request`` (seeding the template if needed).

        Resolved once per distinct request and worker: afterwards a test pays a dict lookup.
        """
        from .fixtures import worker_database

        key = self._key(request.template, request.customizations, request.seed)
        known = self._by_request.get(key)
        if known is not None:
            return known
        resolved, label = self.resolve(request)
        seed = effective_seed(request.seed, self.settings.seed, resolved.plan.seed)
        info = ensure_template(
            self.server,
            self.base_database,
            resolved,
            project_root=self.settings.rootdir,
            seed=seed,
            label=label,
            rebuild_token=self.run_id if self.settings.rebuild else None,
        )
        clone = self._clones.get(info.name)
        if clone is None:
            self.templates.setdefault(info.name, info)
            dsn = self._stack.enter_context(
                worker_database(self.server, info.name, self.worker_id, keep=self.settings.keep)
            )
            clone = SeededDatabase(dsn, info, resolved)
            self._clones[info.name] = clone
        self._by_request[key] = clone
        return clone

    @staticmethod
    def _key(*parts: object) -> str:
        return json.dumps(parts, sort_keys=True, default=str)

    @contextmanager
    def transaction(self, dsn: str) -> Iterator[psycopg.Connection]:
        """This worker's reused connection to ``dsn`` inside a transaction rolled back on exit."""
        from .fixtures import ReusedConnection, test_transaction

        slot = self._connections.get(dsn)
        if slot is None:
            slot = self._connections[dsn] = ReusedConnection(dsn)
        with test_transaction(slot) as conn:
            yield conn

    @contextmanager
    def fresh_clone(self, request: SupaseedRequest | None) -> Iterator[str]:
        """A clone of the request's template (or of the base database) for one test, dropped after."""
        import uuid

        from .databases import clone_database, drop_database

        source = self.seeded(request).template.name if request else self.base_database
        name = f"supaseed_t_{uuid.uuid4().hex[:16]}"
        dsn = clone_database(self.server, source, name)
        try:
            yield dsn
        finally:
            if not self.settings.keep:
                drop_database(self.server, name)

    def close(self) -> None:
        """Close the connections and drop the worker clones (unless ``--supaseed-keep``)."""
        for slot in self._connections.values():
            slot.close()
        self._connections.clear()
        self._stack.close()
