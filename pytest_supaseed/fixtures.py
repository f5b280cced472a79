"""The fixtures users see, in layers: server ▸ base database ▸ worker clone ▸ test transaction.

Each layer is a small session fixture a project may override in its ``conftest.py`` (as with
pytest-django); the work is done by :mod:`pytest_supaseed.lifecycle`. The run's state (server slot,
template databases used, pytest-randomly's seed) arrives through the ``supaseed_run_state`` fixture.
Nothing heavy is imported at module level: the ``pytest11`` entry point imports this module.

Per test, pytest looks up every fixture of a test's static closure, the cached session ones too,
and each cached one again walks its own arguments. So the session fixtures the per-test fixtures
sit on (``supaseed_session``, ``supaseed_dsn``) name only ``request`` and fetch their layers with
``request.getfixturevalue`` when they are first set up (overrides in a ``conftest.py`` apply the
same way; pytest still tears them down after the fixture that fetched them): a marker-seeded
``supaseed_db`` test then costs pytest three fixture look-ups, like a hand-written fixture on a
session connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

import pytest

from .marker import SupaseedRequest, closest_request, validated_key
from .run_state import RunState, get_run_state

if TYPE_CHECKING:
    import psycopg

    from .backends.base import ServerHandle
    from .errors import SupaseedError
    from .lifecycle.connections import ReusedConnection
    from .lifecycle.leases import RunLease
    from .lifecycle.session import SeededDatabase, SeedSession
    from .lifecycle.template_build import TemplateBuilder
    from .options import Settings
    from .testing.supaseed import Supaseed

__all__ = [
    "supaseed",
    "supaseed_base_database",
    "supaseed_db",
    "supaseed_dsn",
    "supaseed_lease",
    "supaseed_request",
    "supaseed_run_id",
    "supaseed_run_state",
    "supaseed_server",
    "supaseed_session",
    "supaseed_settings",
    "supaseed_worker_id",
]


def _fail_with(exc: BaseException) -> NoReturn:
    """Report one of our errors as its message only: it already says where and what to do."""
    __tracebackhide__ = True
    pytest.fail(f"{type(exc).__name__}: {exc}", pytrace=False)


def _database_error(exc: BaseException) -> SupaseedError:
    """A database error no step translated (the server went away ...), as one line."""
    from .errors import BackendError

    text = " ".join(str(exc).split()) or type(exc).__name__
    return BackendError(f"the database refused: {text}")


@pytest.fixture(scope="session")
def supaseed_run_state(request: pytest.FixtureRequest) -> RunState:
    """This run's state: its server slot, the template databases its workers used and
    pytest-randomly's seed (the plugin creates it; fixtures read it from here)."""
    return get_run_state(request.config)


@pytest.fixture(scope="session")
def supaseed_settings(supaseed_run_state: RunState) -> Settings:
    """The resolved ``--supaseed-*`` options of this run (CLI, then env, then ini, then default)."""
    return supaseed_run_state.settings


@pytest.fixture(scope="session")
def supaseed_server(supaseed_run_state: RunState) -> ServerHandle:
    """The PostgreSQL server of this run (one per run, shared by xdist workers): a ServerHandle.

    ``.dsn`` is a superuser DSN of the maintenance database ``postgres``, ``.dsn_for(name)`` of any
    other; ``.backend`` and ``.version_num`` say what it is. The embedded backend starts it on first
    use and stops it at the end of the run. With the docker backend and no Docker engine, tests
    that use it are skipped (an error instead when env CI is set).
    """
    __tracebackhide__ = True
    from .backends.docker import docker_required_in_ci
    from .errors import DockerUnavailableError, SupaseedError

    slot = supaseed_run_state.server
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
    return get_run_state(request.config).run_id


@pytest.fixture(scope="session")
def supaseed_worker_id(request: pytest.FixtureRequest) -> str:
    """The xdist worker id (``gw0``, ``gw1``, ...) or ``main`` without xdist."""
    workerinput = getattr(request.config, "workerinput", None)
    return str(workerinput["workerid"]) if workerinput else "main"


@pytest.fixture(scope="session")
def supaseed_lease(supaseed_server: ServerHandle, supaseed_run_id: str) -> Iterator[RunLease]:
    """This run's lease on the server (an advisory lock held by one idle connection per process):
    while it is held no other run drops this run's databases, nor the base and template databases
    it uses. Worker and test clones carry its token in their names."""
    from .lifecycle.leases import RunLease

    with RunLease(supaseed_server, supaseed_run_id) as lease:
        yield lease


