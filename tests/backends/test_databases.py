"""create / clone / drop with the prefix guard, and build-once ensure_database, on a real server."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from pytest_supaseed.errors import UnsafeDatabaseError
from pytest_supaseed.lifecycle.databases import (
    AdminSession,
    check_name,
    clone_database,
    create_database,
    database_exists,
    database_metadata,
    drop_database,
    ensure_database,
    list_databases,
)


@pytest.fixture
def name(pg_superuser_dsn: str) -> Iterator[str]:
    """A unique supaseed_ database name, dropped (with its temp twin) after the test."""
    value = f"supaseed_dbtest_{uuid.uuid4().hex[:10]}"
    yield value
    for leftover in list_databases(pg_superuser_dsn, value):
        drop_database(pg_superuser_dsn, leftover)


@pytest.mark.parametrize(
    "bad", ["postgres", "test", "myapp_supaseed_x", "Supaseed_x", "supaseed_x;drop"]
)
def test_refuses_names_without_the_prefix(pg_superuser_dsn: str, bad: str) -> None:
    with pytest.raises(UnsafeDatabaseError, match="supaseed_"):
        check_name(bad)
    with pytest.raises(UnsafeDatabaseError):
        drop_database(pg_superuser_dsn, bad)
    with pytest.raises(UnsafeDatabaseError):
        create_database(pg_superuser_dsn, bad)


def test_drop_refuses_even_existing_foreign_databases(pg_superuser_dsn: str) -> None:
    with pytest.raises(UnsafeDatabaseError):
        drop_database(pg_superuser_dsn, "postgres")
    assert database_exists(pg_superuser_dsn, "postgres")


def test_clone_copies_content_while_template_is_in_use(pg_superuser_dsn: str, name: str) -> None:
    source_dsn = create_database(pg_superuser_dsn, name + "_src")
    with psycopg.connect(source_dsn, autocommit=True) as conn:
        conn.execute("create table t (v text)")
        conn.execute("insert into t values ('hello')")
        # Still connected after the server's 5 s wait: clone terminates this session rather than fail.
        clone_dsn = clone_database(pg_superuser_dsn, name + "_src", name + "_copy")
    with psycopg.connect(clone_dsn) as conn:
        assert conn.execute("select v from t").fetchall() == [("hello",)]
    # Cloning again over an existing clone replaces it.
    with psycopg.connect(clone_dsn, autocommit=True) as conn:
        conn.execute("insert into t values ('extra')")
    clone_database(pg_superuser_dsn, name + "_src", name + "_copy")
    with psycopg.connect(clone_dsn) as conn:
        assert conn.execute("select count(*) from t").fetchone() == (1,)


def test_clone_waits_for_a_peer_that_leaves_the_template_instead_of_cutting_it_off(
    pg_superuser_dsn: str, name: str
) -> None:
    """Another run sharing the server connects to a shared base database for a moment (its plan
    check): a clone made meanwhile waits for it to leave; the peer's session is not terminated."""
    import threading
    import time

    source_dsn = create_database(pg_superuser_dsn, name + "_src")
    peer = psycopg.connect(source_dsn, autocommit=True)
    peer.execute("select 1")

    def leave_soon() -> None:
        time.sleep(0.5)
        assert peer.execute("select 42").fetchone() == (42,)  # still alive: not terminated
        peer.close()

    leaving = threading.Thread(target=leave_soon)
    leaving.start()
    clone_dsn = clone_database(pg_superuser_dsn, name + "_src", name + "_copy")
    leaving.join()
    assert peer.closed
    with psycopg.connect(clone_dsn) as conn:
        assert conn.execute("select 1").fetchone() == (1,)


def test_ensure_builds_once_then_reuses(pg_superuser_dsn: str, name: str) -> None:
    calls: list[str] = []

    def build(dsn: str) -> None:
        calls.append(dsn)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("create table built (n int)")

    dsn = ensure_database(pg_superuser_dsn, name, build)
    again = ensure_database(pg_superuser_dsn, name, build)
    assert dsn == again
    assert len(calls) == 1
    assert name not in calls[0], "the build runs under a temporary name"
    with psycopg.connect(dsn) as conn:
        assert conn.execute("select count(*) from built").fetchone() == (0,)
    ensure_database(pg_superuser_dsn, name, build, rebuild=True)
    assert len(calls) == 2


