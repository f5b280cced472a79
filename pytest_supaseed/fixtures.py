"""The fixtures users see, in layers: server ▸ base database ▸ worker clone ▸ test transaction.

Each layer is a small session fixture a project may override in its ``conftest.py`` (as with
pytest-django), and a plain function below that the marker/template layer reuses.
Nothing heavy is imported at module level: the ``pytest11`` entry point imports this module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

import pytest

if TYPE_CHECKING:
    import psycopg

    from .backends.base import ServerHandle
    from .settings import Settings

__all__ = [
    "ReusedConnection",
    "supaseed_base_database",
    "supaseed_db",
    "supaseed_dsn",
    "supaseed_run_id",
    "supaseed_server",
    "supaseed_settings",
    "supaseed_worker_id",
    "test_transaction",
    "worker_database",
    "worker_database_name",
]


def worker_database_name(source: str, worker_id: str) -> str:
    """``supaseed_w_<hash of source>_<worker>``: the clone of ``source`` one xdist worker uses."""
    digest = hashlib.sha256(source.encode()).hexdigest()[:12]
    worker = "".join(ch for ch in worker_id.lower() if ch.isalnum() or ch == "_")[:30] or "main"
    return f"supaseed_w_{digest}_{worker}"


@contextmanager
def worker_database(
    server: ServerHandle, source: str, worker_id: str, *, keep: bool = False
) -> Iterator[str]:
    """Clone database ``source`` for ``worker_id``; yield the clone's DSN; drop it after (unless ``keep``)."""
    from .databases import clone_database, drop_database

    name = worker_database_name(source, worker_id)
    dsn = clone_database(server, source, name)
    try:
        yield dsn
    finally:
        if not keep:
            drop_database(server, name)


