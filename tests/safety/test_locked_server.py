"""The embedded server is locked: another local account cannot connect, over TCP or the socket.

Runs the checks as the unprivileged ``daemon`` account (``runuser``), against the server this test
session started, with the system's ``psql``. Root and the plugin (which reads the 0600 password
file) can connect; nobody else can, and nobody else can read the password or the log.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import psycopg
import pytest

RUNUSER = shutil.which("runuser") or next(
    (p for p in ("/usr/sbin/runuser", "/sbin/runuser") if os.access(p, os.X_OK)), None
)
PSQL = shutil.which("psql")

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or RUNUSER is None or PSQL is None,
    reason="needs root, runuser and psql to act as another local account",
)


@pytest.fixture(scope="module")
def embedded(request: pytest.FixtureRequest) -> Any:
    server = request.getfixturevalue("supaseed_server")
    if server.backend != "embedded":
        pytest.skip("the session's server is not the embedded one")
    return server


def as_daemon(*argv: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PGCONNECT_TIMEOUT": "5", "LC_ALL": "C"}
    if password is not None:
        env["PGPASSWORD"] = password
    assert RUNUSER is not None
    return subprocess.run(
        [RUNUSER, "-u", "daemon", "--", *argv],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=30,
        check=False,
    )


def test_another_account_cannot_connect_over_tcp(embedded: Any) -> None:
    port = embedded.details["port"]
    conninfo = f"host=127.0.0.1 port={port} user=postgres dbname=postgres"
    denied = as_daemon(str(PSQL), "-w", conninfo, "-c", "select 1")
    assert denied.returncode != 0
    assert "no password supplied" in denied.stderr
    guessed = as_daemon(str(PSQL), "-w", conninfo, "-c", "select 1", password="postgres")
    assert guessed.returncode != 0
    assert "password authentication failed" in guessed.stderr
    # control: the plugin's own DSN (password from the 0600 file) does connect
    with psycopg.connect(embedded.dsn) as conn:
        assert conn.execute("select current_user").fetchone() == ("postgres",)


def test_another_account_cannot_reach_the_socket(embedded: Any) -> None:
    sock = Path(embedded.details["socket_dir"])
    port = embedded.details["port"]
    assert stat.S_IMODE(sock.stat().st_mode) == 0o700
    denied = as_daemon(
        str(PSQL), "-w", f"host={sock} port={port} user=postgres dbname=postgres", "-c", "select 1"
    )
    assert denied.returncode != 0
    assert "Permission denied" in denied.stderr
    # root reaches it, and still needs the password there
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(f"host={sock} port={port} user=postgres dbname=postgres").close()
    password = Path(embedded.details["password_file"]).read_text().strip()
    with psycopg.connect(
        host=str(sock), port=port, user="postgres", password=password, dbname="postgres"
    ) as conn:
        assert conn.execute("select 1").fetchone() == (1,)


def test_password_file_and_log_are_private(embedded: Any) -> None:
    for name in ("password_file", "log"):
        path = Path(embedded.details[name])
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
        read = as_daemon("cat", str(path))
        assert read.returncode != 0, name
        assert "Permission denied" in read.stderr, name


def test_no_trust_and_no_replication_rules(embedded: Any) -> None:
    with psycopg.connect(embedded.dsn) as conn:
        rules = conn.execute(
            "select type, database, auth_method from pg_hba_file_rules order by line_number"
        ).fetchall()
        settings = dict(
            conn.execute(
                "select name, setting from pg_settings where name in "
                "('listen_addresses', 'unix_socket_permissions', 'password_encryption')"
            ).fetchall()
        )
    assert rules == [("local", ["all"], "scram-sha-256"), ("host", ["all"], "scram-sha-256")]
    assert settings == {
        "listen_addresses": "127.0.0.1",
        "unix_socket_permissions": "0700",
        "password_encryption": "scram-sha-256",
    }


def test_each_cluster_has_its_own_password(embedded: Any, tmp_path: Path) -> None:
    from pytest_supaseed.backends.embedded import start_embedded

    other = start_embedded(None, tmp_path)
    try:
        mine = Path(embedded.details["password_file"]).read_text().strip()
        theirs = Path(other.details["password_file"]).read_text().strip()
        assert len(mine) >= 40
        assert len(theirs) >= 40
        assert mine != theirs
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(other.dsn.replace(theirs, mine)).close()
    finally:
        other.stop()
        # this project's cluster is a throwaway: do not leave it among the persistent ones
        shutil.rmtree(Path(other.details["data_dir"]).parent, ignore_errors=True)


def test_run_as_a_dedicated_account(monkeypatch: pytest.MonkeyPatch) -> None:
    """SUPASEED_RUN_AS runs the server as another account: its own initdb cache and clusters,
    files owned by it, and another account (daemon) cannot reach its socket."""
    import pwd
    import tempfile

    from pytest_supaseed.backends.embedded import start_embedded

    account = "games"  # an existing system account with no login shell stands in for 'supaseed'
    try:
        entry = pwd.getpwnam(account)
    except KeyError:
        pytest.skip(f"no '{account}' account here")
    shm = Path("/dev/shm")
    cache = Path(tempfile.mkdtemp(prefix="supaseed-runas-", dir=shm if shm.is_dir() else None))
    os.chmod(cache, 0o755)
    monkeypatch.setenv("SUPASEED_CACHE_DIR", str(cache / "cache"))
    monkeypatch.setenv("SUPASEED_RUN_AS", account)
    handle = start_embedded(None, cache / "project")
    try:
        assert handle.details["run_as"] == account
        data = Path(handle.details["data_dir"])
        assert data.stat().st_uid == entry.pw_uid
        assert Path(handle.details["socket_dir"]).stat().st_uid == entry.pw_uid
        assert any(
            p.name.endswith(f"-u{entry.pw_uid}") for p in (cache / "cache" / "initdb").iterdir()
        )
        with psycopg.connect(handle.dsn) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
        pid = int(handle.details["pid"])
        assert os.stat(f"/proc/{pid}").st_uid == entry.pw_uid
        denied = as_daemon(
            str(PSQL),
            "-w",
            f"host={handle.details['socket_dir']} port={handle.details['port']} user=postgres "
            "dbname=postgres",
            "-c",
            "select 1",
        )
        assert denied.returncode != 0
        assert "Permission denied" in denied.stderr
    finally:
        handle.stop()
        shutil.rmtree(cache, ignore_errors=True)