@pytest.fixture(scope="session")
def supaseed_base_database(
    request: pytest.FixtureRequest,
    supaseed_server: ServerHandle,
    supaseed_settings: Settings,
    supaseed_lease: RunLease,
) -> str:
    """Name of the base database: Supabase layer + the project's migrations and seed files.

    Built once (under an advisory lock) and reused while the layer, the migration and seed files
    and the plugin version stay the same, and held by this run's lease while it runs. The run's plan is then checked against it as
    ``supaseed plan --check`` does: a problem fails the test and stops the run there.
    """
    __tracebackhide__ = True
    import psycopg

    from .errors import SupaseedError

    state: RunState = request.getfixturevalue("supaseed_run_state")
    try:
        # built and checked against the plan once per run; under xdist by the controller, before workers start
        name = state.server.base_database()
        supaseed_lease.hold(name)  # no other run prunes it while this one uses it
        return name
    except SupaseedError as exc:
        error = exc
    except psycopg.Error as exc:
        error = _database_error(exc)
    from .errors import BackendError

    if not isinstance(error, BackendError) and state.check_server() is None:
        # the project's migrations or plan are at fault, so every test would fail the same way;
        # a server that went away is reported once by the plugin instead (no stop: the next
        # tests say it in one line each)
        request.session.shouldstop = "supaseed: the base database or the plan check failed"
    _fail_with(error)


@pytest.fixture(scope="session")
def supaseed_dsn(request: pytest.FixtureRequest) -> Iterator[str]:
    """DSN of this worker's own copy of the base database (``supaseed_w_<run>_<hash>_<worker>``),
    from ``supaseed_server``, ``supaseed_base_database``, ``supaseed_worker_id``,
    ``supaseed_settings`` and ``supaseed_lease``.

    Committed writes stay for the rest of the session of this worker; it is dropped at the end
    (kept with ``--supaseed-keep``).
    """
    from .lifecycle.connections import worker_database

    supaseed_server: ServerHandle = request.getfixturevalue("supaseed_server")
    supaseed_base_database: str = request.getfixturevalue("supaseed_base_database")
    supaseed_worker_id: str = request.getfixturevalue("supaseed_worker_id")
    supaseed_settings: Settings = request.getfixturevalue("supaseed_settings")
    supaseed_lease: RunLease = request.getfixturevalue("supaseed_lease")
    with worker_database(
        supaseed_server,
        supaseed_base_database,
        supaseed_worker_id,
        keep=supaseed_settings.keep,
        run_token=supaseed_lease.token,
    ) as dsn:
        yield dsn


@pytest.fixture(scope="session")
def _supaseed_connection(supaseed_dsn: str) -> Iterator[ReusedConnection]:
    """The connection ``supaseed_db`` lends to each test of this worker (reset in between)."""
    from .lifecycle.connections import ReusedConnection

    with ReusedConnection(supaseed_dsn) as slot:
        yield slot


def _seeded_or_fail(session: SeedSession, wanted: SupaseedRequest) -> SeededDatabase:
    """The worker's clone for ``wanted``; a plan or seeding error fails the test with its message
    alone (it names the file, key or table and the fix)."""
    __tracebackhide__ = True
    import psycopg

    from .errors import SupaseedError

    try:
        seeded = session.seeded(wanted)
        if session.settings.report and seeded.template_db.report is None:
            _collect_report(session, seeded)
        return seeded
    except SupaseedError as exc:
        error = exc
    except psycopg.Error as exc:
        error = _database_error(exc)
    _fail_with(error)


def _collect_report(session: SeedSession, seeded: SeededDatabase) -> None:
    """``--supaseed-report``: gather the seed report of a template database once per worker, on
    this worker's clone (identical to it) before any test writes, in a transaction rolled back."""
    import psycopg

    from .errors import SupaseedError
    from .report import SeedReport, collect_report

    template_db = seeded.template_db
    try:
        with psycopg.connect(seeded.dsn) as conn:
            report = collect_report(
                conn,
                template_db.result,
                seeded.resolved.plan,
                session.settings.rootdir,
                label=template_db.label,
            )
    except (psycopg.Error, SupaseedError) as exc:
        # The report is a by-product: it never fails a test; the page says what went wrong.
        report = SeedReport(
            template_db.label,
            template_db.seed,
            warnings=[f"the report could not be collected: {type(exc).__name__}: {exc}"],
        )
    template_db.report = report.to_dict()


@contextmanager
def _test_connection(
    request: pytest.FixtureRequest, session: SeedSession, wanted: SupaseedRequest | None
) -> Iterator[tuple[psycopg.Connection, str, SeededDatabase | None]]:
    """The connection a test gets: a rolled-back transaction on this worker's clone (of the
    requested template, or of the base database), or a fresh clone for ``isolation="database"``."""
    import psycopg

    from .lifecycle.connections import test_transaction

    if wanted is None:
        slot: ReusedConnection = request.getfixturevalue("_supaseed_connection")
        with test_transaction(slot) as conn:
            yield conn, slot.dsn, None
        return
    seeded = _seeded_or_fail(session, wanted)
    if wanted.isolation == "database":
        with session.fresh_clone(wanted) as dsn, psycopg.connect(dsn) as conn:
            yield conn, dsn, seeded
        return
    with session.transaction(seeded.dsn) as conn:
        yield conn, seeded.dsn, seeded


