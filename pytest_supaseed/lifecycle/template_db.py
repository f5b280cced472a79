"""Seed once: the seeded *template database* of a resolved plan, content-addressed and kept.

This module names, finds and records template databases and needs no plan (an xdist worker that
reuses one imports only this); :mod:`.template_build` resolves plans and builds them.

Each distinct resolved plan (a *plan template* plus customizations) is seeded once into a template
database ``supaseed_tpl_<hash>``, where the hash covers everything that decides its content: the
base database (Supabase layer, migrations, plugin version), the resolved plan with its demo schema
and asset files, and the seed. Template databases stay between runs; a warm run costs one catalog
lookup. The build happens under a temporary name and is renamed when complete
(:func:`pytest_supaseed.lifecycle.databases.ensure_database`), so a crash never leaves a half-seeded
template database behind.

The :class:`~pytest_supaseed.seed.SeedResult` travels with the template database as its database
comment (JSON), so a run that reuses it reports what is in it without connecting to it
(connections to a template database block cloning).
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..logs import event
from ..seed_result import SeedResult
from .databases import Server, database_metadata, ensure_database

__all__ = [
    "TEMPLATE_DB_PREFIX",
    "TemplateDatabase",
    "effective_seed",
    "provide_template_db",
    "read_template_db_result",
    "template_db_name",
]

TEMPLATE_DB_PREFIX = "supaseed_tpl_"


@dataclass
class TemplateDatabase:
    """A seeded template database and what went into it (one line of the run's report).

    ``label`` names the plan template (and customizations) it was seeded from; ``result`` is the
    :class:`SeedResult` of its build (read back from the database when ``cache_hit``).
    """

    name: str
    label: str
    plan_hash: str
    cache_hit: bool
    build_seconds: float
    result: SeedResult
    #: The HTML seed report's data for this database (``SeedReport.to_dict()``), when asked for.
    report: dict[str, Any] | None = None

    @property
    def seed(self) -> int:
        """The seed the template database was filled with."""
        return self.result.seed

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict (the xdist controller receives these from its workers)."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["result"] = self.result.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TemplateDatabase:
        """The :class:`TemplateDatabase` that :meth:`to_json` produced ``data`` from."""
        return cls(
            name=str(data["name"]),
            label=str(data["label"]),
            plan_hash=str(data["plan_hash"]),
            cache_hit=bool(data["cache_hit"]),
            build_seconds=float(data["build_seconds"]),
            result=SeedResult.from_json(data["result"]),
            report=data.get("report"),
        )


def effective_seed(request_seed: int | None, settings_seed: int | None, plan_seed: int) -> int:
    """``--supaseed-seed`` wins, then the marker's ``seed=``, then the plan's own ``seed``."""
    if settings_seed is not None:
        return settings_seed
    if request_seed is not None:
        return request_seed
    return plan_seed


def template_db_name(
    base_database: str, plan_digest: str, seed: int, migration_files: tuple[Path, ...] = ()
) -> str:
    """``supaseed_tpl_<hash>`` of the base database, the resolved plan's hash, the seed and the
    content of the SQL files the template database applies itself (explicit ``migrations.paths``)."""
    digest = hashlib.sha256(f"{__version__}\0{base_database}\0{plan_digest}\0{seed}".encode())
    for path in migration_files:
        digest.update(b"\0" + path.name.encode() + b"\0" + path.read_bytes())
    return TEMPLATE_DB_PREFIX + digest.hexdigest()[:16]


def read_template_db_result(server: Server, name: str) -> SeedResult | None:
    """The :class:`SeedResult` stored on template database ``name``; None if there is none."""
    data = database_metadata(server, name)
    if data is None or "report" not in data:
        return None
    return SeedResult.from_json(dict(data["report"]))


def provide_template_db(
    server: Server,
    base_database: str,
    name: str,
    plan_digest: str,
    build: Callable[[str], tuple[SeedResult, float]],
    *,
    seed: int,
    label: str,
    rebuild_token: str | None = None,
    before: Callable[[str], None] | None = None,
) -> TemplateDatabase:
    """Template database ``name`` (a :func:`template_db_name`), reused, or built by
    ``build(dsn)`` from a copy of ``base_database`` when it does not exist (or ``rebuild_token``
    asks for a rebuild); see :func:`~pytest_supaseed.lifecycle.template_build.ensure_template_db`.
    Needs no resolved plan unless it builds."""
    built: list[tuple[SeedResult, float]] = []
    clock = time.perf_counter()
    if before is not None:
        before(name)
    ensure_database(
        server,
        name,
        lambda dsn: built.append(build(dsn)),
        template=base_database,
        rebuild_token=rebuild_token,
    )
    if built:
        result, seconds = built[0]
    else:
        result = read_template_db_result(server, name) or SeedResult(seed=seed)
        seconds = 0.0
    event(
        "template_db",
        f"template database {name} ({label}): "
        + (f"built in {seconds:.2f} s" if built else "reused (cache hit)"),
        template_db=name,
        label=label,
        cache_hit=not built,
        rows=result.total_rows,
        duration=time.perf_counter() - clock,
    )
    return TemplateDatabase(
        name=name,
        label=label,
        plan_hash=plan_digest,
        cache_hit=not built,
        build_seconds=seconds,
        result=result,
    )
