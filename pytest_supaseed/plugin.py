"""pytest hooks of pytest-supaseed: options, the one server of a run, its xdist hand-over.

This module is what the ``pytest11`` entry point loads, so it imports nothing heavy (no psycopg,
no pydantic): the server starts only when a test asks for a database fixture, or, under xdist,
once in the controller so that every worker shares it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from . import settings as _settings
from .fixtures import (  # noqa: F401 - registered as this plugin's fixtures
    _supaseed_connection,
    supaseed_base_database,
    supaseed_db,
    supaseed_dsn,
    supaseed_run_id,
    supaseed_server,
    supaseed_settings,
    supaseed_worker_id,
)

if TYPE_CHECKING:
    from .backends.base import ServerHandle
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
    """Create the run's server slot (nothing starts yet)."""
    get_server_slot(config)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller: start the one server of the run and hand it to every worker."""
    slot = get_server_slot(node.config)
    node.workerinput[WORKERINPUT_KEY] = slot.to_workerinput()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """With ``--supaseed-keep``, say how to reach the server and data that were left."""
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


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the server this process started (controller or single process)."""
    slot = config.stash.get(server_slot_key, None)
    if slot is not None:
        slot.stop()


def randomly_seeder(seed: int) -> None:
    """Called by pytest-randomly with the run's seed."""
