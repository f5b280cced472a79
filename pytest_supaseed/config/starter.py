"""A starter ``supaseed.toml`` written from a migrated database's schema (``supaseed init``).

What it writes, table by table, along the foreign keys:

- users: ``[users] count = 5``; a MakerKit v2/v3 schema gets ``extends = "makerkit-saas"`` (its
  users, personal and team accounts) instead;
- tables the users phase or a trigger on ``auth.users`` fills (profiles, accounts), tables that
  already hold rows after the migrations and point at no other (lookup tables) and the kit's own
  tables are left alone,
  each with a comment saying why;
- a table with a required foreign key to a seeded table gets ``count_per_parent`` on that key
  (1-3 rows per parent; 0-3 when it points at auth.users or accounts, so not every user has
  some); a table without one gets ``count = 10``.

The result seeds the schema without edits (``tests/config/test_starter.py`` seeds the example's),
and every line says where it came from, so it is a starting point to edit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..schema.detect import Detection, detect
from ..schema.model import ForeignKey, Schema, Table

__all__ = ["starter_plan"]

_PLATFORM_SCHEMAS = {
    "auth",
    "storage",
    "extensions",
    "graphql",
    "graphql_public",
    "realtime",
    "supabase_functions",
    "supabase_migrations",
    "vault",
    "pgsodium",
    "net",
    "cron",
    "pgbouncer",
    "kit",
}
_USERS = "auth.users"


def _toml_key(name: str) -> str:
    return f'"{name}"'


def _required_fk(table: Table, seeded: set[str]) -> ForeignKey | None:
    """The NOT NULL single-column key to a table that will have rows, earliest in the primary
    key (a join table's first key: setup_gear's setup_id), else earliest column."""
    position = {c.name: c.position for c in table.columns}
    in_key = {name: i for i, name in enumerate(table.primary_key)}

    def rank(fk: ForeignKey) -> tuple[int, int]:
        column = fk.columns[0]
        return in_key.get(column, len(in_key)), position.get(column, 0)

    for fk in sorted(table.foreign_keys, key=rank):
        if len(fk.columns) == 1 and not fk.nullable and fk.ref_table in seeded:
            return fk
    return None


def _order(tables: Iterable[Table]) -> list[Table]:
    """Parents before children (by required foreign keys), else by name."""
    pending = {t.qualified_name: t for t in tables}
    done: list[Table] = []
    placed: set[str] = set()
    while pending:
        ready = [
            t
            for name, t in sorted(pending.items())
            if all(
                fk.ref_table not in pending or fk.ref_table == name or fk.nullable
                for fk in t.foreign_keys
            )
        ]
        if not ready:  # a cycle of required keys: keep name order, the engine breaks cycles
            ready = [pending[min(pending)]]
        for table in ready:
            done.append(table)
            placed.add(table.qualified_name)
            del pending[table.qualified_name]
    return done


def starter_plan(
    schema: Schema,
    row_counts: Mapping[str, int] | None = None,
    *,
    detection: Detection | None = None,
    source: str = "the migrated schema",
    seed: int = 42,
) -> str:
    """The text of a starter plan for ``schema`` (see the module docstring).

    ``row_counts`` are the rows each table holds after the migrations (tables with rows are left
    as they are); ``detection`` defaults to :func:`detect` on ``schema``.
    """
    detection = detection or detect(schema)
    counts = dict(row_counts or {})
    made_by_trigger = {t for trig in detection.auth_user_triggers for t in trig.creates}
    makerkit = detection.kit in ("v2", "v3")
    lines = [
        f"# supaseed.toml: a starter plan written by `supaseed init` from {source}.",
        "# It seeds as it is; edit the counts, add asset pools and mappings (docs/guides/plans.md).",
        f"# Schema: {detection.label}.",
    ]
    if makerkit:
        lines += [
            'extends = "makerkit-saas"   # MakerKit users, personal accounts, team accounts',
        ]
    lines += [f"seed = {seed}", "", "[users]"]
    lines.append(
        "count = 5" if not makerkit else "count = 5                     # + MakerKit's test users"
    )
    seeded: set[str] = {_USERS}
    skipped: list[str] = []
    if makerkit:
        seeded |= set(detection.kit_tables)
    seeded |= made_by_trigger
    app_tables = [
        t for t in schema.tables.values() if t.schema not in _PLATFORM_SCHEMAS and not t.partitioned
    ]
    for table in _order(app_tables):
        name = table.qualified_name
        if makerkit and name in detection.kit_tables and name in made_by_trigger:
            # the kit's trigger makes the personal accounts; makerkit-saas inserts the teams
            skipped.append(
                f"# {name}: one per user made by a trigger on auth.users; the team accounts "
                "inserted by makerkit-saas"
            )
            continue
        if name in made_by_trigger:
            skipped.append(f"# {name}: made by a trigger on auth.users (one row per user)")
            continue
        if makerkit and name in detection.kit_tables:
            skipped.append(f"# {name}: MakerKit's own table (filled by makerkit-saas)")
            continue
        fk = _required_fk(table, seeded)
        if counts.get(name) and fk is None:
            # A root table that the migrations fill: a lookup table (categories, roles, ...).
            skipped.append(f"# {name}: {counts[name]} rows from the migrations (left as they are)")
            seeded.add(name)
            continue
        lines.append("")
        lines.append(f"[tables.{_toml_key(name)}]")
        if fk is not None:
            low = 0 if fk.ref_table == _USERS or fk.ref_table.endswith(".accounts") else 1
            lines.append(
                f"count_per_parent = {{ {fk.columns[0]} = {{ min = {low}, max = 3 }} }}"
                f"   # rows per {fk.ref_table} row"
            )
        else:
            lines.append("count = 10")
        seeded.add(name)
    if skipped:
        lines += ["", "# Not planned:", *skipped]
    return "\n".join(lines) + "\n"
