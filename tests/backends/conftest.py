"""Fixtures for the backend tests: an isolated, world-traversable cache root for embedded servers."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def cache_dir_session() -> Iterator[Path]:
    """A private cache root (tmpfs when present) shared by this session's embedded-server tests.

    Not under pytest's tmp_path: that is mode 0700 under root, and the server runs as 'nobody'.
    """
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    path = Path(tempfile.mkdtemp(prefix="supaseed-test-cache-", dir=base))
    yield path
    from pytest_supaseed.backends.embedded import reap_orphans, stop_postgres

    # Stop anything a failed test left running in this private root, then delete it.
    reap_orphans(path)
    for state in path.glob("*/*/server.json"):
        import json

        pid = json.loads(state.read_text()).get("postgres_pid")
        if pid:
            stop_postgres(int(pid), state.parent / "data")
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def cache_dir(cache_dir_session: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the embedded backend at the private cache root for this test."""
    monkeypatch.setenv("SUPASEED_CACHE_DIR", str(cache_dir_session))
    return cache_dir_session
