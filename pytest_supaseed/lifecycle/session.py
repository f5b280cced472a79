"""Clone per worker, roll back per test: everything one worker seeds and clones in a run.

Used alike by the pytest fixtures (one :class:`SeedSession` per xdist worker) and by anything else
that wants seeded databases from plans (a :class:`SeedSession` is a context manager).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import psycopg

from ..backends.base import ServerHandle
from ..config.resolve import ResolvedPlan, resolve_plan
from ..options import Settings
from .connections import ReusedConnection, test_transaction, worker_database
from .databases import clone_database, drop_database
from .leases import RunLease
from .request import SupaseedRequest, describe_customizations
from .template_db import TemplateDatabase, effective_seed, ensure_template_db

__all__ = ["SeedSession", "SeededDatabase"]


@dataclass
class SeededDatabase:
    """A worker's clone of a template database: its DSN, the template database and the plan."""

    dsn: str
    template_db: TemplateDatabase
    resolved: ResolvedPlan


class SeedSession:
    """Everything a worker seeds and clones in one run: template databases, worker clones,
    connections. ``with SeedSession(...) as session:`` closes them on exit.

    Tests on the same template database share one open connection per worker; each test runs
    inside its own transaction on it, rolled back at teardown (so the per-test cost is a BEGIN and
    a ROLLBACK).
    """

    def __init__(
        self,
        server: ServerHandle,
        base_database: str,
        settings: Settings,
        worker_id: str,
        run_id: str,
        lease: RunLease | None = None,
    ) -> None:
        self.server = server
        #: The run's lease: template databases are held through it, clones carry its token.
        self.lease = lease
        self.base_database = base_database
        self.settings = settings
        self.worker_id = worker_id
        self.run_id = run_id
        self.template_dbs: dict[str, TemplateDatabase] = {}
        self._clones: dict[str, SeededDatabase] = {}
        self._by_request: dict[str, SeededDatabase] = {}
        self._connections: dict[str, ReusedConnection] = {}
        self._stack = ExitStack()

    def __enter__(self) -> SeedSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

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

    def seeded(self, request: SupaseedRequest) -> SeededDatabase:
        """This worker's clone of the template database for ``request`` (seeding it if needed).

        Resolved once per distinct request and worker: afterwards a test pays a dict lookup.
        """
        key = self._key(request.template, request.customizations, request.seed)
        known = self._by_request.get(key)
        if known is not None:
            return known
        resolved, label = self.resolve(request)
        seed = effective_seed(request.seed, self.settings.seed, resolved.plan.seed)
        template_db = ensure_template_db(
            self.server,
            self.base_database,
            resolved,
            project_root=self.settings.rootdir,
            seed=seed,
            label=label,
            rebuild_token=self.run_id if self.settings.rebuild else None,
            before=self.lease.hold if self.lease is not None else None,
            migrations_dir=self.settings.migrations,
        )
        clone = self._clones.get(template_db.name)
        if clone is None:
            self.template_dbs.setdefault(template_db.name, template_db)
            dsn = self._stack.enter_context(
                worker_database(
                    self.server,
                    template_db.name,
                    self.worker_id,
                    keep=self.settings.keep,
                    run_token=self.lease.token if self.lease is not None else None,
                )
            )
            clone = SeededDatabase(dsn, template_db, resolved)
            self._clones[template_db.name] = clone
        self._by_request[key] = clone
        return clone

    @staticmethod
    def _key(*parts: object) -> str:
        return json.dumps(parts, sort_keys=True, default=str)

    @contextmanager
    def transaction(self, dsn: str) -> Iterator[psycopg.Connection]:
        """This worker's reused connection to ``dsn`` inside a transaction rolled back on exit."""
        slot = self._connections.get(dsn)
        if slot is None:
            slot = self._connections[dsn] = ReusedConnection(dsn)
        with test_transaction(slot) as conn:
            yield conn

    @contextmanager
    def fresh_clone(self, request: SupaseedRequest | None) -> Iterator[str]:
        """A clone of the request's template database (or of the base database) for one test,
        dropped after."""
        source = self.seeded(request).template_db.name if request else self.base_database
        name = (
            self.lease.database_name("t", uuid.uuid4().hex[:16])
            if self.lease is not None
            else f"supaseed_t_{uuid.uuid4().hex[:16]}"
        )
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
