"""``supaseed plan --check``: compile a resolved plan against a live schema, every problem at once.

:func:`check_plan` walks everything in a plan that names the schema: table and column keys,
constants (read by the server as the column's type, checked against the column's domain and
single-column CHECKs), ``{{ expression }}`` overrides, ``count_per_parent`` parents, mappings
(pool, table, target columns, expressions, and the mapped values of the pool's real assets),
associations (tables and foreign key), AI fields, and storage targets. Each problem is located
in the file that wrote the key (plan or template), with its line, its key path and the fix.

Nothing is written: constants are read with ``SELECT %s::type`` inside a transaction that is
rolled back, and pools are read from disk. Reading the live schema (the project's database on the
embedded server, or ``--dsn``) is the command line's part: see ``supaseed plan --check``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import psycopg
from psycopg import sql

from ..assets import load_pool, map_rows
from ..assets.mapping import compile_expression, referenced_pools
from ..config.loader import format_key_path
from ..config.resolve import ResolvedPlan
from ..errors import AssetError, ConfigError, SupaseedError, did_you_mean
from ..generate.overrides import expression_generator
from ..schema.introspect import introspect
from ..schema.model import Column, Schema, Table, qualify

__all__ = [
    "CheckReport",
    "PlanProblem",
    "check_database",
    "check_plan",
    "locate",
]

Severity = Literal["error", "warning"]
KeyPath = tuple[str, ...]


@dataclass(frozen=True)
class PlanProblem:
    """One thing in the plan the live schema does not allow.

    Attributes:
        severity: ``error`` (seeding would fail) or ``warning``.
        path: the key path in the resolved plan (``("tables", "posts", "columns", "summary")``).
        message: what is wrong.
        fix: what to change.
        file: the plan or template file that wrote the key, when known.
        line: the line of the key in that file, when known.
        table: the qualified table the key names, when it names one.
        column: the column it names, when it names one.
    """

    severity: Severity
    path: KeyPath
    message: str
    fix: str
    file: str | None = None
    line: int | None = None
    table: str | None = None
    column: str | None = None

    @property
    def key_path(self) -> str:
        """The key path as a plan writes it: ``tables.posts.columns.summary``."""
        return format_key_path(self.path)

    def render(self) -> str:
        """``supaseed.toml:12 at 'tables.posts.columns.summary': ...; fix: ...``."""
        where = f"{self.file}:{self.line}" if self.file and self.line else (self.file or "plan")
        return f"{where} at '{self.key_path}': {self.message}; fix: {self.fix}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "severity": self.severity,
            "key_path": self.key_path,
            "message": self.message,
            "fix": self.fix,
            "file": self.file,
            "line": self.line,
            "table": self.table,
            "column": self.column,
        }


@dataclass(frozen=True)
class CheckReport:
    """Every problem :func:`check_plan` found, in file and line order."""

    problems: tuple[PlanProblem, ...] = field(default=())

    @property
    def errors(self) -> tuple[PlanProblem, ...]:
        """The problems that would make seeding fail."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def ok(self) -> bool:
        """No errors (warnings allowed)."""
        return not self.errors

    def render(self) -> str:
        """One line per problem, then a count; ``plan matches the schema`` when there is none."""
        if not self.problems:
            return "The plan matches the live schema: no problems."
        lines = [f"{p.severity}: {p.render()}" for p in self.problems]
        lines.append(
            f"{len(self.errors)} error(s), {len(self.problems) - len(self.errors)} warning(s)."
        )
        return "\n".join(lines)

    def raise_for_errors(self) -> None:
        """Raise one :class:`ConfigError` listing every error (the first one located)."""
        errors = self.errors
        if not errors:
            return
        first = errors[0]
        message = f"{first.message}; fix: {first.fix}"
        if len(errors) > 1:
            message += f"\n{len(errors) - 1} more problem(s):\n" + "\n".join(
                f"  - {p.render()}" for p in errors[1:]
            )
        raise ConfigError(message, file=first.file, key_path=first.key_path, line=first.line)


