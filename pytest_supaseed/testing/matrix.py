"""Who can do what to each table: an RLS matrix computed by trying it on the seeded rows.

For every table of a schema and each of four callers (``anon``, an authenticated *owner* of a
row, an authenticated *stranger*, ``service_role``), each of ``select``, ``insert``, ``update`` and
``delete`` is tried on one sample row, inside savepoints of the caller's transaction that are
rolled back: nothing is changed. The outcome of each try is one of:

- ``allowed``: the statement reached the row (an insert that then broke a unique or foreign key
  constraint counts as allowed: PostgreSQL checks policies before other constraints);
- ``rls``: the role has the privilege but row level security filtered the row or refused it;
- ``grant``: the role lacks the table privilege (``permission denied``).

The sample row is the most private one: not visible to anon, visible to the fewest users (a
personal account's trip rather than a club's); the *owner* is the first user (by e-mail) who sees
it, the *stranger* the first who does not. A table every caller sees in full (a catalogue) uses
its first row. ::

    with conn.transaction():
        matrix = rls_matrix(conn, "public")
        raise psycopg.Rollback()
    matrix.tables["public.trips"].cells["stranger"]["select"]   # "rls"
"""

from __future__ import annotations

import contextlib
import functools
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal

import psycopg
import psycopg.errors
import psycopg.rows
from psycopg import sql
from psycopg.types.json import Jsonb

from .queries import tuple_rows
from .rls import as_anon, as_service_role, as_user

__all__ = ["CALLERS", "OPERATIONS", "Outcome", "RlsMatrix", "TableAccess", "rls_matrix"]

Outcome = Literal["allowed", "rls", "grant", "untried"]
#: The callers, in the matrix's column order.
CALLERS: tuple[str, ...] = ("anon", "owner", "stranger", "service_role")
#: The operations tried for each caller.
OPERATIONS: tuple[str, ...] = ("select", "insert", "update", "delete")


@dataclass
class TableAccess:
    """One table's row of the matrix."""

    table: str
    rls_enabled: bool
    rows: int
    owner: str | None = None
    stranger: str | None = None
    cells: dict[str, dict[str, Outcome]] = field(default_factory=dict)
    note: str = ""

    def allowed(self, caller: str) -> set[str]:
        """The operations ``caller`` may do on the sample row."""
        return {op for op, outcome in self.cells.get(caller, {}).items() if outcome == "allowed"}

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for JSON and the HTML report)."""
        return {
            "table": self.table,
            "rls_enabled": self.rls_enabled,
            "rows": self.rows,
            "owner": self.owner,
            "stranger": self.stranger,
            "cells": self.cells,
            "note": self.note,
        }


@dataclass
class RlsMatrix:
    """The matrix: one :class:`TableAccess` per table, in name order."""

    tables: dict[str, TableAccess] = field(default_factory=dict)

    @property
    def without_rls(self) -> list[str]:
        """Tables that do not have row level security enabled."""
        return [name for name, access in self.tables.items() if not access.rls_enabled]

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for JSON and the HTML report)."""
        return {name: access.to_dict() for name, access in self.tables.items()}


def _tables(conn: psycopg.Connection[Any], schema: str) -> list[tuple[str, bool]]:
    return [
        (f"{schema}.{name}", bool(rls))
        for name, rls in tuple_rows(
            conn,
            "select c.relname, c.relrowsecurity from pg_class c "
            "join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = %s and c.relkind in ('r', 'p') order by c.relname",
            (schema,),
        ).fetchall()
    ]


def _key_columns(conn: psycopg.Connection[Any], table: str) -> list[str]:
    rows = tuple_rows(
        conn,
        "select a.attname from pg_index i join pg_attribute a "
        "on a.attrelid = i.indrelid and a.attnum = any(i.indkey) "
        "where i.indrelid = %s::regclass and i.indisprimary order by a.attnum",
        (table,),
    ).fetchall()
    return [name for (name,) in rows]


def _insert_columns(conn: psycopg.Connection[Any], table: str, key: Sequence[str]) -> list[str]:
    # Every column a client could send, except generated ones and a key the database fills.
    rows = tuple_rows(
        conn,
        "select attname, atthasdef, attidentity, attgenerated from pg_attribute "
        "where attrelid = %s::regclass and attnum > 0 and not attisdropped order by attnum",
        (table,),
    ).fetchall()
    return [
        name
        for name, has_default, identity, generated in rows
        if not generated and not identity and not (name in key and has_default)
    ]


def _ident(table: str) -> sql.Identifier:
    schema, name = table.split(".", 1)
    return sql.Identifier(schema, name)


def _keys_visible(
    conn: psycopg.Connection[Any], table: str, key: Sequence[str]
) -> set[tuple[Any, ...]]:
    query = sql.SQL("select {} from {}").format(
        sql.SQL(", ").join(map(sql.Identifier, key)), _ident(table)
    )
    return {tuple(row) for row in tuple_rows(conn, query).fetchall()}


@contextlib.contextmanager
def _attempt(conn: psycopg.Connection[Any]) -> Iterator[list[Outcome]]:
    """A savepoint always rolled back; a refusal inside it is recorded, not raised."""
    outcome: list[Outcome] = []
    try:
        with conn.transaction():
            yield outcome
            raise psycopg.Rollback()
    except psycopg.errors.InsufficientPrivilege as exc:
        outcome.append("rls" if "row-level security" in str(exc) else "grant")
    except psycopg.errors.IntegrityError:
        outcome.append("allowed")  # policies passed: only a constraint refused the copy


