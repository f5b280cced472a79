"""The external backend: local-only by default, and only supaseed_ databases are touched."""

from __future__ import annotations

import psycopg
import pytest

from pytest_supaseed.backends.base import is_local_host, non_local_hosts
from pytest_supaseed.backends.embedded import port_in_use
from pytest_supaseed.backends.external import check_local, connect_external
from pytest_supaseed.errors import BackendError, ConfigError, UnsafeDatabaseError
from pytest_supaseed.lifecycle.databases import create_database, drop_database

SYSTEM_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("/var/run/postgresql", True),
        ("", True),
        (None, True),
        ("db.example.com", False),
        ("10.0.0.5", False),
        ("db.abcdefgh.supabase.co", False),
        ("2001:db8::1", False),
    ],
)
def test_is_local_host(host: str | None, local: bool) -> None:
    assert is_local_host(host) is local


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://postgres:secret@db.abcdefgh.supabase.co:5432/postgres",
        "host=10.1.1.1 dbname=postgres user=postgres",
        "host=localhost,db.example.com dbname=postgres",
        "host=localhost hostaddr=192.168.1.20 dbname=postgres",
    ],
)
def test_remote_host_is_refused_naming_the_flag(dsn: str) -> None:
    with pytest.raises(UnsafeDatabaseError) as info:
        connect_external(dsn)
    message = str(info.value)
    assert "--supaseed-allow-remote" in message
    assert "secret" not in message, "passwords never appear in messages"
    check_local(dsn, allow_remote=True)  # the flag lifts the refusal


def test_local_unix_socket_and_loopback_dsns_pass() -> None:
    assert non_local_hosts("host=/tmp dbname=x") == []
    assert non_local_hosts("postgresql://u@127.0.0.1:1/x") == []


def test_missing_dsn_says_how_to_give_one() -> None:
    with pytest.raises(ConfigError, match="SUPASEED_DATABASE_URL"):
        connect_external(None)


def test_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(BackendError, match="Cannot connect"):
        connect_external("postgresql://postgres@127.0.0.1:1/postgres")


@pytest.fixture
def system_server() -> str:
    if not port_in_use(5432):
        pytest.skip("no PostgreSQL listens on 127.0.0.1:5432 for the external backend to use")
    return SYSTEM_DSN


def test_external_backend_against_the_server_on_5432(system_server: str) -> None:
    handle = connect_external(system_server.rsplit("/", 1)[0] + "/test")
    assert handle.backend == "external"
    from psycopg.conninfo import conninfo_to_dict

    assert conninfo_to_dict(handle.dsn)["dbname"] == "postgres"
    with psycopg.connect(handle.dsn) as conn:
        assert int(conn.info.server_version) == handle.version_num
    name = "supaseed_external_probe"
    create_database(handle, name)
    try:
        with psycopg.connect(handle.dsn_for(name)) as conn:
            assert conn.execute("select current_database()").fetchone() == (name,)
    finally:
        drop_database(handle, name)
    with pytest.raises(UnsafeDatabaseError):
        drop_database(handle, "test")
    handle.stop()  # not ours: must leave the server running
    with psycopg.connect(handle.dsn) as conn:
        assert conn.execute("select 1").fetchone() == (1,)
