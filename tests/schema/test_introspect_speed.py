"""The 500-table budget: a fixed number of catalog queries, whatever the table count."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest

from pytest_supaseed.schema import introspect

_BENCH = Path(__file__).parents[2] / "bench" / "schema_introspect.py"
_introspect_module = sys.modules["pytest_supaseed.schema.introspect"]


def _schema_sql(tables: int) -> str:
    """The DDL bench/schema_introspect.py measures (one source for the test and the bench)."""
    spec = importlib.util.spec_from_file_location("supaseed_bench_schema_introspect", _BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.schema_sql(tables))


def _queries(conn: psycopg.Connection, monkeypatch: pytest.MonkeyPatch) -> int:
    count = 0
    rows = _introspect_module._Reader.rows

    def counting(self: Any, sql: str, params: dict[str, Any] | None = None) -> Any:
        nonlocal count
        count += 1
        return rows(self, sql, params)

    with monkeypatch.context() as m:
        m.setattr(_introspect_module._Reader, "rows", counting)
        introspect(conn)
    return count


def test_query_count_does_not_grow_with_the_table_count(
    fresh_conn: psycopg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    with fresh_conn.transaction():
        fresh_conn.execute(_schema_sql(20))
    small = _queries(fresh_conn, monkeypatch)
    with fresh_conn.transaction():
        fresh_conn.execute("drop schema public cascade; create schema public")
        fresh_conn.execute(_schema_sql(500))
    assert _queries(fresh_conn, monkeypatch) == small
    assert small < 25  # one per catalog, plus search_path / version / scope


def test_500_tables_introspected_whole(fresh_conn: psycopg.Connection) -> None:
    """Every table and foreign key of the 500-table schema; its time is bench/schema_introspect.py's
    to measure (tests never assert wall times: they fail on a loaded machine, not on slow code)."""
    with fresh_conn.transaction():
        fresh_conn.execute(_schema_sql(500))
    schema = introspect(fresh_conn)
    assert len(schema.tables) == 500
    assert sum(len(t.foreign_keys) for t in schema.tables.values()) == 571
    assert introspect(fresh_conn) == schema  # a second read gives the same model
