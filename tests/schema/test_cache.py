"""Introspection is cached per catalog fingerprint: reused while the schema is the same (and by the
clones of a database), read again after any DDL."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo

from pytest_supaseed.schema.cache import catalog_fingerprint, introspect_cached
from pytest_supaseed.schema.introspect import introspect


def test_same_catalogs_same_schema_object(fresh_conn: psycopg.Connection[Any]) -> None:
    fresh_conn.execute("create table items (id int primary key, name text not null)")
    first = introspect_cached(fresh_conn)
    fresh_conn.execute("insert into items values (1, 'a')")  # rows are not schema
    fresh_conn.execute("analyze items")  # in-place catalog update: not schema either
    assert introspect_cached(fresh_conn) is first
    assert first == introspect(fresh_conn)
    assert fresh_conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE


def test_ddl_is_seen(fresh_conn: psycopg.Connection[Any]) -> None:
    fresh_conn.execute("create table items (id int primary key)")
    before = introspect_cached(fresh_conn)
    steps = [
        ("alter table items add column price numeric(8,2)", "price"),
        ("alter table items alter column price set not null", None),
        ("comment on table items is 'things'", None),
        ("alter table items add constraint positive check (price > 0)", None),
        ("create schema extra", None),
        ("comment on schema public is 'app'", None),
    ]
    for ddl, new_column in steps:
        fingerprint = catalog_fingerprint(fresh_conn)
        fresh_conn.execute(ddl)
        assert catalog_fingerprint(fresh_conn) != fingerprint, ddl
        after = introspect_cached(fresh_conn)
        assert after is not before, ddl
        assert after == introspect(fresh_conn), ddl
        if new_column:
            assert new_column in [c.name for c in after.tables["public.items"].columns]
        before = after


def test_clones_share_the_introspection(
    fresh_conn: psycopg.Connection[Any], fresh_db: str, pg_superuser_dsn: str
) -> None:
    fresh_conn.execute("create table items (id int primary key, tags text[])")
    base = introspect_cached(fresh_conn)
    name = fresh_conn.info.dbname
    fresh_conn.close()  # a template must have no other session
    clone = f"{name}_clone"
    with psycopg.connect(pg_superuser_dsn, autocommit=True) as admin:
        admin.execute(f'create database "{clone}" template "{name}"')
    try:
        with psycopg.connect(make_conninfo(fresh_db, dbname=clone), autocommit=True) as conn:
            assert introspect_cached(conn) is base
            conn.execute("alter table items add column note text")
            assert "note" in [
                c.name for c in introspect_cached(conn).tables["public.items"].columns
            ]
    finally:
        with psycopg.connect(pg_superuser_dsn, autocommit=True) as admin:
            admin.execute(f'drop database if exists "{clone}" with (force)')
