"""The on-disk parse cache: an unchanged file is not parsed again on the next run.

One pickle file per pool, ``<cache_dir>/<pool>-<fingerprint>.pickle``, maps each file's relative
path to ``(size, mtime_ns, records, problems, digest)``. The fingerprint covers everything besides the file
itself that decides a parse result (the pool's parse settings, the JSON Schema's bytes, the model
module's mtime, the parsers' own source), so changing any of them starts a fresh cache instead of
serving stale results. Writes go to a temporary file renamed into place, so concurrent runs (xdist
workers) never read a half-written cache.

The cache is a pickle: it is meant for the project's own ``.supaseed`` directory, like
``__pycache__``; never point ``cache_dir`` at a directory others can write to.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from ..config.asset_sections import AssetPoolConfig
from .model import AssetProblem

__all__ = ["CacheEntry", "ParseCache", "RecordTuple", "fingerprint"]

#: Bump when the layout of a cache file changes.
CACHE_FORMAT = 2

RecordTuple = tuple[dict[str, Any], str | None, int, int, int | None]
"""A :class:`~.loaders.Record` as a plain tuple: ``(fields, body, word_count, position, line)``."""

CacheEntry = tuple[int, int, list[RecordTuple], list[AssetProblem], bytes]
"""``(size, mtime_ns, records, problems, content digest)`` of one file."""

_PARSE_SETTINGS = {"type", "required", "optional", "json_schema", "model", "delimiter", "encoding"}
_PARSE_SETTINGS |= {"verify_images"}


def _parser_sources() -> list[Path]:
    here = Path(__file__).parent
    return sorted([here / "fields.py", here / "model.py", *(here / "loaders").glob("*.py")])


def fingerprint(config: AssetPoolConfig, base_dir: Path) -> str:
    """A short hash of everything outside a file that changes how that file parses."""
    digest = hashlib.sha256()
    digest.update(f"{CACHE_FORMAT}\0{base_dir.resolve()}\0".encode())
    digest.update(config.model_dump_json(include=_PARSE_SETTINGS).encode())
    if config.json_schema:
        with contextlib.suppress(OSError):
            digest.update((base_dir / config.json_schema).read_bytes())
    if config.model:
        spec = None
        with contextlib.suppress(ImportError, ValueError):
            spec = importlib.util.find_spec(config.model.partition(":")[0])
        if spec is not None and spec.origin and os.path.exists(spec.origin):
            stat = os.stat(spec.origin)
            digest.update(f"{spec.origin}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    for source in _parser_sources():
        stat = source.stat()
        digest.update(f"{source.name}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


class ParseCache:
    """The parse results of one pool, read from and written to ``cache_dir``."""

    def __init__(self, cache_dir: Path, pool: str, key: str) -> None:
        self.cache_dir = cache_dir
        self.pool = pool
        safe = "".join(char if char.isalnum() or char in "-_" else "_" for char in pool)
        self.path = cache_dir / f"{safe}-{key}.pickle"

    def read(self) -> dict[str, CacheEntry]:
        """The cached entries; empty when there is no usable cache file."""
        try:
            with open(self.path, "rb") as handle:
                data: Any = pickle.load(handle)
        except FileNotFoundError:
            return {}
        except Exception:  # a corrupt or foreign cache is simply rebuilt
            return {}
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
            return {}
        entries: dict[str, CacheEntry] = data["entries"]
        return entries

    def write(self, entries: dict[str, CacheEntry]) -> bool:
        """Store ``entries`` atomically and drop this pool's stale cache files; False on failure."""
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.cache_dir, prefix=".tmp-", suffix=".pickle")
            try:
                with os.fdopen(fd, "wb") as handle:
                    pickle.dump(
                        {"format": CACHE_FORMAT, "entries": entries},
                        handle,
                        protocol=pickle.HIGHEST_PROTOCOL,
                    )
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError:
            # A read-only checkout must still load its assets; it only loses the speed-up.
            return False
        prefix = self.path.name.rsplit("-", 1)[0] + "-"
        for stale in self.cache_dir.glob(f"{prefix}*.pickle"):
            if stale != self.path and stale.name.rsplit("-", 1)[0] + "-" == prefix:
                with contextlib.suppress(OSError):
                    stale.unlink()
        return True
