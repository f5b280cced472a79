"""What a seed report shows, gathered from a seeded database: :class:`SeedReport`.

The data is plain (``to_dict`` / ``from_dict``), so a report gathered where a template database is
built (an xdist worker, ``supaseed seed``) can travel as JSON to whoever writes the HTML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from ..assets import load_pool
from ..config.models import SeedPlan
from ..errors import SupaseedError
from ..seed_result import SeedResult
from ..testing.matrix import rls_matrix

__all__ = ["AssociationCounts", "PoolReport", "SeedReport", "TableCount", "collect_report"]


@dataclass
class TableCount:
    """Rows of one table, three ways: inserted by the seeder, made by the database's triggers
    while it seeded (a signup trigger's profiles), and there before it (migrations, seed files).
    """

    table: str
    inserted: int
    total: int
    by_triggers: int = 0

    @property
    def other(self) -> int:
        """Rows the seeder did not write: made by triggers, migrations or seed files."""
        return max(self.total - self.inserted, 0)

    @property
    def before(self) -> int:
        """Rows that were there before the seeder ran: from migrations and seed files."""
        return max(self.total - self.inserted - self.by_triggers, 0)


@dataclass
class AssociationCounts:
    """Items per target of one association, as they are in the database."""

    name: str
    items: str
    targets: str
    fk_column: str
    strategy: str
    counts: list[int]
    min_per_target: int | None = None
    max_per_target: int | None = None


@dataclass
class PoolReport:
    """One asset pool: how many assets loaded, and its problems."""

    name: str
    type: str
    loaded: int
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class SeedReport:
    """Everything the HTML report shows about one seeded plan."""

    label: str
    seed: int
    tables: list[TableCount] = field(default_factory=list)
    associations: list[AssociationCounts] = field(default_factory=list)
    pools: list[PoolReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    relaxations: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)
    rls: dict[str, Any] = field(default_factory=dict)
    ai: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SeedReport:
        """The report :meth:`to_dict` wrote."""
        values = dict(data)
        values["tables"] = [TableCount(**t) for t in values.get("tables", [])]
        values["associations"] = [AssociationCounts(**a) for a in values.get("associations", [])]
        values["pools"] = [PoolReport(**p) for p in values.get("pools", [])]
        return cls(**values)


def _ident(table: str) -> sql.Identifier:
    schema, _, name = table.rpartition(".")
    return sql.Identifier(schema or "public", name)


def _qualified(table: str) -> str:
    return table if "." in table else f"public.{table}"


def _count(conn: psycopg.Connection[Any], table: str) -> int:
    row = conn.execute(sql.SQL("select count(*) from {}").format(_ident(table))).fetchone()
    return int(row[0]) if row else 0


def _tables(conn: psycopg.Connection[Any], result: SeedResult) -> list[TableCount]:
    # Every table the seeder wrote or its triggers filled, plus every other table of public that
    # holds rows (seed.sql's or a migration's rows).
    names = list(result.rows)
    names += [t for t in result.by_triggers if t not in names]
    for (name,) in conn.execute(
        "select n.nspname || '.' || c.relname from pg_class c "
        "join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1"
    ).fetchall():
        if name not in names:
            names.append(name)
    counts = [
        TableCount(t, result.rows.get(t, 0), _count(conn, t), result.by_triggers.get(t, 0))
        for t in names
    ]
    return [c for c in counts if c.total or c.inserted]


def _associations(conn: psycopg.Connection[Any], plan: SeedPlan) -> list[AssociationCounts]:
    found: list[AssociationCounts] = []
    for name, assoc in sorted(plan.associations.items()):
        items, targets = _qualified(assoc.items), _qualified(assoc.targets)
        ref = conn.execute(
            "select a2.attname from pg_constraint k "
            "join pg_attribute a1 on a1.attrelid = k.conrelid and a1.attnum = k.conkey[1] "
            "join pg_attribute a2 on a2.attrelid = k.confrelid and a2.attnum = k.confkey[1] "
            "where k.contype = 'f' and k.conrelid = %s::regclass and k.confrelid = %s::regclass "
            "and a1.attname = %s",
            (items, targets, assoc.fk_column),
        ).fetchone()
        key = ref[0] if ref else "id"
        rows = conn.execute(
            sql.SQL(
                "select count(i.{fk}) from {targets} t left join {items} i on i.{fk} = t.{key} "
                "group by t.{key} order by t.{key}"
            ).format(
                fk=sql.Identifier(assoc.fk_column),
                targets=_ident(targets),
                items=_ident(items),
                key=sql.Identifier(key),
            )
        ).fetchall()
        found.append(
            AssociationCounts(
                name,
                items,
                targets,
                assoc.fk_column,
                assoc.strategy,
                [int(n) for (n,) in rows],
                assoc.constraints.min_per_target,
                assoc.constraints.max_per_target,
            )
        )
    return found


def _pools(plan: SeedPlan, rootdir: Path) -> list[PoolReport]:
    reports: list[PoolReport] = []
    for name, config in sorted(plan.asset_pools.items()):
        try:
            pool = load_pool(name, config, rootdir)
        except SupaseedError as exc:
            reports.append(PoolReport(name, config.type, 0, [str(exc)]))
            continue
        reports.append(
            PoolReport(
                name,
                config.type,
                len(pool.loaded),
                [str(p) for p in pool.errors],
                [str(w) for w in pool.warnings],
            )
        )
    return reports


def collect_report(
    conn: psycopg.Connection[Any],
    result: SeedResult,
    plan: SeedPlan,
    rootdir: str | Path,
    *,
    label: str = "supaseed.toml",
    rls_schemas: Sequence[str] = ("public",),
) -> SeedReport:
    """Gather a :class:`SeedReport` for the plan just seeded into ``conn``'s database.

    ``conn`` is a superuser connection to the seeded database; the RLS matrix is tried in a
    transaction rolled back at the end, so the database is left as it was.
    """
    report = SeedReport(
        label=label,
        seed=result.seed,
        warnings=list(result.warnings),
        relaxations=list(result.relaxations),
        phases=dict(result.phases),
        description=plan.description or "",
    )
    with conn.transaction():
        report.tables = _tables(conn, result)
        report.associations = _associations(conn, plan)
        for schema in rls_schemas:
            report.rls.update(rls_matrix(conn, schema).to_dict())
        raise psycopg.Rollback()
    report.pools = _pools(plan, Path(rootdir))
    if result.ai is not None:
        usage = result.ai.to_json()
        report.ai = {k: v for k, v in usage.items() if not isinstance(v, dict | list)}
        report.ai["summary"] = " / ".join(result.ai.summary_lines())
    return report
