"""Answers on disk: one SQLite file under the project's ``.supaseed/ai-cache/``.

An entry's key is the SHA-256 of (provider, model, prompt, options, seed): the same plan asks the
same questions and gets the same answers without calling the model. SQLite (stdlib) makes the cache
safe for several pytest-xdist workers at once; a lookup of a batch of keys is one query.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config.models import AIConfig

__all__ = ["AICache", "CacheStats", "cache_dir", "cache_key", "key_prefix"]

FILE_NAME = "answers.sqlite3"
_CHUNK = 500


def cache_dir(config: AIConfig, rootdir: Path) -> Path:
    """Where ``config``'s answers live: ``cache_dir`` (relative to ``rootdir``) or the default."""
    if config.cache_dir:
        path = Path(config.cache_dir)
        return path if path.is_absolute() else rootdir / path
    return rootdir / ".supaseed" / "ai-cache"


def cache_key(provider: str, model: str, prompt: str, options: Mapping[str, Any]) -> str:
    """The key of one answer: provider, model, the full prompt (system prompt included) and the
    generation options, which hold the seed and the temperature."""
    return key_prefix(provider, model, options)(prompt)


def key_prefix(provider: str, model: str, options: Mapping[str, Any]) -> Callable[[str], str]:
    """:func:`cache_key` with everything but the prompt fixed (hashed once)."""
    head = hashlib.sha256(
        json.dumps([provider, model, dict(options)], sort_keys=True, default=str).encode()
    )

    def key(prompt: str) -> str:
        digest = head.copy()
        digest.update(b"\0" + prompt.encode())
        return digest.hexdigest()

    return key


@dataclass
class CacheStats:
    """What ``supaseed ai cache stats`` shows."""

    path: Path
    entries: int
    bytes: int
    by_model: dict[str, int]


class AICache:
    """The answer cache at ``directory`` (created on first write)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / FILE_NAME
        self._conn: sqlite3.Connection | None = None

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if self._conn is None:
            if not self.path.exists():
                if not create:
                    return None
                self.directory.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, provider TEXT, "
                "model TEXT, answer TEXT, prompt_tokens INTEGER, completion_tokens INTEGER, "
                "created REAL)"
            )
            self._conn = conn
        return self._conn

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        """The cached answers among ``keys``."""
        conn = self._connect(create=False)
        if conn is None or not keys:
            return {}
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(keys))
        for i in range(0, len(unique), _CHUNK):
            chunk = unique[i : i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(f"SELECT key, answer FROM answers WHERE key IN ({marks})", chunk)
            found.update(rows.fetchall())
        return found

    def put_many(self, entries: Iterable[tuple[str, str, str, str, int, int]]) -> None:
        """Store ``(key, provider, model, answer, prompt_tokens, completion_tokens)`` entries."""
        rows = [(*e, time.time()) for e in entries]
        if not rows:
            return
        conn = self._connect(create=True)
        assert conn is not None
        with conn:
            conn.executemany("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def stats(self) -> CacheStats:
        """Entries, size on disk and entries per provider/model."""
        size = sum(p.stat().st_size for p in self.directory.glob(FILE_NAME + "*") if p.is_file())
        conn = self._connect(create=False)
        if conn is None:
            return CacheStats(self.path, 0, size, {})
        rows = conn.execute(
            "SELECT provider || '/' || model, count(*) FROM answers GROUP BY 1 ORDER BY 1"
        ).fetchall()
        return CacheStats(self.path, sum(n for _, n in rows), size, dict(rows))

    def clear(self) -> int:
        """Delete every entry (and the file); return how many there were."""
        count = self.stats().entries
        self.close()
        for path in self.directory.glob(FILE_NAME + "*"):
            path.unlink()
        return count

    def close(self) -> None:
        """Close the database file."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