def _json_columns(conn: psycopg.Connection[Any], table: str) -> set[str]:
    rows = tuple_rows(
        conn,
        "select attname from pg_attribute where attrelid = %s::regclass and attnum > 0 "
        "and not attisdropped and atttypid in ('json'::regtype, 'jsonb'::regtype)",
        (table,),
    ).fetchall()
    return {name for (name,) in rows}


def _try(
    conn: psycopg.Connection[Any],
    act: Callable[[], AbstractContextManager[Any]],
    table: str,
    key: Sequence[str],
    sample: dict[str, Any],
    insert_columns: Sequence[str],
) -> dict[str, Outcome]:
    json_columns = _json_columns(conn, table)

    def value(column: str) -> Any:
        return Jsonb(sample[column]) if column in json_columns else sample[column]

    where = sql.SQL(" and ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in key)
    # The no-op update writes a column a client may write (not an identity or generated one).
    target = next((c for c in insert_columns if c not in key), None) or next(
        (c for c in insert_columns), key[0]
    )
    key_values = [value(c) for c in key]
    statements: dict[str, tuple[sql.Composed, list[Any]]] = {
        "select": (sql.SQL("select 1 from {} where {}").format(_ident(table), where), key_values),
        "insert": (
            sql.SQL("insert into {} ({}) values ({})").format(
                _ident(table),
                sql.SQL(", ").join(map(sql.Identifier, insert_columns)),
                sql.SQL(", ").join(sql.Placeholder() * len(insert_columns)),
            ),
            [value(c) for c in insert_columns],
        ),
        "update": (
            sql.SQL("update {} set {} = {} where {}").format(
                _ident(table), sql.Identifier(target), sql.Identifier(target), where
            ),
            key_values,
        ),
        "delete": (sql.SQL("delete from {} where {}").format(_ident(table), where), key_values),
    }
    cells: dict[str, Outcome] = {}
    for operation, (statement, params) in statements.items():
        with _attempt(conn) as failed, act():
            cur = tuple_rows(conn, statement, params)
            reached = cur.rowcount > 0 if operation != "select" else bool(cur.fetchall())
            if operation == "insert":
                reached = True
            failed.append("allowed" if reached else "rls")
        cells[operation] = failed[0]
    return cells


def _users(conn: psycopg.Connection[Any]) -> list[tuple[str, uuid.UUID]]:
    rows = tuple_rows(
        conn, "select email, id from auth.users where email is not null order by email"
    ).fetchall()
    return [(email, user_id) for email, user_id in rows]


def rls_matrix(
    conn: psycopg.Connection[Any], schema: str = "public", *, exclude: Sequence[str] = ()
) -> RlsMatrix:
    """Try each operation as each caller on each table of ``schema``; see the module docstring.

    ``conn`` must be a superuser connection inside a transaction (every try is a savepoint that is
    rolled back). Tables without a primary key or without rows are listed with a note, untried.
    """
    matrix = RlsMatrix()
    users = _users(conn)
    skip = {name if "." in name else f"{schema}.{name}" for name in exclude}
    for table, rls_enabled in _tables(conn, schema):
        if table in skip:
            continue
        count_query = sql.SQL("select count(*) from {}").format(_ident(table))
        (rows,) = tuple_rows(conn, count_query).fetchone() or (0,)
        access = TableAccess(table, rls_enabled, int(rows))
        matrix.tables[table] = access
        key = _key_columns(conn, table)
        if not key:
            access.note = "no primary key: not tried"
            continue
        if not rows:
            access.note = "no rows: not tried"
            continue
        everything = _keys_visible(conn, table, key)
        public: set[tuple[Any, ...]] = set()
        with _attempt(conn) as _failed, as_anon(conn):
            public = _keys_visible(conn, table, key)
        seen_by: dict[str, set[tuple[Any, ...]]] = {}
        for email, _ in users:
            with _attempt(conn) as _failed, as_user(conn, email):
                seen_by[email] = _keys_visible(conn, table, key)
        # The sample: the most private row (seen by the fewest users, not by anon); its owner is
        # the first user who sees it, the stranger the first who does not.
        watchers: dict[tuple[Any, ...], int] = {}
        for seen in seen_by.values():
            for row_key in seen - public:
                watchers[row_key] = watchers.get(row_key, 0) + 1
        if watchers:
            sample_key = min(watchers, key=lambda k: (watchers[k], repr(k)))
        else:
            sample_key = min(everything, key=repr)
        owner = next((e for e, _ in users if sample_key in seen_by[e]), None)
        owner = owner or (users[0][0] if users else None)
        stranger = next(
            (e for e, _ in users if e != owner and sample_key not in seen_by[e]),
            next((e for e, _ in users if e != owner), None),
        )
        access.owner, access.stranger = owner, stranger
        cur = conn.cursor(row_factory=psycopg.rows.dict_row)
        where = sql.SQL(" and ").join(
            sql.SQL("{} = {}").format(sql.Identifier(c), sql.Literal(v))
            for c, v in zip(key, sample_key, strict=True)
        )
        sample = cur.execute(
            sql.SQL("select * from {} where {}").format(_ident(table), where)
        ).fetchone()
        assert sample is not None
        columns = _insert_columns(conn, table, key)
        callers: dict[str, Callable[[], AbstractContextManager[Any]] | None] = {
            "anon": lambda: as_anon(conn),
            "owner": functools.partial(as_user, conn, owner) if owner else None,
            "stranger": functools.partial(as_user, conn, stranger) if stranger else None,
            "service_role": lambda: as_service_role(conn),
        }
        for caller, act in callers.items():
            if act is None:
                access.cells[caller] = dict.fromkeys(OPERATIONS, "untried")
                continue
            access.cells[caller] = _try(conn, act, table, key, sample, columns)
    return matrix
