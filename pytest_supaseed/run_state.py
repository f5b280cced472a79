"""The state of one pytest run: its options, its one server, the template databases its workers
used, and pytest-randomly's seed.

The fixtures receive it through the ``supaseed_run_state`` fixture (as pytest-django hands
``django_db_blocker`` to its fixtures), so they never import :mod:`pytest_supaseed.plugin`.
This module is loaded at pytest start-up, so it imports nothing heavy at module level.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .options import OPTIONS, Settings, parse_bool

if TYPE_CHECKING:
    from .backends.base import ServerHandle
    from .errors import SupaseedError
    from .lifecycle.prebuild import Prebuild
    from .lifecycle.request import SupaseedRequest
    from .lifecycle.session import SeedSession
    from .lifecycle.template_db import TemplateDatabase

__all__ = [
    "RunState",
    "ServerSlot",
    "UsedTemplateDb",
    "add_options",
    "get_run_state",
    "is_remote_gateway",
    "resolve_settings",
]

WORKERINPUT_KEY = "supaseed_server"
WORKEROUTPUT_KEY = "supaseed_template_dbs"


def add_options(parser: pytest.Parser) -> None:
    """Register every option as a CLI flag and an ini key with the same help text."""
    group = parser.getgroup("supaseed", "seeded Supabase/Postgres databases (pytest-supaseed)")
    for opt in OPTIONS:
        # The same text as the README's option table (options_markdown), plus the variable.
        text = f"{opt.help} (env {opt.env})" if opt.env else opt.help
        if opt.kind == "bool":
            group.addoption(opt.flag, action="store_true", default=None, dest=opt.dest, help=text)
            parser.addini(opt.ini, text, type="bool", default=bool(opt.default))
        else:
            kwargs: dict[str, object] = {
                "dest": opt.dest,
                "default": None,
                "help": text,
                "metavar": opt.metavar,
            }
            if opt.kind == "choice":
                kwargs["choices"] = opt.choices
            if opt.kind == "int":
                kwargs["type"] = int
            group.addoption(opt.flag, **kwargs)
            parser.addini(opt.ini, text, type="string", default=None)


def resolve_settings(config: pytest.Config) -> Settings:
    """Build :class:`Settings` from a pytest config: CLI, then env, then ini, then default."""
    from .errors import ConfigError

    values: dict[str, object] = {}
    for opt in OPTIONS:
        value: object = config.getoption(opt.dest, default=None)
        if value is None and opt.env and os.environ.get(opt.env):
            raw = os.environ[opt.env]
            value = parse_bool(raw) if opt.kind == "bool" else raw
        if value is None:
            ini_value = config.getini(opt.ini)
            if opt.kind == "bool":
                value = bool(ini_value)
            elif ini_value not in (None, "", []):
                value = ini_value
        if value is None:
            value = opt.default
        if value is not None and opt.kind == "int" and not isinstance(value, int):
            try:
                value = int(str(value))
            except ValueError:
                raise ConfigError(
                    f"{opt.flag} / {opt.ini} must be an integer, got {value!r}"
                ) from None
        if opt.kind == "choice" and value not in opt.choices:
            raise ConfigError(
                f"{opt.flag} / {opt.ini} must be one of {', '.join(opt.choices)}, got {value!r}"
            )
        if value is not None:
            values[opt.dest.removeprefix("supaseed_")] = value
    return Settings(rootdir=Path(str(config.rootpath)), **values)  # type: ignore[arg-type]


class ServerSlot:
    """The run's server: started at most once, lazily; or received from the xdist controller."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.handle: ServerHandle | None = None
        self.error: BaseException | None = None
        self._settings: Settings | None = None
        self._base: str | SupaseedError | None = None
        workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
        self.remote: dict[str, Any] | None = (
            workerinput.get(WORKERINPUT_KEY) if workerinput is not None else None
        )
        #: The xdist controller's early start of the server and base database (see
        #: :meth:`prepare_in_background`); joined before anything reads them.
        self._preparing: threading.Thread | None = None
        self._unneeded = threading.Event()
        #: The early start was asked to make sure of the base database too.
        self._early_base = False
        #: Held while the base database is computed (the prebuild thread may ask at the same time).
        self._base_lock = threading.Lock()

    @property
    def settings(self) -> Settings:
        """The resolved options of this run."""
        if self._settings is None:
            self._settings = resolve_settings(self.config)
        return self._settings

    def get(self) -> ServerHandle:
        """The server handle; starts the server on first use (never in an xdist worker)."""
        self._prepared()
        if self.handle is None and self.error is None:
            if self.remote is not None:
                self._from_remote(self.remote)
            else:
                self.start()
        if self.error is not None:
            raise self.error
        assert self.handle is not None
        return self.handle

    def start(self, *, join: bool = True) -> None:
        """Start the server now, remembering a failure to report it where a fixture needs it."""
        from .backends import start_server

        try:
            self.handle = start_server(self.settings, join=join)
        except Exception as exc:
            self.error = exc

    def _from_remote(self, data: dict[str, Any]) -> None:
        from .backends.base import ServerHandle
        from .errors import BackendError, DockerUnavailableError

        if data.get("start_local") or _other_host(data):
            # A worker on another host: the controller's server listens on its own loopback only,
            # so this host runs its own (deterministic seeding gives it the same rows), never
            # joining one another process on this host started (as before runs shared clusters).
            self.start(join=False)
            return
        if "error" in data:
            cls = DockerUnavailableError if data.get("kind") == "docker" else BackendError
            self.error = cls(str(data["error"]))
        else:
            self.handle = ServerHandle.from_dict(data)

    def base_database(self) -> str:
        """Name of the run's base database (built if missing), computed once per run: an xdist
        worker receives it (or its error) from the controller instead of checking it again."""
        self._prepared()  # before the lock: the early start's thread takes it to build the base
        with self._base_lock:
            return self._base_database()

    def _base_database(self) -> str:
        from .errors import SupaseedError

        if self._base is None:
            remote = self.remote or {}
            # A worker that started a server of its own (another host) builds its own base.
            own_server = bool(remote.get("start_local") or (remote and _other_host(remote)))
            if own_server:
                remote = {}
            if "base_database" in remote:
                self._base = str(remote["base_database"])
            elif "base_error" in remote:  # the controller's error, word for word
                self._base = _rebuilt_error(remote["base_error_type"], remote["base_error"])
            else:
                # Only where the base database is built and checked (never in a local xdist
                # worker): these pull in the plan checker and schema code.
                import psycopg

                from .errors import BackendError
                from .lifecycle.base import ensure_base_database
                from .lifecycle.checked import plan_checked_before

                try:
                    server = self.get()
                    name = ensure_base_database(
                        server, self.settings.rootdir, self.settings.migrations
                    )
                    # The run's plan against the migrated schema, before anything is seeded
                    # (plan --check): here, once, before xdist workers start cloning the base
                    # database (a clone ends every session connected to it). Skipped when it
                    # passed against this base before and nothing it reads changed.
                    if self.settings.rebuild or not plan_checked_before(
                        server,
                        name,
                        self.settings.rootdir,
                        self.settings.template,
                        self.settings.seed,
                        self.settings.migrations,
                    ):
                        from .lifecycle.schema_check import check_base_schema

                        check_base_schema(
                            server,
                            name,
                            self.settings.rootdir,
                            self.settings.template,
                            self.settings.migrations,
                        )
                    self._base = name
                except SupaseedError as exc:
                    self._base = exc
                except psycopg.Error as exc:  # a database error no step translated: one line
                    text = " ".join(str(exc).split()) or type(exc).__name__
                    self._base = BackendError(f"the database refused: {text}")
        if isinstance(self._base, SupaseedError):
            raise self._base
        return self._base

    def prepare_in_background(self, *, base: bool = True) -> None:
        """Start the server and make sure of the base database (unless ``base`` is false: the
        project overrides ``supaseed_base_database``) on a thread: in an xdist controller with
        local workers while xdist starts the worker processes (instead of in the first
        ``pytest_configure_node``, which holds every worker until it returns); in a single
        process of a project with a seed plan while pytest collects (imports the test modules).
        Whatever fails is kept and reported where it is read, as without this."""

        def prepare() -> None:
            try:
                if self.handle is None and self.error is None:
                    self.start()
                if base and self.handle is not None and not self._unneeded.is_set():
                    self.base_database()
            except Exception:  # kept in self.error / self._base, or raised again when read
                pass

        self._early_base = base
        self._preparing = threading.Thread(target=prepare, name="supaseed-prepare", daemon=True)
        self._preparing.start()

    @property
    def base_early(self) -> bool:
        """An early start is making sure of the base database (asked to, and not told since that
        no test needs it)."""
        return self._early_base and not self._unneeded.is_set()

    @property
    def preparing(self) -> bool:
        """An early start's thread is still at work."""
        thread = self._preparing
        return thread is not None and thread.is_alive()

    def unneeded(self) -> None:
        """No test will use a database (none collected needs one, or the run is ending): an
        early start that has not reached the base database yet skips it (the server it started
        is stopped at the end of the run)."""
        self._unneeded.set()

    def finish_early_start(self) -> None:
        """At the end of the run: let an early start skip what it has not begun (the base
        database), then wait for it, so that what it started is known and can be stopped."""
        self._unneeded.set()
        self._prepared()

    def _prepared(self) -> None:
        thread = self._preparing
        if thread is not None and thread is not threading.current_thread():
            thread.join()
            self._preparing = None

    def to_workerinput(self, remote: bool = False) -> dict[str, Any]:
        """What the controller passes to its workers: the handle's plain data and the base
        database's name, or the error text of whichever failed.

        ``remote`` (a worker on another host, e.g. ``--tx ssh=...``): unless the run uses an
        external server (``--supaseed-dsn``), the worker is told to start its own server (and so
        its own base database), since the controller's embedded one listens on this host's
        loopback only.
        """
        from .errors import DockerUnavailableError, SupaseedError

        self._prepared()
        if remote and self.settings.backend != "external":
            return {"start_local": True, "host": _hostname()}
        if self.handle is None and self.error is None:
            self.start()
        if self.error is not None:
            kind = "docker" if isinstance(self.error, DockerUnavailableError) else "backend"
            return {"error": str(self.error), "kind": kind}
        assert self.handle is not None
        data = {**self.handle.to_dict(), "host": _hostname()}
        try:
            data["base_database"] = self.base_database()
        except SupaseedError as exc:
            data["base_error"] = str(exc)
            data["base_error_type"] = type(exc).__name__
        return data

    def stop(self) -> None:
        """Stop a server this process owns (kept running with ``--supaseed-keep``)."""
        self.finish_early_start()
        if self.handle is not None and self.handle.owned:
            self.handle.stop(keep=self.settings.keep)


