"""pytest hooks of pytest-supaseed: options, marker registration, the xdist hand-over, the report.

Hooks only: the run's state lives in :mod:`pytest_supaseed.run_state` and reaches the fixtures
through the ``supaseed_run_state`` fixture. This module is what the ``pytest11`` entry point loads,
so it imports nothing heavy (no psycopg, no pydantic): the server starts only when a test asks for
a database fixture, or, under xdist, once in the controller so that every worker shares it.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

#: The modules of this distribution whose asserts pytest rewrites: this module and the helpers
#: tests call (``pytest_supaseed.testing``). pytest marks every module of a distribution with a
#: ``pytest11`` entry point; under ``PYTHONDONTWRITEBYTECODE=1`` it re-parses and re-compiles each
#: one on every run (and in every xdist worker) instead of reading the bytecode pip compiled. The
#: library's own ``assert``s are internal invariants: they need no rewriting.
REWRITTEN = ("pytest_supaseed.plugin", "pytest_supaseed.testing")


def _rewrite_only_the_pytest_layer() -> None:
    """Narrow pytest's mark of the whole ``pytest_supaseed`` package to :data:`REWRITTEN`.

    pytest has no public way to unmark a package (``pytest.register_assert_rewrite`` only adds), so
    this edits its rewrite hook's marks when they have the shape pytest 7-9 gives them; otherwise
    (another pytest, ``--assert=plain``) it changes nothing and the run is only slower.
    """
    package = __name__.rpartition(".")[0]
    for finder in sys.meta_path:
        marked = getattr(finder, "_must_rewrite", None)
        cache = getattr(finder, "_marked_for_rewrite_cache", None)
        if isinstance(marked, set) and isinstance(cache, dict) and package in marked:
            marked.discard(package)
            marked.update(REWRITTEN)
            cache.clear()


_rewrite_only_the_pytest_layer()

from . import fixtures as fixtures_module  # noqa: E402 - the same module, by its name
from .fixtures import (  # noqa: F401, E402 - fixtures registered after the narrowing above
    _supaseed_connection,
    supaseed,
    supaseed_base_database,
    supaseed_db,
    supaseed_dsn,
    supaseed_lease,
    supaseed_request,
    supaseed_run_id,
    supaseed_run_state,
    supaseed_server,
    supaseed_session,
    supaseed_settings,
    supaseed_worker_id,
)
from .marker import MARKER_LINE, planned_requests, validate, validated_key  # noqa: E402
from .run_state import (  # noqa: E402
    WORKERINPUT_KEY,
    RunState,
    add_options,
    get_run_state,
    is_remote_gateway,
    peek_run_state,
    set_randomly_seed,
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register every ``--supaseed-*`` flag and its ini key (see :mod:`pytest_supaseed.options`)."""
    add_options(parser)


_LOOP_SCOPE_INI = "asyncio_default_fixture_loop_scope"