@pytest.fixture(scope="session")
def supaseed_session(request: pytest.FixtureRequest) -> Iterator[SeedSession]:
    """This worker's seeded databases: each plan is seeded once into a template database (kept
    between runs, rebuilt when its plan, assets or migrations change) and cloned once per worker.
    What it seeded or reused goes to the ``supaseed`` section of the terminal summary.
    Built from ``supaseed_server``, ``supaseed_base_database``, ``supaseed_settings``,
    ``supaseed_worker_id``, ``supaseed_run_id`` and ``supaseed_lease`` (fetched on first use: see
    the module docstring)."""
    from .lifecycle.session import SeedSession

    supaseed_run_state: RunState = request.getfixturevalue("supaseed_run_state")
    supaseed_server: ServerHandle = request.getfixturevalue("supaseed_server")
    supaseed_base_database: str = request.getfixturevalue("supaseed_base_database")
    supaseed_settings: Settings = request.getfixturevalue("supaseed_settings")
    supaseed_worker_id: str = request.getfixturevalue("supaseed_worker_id")
    supaseed_run_id: str = request.getfixturevalue("supaseed_run_id")
    supaseed_lease: RunLease = request.getfixturevalue("supaseed_lease")

    def builder() -> TemplateBuilder:
        # the plan models and the seeding engine: only when this worker must resolve or build
        from .lifecycle.template_build import TemplateBuilder

        return TemplateBuilder(supaseed_settings)

    with SeedSession(
        supaseed_server,
        supaseed_base_database,
        supaseed_settings,
        supaseed_worker_id,
        supaseed_run_id,
        supaseed_lease,
        builder=builder,
        prebuilt=supaseed_run_state.prebuild,
    ) as session:
        try:
            yield session
        finally:
            supaseed_run_state.record_template_dbs(
                session.template_dbs.values(), supaseed_worker_id
            )


@pytest.fixture
def supaseed_request(request: pytest.FixtureRequest) -> SupaseedRequest | None:
    """What this test asked for: its closest ``supaseed`` marker (test, class or module), or
    ``--supaseed-template`` (``supaseed_settings.template``) for an unmarked test; None when neither
    applies. Override it to choose plans in code."""
    validated: SupaseedRequest | None = request.node.stash.get(validated_key, None)
    if validated is not None and validated.template is not None:
        return validated  # the marker names its template: the settings cannot change it
    settings: Settings = request.getfixturevalue("supaseed_settings")
    return closest_request(request.node, settings.template)


@pytest.fixture
def supaseed_db(
    request: pytest.FixtureRequest,
    supaseed_session: SeedSession,
    supaseed_request: SupaseedRequest | None,
) -> Iterator[psycopg.Connection]:
    """A psycopg 3 connection to the test database, inside a transaction rolled back after the test.

    Seeded when a ``supaseed`` marker (or ``--supaseed-template``) applies; otherwise the project's
    schema and seed files only. Nothing a test writes reaches another test.
    ``with supaseed_db.transaction():`` nests a savepoint; ``commit()`` is refused, except under
    ``@pytest.mark.supaseed(..., isolation="database")``, which gives the test a fresh clone of its
    own. Act as a Supabase user with ``pytest_supaseed.testing.as_user(conn, email)`` (or
    ``set local role authenticated`` + ``set_config('request.jwt.claims', ..., true)``).
    """
    with _test_connection(request, supaseed_session, supaseed_request) as (conn, _dsn, _seeded):
        yield conn


@pytest.fixture
def supaseed(
    request: pytest.FixtureRequest,
    supaseed_run_state: RunState,
    supaseed_session: SeedSession,
    supaseed_request: SupaseedRequest | None,
) -> Iterator[Supaseed]:
    """The seeded database as this test sees it.

    ``.conn`` (rolled back after the test), ``.dsn``, ``.plan``, ``.result`` (a ``SeedResult``:
    rows per table, relaxations), ``.template_db`` (the template database: cache hit, build time), ``.users`` (e-mail -> id), ``.table(name)``, ``.count(name)``,
    ``.as_user(email, claims=None, headers=None)``, ``.as_anon()``, ``.as_service_role()``,
    the extension doubles ``.http_requests()``, ``.http_calls()``, ``.http_responses[url] = ...``,
    ``.run_cron_job(name)``, and ``.random`` (a
    ``random.Random`` for this test, derived from the data seed or pytest-randomly's seed).
    Without a marker it seeds ``--supaseed-template``, else the project's plan file
    (``supaseed.toml``, ``supaseed.yaml`` or ``[tool.supaseed]``), else an empty plan.
    """
    import random

    from .testing.supaseed import Supaseed

    wanted = supaseed_request or SupaseedRequest()
    with _test_connection(request, supaseed_session, wanted) as (conn, dsn, seeded):
        assert seeded is not None  # a request always seeds
        base = supaseed_run_state.randomly_seed
        seed = base if base is not None else seeded.template_db.seed
        rng = random.Random(f"{seed}:{request.node.nodeid}")
        yield Supaseed(conn, dsn, seeded, rng)