class ReusedConnection:
    """One connection to a database, handed to test after test and reset in between.

    Opening a connection costs milliseconds; resetting one costs a ROLLBACK and a ``DISCARD ALL``
    (which also clears what a rollback does not: prepared statements, advisory locks, session
    settings). A connection the test closed, broke or left in a transaction is replaced.
    """

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._conn: psycopg.Connection | None = None

    def acquire(self) -> psycopg.Connection:
        """A live autocommit connection (a new one if the last was closed or discarded)."""
        import psycopg

        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self.dsn, autocommit=True)
        return self._conn

    def release(self) -> None:
        """Reset the connection for the next test, or drop it when it cannot be trusted."""
        import psycopg
        from psycopg.pq import TransactionStatus
        from psycopg.rows import tuple_row

        conn = self._conn
        if conn is None or conn.closed:
            self._conn = None
            return
        try:
            if (
                conn.broken
                or not conn.autocommit
                or conn.info.transaction_status != TransactionStatus.IDLE
            ):
                raise psycopg.InterfaceError("connection left in an unusable state")
            conn.execute("discard all")
            conn.row_factory = tuple_row
        except psycopg.Error:
            conn.close()
            self._conn = None

    def close(self) -> None:
        """Close the connection for good."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


@contextmanager
def test_transaction(target: str | ReusedConnection) -> Iterator[psycopg.Connection]:
    """A connection (new for a DSN, reused for a :class:`ReusedConnection`) inside a transaction
    that is always rolled back.

    ``conn.transaction()`` inside it makes savepoints; ``conn.commit()`` raises, because a commit
    would let a test's rows reach the next test.
    """
    import psycopg

    slot = ReusedConnection(target) if isinstance(target, str) else target
    conn = slot.acquire()
    try:
        tx = conn.transaction(force_rollback=True)
        tx.__enter__()
        try:
            yield conn
        finally:
            if not conn.closed:
                try:
                    tx.__exit__(None, None, None)
                except psycopg.Error:
                    conn.close()  # broken during the test; closing rolls back server-side
    finally:
        slot.release()
        if isinstance(target, str):
            slot.close()


test_transaction.__test__ = False  # type: ignore[attr-defined]  # not a test despite its name


def _fail_with(exc: BaseException) -> NoReturn:
    """Report one of our errors as its message only: it already says where and what to do."""
    __tracebackhide__ = True
    pytest.fail(f"{type(exc).__name__}: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def supaseed_settings(pytestconfig: pytest.Config) -> Settings:
    """The resolved ``--supaseed-*`` options of this run (CLI, then env, then ini, then default)."""
    from .plugin import get_server_slot

    return get_server_slot(pytestconfig).settings


@pytest.fixture(scope="session")
def supaseed_server(pytestconfig: pytest.Config) -> ServerHandle:
    """The PostgreSQL server of this run (one per run, shared by xdist workers): a ServerHandle.

    ``.dsn`` is a superuser DSN of the maintenance database ``postgres``, ``.dsn_for(name)`` of any
    other; ``.backend`` and ``.version_num`` say what it is. The embedded backend starts it on first
    use and stops it at the end of the run. With the docker backend and no Docker engine, tests
    that use it are skipped (an error instead when env CI is set).
    """
    __tracebackhide__ = True
    from .backends.docker import docker_required_in_ci
    from .errors import DockerUnavailableError, SupaseedError
    from .plugin import get_server_slot

    slot = get_server_slot(pytestconfig)
    try:
        return slot.get()
    except DockerUnavailableError as exc:
        if not docker_required_in_ci(slot.settings.backend):
            pytest.skip(str(exc).splitlines()[0])
        error: SupaseedError = exc
    except SupaseedError as exc:
        error = exc
    # Outside the except block, so that the report is the message alone, without a chain.
    _fail_with(error)


@pytest.fixture(scope="session")
def supaseed_run_id(request: pytest.FixtureRequest) -> str:
    """An id of this test run, the same in every xdist worker (e.g. a ``rebuild_token``)."""
    workerinput = getattr(request.config, "workerinput", None)
    if workerinput and workerinput.get("testrunuid"):
        return str(workerinput["testrunuid"])
    import uuid

    return uuid.uuid4().hex


@pytest.fixture(scope="session")
def supaseed_worker_id(request: pytest.FixtureRequest) -> str:
    """The xdist worker id (``gw0``, ``gw1``, ...) or ``main`` without xdist."""
    workerinput = getattr(request.config, "workerinput", None)
    return str(workerinput["workerid"]) if workerinput else "main"


@pytest.fixture(scope="session")
def supaseed_base_database(supaseed_server: ServerHandle, supaseed_settings: Settings) -> str:
    """Name of the base database: Supabase layer + the project's migrations and seed files.

    Built once (under an advisory lock) and reused while the layer, the migration and seed files
    and the plugin version stay the same.
    """
    __tracebackhide__ = True
    from .backends import ensure_base_database
    from .errors import SupaseedError

    try:
        return ensure_base_database(
            supaseed_server, supaseed_settings.rootdir, supaseed_settings.migrations
        )
    except SupaseedError as exc:
        error = exc
    _fail_with(error)


@pytest.fixture(scope="session")
def supaseed_dsn(
    supaseed_server: ServerHandle,
    supaseed_base_database: str,
    supaseed_worker_id: str,
    supaseed_settings: Settings,
) -> Iterator[str]:
    """DSN of this worker's own copy of the base database (``supaseed_w_<hash>_<worker>``).

    Committed writes stay for the rest of the session of this worker; it is dropped at the end
    (kept with ``--supaseed-keep``).
    """
    with worker_database(
        supaseed_server, supaseed_base_database, supaseed_worker_id, keep=supaseed_settings.keep
    ) as dsn:
        yield dsn


@pytest.fixture(scope="session")
def _supaseed_connection(supaseed_dsn: str) -> Iterator[ReusedConnection]:
    """The connection ``supaseed_db`` lends to each test of this worker (reset in between)."""
    slot = ReusedConnection(supaseed_dsn)
    yield slot
    slot.close()


@pytest.fixture
def supaseed_db(_supaseed_connection: ReusedConnection) -> Iterator[psycopg.Connection]:
    """A psycopg 3 connection to the test database, inside a transaction rolled back after the test.

    Nothing a test writes reaches another test. ``with supaseed_db.transaction():`` nests a
    savepoint; ``commit()`` is refused. Use ``set local role authenticated`` and
    ``set_config('request.jwt.claims', ..., true)`` to act as a Supabase user. The connection is
    reused by the next test after a rollback and ``DISCARD ALL``.
    """
    with test_transaction(_supaseed_connection) as conn:
        yield conn