def _default_asyncio_loop_scope(config: pytest.Config) -> None:
    """pytest-asyncio warns (PytestDeprecationWarning) in every project whose ini does not set
    ``asyncio_default_fixture_loop_scope``; its documented default to be is ``function``, which is
    what the async fixtures here use. Set it when the project did not (its own value wins)."""
    try:
        current = config.getini(_LOOP_SCOPE_INI)
    except ValueError:  # pytest-asyncio is not installed
        return
    if not current:
        config._inicache[_LOOP_SCOPE_INI] = "function"


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Register the ``supaseed`` marker; create the run's state (nothing starts yet); give
    pytest-asyncio its fixture loop scope when the project's ini does not (before it warns); with
    ``--supaseed-log-json`` or ``SUPASEED_LOG=json``, print the events as JSON lines on stderr."""
    _default_asyncio_loop_scope(config)
    config.addinivalue_line("markers", MARKER_LINE)
    state = get_run_state(config)
    if _local_xdist_controller(config):
        # the server and base database start while xdist starts its workers
        state.server.prepare_in_background()
    from .logs import enable_json, json_requested

    if config.getoption("supaseed_log_json", None) or json_requested():
        enable_json()
    if config.pluginmanager.has_plugin("asyncio"):
        # supaseed_async_db needs pytest-asyncio's fixture decorator: only then is it offered.
        from . import async_fixtures

        config.pluginmanager.register(async_fixtures, "supaseed-async")


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Validate every ``supaseed`` marker at collection: a wrong argument stops the run here,
    naming the test and the argument."""
    marked = [item for item in items if item.get_closest_marker("supaseed") is not None]
    if not marked:
        return
    from .errors import ConfigError
    from .plan_files import find_template_file

    known: set[str] = set()
    for item in marked:
        for index, marker in enumerate(item.iter_markers("supaseed")):
            try:
                request = validate(marker)
                if request.template is not None and request.template not in known:
                    # a typo stops the run here (without the plan models: every worker collects)
                    find_template_file(request.template, config.rootpath)
                    known.add(request.template)
            except (TypeError, ValueError, ConfigError) as exc:
                state = peek_run_state(config)
                if state is not None:
                    state.server.unneeded()  # the run stops here: an early start skips the base
                raise pytest.UsageError(f"{item.nodeid}: {exc}") from None
            if index == 0:  # the closest marker is the one that applies
                item.stash[validated_key] = request


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say which backend and data seed this run uses, so that a failure can be replayed."""
    try:
        settings = get_run_state(config).settings
    except Exception:  # a bad option is reported by the fixture that needs it
        return []
    seed = (
        f"--supaseed-seed {settings.seed}"
        if settings.seed is not None
        else "each plan's own seed (override with --supaseed-seed N)"
    )
    template = f"; default template {settings.template!r}" if settings.template else ""
    lines = [f"supaseed: backend {settings.backend}; data seed: {seed}{template}"]
    drift = _schema_drift(settings.rootdir, settings.migrations)
    return [*lines, drift] if drift else lines


#: ``pytest_supaseed.schema.snapshot.DEFAULT_SNAPSHOT_FILE``, spelled here so that a run without
#: a snapshot imports nothing of the schema package (tests/surface/test_startup_cost.py checks both).
SNAPSHOT_FILE = "supaseed.schema.json"


def _schema_drift(rootdir: Path, migrations: str | None) -> str | None:
    """The header line saying the schema changed since ``supaseed.schema.json`` (files only: the
    base database's schema as the last session that used it remembered it; no server starts)."""
    if not (rootdir / SNAPSHOT_FILE).is_file():
        return None  # the common case costs one stat
    from .errors import SupaseedError
    from .lifecycle.base import base_database_name
    from .schema.drift import header_note
    from .schema.snapshot import DEFAULT_SNAPSHOT_FILE

    try:
        return header_note(rootdir, base_database_name(rootdir, migrations))
    except (OSError, SupaseedError) as exc:  # unreadable migrations: the base fixture says why
        return f"supaseed: cannot compare the schema with {DEFAULT_SNAPSHOT_FILE}: {exc}"


#: ``pytest_supaseed.plan_files.PLAN_FILE_NAMES`` and ``USER_TEMPLATE_DIR``, spelled here so that
#: deciding on an early start costs stats only (tests/surface/test_early_start.py checks both).
PLAN_FILES = ("supaseed.toml", "supaseed.yaml", "supaseed.yml")
TEMPLATE_DIR = "supaseed/templates"


#: Options under which pytest runs no test (it collects, or shows something): no early start.
_NO_TEST_RUN_OPTIONS = (
    "collectonly",
    "help",
    "showfixtures",
    "show_fixtures_per_test",
    "markers",
    "cacheshow",
    "setupplan",
)


def _runs_no_test(option: Any) -> bool:
    return any(getattr(option, name, False) for name in _NO_TEST_RUN_OPTIONS)


def _seeding_project_single_process(config: pytest.Config) -> bool:
    """This process runs the tests itself (no xdist, not a worker, not collecting only or showing
    help, fixtures or markers) in a project that seeds: its rootdir has a plan file or a
    ``supaseed/templates`` folder. Such a run starts the server while pytest collects. Decided
    once, at session start (:data:`_single_seeding_key`)."""
    option = config.option
    if hasattr(config, "workerinput") or getattr(option, "dist", "no") != "no":
        return False
    if getattr(option, "numprocesses", None):  # -n N with --dist left to xdist's default
        return False
    if _runs_no_test(option):
        return False
    root = Path(str(config.rootpath))
    return any((root / name).is_file() for name in PLAN_FILES) or (root / TEMPLATE_DIR).is_dir()


#: :func:`_seeding_project_single_process` of this run, as the session start found it.
_single_seeding_key = pytest.StashKey[bool]()


#: pytest's cache key (``.pytest_cache``, per rootdir) saying the last single-process run's tests
#: needed no database: the next run then starts its server on first use instead of early.
NO_DATABASE_KEY = "supaseed/last_run_needed_no_database"


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """A single-process run of a project that seeds: start the server and make sure of the base
    database on a thread while pytest collects (after every ``pytest_configure``, so a conftest's
    settings apply); the first database fixture waits for it. Not when pytest's cache says the
    last run's tests needed no database (say, one unit-test file run again and again): that run
    paid for a server it did not use. A run whose tests need no database skips the base database
    (:func:`pytest_collection_finish`)."""
    config = session.config
    config.stash[_single_seeding_key] = single_seeding = _seeding_project_single_process(config)
    if not single_seeding:
        return
    cache = getattr(config, "cache", None)  # None with -p no:cacheprovider
    if cache is not None and cache.get(NO_DATABASE_KEY, False) is True:
        return
    # A project that brings its own server or settings (overriding the fixtures, as
    # docs/guides/pytest.md shows) starts nothing early; its own base database: the server only.
    if any(_overridden(session, name) for name in _OWN_SERVER_FIXTURES):
        return
    base = not _overridden(session, "supaseed_base_database")
    get_run_state(config).server.prepare_in_background(base=base)


def _overridden(session: pytest.Session, name: str) -> bool:
    """A module plugin or ``conftest.py`` loaded at start-up defines its own fixture ``name``
    (pytest parses fixtures only at collection: the modules are looked at;
    :func:`_overridden_at_collection` sees the rest)."""
    ours = getattr(fixtures_module, name)
    return any(
        getattr(plugin, name, ours) is not ours
        for plugin in session.config.pluginmanager.get_plugins()
        if isinstance(plugin, ModuleType)
    )


#: Fixtures whose override means the project brings its own server or settings.
_OWN_SERVER_FIXTURES = ("supaseed_run_state", "supaseed_settings", "supaseed_server")


#: Fixtures whose override means the project seeds or names its run in its own way: no template
#: database is built ahead (:func:`pytest_collection_finish`).
_OWN_SESSION_FIXTURES = (
    "supaseed_session",
    "supaseed_request",
    "supaseed_run_id",
    "supaseed_lease",
    "supaseed_worker_id",
)


def _overridden_at_collection(session: pytest.Session, names: tuple[str, ...]) -> set[str]:
    """After collection, every conftest is parsed: which of fixtures ``names`` have a definition
    (by fixture name, ``@pytest.fixture(name=...)`` included) that is not ours, visible to a
    collected test (asked of pytest's fixture manager once per module or class; where it cannot
    say: those found so far and the session fixtures, so that nothing is built ahead)."""
    lookup = getattr(getattr(session, "_fixturemanager", None), "getfixturedefs", None)
    if lookup is None:
        return set(names).intersection(_OWN_SESSION_FIXTURES)
    ours = f"{__package__}.fixtures"
    parents = {id(item.parent): item.parent for item in session.items if item.parent is not None}
    found: set[str] = set()
    for node in parents.values():
        for name in names:
            if name in found:
                continue
            try:
                definitions = lookup(name, node) or ()
            except Exception:  # another pytest's signature: no answer (build nothing ahead)
                return found | set(names).intersection(_OWN_SESSION_FIXTURES)
            if any(
                getattr(getattr(definition, "func", None), "__module__", ours) != ours
                for definition in definitions
            ):
                found.add(name)
    return found


def pytest_collection_finish(session: pytest.Session) -> None:
    """Single process (an xdist controller collects nothing itself): tell an early start that no
    collected test needs a database, or that a conftest found at collection brings its own server,
    settings or base database; else have the template databases the tests will use built ahead
    on a thread (:mod:`pytest_supaseed.lifecycle.prebuild`); remember in pytest's cache whether
    the run's tests need a database."""
    config = session.config
    if not config.stash.get(_single_seeding_key, False):
        return
    needed = any(_needs_server(item) for item in session.items)
    state = peek_run_state(config)
    if state is not None and needed and not session.testsfailed and state.server.base_early:
        own_server = (*_OWN_SERVER_FIXTURES, "supaseed_base_database")
        overridden = _overridden_at_collection(session, (*own_server, *_OWN_SESSION_FIXTURES))
        if overridden.intersection(own_server):
            state.server.unneeded()
        elif not overridden:
            _start_prebuild(state, session.items)
    elif state is not None and (not needed or session.testsfailed):
        # no test needs it, or collection errors stop the run before any test
        state.server.unneeded()
    if session.items and not session.testsfailed:  # a run that runs nothing says nothing
        _remember_need(config, needed)


def _start_prebuild(state: RunState, items: list[pytest.Item]) -> None:
    from .errors import SupaseedError

    try:
        template = state.settings.template
    except SupaseedError:  # a bad option: the first test that needs a database reports it
        return
    requests = planned_requests(items, template)
    if requests:
        state.start_prebuild(requests)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """No test takes a template database any more: the thread building them ahead begins no
    other (``pytest_unconfigure`` waits for the one it is building)."""
    state = peek_run_state(session.config)
    if state is not None:
        state.end_prebuild()


def _remember_need(config: pytest.Config, needed: bool) -> None:
    """Write :data:`NO_DATABASE_KEY` when it changes (best effort: a cache that cannot be written
    costs the next run its early start, never this run)."""
    cache = getattr(config, "cache", None)
    if cache is None or cache.get(NO_DATABASE_KEY, None) is (not needed):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pytest warns when .pytest_cache is not writable
        try:
            cache.set(NO_DATABASE_KEY, not needed)
        except Exception:  # the hint is an optimisation
            pass


def _local_xdist_controller(config: pytest.Config) -> bool:
    """This process is an xdist controller whose workers all run on this host (``-n N`` fills
    ``--tx`` with ``popen`` specs; an ``ssh=`` or ``socket=`` one is another host's) and is not
    itself a worker, collecting only or asked for help."""
    option = config.option
    specs = [str(spec) for spec in getattr(option, "tx", None) or ()]
    return (
        not hasattr(config, "workerinput")
        and bool(specs)
        and all(spec.startswith("popen") for spec in specs)
        and getattr(option, "dist", "no") != "no"
        and not _runs_no_test(option)
    )


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller: start the one server of the run and hand it to every local worker; a
    worker on another host (``--tx ssh=...``) starts its own, unless ``--supaseed-dsn`` is given."""
    slot = get_run_state(node.config).server
    node.workerinput[WORKERINPUT_KEY] = slot.to_workerinput(remote=is_remote_gateway(node))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist controller: collect the template databases each worker seeded or reused."""
    get_run_state(node.config).receive_from_worker(getattr(node, "workeroutput", {}))


#: What a test whose server died reports instead of a connection traceback.
SERVER_GONE_LINE = (
    "supaseed: the run's PostgreSQL server is gone, so this test could not use its database "
    "(the 'supaseed: server exited' section below says why)"
)


def _needs_server(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    return any(name.startswith(("supaseed", "_supaseed")) for name in names)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Once the run's embedded server is known to be gone, a test that needs it fails at once
    with one line (no connection attempt, no traceback)."""
    state = peek_run_state(item.config)
    if state is not None and state.server_gone is not None and _needs_server(item):
        pytest.fail(SERVER_GONE_LINE, pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A test that failed because the run's embedded server died reports one line instead of its
    traceback: any failure while setting up its database, or a transient fault (connection lost)
    in its body or teardown. The death is noticed once per process (``RunState.check_server``)."""
    outcome = yield
    report = outcome.get_result()
    if not report.failed or call.excinfo is None:
        return
    state = peek_run_state(item.config)
    if state is None or state.server.handle is None:
        return
    # The session fixtures' teardown (dropping the worker's clone) runs at any test's teardown.
    if call.when == "setup" and not _needs_server(item):
        return
    if call.when != "setup":
        from .faults import classify

        if classify(call.excinfo.value) != "transient":
            return  # a real failure of the test: keep it
    if state.check_server() is not None:
        report.longrepr = SERVER_GONE_LINE


def _summarize_template_dbs(terminalreporter: Any, state: RunState) -> None:
    used = state.used
    if not used:
        return  # a run that seeded nothing imports nothing of the report
    if hasattr(state.config, "workerinput"):
        return  # nobody sees an xdist worker's terminal: the controller summarises what it sent
    from .summary import SummaryEntry, summary_lines

    verbose = state.config.getoption("verbose", 0) > 0
    handle = state.server.handle
    keep = state.settings.keep
    entries = []
    for name in sorted(used, key=lambda n: (used[n][0].template_db.label, n)):
        uses = used[name]
        first = uses[0].template_db
        built = [u.template_db for u in uses if not u.template_db.cache_hit]
        details = [f"connect: psql '{handle.dsn_for(name)}'"] if handle is not None and keep else []
        entries.append(
            SummaryEntry(
                label=first.label,
                result=(built[0] if built else first).result,
                cache_hit=not built,
                build_seconds=built[0].build_seconds if built else 0.0,
                workers=sorted({u.worker for u in uses}),
                database=name,
                details=details,
            )
        )
    terminalreporter.write_sep("-", "supaseed")
    for line in summary_lines(entries, verbose=verbose):
        terminalreporter.write_line(line)
    if state.settings.report:
        _write_report(terminalreporter, state)


def _write_report(terminalreporter: Any, state: RunState) -> None:
    """``--supaseed-report PATH``: one page for every plan the run seeded or reused."""
    from pathlib import Path

    from .report import SeedReport, write_html

    reports: dict[str, SeedReport] = {}
    for name, uses in sorted(state.used.items(), key=lambda kv: kv[1][0].template_db.label):
        data = next((u.template_db.report for u in uses if u.template_db.report), None)
        if data is not None:
            reports[name] = SeedReport.from_dict(data)
    path = Path(str(state.settings.report))
    if not path.is_absolute():
        path = Path(state.config.invocation_params.dir) / path  # like --junitxml
    write_html(path, list(reports.values()))
    terminalreporter.write_line(f"supaseed: seed report of {len(reports)} plan(s) -> {path}")


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The ``supaseed`` section: per plan, cache hit or build time, rows per table, relaxations;
    with ``--supaseed-keep``, how to reach the server and data that were left."""
    state = peek_run_state(config)
    if state is None:
        return
    _summarize_template_dbs(terminalreporter, state)
    gone = state.check_server() if state.server.handle is not None else None
    if gone is not None:
        terminalreporter.write_sep("-", "supaseed: server exited")
        for line in gone.splitlines():
            terminalreporter.write_line(line)
    handle = state.server.handle
    if handle is None or not handle.owned or not state.settings.keep:
        return
    terminalreporter.write_sep("-", "supaseed: server kept (--supaseed-keep)")
    terminalreporter.write_line(f"connect: psql '{handle.dsn}'")
    for key in ("data_dir", "log", "pid"):
        if key in handle.details:
            terminalreporter.write_line(f"{key}: {handle.details[key]}")
    if "pid" in handle.details:
        terminalreporter.write_line(
            f"stop it: kill -INT {handle.details['pid']} (the next run of this project stops it too)"
        )


def _prune_caches(state: RunState) -> None:
    """Drop what no live run needs (:func:`pytest_supaseed.lifecycle.leases.prune_server`): on any
    server, run-scoped databases of runs whose lease is gone (this run's leftovers, killed runs) and
    idle half-built temporaries; on the embedded backend's persistent project cluster (held by this
    run's file lock) also cached base and template databases no live run holds, beyond the newest
    few of each kind. Other runs sharing the server keep everything they use.
    """
    handle = state.server.handle
    if state.server_gone is not None or handle is None or hasattr(state.config, "workerinput"):
        return  # no server of this run (a bad option, say: its error was the tests')
    settings = state.settings
    if settings.keep:
        return
    import os
    import warnings

    from .lifecycle.base import base_database_name
    from .lifecycle.leases import prune_server

    exclusive = (
        handle.owned
        and handle.backend == "embedded"
        and handle.details.get("cluster") == "persistent"
    )
    try:
        in_use: set[str] = set(state.used)
        in_use.add(base_database_name(settings.rootdir, settings.migrations))
        keep_newest = int(os.environ.get("SUPASEED_KEEP_TEMPLATES", "8"))
        prune_server(
            handle,
            in_use=in_use,
            keep_newest=keep_newest if exclusive else None,
            exclusive=exclusive,
        )
    except Exception as exc:  # cleanup is best effort: never hide the run's own result
        warnings.warn(f"pytest-supaseed: could not prune cached databases: {exc}", stacklevel=1)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Prune the project cluster's caches, then stop the server this process started (controller
    or single process)."""
    state = peek_run_state(config)
    if state is not None:
        state.stop_prebuild()  # it finishes the database it is building, skips the rest
        state.server.finish_early_start()  # its server, if it started one, is pruned and stopped
        _prune_caches(state)
        state.server.stop()


def randomly_seeder(seed: int) -> None:
    """Called by pytest-randomly before each test with its seed (entry point
    ``pytest_randomly.random_seeder``): each test's ``supaseed.random`` derives from it, so a
    reordered run replays with ``--randomly-seed=N``. Seeded data keeps each plan's own seed."""
    set_randomly_seed(seed)