def locate(resolved: ResolvedPlan, path: Sequence[str]) -> tuple[str | None, int | None]:
    """The file that wrote key ``path`` of the resolved plan and the key's line in it.

    The layer is the one the provenance records for the key (or its closest recorded ancestor);
    a key set in a layer's ``customizations`` is looked up there.
    """
    parts = tuple(path)
    label = resolved.source_of(parts)
    if label == "default":
        # Not written anywhere (a default): blame the plan itself, at the closest written key.
        label = resolved.source_label
    label = label.split(" + ")[-1]  # an appended list: the last layer that appended
    in_custom = label.endswith(" (customizations)")
    label = label.removesuffix(" (customizations)")
    source = resolved.sources.get(label)
    if source is None:
        return label, None
    file = str(source.file) if source.file else source.label
    lookup = ["customizations", *parts] if in_custom else list(parts)
    return file, source.line_of(lookup)


class _Collector:
    def __init__(self, resolved: ResolvedPlan) -> None:
        self.resolved = resolved
        self.problems: list[PlanProblem] = []

    def add(
        self,
        path: Sequence[str],
        message: str,
        fix: str,
        *,
        table: str | None = None,
        column: str | None = None,
        severity: Severity = "error",
    ) -> None:
        file, line = locate(self.resolved, path)
        self.problems.append(
            PlanProblem(severity, tuple(path), message, fix, file, line, table, column)
        )

    def report(self) -> CheckReport:
        ordered = sorted(
            self.problems,
            key=lambda p: (p.file or "", p.line if p.line is not None else 1 << 30, p.key_path),
        )
        return CheckReport(tuple(ordered))


def _find_table(schema: Schema, name: str) -> Table | None:
    return schema.tables.get(qualify(name))


def _table_fix(schema: Schema, name: str, what: str) -> str:
    close = _closest(name, list(schema.tables) + [t.name for t in schema.tables.values()])
    rename = f"rename it to '{close}'" if close else "name an existing table"
    return f"remove {what} or {rename}"


def _closest(word: str, choices: Sequence[str]) -> str | None:
    """The closest of ``choices`` to ``word`` (what did_you_mean() names), or None."""
    hint = did_you_mean(word, choices)
    return hint.split("'")[1] if hint else None


def check_plan(
    resolved: ResolvedPlan, schema: Schema, conn: psycopg.Connection | None = None
) -> CheckReport:
    """Every problem of ``resolved`` against ``schema`` (see the module docstring).

    ``conn`` (a connection to the database ``schema`` was read from) lets constants be read by
    the server as their column's type; without it only names are checked.
    """
    out = _Collector(resolved)
    plan = resolved.plan
    _check_tables(out, plan.tables, schema, conn)
    _check_mappings(out, resolved, schema)
    _check_associations(out, plan.associations, schema)
    for table_name, columns in plan.ai.fields.items():
        base = ("ai", "fields", table_name)
        table = _find_table(schema, table_name)
        if table is None:
            out.add(
                base,
                f"no table '{qualify(table_name)}' in the database",
                _table_fix(schema, table_name, f"[ai.fields.{table_name}]"),
                table=qualify(table_name),
            )
            continue
        for column_name in columns:
            _column_exists(out, (*base, column_name), table, column_name)
    _check_storage(out, resolved, conn)
    return out.report()


def _column_exists(
    out: _Collector, path: Sequence[str], table: Table, name: str, *, written: bool = True
) -> Column | None:
    if not table.has_column(name):
        hint = did_you_mean(name, table.column_names)
        out.add(
            path,
            f"{table.qualified_name} has no column '{name}'{hint}",
            f"remove the key '{format_key_path(path)}'"
            + (f" or rename it to '{_closest(name, table.column_names)}'" if hint else ""),
            table=table.qualified_name,
            column=name,
        )
        return None
    column = table.column(name)
    if written and not column.insertable:
        why = "a generated column" if column.generated else "an identity column GENERATED ALWAYS"
        out.add(
            path,
            f"{table.qualified_name}.{name} is {why}; the database fills it and refuses values",
            f"remove the key '{format_key_path(path)}'",
            table=table.qualified_name,
            column=name,
        )
        return None
    return column


