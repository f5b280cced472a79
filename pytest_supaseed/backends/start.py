"""Start or reach the run's server, by backend."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .base import ServerHandle
from .docker import start_docker
from .embedded import start_embedded
from .external import connect_external

if TYPE_CHECKING:
    from ..options import Settings

__all__ = ["connect_server", "start_server"]


def start_server(settings: Settings, *, join: bool = True) -> ServerHandle:
    """Start (embedded, docker) or reach (external) the server ``settings.backend`` names;
    ``join=False``: an embedded server of this process's own, never one another run started."""
    if settings.backend == "external":
        return connect_external(settings.dsn, settings.allow_remote)
    if settings.backend == "docker":
        return start_docker(settings.image)
    return start_embedded(settings.pg_bin, settings.rootdir, join=join)


def connect_server(
    rootdir: Path, dsn: str | None = None, *, allow_remote: bool = False
) -> ServerHandle:
    """The server of ``dsn`` (external; its host must be local unless ``allow_remote``), else a
    new embedded server for the project at ``rootdir``."""
    if dsn:
        return connect_external(dsn, allow_remote)
    return start_embedded(None, Path(rootdir))