def _rebuilt_error(type_name: str, message: str) -> SupaseedError:
    """The controller's error as a worker raises it: same class (one of ``errors``), same text."""
    from . import errors
    from .errors import SupaseedError

    cls = getattr(errors, type_name, SupaseedError)
    if not (isinstance(cls, type) and issubclass(cls, SupaseedError)):
        cls = SupaseedError
    error = cls.__new__(cls)
    Exception.__init__(error, message)  # the message is final: skip the class's own formatting
    return error


def _hostname() -> str:
    import socket

    return socket.gethostname()


def _other_host(data: dict[str, Any]) -> bool:
    """Whether the controller that sent ``data`` runs on another host and its server is reachable
    only through that host's loopback (so this worker cannot use it)."""
    host = data.get("host")
    if not host or host == _hostname() or "dsn" not in data:
        return False
    from .backends.base import non_local_hosts

    return not non_local_hosts(str(data["dsn"]))


def is_remote_gateway(node: Any) -> bool:
    """Whether an xdist worker node runs on another host (``--tx ssh=``/``socket=``/``vagrant_ssh=``,
    or ``popen`` via another gateway) rather than as a local subprocess."""
    spec = getattr(getattr(node, "gateway", None), "spec", None)
    if spec is None:
        return False
    return not getattr(spec, "popen", False) or bool(getattr(spec, "via", None))


