"""Is the run's embedded server still there? One message when it is not.

When the embedded PostgreSQL dies during a run (killed, out of memory, its data directory gone),
every test that needs it would otherwise report its own ``Connection refused`` traceback. The pytest
layer asks :func:`server_exit` instead and reports the death once, with the end of the server's log.
"""

from __future__ import annotations

import os
from pathlib import Path

from .base import ServerHandle
from .embedded import _is_postgres_on, _is_zombie, _log_tail, _proc_start_time

__all__ = ["server_alive", "server_exit"]

#: Lines of the server's log quoted when it exited.
LOG_LINES = 5


def server_alive(pid: int, data_dir: Path) -> bool:
    """Whether ``pid`` is still a running postgres on ``data_dir`` (``kill -0`` without procfs)."""
    if Path("/proc/self").exists():
        return (
            _proc_start_time(pid) is not None
            and not _is_zombie(pid)
            and _is_postgres_on(pid, data_dir)
        )
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def server_exit(handle: ServerHandle) -> str | None:
    """``"the embedded PostgreSQL server (pid N) exited: <last lines of its log>"`` when the
    embedded server of ``handle`` is gone; None while it runs, and for other backends."""
    if handle.backend != "embedded":
        return None
    pid = int(handle.details.get("pid") or 0)
    data_dir = handle.details.get("data_dir")
    if not pid or not data_dir or server_alive(pid, Path(data_dir)):
        return None
    log = handle.details.get("log")
    tail = _log_tail(Path(log), LOG_LINES) if log else "(no log)"
    lines = [line.strip() for line in tail.splitlines() if line.strip()] or ["(empty log)"]
    where = f" ({log})" if log else ""
    return f"the embedded PostgreSQL server (pid {pid}) exited: last lines of its log{where}:\n" + (
        "\n".join(f"    {line}" for line in lines)
    )