def test_failed_build_leaves_nothing_behind(pg_superuser_dsn: str, name: str) -> None:
    def build(dsn: str) -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("create table half (n int)")
        raise RuntimeError("crash in the middle of a build")

    with pytest.raises(RuntimeError, match="crash"):
        ensure_database(pg_superuser_dsn, name, build)
    assert not database_exists(pg_superuser_dsn, name)
    assert list_databases(pg_superuser_dsn, "supaseed_tmp_") == [] or all(
        not n.endswith(name) for n in list_databases(pg_superuser_dsn, "supaseed_tmp_")
    )
    # The next attempt builds cleanly.
    ensure_database(pg_superuser_dsn, name, lambda dsn: None)
    assert database_exists(pg_superuser_dsn, name)


def test_concurrent_callers_build_once(pg_superuser_dsn: str, name: str) -> None:
    calls: list[int] = []
    lock = threading.Lock()

    def build(dsn: str) -> None:
        with lock:
            calls.append(1)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("select pg_sleep(0.2)")

    results: list[str] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(ensure_database(pg_superuser_dsn, name, build))
        )
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert len(set(results)) == 1
    assert len(results) == 3


def test_ensure_from_template(pg_superuser_dsn: str, name: str) -> None:
    base_dsn = create_database(pg_superuser_dsn, name + "_base")
    with psycopg.connect(base_dsn, autocommit=True) as conn:
        conn.execute("create table base_table (n int)")

    def build(dsn: str) -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("insert into base_table values (42)")

    dsn = ensure_database(pg_superuser_dsn, name + "_tpl", build, template=name + "_base")
    with psycopg.connect(dsn) as conn:
        assert conn.execute("select n from base_table").fetchall() == [(42,)]


def test_rebuild_token_rebuilds_once_per_token(pg_superuser_dsn: str, name: str) -> None:
    calls: list[str] = []

    def build(dsn: str) -> None:
        calls.append(dsn)

    ensure_database(pg_superuser_dsn, name, build)
    # A new run (token) rebuilds once; its other workers (same token) reuse that build.
    for _worker in range(3):
        ensure_database(pg_superuser_dsn, name, build, rebuild_token="run-1")
    assert len(calls) == 2
    ensure_database(pg_superuser_dsn, name, build, rebuild_token="run-2")
    ensure_database(pg_superuser_dsn, name, build, rebuild_token="run-2")
    assert len(calls) == 3
    ensure_database(pg_superuser_dsn, name, build)  # no token: whatever exists is reused
    assert len(calls) == 3


def test_clone_keeps_database_settings(pg_superuser_dsn: str, name: str) -> None:
    """CREATE DATABASE ... TEMPLATE drops ALTER DATABASE ... SET; a clone must keep them (the
    Supabase layer's search_path with ``extensions`` is one)."""
    create_database(pg_superuser_dsn, name)
    source = psycopg.conninfo.make_conninfo(pg_superuser_dsn, dbname=name)
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("create schema extensions")
        conn.execute("create function extensions.answer() returns int language sql as 'select 42'")
        conn.execute(f'alter database "{name}" set search_path = "$user", public, extensions')
        conn.execute(f"alter database \"{name}\" set application_name = 'two words'")
    clone = clone_database(pg_superuser_dsn, name, name + "_c")
    with psycopg.connect(clone) as conn:
        assert conn.execute("select answer()").fetchone() == (42,)
        assert conn.execute("show search_path").fetchone() == ('"$user", public, extensions',)
        assert conn.execute("show application_name").fetchone() == ("two words",)


def test_metadata_merges_and_survives_rename(pg_superuser_dsn: str, name: str) -> None:
    from pytest_supaseed.lifecycle.databases import database_metadata, write_metadata

    assert database_metadata(pg_superuser_dsn, name) is None
    create_database(pg_superuser_dsn, name)
    assert database_metadata(pg_superuser_dsn, name) == {}
    with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
        write_metadata(conn, name, {"rows": {"public.t": 3}})
        write_metadata(conn, name, {"build_token": "run-1"})
        conn.execute(f'alter database "{name}" rename to "{name}_r"')
    assert database_metadata(pg_superuser_dsn, name + "_r") == {
        "rows": {"public.t": 3},
        "build_token": "run-1",
    }