def _check_tables(
    out: _Collector, tables: Mapping[str, Any], schema: Schema, conn: psycopg.Connection | None
) -> None:
    for key, config in tables.items():
        base = ("tables", key)
        table = _find_table(schema, key)
        if table is None:
            out.add(
                base,
                f"no table '{qualify(key)}' in the database",
                _table_fix(schema, key, f'[tables."{key}"]'),
                table=qualify(key),
            )
            continue
        for name, value in config.column_values().items():
            path = (*base, "columns", name)
            column = _column_exists(out, path, table, name)
            if column is None:
                continue
            source = getattr(value, "source", None)
            if source is not None:
                try:
                    expression_generator(source, where=format_key_path(path))
                except ConfigError as exc:
                    text = str(exc).split(": ", 1)[-1]
                    out.add(
                        path,
                        text,
                        "write faker.<method>(literal args), 'default' or 'null' inside {{ }}",
                        table=table.qualified_name,
                        column=name,
                    )
                continue
            if conn is not None:
                problem = constant_problem(conn, table, column, value.value)
                if problem is not None:
                    out.add(
                        path,
                        problem,
                        "change the constant to a value the column accepts, or write "
                        '"{{ default }}" / "{{ null }}" / a "{{ faker.<method>() }}" generator',
                        table=table.qualified_name,
                        column=name,
                    )
        if config.count_per_parent:
            for parent in config.count_per_parent:
                if not any(
                    parent in fk.columns or qualify(parent) == fk.ref_table or parent == fk.name
                    for fk in table.foreign_keys
                ):
                    options = [c for fk in table.foreign_keys for c in (*fk.columns, fk.ref_table)]
                    out.add(
                        (*base, "count_per_parent", parent),
                        f"'{parent}' is neither a parent table nor a foreign-key column of "
                        f"{table.qualified_name}{did_you_mean(parent, options)}",
                        f"use one of: {', '.join(options) or 'no foreign keys; use count'}",
                        table=table.qualified_name,
                    )


def constant_problem(
    conn: psycopg.Connection, table: Table, column: Column, value: Any
) -> str | None:
    """Why the constant ``value`` cannot go into ``table.column``, or None when it can.

    The server reads it as the column's type (an enum label, a domain with its CHECKs, a date, a
    number...), a ``varchar(n)`` must hold it, and every CHECK of the table on this column alone
    must accept it. Nothing is written.
    """
    if value is None:
        if not column.nullable:
            return f"null is not allowed: {table.qualified_name}.{column.name} is NOT NULL"
        return None
    limit = column.max_length
    if isinstance(value, str) and limit is not None and not column.is_array and len(value) > limit:
        return (
            f"constant {value!r} is {len(value)} characters, longer than "
            f"{table.qualified_name}.{column.name} ({column.type}) allows"
        )
    param: Any = value
    if isinstance(value, dict | list) and "json" in column.base_type:
        param = json.dumps(value)
    checks = [c for c in table.checks if c.columns == (column.name,)]
    try:
        with conn.transaction(force_rollback=True):
            cast = sql.SQL("%s::{}").format(sql.SQL(column.type))
            conn.execute(sql.SQL("SELECT {}").format(cast), [param])
            for check in checks:
                row = conn.execute(
                    sql.SQL("SELECT ({}) FROM (SELECT {} AS {}) AS t").format(
                        sql.SQL(check.expression), cast, sql.Identifier(column.name)
                    ),
                    [param],
                ).fetchone()
                if row is not None and row[0] is False:
                    return (
                        f"constant {value!r} breaks CHECK {check.name} ({check.expression}) of "
                        f"{table.qualified_name}"
                    )
    except psycopg.Error as error:
        diag = getattr(error, "diag", None)
        reason = (diag.message_primary if diag is not None else None) or str(error)
        return (
            f"constant {value!r} is not a valid {column.type} for "
            f"{table.qualified_name}.{column.name}: {reason}"
        )
    return None


