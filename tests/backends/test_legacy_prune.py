"""Clones named before run tokens, left on a shared server, are pruned once provably abandoned:
unconnected and older than the grace period; a connected or recent one stays."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from pytest_supaseed.lifecycle import leases
from pytest_supaseed.lifecycle.databases import list_databases
from pytest_supaseed.lifecycle.leases import RunLease, prune_server, run_token_of


@pytest.fixture
def legacy(pg_superuser_dsn: str) -> Iterator[list[str]]:
    """Names of old-style clones made by the test (dropped afterwards if still there)."""
    made: list[str] = []
    yield made
    with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
        for name in made:
            conn.execute(
                sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
            )


def _create(dsn: str, name: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))


def test_old_style_names_are_not_run_tokens() -> None:
    lease = RunLease("postgresql://unused", "run-1")
    assert run_token_of(lease.database_name("t", "0123456789abcdef")) == lease.token
    assert run_token_of(lease.database_name("w", "0123456789", "gw0")) == lease.token
    # before run tokens: supaseed_w_<12 hex of the source>_<worker>, supaseed_t_<16 hex>
    assert run_token_of("supaseed_w_0123456789ab_gw0") is None
    assert run_token_of("supaseed_t_0123456789abcdef") is None


def test_abandoned_old_clones_are_pruned_live_ones_kept(
    pg_superuser_dsn: str, legacy: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = f"supaseed_t_{uuid.uuid4().hex[:16]}"
    connected = f"supaseed_w_{uuid.uuid4().hex[:12]}_gw0"
    legacy += [gone, connected]
    for name in legacy:
        _create(pg_superuser_dsn, name)
    # recent: kept whatever else holds
    assert prune_server(pg_superuser_dsn, names=legacy) == []
    monkeypatch.setattr(leases, "LEGACY_GRACE_SECONDS", 0.0)
    with psycopg.connect(make_conninfo(pg_superuser_dsn, dbname=connected)) as user:
        # an old-version run still connected to its worker clone: kept
        assert prune_server(pg_superuser_dsn, names=legacy) == [gone]
        assert user.execute("select 1").fetchone() == (1,)
    assert set(list_databases(pg_superuser_dsn)) & set(legacy) == {connected}
    # once nobody is connected, it goes too
    assert prune_server(pg_superuser_dsn, names=legacy) == [connected]
