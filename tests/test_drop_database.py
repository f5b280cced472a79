"""lifecycle.drop_database on databases a template flag, a connection ban or a half-done DROP left
in a state plain DROP or ALTER refuse, on the suite's server."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest

from pytest_supaseed.lifecycle.databases import drop_database


def _new(dsn: str) -> str:
    name = f"supaseed_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    return name


def _exists(dsn: str, name: str) -> bool:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return (
            conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone()
            is not None
        )


@pytest.mark.parametrize(
    "state",
    [
        "",  # a plain database
        "update pg_database set datistemplate = true, datallowconn = false where datname = %s",
        # what an interrupted DROP DATABASE leaves: ALTER DATABASE refuses it ("cannot alter
        # invalid database"), DROP finishes it
        "update pg_database set datconnlimit = -2 where datname = %s",
    ],
    ids=["plain", "template-no-connections", "invalid"],
)
def test_drop_database_removes_it_whatever_state_it_is_in(
    supaseed_server: Any, pg_superuser_dsn: str, state: str
) -> None:
    name = _new(pg_superuser_dsn)
    if state:
        with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
            conn.execute(state, (name,))
    drop_database(supaseed_server, name)
    assert not _exists(pg_superuser_dsn, name)
    drop_database(supaseed_server, name)  # gone: a no-op
