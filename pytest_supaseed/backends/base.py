"""The one interface every backend implements: a running server and its superuser DSN."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..options import BackendName

#: The maintenance database every server has; CREATE/DROP DATABASE run while connected to it.
MAINTENANCE_DB = "postgres"


def _conninfo_to_dict(dsn: str) -> dict[str, Any]:
    from psycopg.conninfo import conninfo_to_dict

    return dict(conninfo_to_dict(dsn))


def replace_dbname(dsn: str, dbname: str) -> str:
    """Return ``dsn`` pointing at database ``dbname`` (URL or key=value form accepted)."""
    from psycopg.conninfo import make_conninfo

    return make_conninfo(dsn, dbname=dbname)


@dataclass
class ServerHandle:
    """A running PostgreSQL server the plugin may use as superuser.

    ``dsn`` connects to the maintenance database ``postgres``; :meth:`dsn_for` to any other.
    ``stop()`` is idempotent; for servers the plugin does not own (external, or a server an xdist
    controller started) it does nothing.
    """

    dsn: str
    backend: BackendName
    version_num: int
    #: Human-readable notes for ``--supaseed-keep`` and error messages (data dir, log file, ...).
    details: dict[str, str] = field(default_factory=dict)
    _stopper: Callable[[bool], None] | None = field(default=None, repr=False)
    _stopped: bool = field(default=False, repr=False)

    def dsn_for(self, dbname: str) -> str:
        """DSN of database ``dbname`` on this server, same user and address as :attr:`dsn`."""
        return replace_dbname(self.dsn, dbname)

    @property
    def owned(self) -> bool:
        """True when stopping this handle stops the server (this process started it)."""
        return self._stopper is not None

    def stop(self, keep: bool = False) -> None:
        """Stop the server (fast shutdown). With ``keep`` the server and its data stay for inspection."""
        if self._stopped:
            return
        self._stopped = True
        if self._stopper is not None:
            self._stopper(keep)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form, passed from the xdist controller to its workers."""
        return {
            "dsn": self.dsn,
            "backend": self.backend,
            "version_num": self.version_num,
            "details": dict(self.details),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ServerHandle:
        """Rebuild a handle from :meth:`to_dict`; the result does not own (cannot stop) the server."""
        return cls(
            dsn=str(data["dsn"]),
            backend=data["backend"],
            version_num=int(data["version_num"]),
            details={str(k): str(v) for k, v in dict(data.get("details", {})).items()},
        )

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def is_local_host(host: str | None) -> bool:
    """True for a host on this machine: empty, a unix-socket directory, localhost, 127/8, ::1."""
    if host is None:
        return True
    host = host.strip()
    if host == "" or host.startswith("/") or host.startswith("@"):
        return True
    if host.lower() in {"localhost", "localhost.localdomain", "ip6-localhost"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def non_local_hosts(dsn: str) -> list[str]:
    """The hosts (``host`` and ``hostaddr``, comma lists included) of ``dsn`` that are not local."""
    params = _conninfo_to_dict(dsn)
    hosts: list[str] = []
    for key in ("host", "hostaddr"):
        value = params.get(key)
        if value:
            hosts += [h for h in str(value).split(",")]
    if not hosts:
        import os

        env_host = os.environ.get("PGHOST")
        if env_host:
            hosts = env_host.split(",")
    return [h for h in hosts if not is_local_host(h)]


def redact(dsn: str) -> str:
    """``dsn`` with any password replaced by ``***`` (for messages)."""
    from psycopg.conninfo import make_conninfo

    params = _conninfo_to_dict(dsn)
    if params.get("password"):
        return make_conninfo(dsn, password="***")
    return dsn
