"""pytest hooks of pytest-supaseed: options, the one server of a run, its xdist hand-over.

This module is what the ``pytest11`` entry point loads, so it imports nothing heavy (no psycopg,
no pydantic): the server starts only when a test asks for a database fixture, or, under xdist,
once in the controller so that every worker shares it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pytest

from . import settings as _settings
from .fixtures import (  # noqa: F401 - registered as this plugin's fixtures
    _supaseed_connection,
    supaseed,
    supaseed_base_database,
    supaseed_db,
    supaseed_dsn,
    supaseed_request,
    supaseed_run_id,
    supaseed_server,
    supaseed_session,
    supaseed_settings,
    supaseed_worker_id,
)

if TYPE_CHECKING:
    from .backends.base import ServerHandle
    from .seeded import TemplateInfo
    from .settings import Settings

WORKERINPUT_KEY = "supaseed_server"


class ServerSlot:
    """The run's server: started at most once, lazily; or received from the xdist controller."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.handle: ServerHandle | None = None
        self.error: BaseException | None = None
        self._settings: Settings | None = None
        workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
        self.remote: dict[str, Any] | None = (
            workerinput.get(WORKERINPUT_KEY) if workerinput is not None else None
        )

    @property
    def settings(self) -> Settings:
        """The resolved options of this run."""
        if self._settings is None:
            self._settings = _settings.resolve(self.config)
        return self._settings

    def get(self) -> ServerHandle:
        """The server handle; starts the server on first use (never in an xdist worker)."""
        if self.handle is None and self.error is None:
            if self.remote is not None:
                self._from_remote(self.remote)
            else:
                self.start()
        if self.error is not None:
            raise self.error
        assert self.handle is not None
        return self.handle

    def start(self) -> None:
        """Start the server now, remembering a failure to report it where a fixture needs it."""
        from .backends import start_server

        try:
            self.handle = start_server(self.settings)
        except Exception as exc:
            self.error = exc

    def _from_remote(self, data: dict[str, Any]) -> None:
        from .backends.base import ServerHandle
        from .errors import BackendError, DockerUnavailableError

        if "error" in data:
            cls = DockerUnavailableError if data.get("kind") == "docker" else BackendError
            self.error = cls(str(data["error"]))
        else:
            self.handle = ServerHandle.from_dict(data)

    def to_workerinput(self) -> dict[str, Any]:
        """What the controller passes to its workers: the handle's plain data or the error text."""
        from .errors import DockerUnavailableError

        if self.handle is None and self.error is None:
            self.start()
        if self.error is not None:
            kind = "docker" if isinstance(self.error, DockerUnavailableError) else "backend"
            return {"error": str(self.error), "kind": kind}
        assert self.handle is not None
        return self.handle.to_dict()

    def stop(self) -> None:
        """Stop a server this process owns (kept running with ``--supaseed-keep``)."""
        if self.handle is not None and self.handle.owned:
            self.handle.stop(keep=self.settings.keep)


server_slot_key = pytest.StashKey[ServerSlot]()


def get_server_slot(config: pytest.Config) -> ServerSlot:
    """The :class:`ServerSlot` of this run (created by ``pytest_configure``)."""
    slot = config.stash.get(server_slot_key, None)
    if slot is None:
        slot = config.stash[server_slot_key] = ServerSlot(config)
    return slot


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register every ``--supaseed-*`` flag and its ini key (see :mod:`pytest_supaseed.settings`)."""
    _settings.add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``supaseed`` marker; create the run's server slot (nothing starts yet)."""
    from .marker import MARKER_LINE

    config.addinivalue_line("markers", MARKER_LINE)
    get_server_slot(config)
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
    from .config import find_template
    from .errors import ConfigError
    from .marker import validate, validated_key

    known: set[str] = set()
    for item in marked:
        for index, marker in enumerate(item.iter_markers("supaseed")):
            try:
                request = validate(marker)
                if request.template is not None and request.template not in known:
                    find_template(request.template, config.rootpath)  # a typo stops the run here
                    known.add(request.template)
            except (TypeError, ValueError, ConfigError) as exc:
                raise pytest.UsageError(f"{item.nodeid}: {exc}") from None
            if index == 0:  # the closest marker is the one that applies
                item.stash[validated_key] = request


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say which backend and data seed this run uses, so that a failure can be replayed."""
    try:
        settings = get_server_slot(config).settings
    except Exception:  # a bad option is reported by the fixture that needs it
        return []
    seed = (
        f"--supaseed-seed {settings.seed}"
        if settings.seed is not None
        else "each plan's own seed (override with --supaseed-seed N)"
    )
    template = f"; default template {settings.template!r}" if settings.template else ""
    return [f"supaseed: backend {settings.backend}; data seed: {seed}{template}"]


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller: start the one server of the run and hand it to every worker."""
    slot = get_server_slot(node.config)
    node.workerinput[WORKERINPUT_KEY] = slot.to_workerinput()


WORKEROUTPUT_KEY = "supaseed_templates"
_templates_key = pytest.StashKey[dict[str, list[dict[str, Any]]]]()


