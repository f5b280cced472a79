"""Shared fixtures for pytest-supaseed's own test suite.

Every database test gets a real PostgreSQL: the plugin's own ``supaseed_server`` (embedded by
default, so the suite needs nothing but ``pip install``). ``fresh_db`` gives a test its own empty
database on that server, dropped afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg.conninfo import make_conninfo


@pytest.fixture(scope="session")
def pg_superuser_dsn(request: pytest.FixtureRequest) -> str:
    """Superuser DSN (maintenance database) of the server the project's own tests use."""
    server = request.getfixturevalue("supaseed_server")
    return str(server.dsn)


def _create_db(superuser_dsn: str, prefix: str) -> str:
    name = f"supaseed_{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(superuser_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def _drop_db(superuser_dsn: str, name: str) -> None:
    with psycopg.connect(superuser_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_db(pg_superuser_dsn: str) -> Iterator[str]:
    """DSN of a new, empty database on the test server; dropped after the test."""
    name = _create_db(pg_superuser_dsn, "t")
    try:
        yield make_conninfo(pg_superuser_dsn, dbname=name)
    finally:
        _drop_db(pg_superuser_dsn, name)


@pytest.fixture
def fresh_conn(fresh_db: str) -> Iterator[psycopg.Connection]:
    """An autocommit connection to ``fresh_db``."""
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        yield conn


@pytest.fixture
def supabase_db(fresh_db: str) -> str:
    """DSN of a new database with the Supabase compatibility layer installed."""
    from pytest_supaseed.backends.supabase import install_supabase_layer

    with psycopg.connect(fresh_db, autocommit=True) as conn:
        install_supabase_layer(conn)
    return fresh_db


@pytest.fixture
def supabase_conn(supabase_db: str) -> Iterator[psycopg.Connection]:
    """An autocommit connection to ``supabase_db``."""
    with psycopg.connect(supabase_db, autocommit=True) as conn:
        yield conn