def _check_mappings(out: _Collector, resolved: ResolvedPlan, schema: Schema) -> None:
    plan = resolved.plan
    for name, mapping in plan.mappings.items():
        base = ("mappings", name)
        pool_ok = mapping.pool in plan.asset_pools
        if not pool_ok:
            out.add(
                (*base, "pool"),
                f"mapping '{name}' uses pool '{mapping.pool}', which [asset_pools] does not "
                f"define{did_you_mean(mapping.pool, plan.asset_pools)}",
                "define the pool under [asset_pools] or name an existing one",
            )
        table = _find_table(schema, mapping.table)
        if table is None:
            out.add(
                (*base, "table"),
                f"no table '{qualify(mapping.table)}' in the database",
                _table_fix(schema, mapping.table, f"[mappings.{name}]"),
                table=qualify(mapping.table),
            )
            continue
        fine = True
        for column_name, source in mapping.fields.items():
            path = (*base, "fields", column_name)
            if _column_exists(out, path, table, column_name) is None:
                fine = False
                continue
            try:
                compile_expression(source)
            except AssetError as exc:
                fine = False
                out.add(
                    path,
                    str(exc),
                    "fix the expression (see docs/guides/assets.md, 'Mapping')",
                    table=table.qualified_name,
                    column=column_name,
                )
        if fine and pool_ok:
            _check_mapped_values(out, resolved, name, table)


def _check_mapped_values(out: _Collector, resolved: ResolvedPlan, name: str, table: Table) -> None:
    """Map the pool's real assets into the table's columns: a value a column's (new) type cannot
    hold is reported at the mapping, with the file and field."""
    plan = resolved.plan
    mapping = plan.mappings[name]
    try:
        pool = load_pool(mapping.pool, plan.asset_pools[mapping.pool], resolved.rootdir)
        pools = {mapping.pool: pool}
        for other in referenced_pools(mapping, list(plan.asset_pools)):
            pools[other] = load_pool(other, plan.asset_pools[other], resolved.rootdir)
        map_rows(pool, mapping, table.columns, random.Random(0), pools=pools)
    except SupaseedError as exc:
        out.add(
            ("mappings", name),
            str(exc),
            "change the mapping's expressions (or the assets) so every value fits its column",
            table=table.qualified_name,
        )


def _check_associations(out: _Collector, associations: Mapping[str, Any], schema: Schema) -> None:
    for name, config in associations.items():
        base = ("associations", name)
        items = _find_table(schema, config.items)
        targets = _find_table(schema, config.targets)
        for key, found, value in (
            ("items", items, config.items),
            ("targets", targets, config.targets),
        ):
            if found is None:
                out.add(
                    (*base, key),
                    f"no table '{qualify(value)}' in the database",
                    _table_fix(schema, value, f"[associations.{name}]"),
                    table=qualify(value),
                )
        if items is None or targets is None:
            continue
        if not any(
            fk.columns == (config.fk_column,) and fk.ref_table == targets.qualified_name
            for fk in items.foreign_keys
        ):
            options = [
                c
                for fk in items.foreign_keys
                if fk.ref_table == targets.qualified_name
                for c in fk.columns
            ]
            out.add(
                (*base, "fk_column"),
                f"{items.qualified_name}.{config.fk_column} is not a single-column foreign key "
                f"to {targets.qualified_name}{did_you_mean(config.fk_column, options)}",
                f"use one of: {', '.join(options)}"
                if options
                else "add the foreign key or remove the association",
                table=items.qualified_name,
                column=config.fk_column,
            )


def _check_storage(
    out: _Collector, resolved: ResolvedPlan, conn: psycopg.Connection | None
) -> None:
    pools = [(n, p) for n, p in resolved.plan.asset_pools.items() if p.storage is not None]
    if not pools or conn is None:
        return
    row = conn.execute(
        "SELECT to_regclass('storage.buckets') IS NOT NULL AND "
        "to_regclass('storage.objects') IS NOT NULL"
    ).fetchone()
    if row is not None and row[0]:
        return
    for name, _ in pools:
        out.add(
            ("asset_pools", name, "storage"),
            "the database has no storage.buckets / storage.objects tables to copy the files into",
            "use the Supabase layer (the default backend) or remove the pool's storage target",
        )


def check_database(resolved: ResolvedPlan, dsn: str) -> tuple[CheckReport, Schema]:
    """:func:`check_plan` of ``resolved`` against the database at ``dsn`` (read, never written),
    with the schema read from it (what a test session checks once its base database is built)."""
    schema = introspect(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        return check_plan(resolved, schema, conn), schema
