"""What a plan request resolved to, remembered on disk with every input the resolution read.

Resolving a plan (:func:`pytest_supaseed.config.resolve.resolve_plan`) imports the plan models
(pydantic) and costs an xdist worker ~0.45 s, only to learn the template database's name: the
plan's hash and the seed. So each resolution is recorded under the cache root
(``<SUPASEED_CACHE_DIR>/plans/<key>.json``), keyed by the request (plan template or plan file,
customizations, seeds, rootdir, migrations folder), with:

- what it decided: the plan hash, the effective seed, the label, the plan's own SQL files;
- every file it read, with the SHA-256 of its content, or ``null`` for a file whose absence
  mattered (plan files, ``extends`` chain, built-in templates, demo schema, asset files, explicit
  migration files);
- every folder listing it depended on (templates, demo schema and migration folders) and every
  asset pool's globs (``path`` minus ``exclude``), each with the files they matched;
- the package version and a fingerprint of its code (a changed model default changes plan hashes).

:meth:`ResolutionCache.lookup` checks all of that again without importing the plan models:
re-hashes the files and re-runs the listings and globs (asset pools with
:func:`pytest_supaseed.file_globs.find_files`, the loader's own matching). Any difference,
an entry of another format, a corrupt or truncated file: no entry (the caller resolves in full and
records a new one). Entries are written to a temporary file and renamed, so a reader sees a whole
entry or none.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest_supaseed

from ..backends.embedded import cache_root
from ..errors import SupaseedError
from ..file_globs import find_files
from ..plan_files import BUILTIN_DIR, PLAN_FILE_NAMES, USER_TEMPLATE_DIR
from .migrations import sql_files

if TYPE_CHECKING:
    from ..config.resolve import ResolvedPlan

__all__ = [
    "FORMAT",
    "PlanRecord",
    "ResolutionCache",
    "code_fingerprint",
    "default_resolution_cache",
    "request_key",
]

#: Bumped when an entry's shape or meaning changes: entries of another format are ignored.
FORMAT = 1

_PACKAGE_DIR = Path(pytest_supaseed.__file__).resolve().parent
#: Where plan discovery looks, relative to the rootdir.
_PLAN_FILES = (*PLAN_FILE_NAMES, "pyproject.toml")
#: Template catalog listings: (folder relative to the rootdir, pattern); the built-ins below.
_USER_TEMPLATE_GLOBS = ((USER_TEMPLATE_DIR, "*.toml"), (USER_TEMPLATE_DIR, "*/template.toml"))
_BUILTIN_TEMPLATE_GLOB = (BUILTIN_DIR, "*/template.toml")
_DEMO_PREFIX = "demo:"
#: File systems stamp mtimes with a coarse clock (a few ms behind the real time): a file written
#: just after a resolution started may look older than its start by that much.
_MTIME_MARGIN_NS = 100_000_000


@dataclass(frozen=True)
class PlanRecord:
    """What a resolution decided that names the template database, and the report's label."""

    plan_hash: str
    seed: int
    label: str
    own_sql: tuple[Path, ...] = ()
    """The SQL files the template database applies itself (explicit ``migrations.paths``)."""


def request_key(
    *,
    template: str | None,
    customizations: Mapping[str, Any] | None,
    seed: int | None,
    settings_seed: int | None,
    rootdir: Path,
    migrations: str | Path | None,
) -> str:
    """The canonical JSON of a plan request: what the cache entry is found by."""
    return json.dumps(
        {
            "template": template,
            "customizations": customizations or {},
            "seed": seed,
            "settings_seed": settings_seed,
            "rootdir": str(Path(rootdir).resolve()),
            "migrations": None if migrations is None else str(migrations),
        },
        sort_keys=True,
        default=str,
    )


def code_fingerprint() -> str:
    """The package version and the size and mtime of each of its ``.py`` files (~1 ms): a
    reinstall or an edited module (a changed plan model default) invalidates every entry."""
    digest = hashlib.sha256(f"{pytest_supaseed.__version__}\n".encode())
    for folder, dirs, files in os.walk(_PACKAGE_DIR):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                stat = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:  # absent (or unreadable): the resolution saw no such file
        return None


def _listing(folder: Path, pattern: str) -> list[str]:
    """``folder.glob(pattern)``, sorted: how the catalog, the demo schema and ``sql_files`` list."""
    return sorted(str(p) for p in folder.glob(pattern))


def _asset_matches(base: str, patterns: list[str], exclude: list[str]) -> list[str]:
    # the asset loader's own matching (file_globs needs no plan models)
    found, _ = find_files(Path(base), patterns, exclude)
    return [f.rel for f in found]


@dataclass
class _Inputs:
    files: dict[str, str | None]
    listings: list[tuple[str, str]]
    assets: list[tuple[str, list[str], list[str]]]

    def add_file(self, path: Path) -> None:
        self.files.setdefault(str(path), _file_hash(path))

    def add_listing(self, folder: Path, pattern: str) -> None:
        if (str(folder), pattern) not in self.listings:
            self.listings.append((str(folder), pattern))


