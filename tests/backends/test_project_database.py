"""project_database(): the base database (Supabase layer + migrations) outside pytest, as the CLI uses it."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from pytest_supaseed.backends.embedded import port_in_use
from pytest_supaseed.lifecycle.base import base_database_name, project_database
from pytest_supaseed.lifecycle.databases import drop_database, list_databases


def _project(root: Path, sql: str = "create table public.things (id int);\n") -> Path:
    folder = root / "supabase" / "migrations"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "20240101000000_things.sql").write_text(sql)
    return root


def test_on_a_new_embedded_server(cache_dir: Path, tmp_path: Path) -> None:
    root = _project(tmp_path)
    with project_database(root) as dsn:
        with psycopg.connect(dsn) as conn:
            assert conn.execute("select to_regclass('public.things') is not null").fetchone() == (
                True,
            )
            assert conn.execute("select to_regclass('auth.users') is not null").fetchone() == (
                True,
            )
            name = conn.execute("select current_database()").fetchone()
        assert name == (base_database_name(root),)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(dsn, connect_timeout=2).close()


def test_name_follows_the_migrations(tmp_path: Path) -> None:
    root = _project(tmp_path)
    before = base_database_name(root)
    assert before == base_database_name(root)
    _project(tmp_path, "create table public.things (id bigint);\n")
    assert base_database_name(root) != before
    assert base_database_name(root).startswith("supaseed_base_")


def test_on_an_external_server(tmp_path: Path) -> None:
    if not port_in_use(5432):
        pytest.skip("no PostgreSQL listens on 127.0.0.1:5432")
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    root = _project(tmp_path, f"create table public.ext_{tmp_path.name[-6:].lower()} (id int);\n")
    name = base_database_name(root)
    try:
        with project_database(root, dsn=admin) as dsn, psycopg.connect(dsn) as conn:
            assert conn.execute("select current_database()").fetchone() == (name,)
        assert name in list_databases(admin), "built once, kept for the next run"
        with psycopg.connect(admin) as conn:
            assert conn.execute("select 1").fetchone() == (1,), "the external server keeps running"
    finally:
        drop_database(admin, name)
