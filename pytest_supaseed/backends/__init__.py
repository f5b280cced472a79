"""How a PostgreSQL server comes to exist: ``embedded`` (default), ``external`` or ``docker``.

The run's *base database* (Supabase layer plus the project's migrations) is built on such a server
by :mod:`pytest_supaseed.lifecycle.base`. The names below load on first use
(:mod:`pytest_supaseed.lazy_exports`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_exports import lazy_package

if TYPE_CHECKING:
    from .base import MAINTENANCE_DB, ServerHandle, is_local_host
    from .start import connect_server, start_server

__all__ = [
    "MAINTENANCE_DB",
    "ServerHandle",
    "connect_server",
    "is_local_host",
    "start_server",
]

lazy_package(
    __name__,
    {
        ".base": ("MAINTENANCE_DB", "ServerHandle", "is_local_host"),
        ".start": ("connect_server", "start_server"),
    },
)
