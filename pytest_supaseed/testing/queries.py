"""The testing helpers' own queries, read as plain tuples.

A test may give the helpers a connection whose row factory makes dicts or named tuples
(``psycopg.connect(..., row_factory=dict_row)``); the helpers unpack their rows by position, so
they read them through a cursor of their own with psycopg's ``tuple_row``.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import tuple_row

__all__ = ["tuple_rows"]


def tuple_rows(
    conn: psycopg.Connection[Any],
    query: sql.SQL | sql.Composed | str,
    params: Any = None,
) -> psycopg.Cursor[tuple[Any, ...]]:
    """``query`` run on a cursor of plain tuples, whatever row factory ``conn`` has."""
    return conn.cursor(row_factory=tuple_row).execute(query, params)
