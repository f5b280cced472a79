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
from ..errors import ConfigError
from ..project_dirs import AI_CACHE_DIR

__all__ = ["AICache", "CacheStats", "cache_dir", "cache_key", "key_prefix"]

FILE_NAME = "answers.sqlite3"
_CHUNK = 500


def cache_dir(config: AIConfig, rootdir: Path) -> Path:
    """Where ``config``'s answers live: ``cache_dir`` (relative to ``rootdir``) or the default."""
    if config.cache_dir:
        path = Path(config.cache_dir)
        return path if path.is_absolute() else rootdir / path
    return rootdir / AI_CACHE_DIR


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
            try:
                if not self.path.exists():
                    if not create:
                        return None
                    self.directory.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
                try:
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.execute(
                        "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, provider TEXT, "
                        "model TEXT, answer TEXT, prompt_tokens INTEGER, completion_tokens "
                        "INTEGER, created REAL)"
                    )
                except sqlite3.Error:
                    conn.close()
                    raise
            except (OSError, sqlite3.Error) as exc:
                raise self._unusable(exc) from None
            self._conn = conn
        return self._conn

    def _unusable(self, exc: Exception) -> ConfigError:
        return ConfigError(
            f"the AI answer cache {self.path} cannot be used ({exc}); delete it with "
            "'supaseed ai cache clear' (or rm), or set ai.cache_dir to a writable directory",
            key_path="ai.cache_dir",
        )

    def check(self) -> None:
        """Open an existing cache file now (a ConfigError when it is unreadable), so a broken
        cache is found before any table is written."""
        self._connect(create=False)

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
        try:
            with conn:
                conn.executemany(
                    "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?)", rows
                )
        except sqlite3.Error as exc:
            raise self._unusable(exc) from None

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
        """Delete every entry (and the file); return how many there were (0 for a file that is
        not a cache)."""
        try:
            count = self.stats().entries
        except ConfigError:
            count = 0
        self.close()
        for path in self.directory.glob(FILE_NAME + "*"):
            path.unlink()
        return count

    def close(self) -> None:
        """Close the database file."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
