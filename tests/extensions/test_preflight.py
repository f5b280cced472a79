"""One answer before anything runs: extensions nobody bundles stop the build before any SQL.

The migrations and seed files are scanned for ``create extension``; what the server cannot
provide is named in one error, with where it is created and the remedies, and the database is
left untouched (no layer, no table of the first migration).
tests/surface/test_extensions_session.py sees the same refusal through a pytest run.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import psycopg
import pytest

from pytest_supaseed.backends.extensions.preflight import created_extensions
from pytest_supaseed.errors import MissingExtensionsError
from pytest_supaseed.lifecycle.base import build_base_database

APPS = Path(__file__).parent / "apps"


def _project(root: Path, migrations: dict[str, str], seed: str | None = None) -> Path:
    folder = root / "supabase" / "migrations"
    folder.mkdir(parents=True)
    for name, text in migrations.items():
        (folder / name).write_text(textwrap.dedent(text))
    if seed is not None:
        (root / "supabase" / "seed.sql").write_text(textwrap.dedent(seed))
    return root


def _untouched(dsn: str) -> bool:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "select count(*) from pg_namespace n join pg_class c on c.relnamespace = n.oid"
            " where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')"
        ).fetchone()
        schemas = conn.execute("select to_regnamespace('auth') is null").fetchone()
    return row == (0,) and schemas == (True,)


def test_extensions_nobody_bundles_fail_before_any_sql_naming_each_and_the_remedies(
    tmp_path: Path, fresh_db: str
) -> None:
    root = _project(
        tmp_path,
        {
            "20240101000000_first.sql": """
                create table public.first_table (id int);
                create extension if not exists pg_cron with schema pg_catalog;
            """,
            "20240102000000_geo.sql": """
                -- create extension commented_out;
                /* create extension also_commented; */
                create extension if not exists postgis with schema extensions;
                CREATE EXTENSION "timescaledb" CASCADE;
            """,
        },
        seed="create extension pg_partman;\n",
    )
    with pytest.raises(MissingExtensionsError) as caught:
        build_base_database(fresh_db, root)
    err = caught.value
    assert list(err.missing) == ["postgis", "timescaledb", "pg_partman"]
    message = str(err)
    assert "postgis (created at supabase/migrations/20240102000000_geo.sql:4)" in message
    assert "timescaledb (created at supabase/migrations/20240102000000_geo.sql:5)" in message
    assert "pg_partman (created at supabase/seed.sql:1)" in message
    assert "commented" not in message
    assert "pg_cron" not in message  # the pack provides it
    assert "nothing was applied" in message
    assert "--supaseed-pg-bin" in message
    assert "--supaseed-backend docker" in message
    assert "--supaseed-backend external" in message
    assert _untouched(fresh_db)


def test_the_vector_app_is_refused_before_any_sql_with_the_pgvector_remedy(fresh_db: str) -> None:
    with pytest.raises(MissingExtensionsError) as caught:
        build_base_database(fresh_db, APPS / "ai_docs_vector")
    assert list(caught.value.missing) == ["vector"]
    assert "apt-get install postgresql-17-pgvector" in str(caught.value)
    assert _untouched(fresh_db)


def test_created_extensions_reads_the_forms_migrations_use(tmp_path: Path) -> None:
    path = tmp_path / "m.sql"
    path.write_text(
        'create extension if not exists "uuid-ossp" with schema extensions;\n'
        "CREATE EXTENSION IF NOT EXISTS pg_net SCHEMA extensions;\n"
        "create extension\n  vector;\n"
        "-- create extension nope;\n"
        "select 'x'; /* create\nextension nope2 */ create extension Citext;\n"
    )
    found = created_extensions([path], tmp_path)
    assert found == {
        "uuid-ossp": ["m.sql:1"],
        "pg_net": ["m.sql:2"],
        "vector": ["m.sql:3"],
        "citext": ["m.sql:7"],
    }
