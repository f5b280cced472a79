"""Faults: classification against a real server, retries, and a server restarted mid-seed.

The restart test starts a throwaway cluster of its own (the cached initdb, copied to a temporary
directory) under ``pg_ctl``, seeds 100,000 rows into it in a thread and, once COPY has sent 20,000
of them (``pg_stat_progress_copy``), runs ``pg_ctl restart -m fast``. The seed must finish by
itself, log the retry, and leave exactly the rows of an undisturbed seed.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from dumps import dump

from pytest_supaseed.backends.binaries import PgBinaries, find_binaries, runnable_by
from pytest_supaseed.backends.embedded import (
    RunAs,
    _copy_cluster,
    free_port,
    initdb_cache,
    initdb_password,
    run_as,
)
from pytest_supaseed.errors import ConfigError, TransientDatabaseError
from pytest_supaseed.faults import RetryPolicy, call_with_retries, classify
from pytest_supaseed.seed import SeedResult, seed

SCHEMA = """
create table parents (id serial primary key, name text not null unique);
create table events (
    id bigserial primary key,
    parent_id int not null references parents(id),
    name text not null,
    amount numeric(10,2) not null check (amount > 0),
    created_at timestamptz not null
);
"""
PLAN = {"seed": 3, "tables": {"parents": {"count": 30}, "events": {"count": 100_000}}}


@dataclass
class Cluster:
    """A cluster this test module started with pg_ctl."""

    binaries: PgBinaries
    owner: RunAs | None
    data: Path
    log: Path
    port: int
    password: str

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [self.binaries.tool("pg_ctl"), "-D", str(self.data), "-l", str(self.log), *args],
            check=True,
            capture_output=True,
            **(self.owner.popen_kwargs() if self.owner else {}),
        )

    def dsn(self, dbname: str = "postgres") -> str:
        # the copy keeps the initdb cache's scram-sha-256 password: connect with it, as the plugin
        # does (ServerHandle.dsn)
        return f"postgresql://postgres:{self.password}@127.0.0.1:{self.port}/{dbname}"


@pytest.fixture(scope="module")
def cluster(suite_cache_dir: Path) -> Iterator[Cluster]:
    owner = run_as()
    binaries = find_binaries(None)
    if owner is not None:
        binaries = runnable_by(binaries, owner.uid, owner.gid, suite_cache_dir)
    home = suite_cache_dir / f"restart-{secrets.token_hex(4)}"
    home.mkdir()
    sock = home / "sock"
    sock.mkdir()
    if owner is not None:
        for path in (home, sock):
            path.chmod(0o755)
            os.chown(path, owner.uid, owner.gid)
    cache = initdb_cache(binaries, suite_cache_dir, owner)
    password = initdb_password(cache)
    assert password is not None, f"the initdb cache {cache} has no password file"
    _copy_cluster(cache, home / "data")
    found = Cluster(binaries, owner, home / "data", home / "postgres.log", free_port(), password)
    options = f"-p {found.port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off"
    found.pg_ctl("-o", options, "-w", "start")
    try:
        yield found
    finally:
        found.pg_ctl("-m", "immediate", "-w", "stop")
        shutil.rmtree(home, ignore_errors=True)


def new_database(cluster: Cluster) -> str:
    name = f"db_{secrets.token_hex(4)}"
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        conn.execute(f"create database {name}")
    with psycopg.connect(cluster.dsn(name), autocommit=True) as conn:
        conn.execute(SCHEMA)
    return cluster.dsn(name)


def test_classify_real_server_errors(cluster: Cluster) -> None:
    dsn = new_database(cluster)
    with psycopg.connect(dsn, autocommit=True) as conn:
        with pytest.raises(psycopg.Error) as missing:
            conn.execute("select * from nowhere")
        assert classify(missing.value) == "permanent"  # 42P01: retrying cannot help
        with pytest.raises(psycopg.Error) as check:
            conn.execute("insert into parents (id, name) values (1, 'a'), (1, 'b')")
        assert classify(check.value) == "permanent"  # 23505
        # a lock timeout (55P03) is transient: another session holds the row
        conn.execute("insert into parents (name) values ('locked')")
        with psycopg.connect(dsn) as holder:
            holder.execute("select * from parents for update")
            conn.execute("set lock_timeout = '50ms'")
            with pytest.raises(psycopg.Error) as timeout:
                conn.execute("update parents set name = 'x'")
        assert timeout.value.sqlstate == "55P03"
        assert classify(timeout.value) == "transient"
        # admin shutdown (57P01): the session is terminated under us
    with psycopg.connect(dsn, autocommit=True) as victim, psycopg.connect(dsn) as admin:
        pid = victim.info.backend_pid
        admin.execute("select pg_terminate_backend(%s)", [pid])
        with pytest.raises(psycopg.OperationalError) as terminated:
            victim.execute("select 1")
    assert classify(terminated.value) == "transient"
    # nobody listens on a port: connection refused
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", connect_timeout=2)
    assert classify(refused.value) == "transient"
    group = ExceptionGroup("teardown", [refused.value, terminated.value])
    assert classify(group) == "transient"
    assert classify(ExceptionGroup("teardown", [refused.value, ValueError("bug")])) == "permanent"
    assert classify(ConfigError("bad plan")) == "permanent"
    assert classify(ValueError("bug")) == "permanent"


def test_permanent_faults_fail_at_once_and_transient_ones_give_up_at_the_cap(
    cluster: Cluster, caplog: pytest.LogCaptureFixture
) -> None:
    dsn = new_database(cluster)
    calls: list[int] = []

    def broken(attempt: int) -> None:
        calls.append(attempt)
        with psycopg.connect(dsn) as conn:
            conn.execute("select * from nowhere")

    with pytest.raises(psycopg.errors.UndefinedTable):
        call_with_retries(broken, what="a query", sleep=lambda s: None)
    assert calls == [1]  # not retried
    waits: list[float] = []
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    caplog.set_level(logging.INFO, logger="pytest_supaseed")
    with pytest.raises(TransientDatabaseError, match="gave up after 4 attempts") as gave_up:
        call_with_retries(
            lambda _: psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres"),
            what="connecting",
            policy=RetryPolicy(attempts=4, max_seconds=60),
            sleep=waits.append,
        )
    assert isinstance(gave_up.value.__cause__, psycopg.OperationalError)
    assert waits == [RetryPolicy().wait("connecting", n) for n in (1, 2, 3)]
    assert waits[0] < waits[1] < waits[2]  # exponential
    retries = [r for r in caplog.records if getattr(r, "supaseed", {}).get("event") == "retry"]
    assert [r.supaseed["attempt"] for r in retries] == [1, 2, 3]  # type: ignore[attr-defined]


def test_seed_survives_a_server_restart_with_the_same_rows(
    cluster: Cluster, caplog: pytest.LogCaptureFixture
) -> None:
    reference, target = new_database(cluster), new_database(cluster)
    seed(PLAN, reference, progress=False)
    caplog.set_level(logging.INFO, logger="pytest_supaseed")
    outcome: list[SeedResult | BaseException] = []

    def run() -> None:
        try:
            outcome.append(seed(PLAN, target, progress=False))
        except BaseException as exc:  # handed to the test thread
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    with psycopg.connect(cluster.dsn(), autocommit=True) as watcher:
        while True:
            row = watcher.execute(
                "select tuples_processed from pg_stat_progress_copy where datname = %s",
                [psycopg.conninfo.conninfo_to_dict(target)["dbname"]],
            ).fetchone()
            if row and row[0] >= 20_000:
                break
            assert thread.is_alive(), outcome
            time.sleep(0.005)
    cluster.pg_ctl("-m", "fast", "-w", "restart")
    thread.join(timeout=300)
    assert isinstance(outcome[0], SeedResult), outcome
    assert outcome[0].rows["public.events"] == 100_000
    retries = [r for r in caplog.records if getattr(r, "supaseed", {}).get("event") == "retry"]
    assert retries, "the log shows no retry"
    assert (
        "57P01" in retries[0].supaseed["error"]
        or "OperationalError"
        in (  # type: ignore[attr-defined]
            retries[0].supaseed["error"]  # type: ignore[attr-defined]
        )
    )
    assert dump(target) == dump(reference)
    with psycopg.connect(target) as conn:
        assert conn.execute("select count(*) from events").fetchone() == (100_000,)
