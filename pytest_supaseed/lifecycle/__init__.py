"""The database lifecycle, as plain library code (no pytest): the pytest fixtures, the
``supaseed`` command and bench/ all go through it.

    server ▸ base database ▸ seeded template database ▸ worker clone ▸ test transaction

- :mod:`.databases`: create, clone, drop, metadata (only databases named ``supaseed_*``);
- :mod:`.migrations`: the project's SQL migrations and seed files, applied as Supabase does;
- :mod:`.base`: the project's base database (Supabase layer + migrations), built once, reused;
- :mod:`.template_db`: the seeded template database of a resolved plan, content-addressed, kept
  between runs, carrying its :class:`~pytest_supaseed.seed.SeedResult`;
- :mod:`.session`: one worker's template databases, clones and connections;
- :mod:`.request`: what a test (or caller) asks for: plan template, seed, isolation, customizations;
- :mod:`.connections`: a worker's clone, the reused connection, the per-test transaction;
- :mod:`.leases`: many runs on one server: a run's advisory-lock lease, pruning only what no live
  run holds;
- :mod:`.transfer`: export / import base and template databases (pg_dump + manifest).

Names are loaded on first use (PEP 562), so that importing :mod:`.request` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import (
        base_database_name,
        build_base_database,
        ensure_base_database,
        project_database,
        project_server,
    )
    from .connections import (
        ReusedConnection,
        WorkerDatabase,
        test_transaction,
        worker_database,
        worker_database_name,
    )
    from .request import SupaseedRequest
    from .session import SeededDatabase, SeedSession
    from .template_db import TemplateDatabase, effective_seed, ensure_template_db, template_db_name

_HOMES = {
    "base_database_name": "base",
    "build_base_database": "base",
    "ensure_base_database": "base",
    "project_database": "base",
    "project_server": "base",
    "ReusedConnection": "connections",
    "WorkerDatabase": "connections",
    "test_transaction": "connections",
    "worker_database": "connections",
    "worker_database_name": "connections",
    "SupaseedRequest": "request",
    "SeededDatabase": "session",
    "SeedSession": "session",
    "TemplateDatabase": "template_db",
    "effective_seed": "template_db",
    "ensure_template_db": "template_db",
    "template_db_name": "template_db",
}

__all__ = [
    "ReusedConnection",
    "SeedSession",
    "SeededDatabase",
    "SupaseedRequest",
    "TemplateDatabase",
    "WorkerDatabase",
    "base_database_name",
    "build_base_database",
    "effective_seed",
    "ensure_base_database",
    "ensure_template_db",
    "project_database",
    "project_server",
    "template_db_name",
    "test_transaction",
    "worker_database",
    "worker_database_name",
]


def __getattr__(name: str) -> Any:
    """Import the public name ``name`` from its module on first access (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's attributes plus the lazily imported public names."""
    return sorted(set(globals()) | set(__all__))
