"""Run leases on a real server: a live run's databases survive another run's pruning; a dead run's
do not; a shared database held by a live run is never dropped, and a prune in progress makes a
newcomer wait."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from pytest_supaseed.lifecycle.databases import (
    create_database,
    database_exists,
    drop_database,
    list_databases,
)
from pytest_supaseed.lifecycle.leases import (
    RunLease,
    cache_in_use,
    prune_server,
    run_alive,
    run_token,
    run_token_of,
)


@pytest.fixture
def made(pg_superuser_dsn: str) -> Iterator[list[str]]:
    """Names the test creates; whatever is left is dropped afterwards."""
    names: list[str] = []
    yield names
    for name in names:
        drop_database(pg_superuser_dsn, name)


def test_run_token_is_in_the_names_and_read_back() -> None:
    lease = RunLease("postgresql://unused", "run-a")
    name = lease.database_name("w", "0123456789", "gw0")
    assert name == f"supaseed_w_{run_token('run-a')}_0123456789_gw0"
    assert run_token_of(name) == run_token("run-a")
    assert run_token_of("supaseed_tpl_0123456789abcdef") is None
    assert run_token("run-a") != run_token("run-b")


def test_a_live_runs_databases_survive_and_a_dead_runs_are_dropped(
    pg_superuser_dsn: str, made: list[str]
) -> None:
    live = RunLease(pg_superuser_dsn, uuid.uuid4().hex)
    dead = RunLease(pg_superuser_dsn, uuid.uuid4().hex)
    with live:
        with dead:
            mine = live.database_name("w", "aaaaaaaaaa", "gw0")
            theirs = dead.database_name("t", "bbbbbbbbbbbbbbbb")
            made += [mine, theirs]
            create_database(pg_superuser_dsn, mine)
            create_database(pg_superuser_dsn, theirs)
            with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
                assert run_alive(conn, live.token)
                assert run_alive(conn, dead.token)
            # While both live, a prune from a third party drops neither.
            dropped = prune_server(pg_superuser_dsn)
            assert mine not in dropped
            assert theirs not in dropped
        # `dead` ended (its connection closed): its database goes, the live run's stays.
        with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
            assert not run_alive(conn, dead.token)
            assert run_alive(conn, live.token)
        dropped = prune_server(pg_superuser_dsn)
        assert theirs in dropped
        assert database_exists(pg_superuser_dsn, mine)
        assert not database_exists(pg_superuser_dsn, theirs)
    assert mine in prune_server(pg_superuser_dsn)


def test_shared_database_held_by_a_live_run_is_kept(pg_superuser_dsn: str, made: list[str]) -> None:
    tag = uuid.uuid4().hex[:12]
    held, idle = f"supaseed_tpl_{tag}a", f"supaseed_tpl_{tag}b"
    made += [held, idle]
    for name in (held, idle):
        create_database(pg_superuser_dsn, name)
    with RunLease(pg_superuser_dsn, uuid.uuid4().hex) as lease:
        lease.hold(held)
        with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
            assert cache_in_use(conn, held)
            assert not cache_in_use(conn, idle)
        # keep_newest=0: every cached database is a candidate; only the unheld one goes.
        dropped = prune_server(pg_superuser_dsn, keep_newest=0, names=[held, idle])
        assert idle in dropped
        assert held not in dropped
        assert list_databases(pg_superuser_dsn, f"supaseed_tpl_{tag}") == [held]


def test_a_run_arriving_during_a_prune_waits_for_it(pg_superuser_dsn: str) -> None:
    """The pruner holds the exclusive lock while it drops: hold() blocks until it is released."""
    from pytest_supaseed.lifecycle.leases import cache_key

    name = f"supaseed_tpl_{uuid.uuid4().hex[:16]}"
    order: list[str] = []
    with psycopg.connect(pg_superuser_dsn, autocommit=True) as pruner:
        pruner.execute("select pg_advisory_lock(%s)", (cache_key(name),))

        def arrive() -> None:
            with RunLease(pg_superuser_dsn, uuid.uuid4().hex) as lease:
                lease.hold(name)
                order.append("held")

        thread = threading.Thread(target=arrive)
        thread.start()
        time.sleep(0.5)
        order.append("pruned")
        pruner.execute("select pg_advisory_unlock(%s)", (cache_key(name),))
        thread.join(timeout=30)
    assert order == ["pruned", "held"]


def test_half_built_temporary_is_dropped_only_when_its_build_lock_is_free(
    pg_superuser_dsn: str, made: list[str]
) -> None:
    from pytest_supaseed.lifecycle.databases import build_lock_key

    temp = f"supaseed_tmp_{uuid.uuid4().hex[:16]}"
    made.append(temp)
    create_database(pg_superuser_dsn, temp)
    with psycopg.connect(pg_superuser_dsn, autocommit=True) as builder:
        builder.execute("select pg_advisory_lock(%s)", (build_lock_key(temp),))
        assert temp not in prune_server(pg_superuser_dsn)
    assert temp in prune_server(pg_superuser_dsn)