def _inputs_of(resolved: ResolvedPlan, template: str | None) -> _Inputs:
    """Every file, folder listing and asset glob :func:`resolve_plan` and :func:`plan_hash` read."""
    root = resolved.rootdir
    inputs = _Inputs({}, [], [])
    if template is None:  # plan discovery: which plan files exist, and pyproject's [tool.supaseed]
        for name in _PLAN_FILES:
            inputs.add_file(root / name)
    for user_folder, pattern in _USER_TEMPLATE_GLOBS:
        inputs.add_listing(root / user_folder, pattern)
    inputs.add_listing(*_BUILTIN_TEMPLATE_GLOB)
    for layer in resolved.chain:
        inputs.add_file(layer.path)
    for source in resolved.sources.values():
        if source.file is not None:
            inputs.add_file(source.file)
        entries = source.data.get("demo_schema") or source.data.get("demo_schema+") or []
        for entry in entries if isinstance(entries, list) else []:
            if str(entry).startswith(_DEMO_PREFIX):
                continue  # a file of this package: hashed below, like every demo schema file
            path = Path(str(entry)).expanduser()
            path = path if path.is_absolute() else source.base_dir / path
            if path.is_dir():
                inputs.add_listing(path, "*.sql")
            else:
                inputs.add_file(path)
    for path in resolved.demo_schema:
        inputs.add_file(path)
    if resolved.plan.migrations.paths is not None:
        own = [Path(p) for p in resolved.plan.migrations.paths]
        for place in own:
            if place.is_dir():
                inputs.add_listing(place, "*.sql")
        for path in sql_files(own):
            inputs.add_file(path)
    for pool in resolved.plan.asset_pools.values():
        inputs.assets.append((str(root), list(pool.path), list(pool.exclude)))
        if pool.json_schema:
            inputs.add_file(Path(pool.json_schema))
    for path in resolved.asset_files():
        inputs.add_file(path)
    return inputs


class ResolutionCache:
    """Plan resolutions recorded in ``folder`` (one JSON file per request)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._code: str | None = None

    def _path(self, key: str) -> Path:
        return self.folder / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".json")

    @property
    def code(self) -> str:
        if self._code is None:
            self._code = code_fingerprint()
        return self._code

    def lookup(self, key: str) -> PlanRecord | None:
        """The record of request ``key`` if every input it read is as it was; else None."""
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
            if not self._valid(entry, key):
                return None
            return PlanRecord(
                plan_hash=str(entry["plan_hash"]),
                seed=int(entry["seed"]),
                label=str(entry["label"]),
                own_sql=tuple(Path(p) for p in entry["own_sql"]),
            )
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None  # missing, corrupt, truncated or of another shape: resolve in full

    def _valid(self, entry: Any, key: str) -> bool:
        if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != key:
            return False
        if entry.get("code") != self.code:
            return False
        for name, digest in dict(entry["files"]).items():
            if _file_hash(Path(name)) != digest:
                return False
        for folder, pattern, matches in entry["listings"]:
            if _listing(Path(folder), str(pattern)) != list(matches):
                return False
        for base, patterns, exclude, matches in entry["assets"]:
            if _asset_matches(str(base), list(patterns), list(exclude)) != list(matches):
                return False
        return True

    def record(
        self,
        key: str,
        record: PlanRecord,
        resolved: ResolvedPlan,
        template: str | None,
        *,
        since_ns: int,
    ) -> None:
        """Remember that request ``key`` (asking for ``template``) resolved to ``record``.

        ``since_ns`` (``time.time_ns()``) is when the resolution started: when an input was
        modified after it, the content hashed now may not be the one the resolution read, so
        nothing is recorded. Best effort: a cache folder that cannot be written just means the
        next request resolves again.
        """
        inputs = _inputs_of(resolved, template)
        if _changed_since([*inputs.files, *(folder for folder, _ in inputs.listings)], since_ns):
            return
        entry = {
            "format": FORMAT,
            "key": key,
            "code": self.code,
            "plan_hash": record.plan_hash,
            "seed": record.seed,
            "label": record.label,
            "own_sql": [str(p) for p in record.own_sql],
            "files": inputs.files,
            "listings": [
                [folder, pattern, _listing(Path(folder), pattern)]
                for folder, pattern in inputs.listings
            ],
            "assets": [
                [base, patterns, exclude, _asset_matches(base, patterns, exclude)]
                for base, patterns, exclude in inputs.assets
            ],
        }
        _write_atomically(self._path(key), json.dumps(entry, indent=1, sort_keys=True))


def _changed_since(paths: Iterable[str], since_ns: int) -> bool:
    """Whether any of ``paths`` was modified at or after ``since_ns`` (less the margin)."""
    for path in paths:
        try:
            if os.stat(path).st_mtime_ns >= since_ns - _MTIME_MARGIN_NS:
                return True
        except OSError:
            continue  # absent: its absence is what the entry records and checks
    return False


def default_resolution_cache() -> ResolutionCache | None:
    """The cache in ``<cache root>/plans`` (``SUPASEED_CACHE_DIR``, else tmpfs, else the temp
    dir); None when there is no usable cache root (then every request resolves in full)."""
    try:
        return ResolutionCache(cache_root() / "plans")
    except (OSError, SupaseedError):
        return None


def _write_atomically(path: Path, text: str) -> None:
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        pass  # not recorded: the next request resolves in full
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
