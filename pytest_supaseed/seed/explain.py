"""Database errors while seeding, told in plan terms.

When PostgreSQL refuses a row (a CHECK, NOT NULL, UNIQUE or foreign key, a value too long, a
trigger's ``RAISE``), the raw ``psycopg`` error names a constraint and a failing row. The user wrote
a plan: :func:`explain_write_error` says which ``table.column`` got the value, which plan key wrote
it (a constant or expression under ``tables.<t>.columns``, a mapping's ``fields``, or nothing: a
generated value), what the constraint says, and the fix, as one :class:`SeedDataError` line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg

from ..config.models import Expression, TableConfig
from ..errors import BackendError, SeedDataError
from ..schema.model import Table

__all__ = ["ColumnSources", "explain_phase_error", "explain_write_error"]

_COPY_CONTEXT = re.compile(r"COPY [^,]+, line (\d+)(?:, column ([^:]+))?")


@dataclass(frozen=True)
class ColumnSources:
    """Which plan key decides each column of one table's rows.

    ``table_key``: the table's key as the plan spells it (``tables.<table_key>``);
    ``config``: its ``[tables]`` entry; ``mapping``: ``(name, {column: expression})`` when an asset
    mapping fills the table.
    """

    table_key: str
    config: TableConfig
    mapping: tuple[str, dict[str, str]] | None = None

    def describe(self, table: Table, column: str) -> tuple[str | None, str]:
        """``(plan key path or None, how the value came about)`` for ``column``."""
        values = self.config.column_values()
        if column in values:
            where = f'tables."{self.table_key}".columns.{column}'
            value = values[column]
            if isinstance(value, Expression):
                return where, f"the expression {{{{ {value.source} }}}}"
            return where, f"the constant {value.value!r}"
        if self.mapping is not None and column in self.mapping[1]:
            name, fields = self.mapping
            return f"mappings.{name}.fields.{column}", f"the mapped value {fields[column]!r}"
        return None, "a generated value"


def _constraint(table: Table, name: str | None) -> tuple[str, tuple[str, ...]]:
    """``(kind and definition, columns)`` of constraint ``name`` of ``table`` from the schema model."""
    if not name:
        return "", ()
    for check in table.checks:
        if check.name == name:
            return f"CHECK {name} ({check.expression})", tuple(check.columns)
    for fk in table.foreign_keys:
        if fk.name == name:
            refs = ", ".join(fk.ref_columns)
            return f"FOREIGN KEY {name} -> {fk.ref_table}({refs})", tuple(fk.columns)
    if name == table.primary_key_name:
        return f"PRIMARY KEY {name} ({', '.join(table.primary_key)})", tuple(table.primary_key)
    for unique in table.uniques:
        if unique.name == name:
            cols = ", ".join([*unique.columns, *unique.expressions])
            return f"UNIQUE {name} ({cols})", tuple(unique.columns)
    return name, ()


def _domain_column(table: Table, exc: psycopg.Error) -> str | None:
    domain = exc.diag.datatype_name
    if not domain:
        return None
    for column in table.columns:
        if column.domain and column.domain.split(".")[-1] == domain:
            return column.name
    return None


def _failing_row(exc: psycopg.Error) -> tuple[int | None, str | None]:
    match = _COPY_CONTEXT.search(exc.diag.context or "")
    if not match:
        return None, None
    return int(match.group(1)), (match.group(2).strip() if match.group(2) else None)


def _primary(exc: psycopg.Error) -> str:
    text = exc.diag.message_primary or str(exc).strip().splitlines()[0]
    return text.strip()


def explain_write_error(exc: psycopg.Error, table: Table, sources: ColumnSources) -> Exception:
    """The :class:`SeedDataError` (or :class:`BackendError`) to raise for ``exc``, raised while
    writing ``table``'s rows."""
    qualified = table.qualified_name
    if isinstance(exc, psycopg.OperationalError) and not exc.diag.sqlstate:
        return BackendError(f"the connection broke while seeding {qualified}: {_primary(exc)}")
    state = exc.diag.sqlstate or ""
    row, context_column = _failing_row(exc)
    at_row = f" (row {row} of the batch)" if row else ""
    definition, columns = _constraint(table, exc.diag.constraint_name)
    if exc.diag.column_name:
        columns = (exc.diag.column_name,)
    elif context_column:
        columns = (context_column,)
    elif not columns:
        domain_column = _domain_column(table, exc)
        if domain_column:
            columns = (domain_column,)
            definition = f"the CHECK {exc.diag.constraint_name} of domain {exc.diag.datatype_name}"
    described = [(c, *sources.describe(table, c)) for c in columns if table.has_column(c)]
    planned = [(c, key, how) for c, key, how in described if key is not None]
    names = ", ".join(f"{qualified}.{c}" for c in columns) or qualified
    origin = "; ".join(f"{qualified}.{c} got {how} from '{key}'" for c, key, how in planned)
    if not origin and described:
        origin = "; ".join(f"{qualified}.{c} got {how}" for c, _, how in described)
    key_path = planned[0][1] if planned else f'tables."{sources.table_key}"'
    first_col = planned[0][0] if planned else (columns[0] if columns else None)
    set_it = (
        f'set [tables."{sources.table_key}".columns] {first_col} = <a value that meets it>'
        if first_col
        else f'fix the values in [tables."{sources.table_key}"]'
    )
    change = f"change '{planned[0][1]}'" if planned else set_it
    if state == "23514":  # check_violation
        what = f"breaks {definition or 'a CHECK constraint'}"
        fix = f"{change} so that every row meets the check"
    elif state == "23502":  # not_null_violation
        what = "is NULL but the column is NOT NULL"
        fix = f"{change} to a non-NULL value" if planned else set_it.replace("meets it", "not NULL")
    elif state in ("23505", "23P01"):  # unique, exclusion
        what = f"repeats a value that {definition or 'a unique constraint'} forbids"
        fix = (
            f"{change}: a constant repeats on every row; use an expression that varies per row, "
            "or count = 1"
            if planned
            else f"give {names} values that differ per row ({set_it})"
        )
    elif state == "23503":  # foreign_key_violation
        what = f"points at no row: {definition or 'a foreign key'}"
        fix = (
            f"{change} to a key that exists in the parent table, or remove it so that supaseed "
            "picks existing parents"
            if planned
            else "seed the parent table first (add it to [tables]) or make the column nullable"
        )
    elif state.startswith("22"):  # data exception: too long, out of range, bad format
        what = f"is not a valid value: {_primary(exc)}"
        fix = f"{change} to a value the column's type accepts"
    elif state == "P0001" or (exc.diag.context or "").lower().startswith("pl/pgsql"):
        what = f"was refused by a trigger: {_primary(exc)}"
        fix = (
            f'give values the trigger accepts, or set [tables."{sources.table_key}"] '
            "disable_triggers = true"
        )
    elif state == "42501":
        what = f"cannot be written by this role: {_primary(exc)}"
        fix = "seed as the table's owner or a superuser (a DSN with more rights)"
    else:
        what = f"was refused: {_primary(exc)}"
        fix = f"check the plan's values for {qualified} ({set_it})"
    subject = names if not planned else ", ".join(f"{qualified}.{c}" for c, _, _ in planned)
    message = f"{subject}{at_row} {what}"
    if origin:
        message += f"; {origin}"
    message += f". Fix: {fix}."
    if state and not state.startswith("22"):
        message += f" [SQLSTATE {state}]"
    return SeedDataError(message, key_path=key_path, table=qualified, columns=columns)


def explain_phase_error(exc: psycopg.Error, phase: str) -> Exception:
    """A database error outside a table's COPY (users phase, cycles, associations), in one line."""
    if isinstance(exc, psycopg.OperationalError) and not exc.diag.sqlstate:
        return BackendError(f"the connection broke while seeding ({phase}): {_primary(exc)}")
    detail = f" ({exc.diag.message_detail})" if exc.diag.message_detail else ""
    hint = f" Hint: {exc.diag.message_hint}" if exc.diag.message_hint else ""
    table = exc.diag.table_name
    where = f" on table {exc.diag.schema_name}.{table}" if table and exc.diag.schema_name else ""
    state = exc.diag.sqlstate or "?"
    return SeedDataError(
        f"the database refused the {phase} phase{where}: {_primary(exc)}{detail}.{hint} "
        f"Fix the plan's [{phase}] settings or the schema. [SQLSTATE {state}]",
        key_path=phase if phase in ("users", "accounts", "associations") else None,
        table=f"{exc.diag.schema_name}.{table}" if table else None,
        columns=(exc.diag.column_name,) if exc.diag.column_name else (),
    )