def test_prune_keeps_what_is_in_use_and_the_newest(cache_dir: object, tmp_path: object) -> None:
    """On a server of its own (pruning looks at every supaseed_* database of a server)."""
    from pathlib import Path

    from pytest_supaseed.backends.embedded import start_embedded
    from pytest_supaseed.lifecycle.databases import prune_databases, write_metadata

    server = start_embedded(None, Path(str(tmp_path)))
    try:
        cached = ["supaseed_tpl_a", "supaseed_tpl_b", "supaseed_tpl_c", "supaseed_base_x"]
        cached.append("supaseed_base_y")
        with psycopg.connect(server.dsn, autocommit=True) as conn:
            for age, name in enumerate(cached):
                conn.execute(f'create database "{name}"')
                write_metadata(conn, name, {"built_at": float(age)})
            for name in ("supaseed_w_leftover_gw0", "supaseed_tmp_half", "supaseed_cli_1"):
                conn.execute(f'create database "{name}"')
        dropped = prune_databases(
            server, in_use={"supaseed_tpl_a", "supaseed_base_x"}, keep_newest=1
        )
        assert sorted(dropped) == ["supaseed_tmp_half", "supaseed_tpl_b", "supaseed_w_leftover_gw0"]
        assert set(list_databases(server)) == {
            "supaseed_tpl_a",  # in use, though the oldest
            "supaseed_tpl_c",  # the newest not in use
            "supaseed_base_x",
            "supaseed_base_y",
            "supaseed_cli_1",  # seeded on request by the CLI: never pruned
        }
    finally:
        server.stop()


def _backend_pid(session: AdminSession) -> int:
    with session.borrow() as conn:
        row = conn.execute("select pg_backend_pid()").fetchone()
    assert row is not None
    return int(row[0])


def _sessions_of_this_test(admin_dsn: str, application_name: str) -> int:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        row = conn.execute(
            "select count(*) from pg_stat_activity where application_name = %s",
            (application_name,),
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_an_admin_session_clones_drops_and_reads_on_one_connection(
    pg_superuser_dsn: str, name: str
) -> None:
    tag = f"supaseed-admin-{uuid.uuid4().hex[:8]}"
    session = AdminSession(make_conninfo(pg_superuser_dsn, application_name=tag))
    try:
        create_database(session, name + "_src")
        first = _backend_pid(session)
        clone_database(session, name + "_src", name + "_a")
        clone_database(session, name + "_src", name + "_b")
        ensure_database(session, name + "_c", lambda dsn: None, template=name + "_src")
        assert database_metadata(session, name + "_c") is not None
        drop_database(session, name + "_a")
        assert database_exists(session, name + "_b")
        assert not database_exists(session, name + "_a")
        assert _backend_pid(session) == first
        assert _sessions_of_this_test(pg_superuser_dsn, tag) == 1
    finally:
        session.close()
    assert _sessions_of_this_test(pg_superuser_dsn, tag) == 0


def test_an_admin_session_drops_a_connection_whose_block_failed_with_its_lock(
    pg_superuser_dsn: str,
) -> None:
    session = AdminSession(pg_superuser_dsn)
    key = int(uuid.uuid4().int % 2**62)
    try:
        first = _backend_pid(session)

        def hold_the_lock_then_fail() -> None:
            with session.borrow() as conn:
                conn.execute("select pg_advisory_lock(%s)", (key,))
                raise RuntimeError("interrupted while holding the lock")

        with pytest.raises(RuntimeError, match="interrupted"):
            hold_the_lock_then_fail()
        # the lock went with the connection: another session takes it at once
        with psycopg.connect(pg_superuser_dsn, autocommit=True) as other:
            assert other.execute("select pg_try_advisory_lock(%s)", (key,)).fetchone() == (True,)
        assert _backend_pid(session) != first
        # a block that leaves a transaction open does not hand it to the next one
        second = _backend_pid(session)
        with session.borrow() as conn:
            conn.execute("begin")
        assert _backend_pid(session) != second
    finally:
        session.close()


def test_an_admin_session_replaces_a_connection_the_server_ended(pg_superuser_dsn: str) -> None:
    session = AdminSession(pg_superuser_dsn)
    try:
        first = _backend_pid(session)
        with psycopg.connect(pg_superuser_dsn, autocommit=True) as other:
            other.execute("select pg_terminate_backend(%s)", (first,))
            # the server writes its farewell before the backend exits: wait for it to be gone
            for _ in range(200):
                gone = other.execute(
                    "select not exists (select 1 from pg_stat_activity where pid = %s)", (first,)
                ).fetchone()
                if gone == (True,):
                    break
                time.sleep(0.01)
        assert _backend_pid(session) != first  # no "terminating connection" error
    finally:
        session.close()
