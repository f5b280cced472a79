"""The ids of the transactions a connection's current transaction wrote rows with.

A row's ``xmin`` is the id of the (sub)transaction that wrote it. A savepoint that writes (psycopg's
nested ``conn.transaction()``, as MakerKit's phase and cycle closing use, or a PL/pgSQL block with an
exception handler in a trigger) gets an id of its own, which neither ``pg_current_xact_id()`` nor
``pg_locks`` (a subtransaction's lock goes when it is released) gives. Inside the transaction, after
its writes, the rows it wrote are the visible rows whose ``xmin`` is still in progress (another
session's uncommitted rows are not visible), so reading the ``xmin`` of the tables a phase may have
written finds every id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import psycopg
from psycopg import sql

from .writer import user_triggers_disabled

_WRAP = 4294967296  # 2**32: an xmin is the low 32 bits of a full (epoch-carrying) xid8

_OWN = """
select distinct (top.full + d)::text
from (select ((t.xmin::text::bigint - top.low + {wrap}) % {wrap}) as d from {table} t,
      (select (pg_current_xact_id()::text::numeric % {wrap})::bigint as low) top) s,
     (select pg_current_xact_id()::text::numeric as full) top
where d < {wrap} / 2 and pg_xact_status((top.full + d)::text::xid8) = 'in progress'
"""


def current_xids(conn: psycopg.Connection[Any], tables: Iterable[str] = ()) -> list[str]:
    """``xid8`` texts of the current transaction and of the subtransactions inside it that wrote
    rows in ``tables`` (``schema.table`` names); call inside the transaction, after its writes."""
    found = {str(conn.execute("select pg_current_xact_id()::text").fetchone()[0])}  # type: ignore[index]
    for name in tables:
        schema_name, table = name.split(".", 1)
        query = sql.SQL(_OWN).format(
            wrap=sql.Literal(_WRAP), table=sql.Identifier(schema_name, table)
        )
        found.update(str(row[0]) for row in conn.execute(query).fetchall())
    return sorted(found, key=int)


def delete_written_rows(conn: psycopg.Connection[Any], table: str, xids_table: str) -> int:
    """Delete the rows of ``table`` whose ``xmin`` is in the temporary table ``xids_table`` (column
    ``xid``); rows deleted. The table's user triggers are off meanwhile (inside the caller's
    transaction): the rows go as they came, whatever a kit's delete triggers forbid (MakerKit
    refuses to drop an owner's membership while its account exists); foreign keys still hold."""
    schema_name, name = table.split(".", 1)
    ident = sql.Identifier(schema_name, name)
    mine = sql.SQL("xmin in (select xid from {})").format(sql.Identifier(xids_table))
    found = conn.execute(sql.SQL("select exists (select 1 from {} where {})").format(ident, mine))
    row = found.fetchone()
    if row is None or not row[0]:
        return 0
    with user_triggers_disabled(conn, table):
        return conn.execute(sql.SQL("delete from {} where {}").format(ident, mine)).rowcount