@dataclass
class UsedTemplateDb:
    """A template database one worker seeded or reused in this run."""

    template_db: TemplateDatabase
    worker: str


_RANDOMLY_SEED: list[int] = []


def set_randomly_seed(seed: int) -> None:
    """Remember the seed pytest-randomly set for the next test (see ``plugin.randomly_seeder``)."""
    _RANDOMLY_SEED[:] = [seed]


class RunState:
    """One run's server slot, the template databases its workers used, pytest-randomly's seed."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.server = ServerSlot(config)
        self.used: dict[str, list[UsedTemplateDb]] = {}
        #: the message saying the run's embedded server exited, once this process noticed
        self.server_gone: str | None = None
        self._run_id: str | None = None
        #: Template databases built ahead on a thread (:meth:`start_prebuild`), or None.
        self.prebuild: Prebuild | None = None

    @property
    def run_id(self) -> str:
        """An id of this run, made once (an xdist worker's ``supaseed_run_id`` is the
        controller's ``testrunuid`` instead)."""
        if self._run_id is None:
            import uuid

            self._run_id = uuid.uuid4().hex
        return self._run_id

    def start_prebuild(self, requests: Sequence[SupaseedRequest]) -> None:
        """Build the template databases of ``requests`` on a thread, in that order, once the
        early start's server and base database are there (single process; see
        :mod:`pytest_supaseed.lifecycle.prebuild`). The ``supaseed_session`` fixture takes them."""
        from .lifecycle.prebuild import Prebuild

        slot, settings, run_id = self.server, self.settings, self.run_id

        def open_session() -> SeedSession:
            from .lifecycle.leases import RunLease
            from .lifecycle.session import SeedSession
            from .lifecycle.template_build import TemplateBuilder

            server = slot.get()  # waits for the early start's thread
            if not slot.base_early:
                raise RuntimeError("the run ends: no base database is wanted any more")
            base = slot.base_database()
            lease = RunLease(server, run_id)
            try:
                lease.hold(base)
                return SeedSession(
                    server,
                    base,
                    settings,
                    "main",
                    run_id,
                    lease,
                    builder=lambda: TemplateBuilder(settings),
                )
            except BaseException:
                lease.close()
                raise

        self.prebuild = Prebuild(requests, open_session).start()

    def end_prebuild(self) -> None:
        """No test will take another template database (the session is over): the prebuild
        thread finishes the one it is building and begins no other; nor does the early start
        begin the base database. Returns at once (:meth:`stop_prebuild` waits)."""
        if self.prebuild is not None:
            self.server.unneeded()
            self.prebuild.end()

    def stop_prebuild(self) -> None:
        """:meth:`end_prebuild`, then wait for the thread and release its lease (at the end of the
        run, before pruning and stopping the server)."""
        if self.prebuild is not None:
            self.end_prebuild()
            self.prebuild.stop()

    def check_server(self) -> str | None:
        """The message saying the run's embedded server exited, or None while it runs. Once it is
        noticed the message is kept (and logged once, event ``server_exit``)."""
        if self.server_gone is None and self.server.handle is not None:
            from .backends.watch import server_exit

            self.server_gone = server_exit(self.server.handle)
            if self.server_gone is not None:
                import logging

                from .logs import event

                event(
                    "server_exit",
                    self.server_gone,
                    level=logging.ERROR,
                    pid=self.server.handle.details.get("pid"),
                )
        return self.server_gone

    @property
    def settings(self) -> Settings:
        """The resolved ``--supaseed-*`` options of this run."""
        return self.server.settings

    @property
    def randomly_seed(self) -> int | None:
        """The seed pytest-randomly last set in this process, if it is active."""
        return _RANDOMLY_SEED[0] if _RANDOMLY_SEED else None

    def record_template_dbs(self, template_dbs: Iterable[TemplateDatabase], worker: str) -> None:
        """Remember the template databases a worker used, for the summary (sent on to the xdist
        controller)."""
        for template_db in template_dbs:
            self.used.setdefault(template_db.name, []).append(UsedTemplateDb(template_db, worker))
        workeroutput = getattr(self.config, "workeroutput", None)
        if workeroutput is not None:
            workeroutput[WORKEROUTPUT_KEY] = json.dumps(
                [
                    {"template_db": u.template_db.to_json(), "worker": u.worker}
                    for uses in self.used.values()
                    for u in uses
                ]
            )

    def receive_from_worker(self, workeroutput: dict[str, Any]) -> None:
        """xdist controller: add the template databases one worker reported."""
        raw = workeroutput.get(WORKEROUTPUT_KEY)
        if not raw:
            return
        from .lifecycle.template_db import TemplateDatabase

        for entry in json.loads(raw):
            template_db = TemplateDatabase.from_json(entry["template_db"])
            self.used.setdefault(template_db.name, []).append(
                UsedTemplateDb(template_db, str(entry["worker"]))
            )


_run_state_key = pytest.StashKey[RunState]()


def get_run_state(config: pytest.Config) -> RunState:
    """The :class:`RunState` of this run (created by ``pytest_configure``)."""
    state = config.stash.get(_run_state_key, None)
    if state is None:
        state = config.stash[_run_state_key] = RunState(config)
    return state


def peek_run_state(config: pytest.Config) -> RunState | None:
    """The :class:`RunState` of this run if one was created."""
    return config.stash.get(_run_state_key, None)