def record_templates(config: pytest.Config, templates: Iterable[TemplateInfo], worker: str) -> None:
    """Remember the templates a worker used, for the summary (sent on to the xdist controller)."""
    records = config.stash.setdefault(_templates_key, {})
    for info in templates:
        records.setdefault(info.name, []).append({**info.to_json(), "worker": worker})
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[WORKEROUTPUT_KEY] = json.dumps(records)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist controller: collect the templates each worker seeded or reused."""
    raw = getattr(node, "workeroutput", {}).get(WORKEROUTPUT_KEY)
    if not raw:
        return
    records = node.config.stash.setdefault(_templates_key, {})
    for name, entries in json.loads(raw).items():
        records.setdefault(name, []).extend(entries)


def _summarize_templates(terminalreporter: Any, config: pytest.Config) -> None:
    records = config.stash.get(_templates_key, {})
    if not records:
        return
    verbose = config.getoption("verbose", 0) > 0
    slot = config.stash.get(server_slot_key, None)
    handle = slot.handle if slot is not None else None
    keep = slot is not None and slot.settings.keep
    terminalreporter.write_sep("-", "supaseed")
    for name in sorted(records, key=lambda n: (records[n][0]["label"], n)):
        entries = records[name]
        first = entries[0]
        built = [e for e in entries if not e["cache_hit"]]
        status = f"built in {built[0]['build_seconds']:.2f}s" if built else "reused (cache hit)"
        workers = sorted({str(e["worker"]) for e in entries})
        where = f" [{', '.join(workers)}]" if workers != ["main"] else ""
        terminalreporter.write_line(
            f"supaseed: {first['label']} seed={first['seed']} {status} -> {name}{where}"
        )
        rows = ", ".join(f"{table}={n}" for table, n in sorted(first["rows"].items()))
        terminalreporter.write_line(f"  rows: {rows or 'none'}")
        for histogram in first.get("histograms", []):
            for line in str(histogram).splitlines():
                terminalreporter.write_line(f"  {line}")
        for relaxation in first["relaxations"]:
            terminalreporter.write_line(f"  relaxed: {relaxation}")
        for warning in first["warnings"]:
            terminalreporter.write_line(f"  warning: {warning}")
        if verbose and built:
            phases = ", ".join(f"{p} {t:.3f}s" for p, t in built[0]["phases"].items())
            terminalreporter.write_line(f"  phases: {phases}")
        if handle is not None and keep:
            terminalreporter.write_line(f"  connect: psql '{handle.dsn_for(name)}'")


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The ``supaseed`` section: per plan, cache hit or build time, rows per table, relaxations;
    with ``--supaseed-keep``, how to reach the server and data that were left."""
    _summarize_templates(terminalreporter, config)
    slot = config.stash.get(server_slot_key, None)
    if slot is None or slot.handle is None or not slot.handle.owned or not slot.settings.keep:
        return
    handle = slot.handle
    terminalreporter.write_sep("-", "supaseed: server kept (--supaseed-keep)")
    terminalreporter.write_line(f"connect: psql '{handle.dsn}'")
    for key in ("data_dir", "log", "pid"):
        if key in handle.details:
            terminalreporter.write_line(f"{key}: {handle.details[key]}")
    if "pid" in handle.details:
        terminalreporter.write_line(
            f"stop it: kill -INT {handle.details['pid']} (the next run of this project stops it too)"
        )


def _prune_caches(config: pytest.Config, slot: ServerSlot) -> None:
    """Drop what the project's own cluster no longer needs: leftovers of killed runs, and cached
    base databases and templates this run did not use beyond the newest few of each kind.

    Only the embedded backend's persistent project cluster, held by this run's lock, is pruned: an
    external server may be shared with other runs.
    """
    handle, settings = slot.handle, slot.settings
    if (
        handle is None
        or not handle.owned
        or settings.keep
        or handle.backend != "embedded"
        or handle.details.get("cluster") != "persistent"
    ):
        return
    import os
    import warnings

    from .backends import base_database_name
    from .databases import prune_databases

    try:
        in_use: set[str] = set(config.stash.get(_templates_key, {}).keys())
        in_use.add(base_database_name(settings.rootdir, settings.migrations))
        keep_newest = int(os.environ.get("SUPASEED_KEEP_TEMPLATES", "8"))
        prune_databases(handle, in_use=in_use, keep_newest=keep_newest)
    except Exception as exc:  # cleanup is best effort: never hide the run's own result
        warnings.warn(f"pytest-supaseed: could not prune cached databases: {exc}", stacklevel=1)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Prune the project cluster's caches, then stop the server this process started (controller
    or single process)."""
    slot = config.stash.get(server_slot_key, None)
    if slot is not None:
        _prune_caches(config, slot)
        slot.stop()


_RANDOMLY_SEED: list[int] = []


def randomly_seeder(seed: int) -> None:
    """Called by pytest-randomly before each test with its seed (entry point
    ``pytest_randomly.random_seeder``): each test's ``supaseed.random`` derives from it, so a
    reordered run replays with ``--randomly-seed=N``. Seeded data keeps each plan's own seed."""
    _RANDOMLY_SEED[:] = [seed]


def randomly_seed() -> int | None:
    """The seed pytest-randomly last set in this process, if it is active."""
    return _RANDOMLY_SEED[0] if _RANDOMLY_SEED else None
