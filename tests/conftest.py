"""Shared fixtures for pytest-supaseed's own test suite.

Every database test gets a real PostgreSQL: the plugin's own ``supaseed_server`` (embedded by
default, so the suite needs nothing but ``pip install``). ``fresh_db`` gives a test its own empty
database on that server, dropped afterwards.

Each run of the suite gets its own cache root (``SUPASEED_CACHE_DIR``: clusters, the initdb cache),
made here and removed at the end, so the suite never touches the user's real cache (where the
example project's cluster and templates live). xdist workers inherit it from the controller.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

_suite_cache_key = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    """Give this run of the suite its own cache root (not in an xdist worker: it inherits the
    controller's through the environment)."""
    if hasattr(config, "workerinput"):
        return
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK | os.X_OK) else None
    path = Path(tempfile.mkdtemp(prefix="supaseed-suite-cache-", dir=shm))
    os.chmod(path, 0o755)  # the embedded server runs as 'nobody' under root
    config.stash[_suite_cache_key] = path
    os.environ["SUPASEED_CACHE_DIR"] = str(path)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """After the plugin stopped its server: stop whatever a test left running in the suite's
    cache root, then remove it."""
    path = config.stash.get(_suite_cache_key, None)
    if path is None:
        return
    from pytest_supaseed.backends.embedded import reap_orphans, stop_postgres

    reap_orphans(path)
    for state in path.glob("*/*/server.json"):
        pid = json.loads(state.read_text()).get("postgres_pid")
        if pid:
            stop_postgres(int(pid), state.parent / "data")
    shutil.rmtree(path, ignore_errors=True)
    os.environ.pop("SUPASEED_CACHE_DIR", None)


EXAMPLES = Path(__file__).parent / "examples"


def _runs_pytest(item: pytest.Item) -> bool:
    """Tests that start whole pytest runs (pytester projects, all in tests/surface/, and the
    examples): seconds each. Not by a folder name in the path: a checkout may sit in one."""
    return "pytester" in getattr(item, "fixturenames", ()) or item.path.is_relative_to(EXAMPLES)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests first, in pytest-randomly's order among themselves (a stable sort on top of
    its shuffle, as every worker sorts the same): with work stealing (below) an idle worker takes
    the quick tests queued last, so no run ends waiting on one slow test."""
    items.sort(key=lambda item: not _runs_pytest(item))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``-n N`` without ``--dist``: xdist's work-stealing scheduler instead of its default ``load``
    (which hands each worker a fixed first chunk, so slow tests queued together stay together).
    A ``--dist`` given on the command line or in PYTEST_ADDOPTS is kept. Not in pyproject's
    addopts: ``--dist`` there would break ``pytest -p no:xdist``."""
    args = [*config.invocation_params.args, *shlex.split(os.environ.get("PYTEST_ADDOPTS", ""))]
    if config.getoption("dist") != "load" or any(
        str(arg) == "--dist" or str(arg).startswith("--dist=") for arg in args
    ):
        return None
    from xdist.scheduler import WorkStealingScheduling

    return WorkStealingScheduling(config, log)


# pytest plugins of the dev dependencies that no pytest run started by a test here uses, and that
# cost every such run (each pytester project, each of its xdist workers) most of its start-up:
# Hypothesis' plugin imports all of Hypothesis at the end of every run (~0.5 s), Faker's imports
# Faker (~0.3 s; pytest-randomly imports it too where a run keeps randomly), pytest-postgresql
# imports its factories, AnyIO's (httpx's dependency) and platformdirs' import their packages
# (~0.2 s together). The plugin under test, pytest-asyncio, pytest-randomly, xdist and pytest-cov
# stay. A test that needs one of these in its runs passes `-p <name>` (it wins over
# PYTEST_ADDOPTS) or deletes the variable (monkeypatch.delenv("PYTEST_ADDOPTS")).
INNER_RUN_ADDOPTS = (
    "-p no:hypothesispytest -p no:faker -p no:pytest_postgresql -p no:anyio -p no:platformdirs"
)


@pytest.fixture(autouse=True)
def _lean_inner_pytest_runs(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pytest runs a test starts (pytester's, or ``python -m pytest`` with this environment)
    load none of the plugins in INNER_RUN_ADDOPTS. After pytester, which clears PYTEST_ADDOPTS."""
    if "pytester" in request.fixturenames:
        request.getfixturevalue("pytester")
    monkeypatch.setenv("PYTEST_ADDOPTS", INNER_RUN_ADDOPTS)


@pytest.fixture(scope="session")
def suite_cache_dir() -> Path:
    """This run's own cache root (``SUPASEED_CACHE_DIR``), removed at the end of the run."""
    return Path(os.environ["SUPASEED_CACHE_DIR"])


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
