"""``supaseed seed --dsn`` to a host that is not this machine is refused before any connection.

A real listener on this machine's own non-loopback address stands in for the remote server (it is
"not local" by address, as a remote host is): without ``--allow-remote`` it receives nothing; with
it, the connection arrives (so the check can fail) and the failure is still one line.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from .corpus import Case, check_outcome, run_cli, seed_argv


def _own_address() -> str:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # UDP connect sends nothing; it picks the source address
        address = str(probe.getsockname()[0])
    except OSError:
        pytest.skip("no non-loopback IPv4 address on this machine")
    finally:
        probe.close()
    if address.startswith("127."):
        pytest.skip("no non-loopback IPv4 address on this machine")
    return address


def test_remote_dsn_refused_before_any_connection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    address = _own_address()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((address, 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    dsn = f"postgresql://postgres:secret@{address}:{port}/app"
    plan = "[tables.authors]\ncount = 1\n"
    try:
        refused = Case(
            "remote",
            ("refusing to seed", address, "--allow-remote", "nothing was sent"),
            plan=plan,
            dsn=dsn,
        )
        check_outcome(refused, run_cli(seed_argv(refused, tmp_path, ""), capsys))
        assert "secret" not in capsys.readouterr().err
        listener.setblocking(False)
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
        listener.setblocking(True)

        accepted: list[str] = []

        def serve() -> None:
            conn, _ = listener.accept()
            accepted.append("yes")
            conn.close()  # not a PostgreSQL server: the client gets a broken connection

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        allowed = Case(
            "remote-allowed",
            ("cannot connect to", "***"),
            plan=plan,
            dsn=dsn,
            argv=("--allow-remote",),
        )
        check_outcome(allowed, run_cli(seed_argv(allowed, tmp_path, ""), capsys))
        thread.join(timeout=10)
        assert accepted == ["yes"]
    finally:
        listener.close()
