"""The default backend: a private PostgreSQL started from local binaries, in milliseconds.

How a warm start stays cheap (~0.1 s): one ``initdb`` per binary version is cached and copied
instead of run again; each project keeps one persistent cluster (data on tmpfs when there is one)
that later runs restart directly with ``postgres -D`` and fsync off; readiness is read from
``postmaster.pid`` (what ``pg_ctl -w`` reads, without its 100 ms polling step).

Everything lives under :func:`cache_root` (``/dev/shm/pytest-supaseed-<uid>`` when tmpfs exists)::

    install/<key>/         hard-linked copy of a binary install nobody cannot reach (root only)
    initdb/<key>/          the cached, pristine initdb'd cluster of one binary version
    initdb/<key>.password  its superuser password (0600), replaced in every cluster copied from it
    clusters/<key>/        persistent cluster of one (binary version, project rootdir)
        data/ sock/ postgres.log server.json last_used password
    clusters/<key>.lock    held (filelock) while a run starts, joins or leaves that cluster
    clusters/<key>.users   every run using the cluster holds a shared ``flock`` on it
    ephemeral/<name>/      cluster of a run that could not join a running one, deleted after

Several runs of one project at once share its cluster: the first starts the server, the others
join it (same port, same password file); the last one to leave stops it. Their databases do not
collide: run-scoped names and run leases (:mod:`pytest_supaseed.lifecycle.leases`) keep each run to
its own, and shared base and template databases are built once under a lock.

Locked down (docs/production/backends.md, "Security"): no ``trust`` anywhere; every connection, TCP or
socket, authenticates with scram-sha-256 and a random per-cluster password kept in a 0600 file
of the account running the plugin; the socket lives in a 0700 directory of the server's account;
the log is 0600; pg_hba.conf has no replication entries.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from ..errors import BackendError
from .base import ServerHandle
from .binaries import PgBinaries, find_binaries, runnable_by
from .extensions import with_extension_pack

#: Persistent clusters kept at most (least recently used ones beyond this are deleted).
DEFAULT_MAX_CLUSTERS = 8
#: Bumped whenever the initdb flags change, so that old caches are not reused.
INITDB_FORMAT = "w2"
START_TIMEOUT = 60.0
POLL_INTERVAL = 0.005
SERVER_SETTINGS = (
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "listen_addresses=127.0.0.1",
    "unix_socket_permissions=0700",
    "password_encryption=scram-sha-256",
)
#: The only client authentication rules of an embedded cluster: a password for every connection
#: (socket and IPv4 loopback), no ``trust``, no replication.
PG_HBA = """\
# Written by pytest-supaseed: every connection needs the cluster's password (scram-sha-256).
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 scram-sha-256
host    all       all   127.0.0.1/32  scram-sha-256
"""
SUPERUSER = "postgres"


@dataclass(frozen=True)
class RunAs:
    """The unprivileged account initdb and postgres run under when this process is root."""

    uid: int
    gid: int
    name: str

    def popen_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for subprocess that drop root (no preexec_fn: safe with threads)."""
        return {"user": self.uid, "group": self.gid, "extra_groups": []}


def run_as() -> RunAs | None:
    """The account the server runs as when this process is root (PostgreSQL refuses root), else
    None (run as ourselves): ``SUPASEED_RUN_AS`` (a dedicated system account) or ``nobody``."""
    if os.geteuid() != 0:
        return None
    wanted = os.environ.get("SUPASEED_RUN_AS", "").strip()
    if wanted:
        try:
            entry = pwd.getpwnam(wanted)
        except KeyError:
            raise BackendError(
                f"SUPASEED_RUN_AS={wanted}: no such account. Create it (useradd --system "
                f"--no-create-home --shell /usr/sbin/nologin {wanted}) or unset the variable"
            ) from None
        if entry.pw_uid == 0:
            raise BackendError(
                f"SUPASEED_RUN_AS={wanted} is root; PostgreSQL refuses to run as root"
            )
        return RunAs(entry.pw_uid, entry.pw_gid, wanted)
    try:
        entry = pwd.getpwnam("nobody")
        return RunAs(entry.pw_uid, entry.pw_gid, "nobody")
    except KeyError:
        return RunAs(65534, 65534, "uid 65534")


def _owner_tag(owner: RunAs | None) -> str:
    # Clusters belong to the account that runs the server: another account gets other copies.
    return "" if owner is None or owner.name == "nobody" else f"-u{owner.uid}"


def _write_secret(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by this account only (0600), atomically."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode())
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _read_secret(path: Path) -> str | None:
    try:
        return path.read_text().strip() or None
    except OSError:
        return None


def new_password() -> str:
    """A random superuser password (256 bits, URL-safe, so it can sit in a DSN as it is)."""
    return secrets.token_urlsafe(32)


def cache_root() -> Path:
    """Where clusters and caches live: ``SUPASEED_CACHE_DIR``, else tmpfs ``/dev/shm``, else the temp dir."""
    explicit = os.environ.get("SUPASEED_CACHE_DIR")
    if explicit:
        root = Path(explicit)
    else:
        shm = Path("/dev/shm")
        base = (
            shm
            if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK)
            else Path(tempfile.gettempdir())
        )
        root = base / f"pytest-supaseed-{os.geteuid()}"
    root.mkdir(parents=True, exist_ok=True)
    if root.stat().st_uid != os.geteuid():
        # Someone else made it (in a shared /dev/shm): never run servers from a dir they control.
        raise BackendError(
            f"The cache dir {root} belongs to uid {root.stat().st_uid}, not to this user "
            f"({os.geteuid()}). Remove it, or set SUPASEED_CACHE_DIR to a directory of your own."
        )
    # World-traversable so that 'nobody' reaches the data and socket dirs below it.
    os.chmod(root, 0o755)
    return root


def _mkdir(path: Path, owner: RunAs | None, mode: int = 0o755) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, mode)
    if owner is not None:
        os.chown(path, owner.uid, owner.gid)
    return path


def _clean_env() -> dict[str, str]:
    # libpq/PG variables of the caller must not leak into initdb/postgres; C locale avoids warnings.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    env["LANG"] = "C"
    return env


# --------------------------------------------------------------------------------- initdb cache


def initdb_cache(binaries: PgBinaries, root: Path, owner: RunAs | None) -> Path:
    """The pristine initdb'd cluster of ``binaries``; runs initdb once per version, under a lock."""
    from filelock import FileLock

    parent = _mkdir(root / "initdb", None)
    target = parent / f"{binaries.key}-{INITDB_FORMAT}{_owner_tag(owner)}"
    if (target / "PG_VERSION").exists() and initdb_password(target):
        return target
    with FileLock(str(target) + ".lock", timeout=300):
        if (target / "PG_VERSION").exists() and initdb_password(target):
            return target
        staging = parent / f"{target.name}.tmp-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        _mkdir(staging, owner, 0o700)
        password = new_password()
        # initdb reads the password from a file: one only it and we can read, deleted right after
        pwfile = parent / f".{target.name}.pw-{os.getpid()}"
        _write_secret(pwfile, password + "\n")
        if owner is not None:
            os.chown(pwfile, owner.uid, owner.gid)
        argv = [
            binaries.tool("initdb"),
            "-D",
            str(staging),
            "-U",
            SUPERUSER,
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
            # 1 MB WAL segments instead of 16: the cluster shrinks from ~38 to ~23 MB, so every
            # copy of it is faster; test databases never need large segments.
            "--wal-segsize=1",
        ]
        kwargs = owner.popen_kwargs() if owner else {}
        try:
            out = subprocess.run(
                argv, capture_output=True, text=True, env=_clean_env(), check=False, **kwargs
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if out.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            raise BackendError(
                f"initdb failed (binaries from {binaries.source}, {binaries.bin_dir}):\n"
                f"{out.stderr.strip() or out.stdout.strip()}"
            )
        _write_hba(staging, owner)
        shutil.rmtree(target, ignore_errors=True)
        _write_secret(_initdb_password_file(target), password)
        os.replace(staging, target)
    return target


def _initdb_password_file(cache: Path) -> Path:
    return cache.with_name(cache.name + ".password")


def initdb_password(cache: Path) -> str | None:
    """The superuser password of the initdb cache ``cache`` (None: unknown, rebuild it)."""
    return _read_secret(_initdb_password_file(cache))


def _write_hba(data: Path, owner: RunAs | None) -> None:
    """Replace initdb's pg_hba.conf (which has replication entries) with :data:`PG_HBA`."""
    hba = data / "pg_hba.conf"
    hba.write_text(PG_HBA)
    os.chmod(hba, 0o600)
    if owner is not None:
        os.chown(hba, owner.uid, owner.gid)


def _copy_cluster(src: Path, dst: Path) -> None:
    """Copy a stopped cluster; ``cp -a`` keeps the owner (nobody) when we are root, and is fast."""
    shutil.rmtree(dst, ignore_errors=True)
    cp = shutil.which("cp") or ("/bin/cp" if os.access("/bin/cp", os.X_OK) else None)
    if cp is not None:
        out = subprocess.run(
            [cp, "-a", str(src), str(dst)], capture_output=True, text=True, check=False
        )
        if out.returncode != 0:
            raise BackendError(
                f"Copying the cached cluster {src} to {dst} failed: {out.stderr.strip()}"
            )
    else:
        shutil.copytree(src, dst, symlinks=True)
        st = src.stat()
        if os.geteuid() == 0:
            for dirpath, dirnames, filenames in os.walk(dst):
                for name in [".", *dirnames, *filenames]:
                    os.lchown(os.path.join(dirpath, name), st.st_uid, st.st_gid)
    # A copy of a cluster must not inherit a pid file if the source was ever started by mistake.
    (dst / "postmaster.pid").unlink(missing_ok=True)


def _proc_start_time(pid: int) -> str | None:
    """Kernel start time of ``pid`` (tells a live process from a reused pid), or None if gone."""
    if pid <= 0:
        return None
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        if Path("/proc/self").exists():
            return None
        # No procfs (macOS): existence is all we can tell.
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return "unknown"
    return raw.rsplit(")", 1)[1].split()[19]


def _process_alive(pid: int, start_time: str | None) -> bool:
    now = _proc_start_time(pid)
    if now is None:
        return False
    return start_time is None or now == "unknown" or now == start_time


def _is_postgres_on(pid: int, data_dir: Path) -> bool:
    """Whether ``pid`` is a postgres postmaster serving ``data_dir`` (checked before signalling)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    if (
        not argv
        or not argv[0]
        or not os.path.basename(argv[0].decode(errors="replace")).startswith("postgres")
    ):
        return False
    return os.fsencode(str(data_dir)) in argv


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _proc_start_time(pid) is None or _is_zombie(pid):
            return True
        time.sleep(POLL_INTERVAL)
    return False


def _is_zombie(pid: int) -> bool:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return raw.rsplit(")", 1)[1].split()[0] == "Z"


def stop_postgres(pid: int, data_dir: Path, timeout: float = 10.0) -> bool:
    """Fast-shutdown the postmaster ``pid`` if it really is a postgres on ``data_dir``; True if it ran."""
    if not _is_postgres_on(pid, data_dir):
        return False
    for sig, wait in ((signal.SIGINT, timeout), (signal.SIGQUIT, 5.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        if _wait_gone(pid, wait):
            break
    return True


def _read_state(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_state(path: Path, state: dict[str, Any]) -> None:
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(state))
    os.replace(tmp, path)


def reap_orphans(root: Path) -> list[Path]:
    """Stop servers whose owning pytest process is gone; delete orphaned ephemeral clusters.

    Servers left running on purpose (``--supaseed-keep``) survive until their cluster is used again.
    Returns the cluster directories that were cleaned.
    """
    from filelock import FileLock, Timeout

    cleaned: list[Path] = []
    for state_file in [*root.glob("clusters/*/server.json"), *root.glob("ephemeral/*/server.json")]:
        state = _read_state(state_file)
        if state is None or _process_alive(
            int(state.get("owner_pid", 0)), state.get("owner_start")
        ):
            continue
        if state_file.parent.parent.name == "ephemeral":
            # Nobody else ever uses an ephemeral cluster, so even a kept one ends here.
            if state.get("postgres_pid"):
                stop_postgres(int(state["postgres_pid"]), state_file.parent / "data")
            shutil.rmtree(state_file.parent, ignore_errors=True)
            cleaned.append(state_file.parent)
            continue
        if state.get("keep"):
            continue  # kept on purpose: stopped when its project runs again, or when evicted
        # A persistent cluster may be taken over right now by a new run of its project; only the
        # holder of its lock may touch it (that run stops the orphan itself otherwise).
        lock = FileLock(str(state_file.parent) + ".lock")
        try:
            lock.acquire(timeout=0)
        except Timeout:
            continue
        try:
            if in_use(state_file.parent):
                continue  # other runs share this server: its starter left, they did not
            state = _read_state(state_file)
            if state and not _process_alive(
                int(state.get("owner_pid", 0)), state.get("owner_start")
            ):
                if state.get("postgres_pid"):
                    stop_postgres(int(state["postgres_pid"]), state_file.parent / "data")
                state_file.unlink(missing_ok=True)
                cleaned.append(state_file.parent)
        finally:
            lock.release()
    return cleaned


def evict_clusters(root: Path, keep_dir: Path, limit: int) -> list[Path]:
    """Delete least recently used persistent clusters beyond ``limit``, never a locked one."""
    from filelock import FileLock, Timeout

    dirs = [d for d in (root / "clusters").glob("*") if d.is_dir() and d != keep_dir]

    def last_used(d: Path) -> float:
        try:
            return (d / "last_used").stat().st_mtime
        except OSError:
            return 0.0

    dirs.sort(key=last_used)
    excess = len(dirs) + 1 - limit
    evicted: list[Path] = []
    for d in dirs:
        if excess <= 0:
            break
        lock = FileLock(str(d) + ".lock")
        try:
            lock.acquire(timeout=0)
        except Timeout:
            continue
        try:
            if in_use(d):
                continue  # a run uses it
            state = _read_state(d / "server.json")
            if state and state.get("postgres_pid"):
                stop_postgres(int(state["postgres_pid"]), d / "data")
            shutil.rmtree(d, ignore_errors=True)
            evicted.append(d)
            excess -= 1
        finally:
            lock.release()
    return evicted


# --------------------------------------------------------------------------------- clusters


@dataclass
class Cluster:
    """A data directory this run may start a server on, with its socket dir, log and state file."""

    dir: Path
    persistent: bool
    lock: Any = None  # filelock.FileLock: the control lock, held while starting or joining
    fresh: bool = False  # copied from the initdb cache during this run
    users: int | None = None  # fd holding a shared flock on <dir>.users while this run uses it
    joined: dict[str, Any] | None = None  # server.json of the running server this run joined

    @property
    def data(self) -> Path:
        return self.dir / "data"

    @property
    def sock(self) -> Path:
        return self.dir / "sock"

    @property
    def log(self) -> Path:
        return self.dir / "postgres.log"

    @property
    def state_file(self) -> Path:
        return self.dir / "server.json"

    @property
    def password_file(self) -> Path:
        """The cluster's superuser password, 0600, readable by the account running the plugin."""
        return self.dir / "password"


def _owner_state() -> dict[str, Any]:
    return {"owner_pid": os.getpid(), "owner_start": _proc_start_time(os.getpid())}


def _users_path(cluster_dir: Path) -> str:
    return str(cluster_dir) + ".users"


def in_use(cluster_dir: Path) -> bool:
    """Some run holds ``cluster_dir``'s users lock (a run of this process counts too)."""
    import fcntl

    try:
        fd = os.open(_users_path(cluster_dir), os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the probe's lock
    return False


def _join_users(cluster_dir: Path) -> int:
    """Hold a shared lock on the cluster's users file for as long as this run uses it."""
    import fcntl

    fd = os.open(_users_path(cluster_dir), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_SH)
    return fd


def _leave_users(cluster: Cluster) -> None:
    if cluster.users is not None:
        os.close(cluster.users)  # drops the shared lock
        cluster.users = None


def _running_server(cluster: Cluster) -> dict[str, Any] | None:
    """The state of the server another run started on ``cluster`` and still uses, if it runs."""
    state = _read_state(cluster.state_file)
    if not state or not state.get("postgres_pid") or not state.get("port"):
        return None
    if not _is_postgres_on(int(state["postgres_pid"]), cluster.data):
        return None
    if not cluster.password_file.exists():
        return None
    return state


def acquire_cluster(
    binaries: PgBinaries, rootdir: Path, root: Path, owner: RunAs | None, *, join: bool = True
) -> Cluster:
    """This project's persistent cluster: to start its server, or to join the server another live
    run uses (without ``join``, only a server this process started); an ephemeral copy when it is
    in use and cannot (or may not) be joined."""
    from filelock import FileLock, Timeout

    key = hashlib.sha256(
        f"{binaries.key}\0{rootdir.resolve()}{_owner_tag(owner)}".encode()
    ).hexdigest()[:16]
    clusters = _mkdir(root / "clusters", None)
    # The control lock: held while this run starts or joins the server (released by
    # start_embedded once it is up), so two runs never both start one.
    lock: Any = FileLock(str(clusters / key) + ".lock")
    try:
        lock.acquire(timeout=START_TIMEOUT * 2)
    except Timeout:
        lock = None
    if lock is not None:
        cluster = Cluster(dir=_mkdir(clusters / key, None), persistent=True, lock=lock)
        others = in_use(cluster.dir)
        cluster.users = _join_users(cluster.dir)
        running = _running_server(cluster) if others else None
        if running is not None and not join and running.get("owner_pid") != os.getpid():
            running = None
        if running is not None:
            # Another run of this project uses the server: share it (leases keep the runs'
            # databases apart); the last run to leave stops it.
            cluster.joined = running
            (cluster.dir / "last_used").touch()
            return cluster
        if others:
            # its users hold it but no server we may join runs there: do not touch their data
            _leave_users(cluster)
            lock.release()
            lock = None
    if lock is not None:
        # A server kept (--supaseed-keep) or orphaned on this cluster is stopped: this run owns it now.
        state = _read_state(cluster.state_file)
        if state and state.get("postgres_pid"):
            stop_postgres(int(state["postgres_pid"]), cluster.data)
        cluster.state_file.unlink(missing_ok=True)
        (cluster.dir / "last_used").touch()
        (cluster.dir / "rootdir").write_text(str(rootdir.resolve()))
    else:
        name = f"{key}-{os.getpid()}-{secrets.token_hex(3)}"
        cluster = Cluster(dir=_mkdir(root / "ephemeral" / name, None), persistent=False)
        _mkdir(root / "ephemeral", None)
        _write_state(cluster.state_file, {**_owner_state(), "postgres_pid": None})
    if not (cluster.data / "PG_VERSION").exists() or not cluster.password_file.exists():
        # no password file: new, or made by a version that trusted every local connection
        fresh_copy(binaries, root, owner, cluster)
    # Only the server's account (and root) may enter the socket's directory.
    _mkdir(cluster.sock, owner, 0o700)
    return cluster


def fresh_copy(binaries: PgBinaries, root: Path, owner: RunAs | None, cluster: Cluster) -> None:
    """Make ``cluster``'s data a new copy of the initdb cache (its password is set at start)."""
    cluster.password_file.unlink(missing_ok=True)
    _copy_cluster(initdb_cache(binaries, root, owner), cluster.data)
    cluster.fresh = True


def release_cluster(cluster: Cluster, keep: bool) -> None:
    """Give the cluster back: delete an ephemeral one (unless kept), leave a persistent one."""
    if not cluster.persistent and not keep:
        shutil.rmtree(cluster.dir, ignore_errors=True)
    _leave_users(cluster)
    if cluster.lock is not None and cluster.lock.is_locked:
        cluster.lock.release()


# --------------------------------------------------------------------------------- the server


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:``port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class _BindFailed(Exception):
    pass


class ClusterInUseError(BackendError):
    """A postgres this plugin did not start holds the cluster's data directory."""


@dataclass
class EmbeddedServer:
    """A postgres process this run started on a :class:`Cluster`."""

    binaries: PgBinaries
    cluster: Cluster
    port: int
    process: subprocess.Popen[bytes] | None  # None: joined a server another run started
    owner: RunAs | None
    password: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def dsn(self) -> str:
        return f"postgresql://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/postgres"

    @property
    def pid(self) -> int:
        """The postmaster's pid."""
        if self.process is not None:
            return self.process.pid
        return int((self.cluster.joined or {}).get("postgres_pid", 0))

    def stop(self, keep: bool = False) -> None:
        """Fast shutdown (SIGINT) and release the cluster; with ``keep`` leave it running.

        On a cluster other runs still use, this run only leaves: the last one stops the server.
        """
        if self.cluster.persistent and self.cluster.lock is not None:
            self.cluster.lock.acquire(timeout=START_TIMEOUT * 2)
            try:
                _leave_users(self.cluster)
                if in_use(self.cluster.dir):
                    if keep:
                        state = _read_state(self.cluster.state_file) or {}
                        _write_state(self.cluster.state_file, {**state, "keep": True})
                    return  # another run still uses the server
                state = _read_state(self.cluster.state_file) or {}
                self._stop(keep or bool(state.get("keep")))
            finally:
                if self.cluster.lock.is_locked:
                    self.cluster.lock.release()
            return
        self._stop(keep)

    def _stop(self, keep: bool) -> None:
        if keep:
            state = _read_state(self.cluster.state_file) or {}
            state["keep"] = True
            _write_state(self.cluster.state_file, state)
            release_cluster(self.cluster, keep=True)
            # Left running on purpose: drop our handle without Popen's "still running" warning
            # (the next run of the project finds the server through the state file).
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ResourceWarning)
                self.process = None
            return
        if self.process is None:
            stop_postgres(self.pid, self.cluster.data)
        elif self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.cluster.state_file.unlink(missing_ok=True)
        release_cluster(self.cluster, keep=False)


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _wait_ready(process: subprocess.Popen[bytes], cluster: Cluster, timeout: float) -> None:
    pid_file = cluster.data / "postmaster.pid"
    deadline = time.monotonic() + timeout
    while True:
        try:
            lines = pid_file.read_text().splitlines()
        except OSError:
            lines = []
        # Line 1 is the postmaster's pid, line 8 its status; "ready" = accepting connections.
        if len(lines) >= 8 and lines[0].strip() == str(process.pid) and lines[7].strip() == "ready":
            return
        if process.poll() is not None:
            tail = _log_tail(cluster.log)
            if "could not bind" in tail or "could not create any TCP/IP sockets" in tail:
                raise _BindFailed(tail)
            if 'lock file "postmaster.pid" already exists' in tail:
                raise ClusterInUseError(
                    f"Another postgres already runs on {cluster.data} (see postmaster.pid there) "
                    "and it is not one this plugin started. Stop it, or delete "
                    f"{cluster.dir} when nothing uses it."
                )
            raise BackendError(
                f"postgres exited with code {process.returncode} while starting on {cluster.data}. "
                f"Log ({cluster.log}):\n{tail}"
            )
        if time.monotonic() > deadline:
            process.kill()
            raise BackendError(
                f"postgres did not accept connections within {timeout:.0f} s on {cluster.data}. "
                f"Log ({cluster.log}):\n{_log_tail(cluster.log)}"
            )
        time.sleep(POLL_INTERVAL)


def _spawn(
    binaries: PgBinaries, cluster: Cluster, port: int, owner: RunAs | None
) -> subprocess.Popen[bytes]:
    argv = [
        binaries.tool("postgres"),
        "-D",
        str(cluster.data),
        "-p",
        str(port),
        "-k",
        str(cluster.sock),
    ]
    for setting in SERVER_SETTINGS:
        argv += ["-c", setting]
    # The log can hold SQL and data: this account's only (postgres writes through the fd).
    log_fd = os.open(cluster.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(log_fd, 0o600)
    log = os.fdopen(log_fd, "ab")
    try:
        # A new session: Ctrl-C in the terminal must not shut the server down under our teardown.
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_clean_env(),
            start_new_session=True,
            **(owner.popen_kwargs() if owner else {}),
        )
    finally:
        log.close()


def start_postgres(binaries: PgBinaries, cluster: Cluster, owner: RunAs | None) -> EmbeddedServer:
    """Start ``postgres`` on ``cluster`` on a free port (retrying another on a bind race)."""
    last_error = ""
    for _attempt in range(5):
        port = free_port()
        process = _spawn(binaries, cluster, port, owner)
        _write_state(
            cluster.state_file,
            {**_owner_state(), "postgres_pid": process.pid, "port": port, "keep": False},
        )
        try:
            _wait_ready(process, cluster, START_TIMEOUT)
        except _BindFailed as exc:
            last_error = str(exc)
            continue
        return EmbeddedServer(
            binaries=binaries, cluster=cluster, port=port, process=process, owner=owner
        )
    raise BackendError(
        f"postgres could not bind a free port after 5 attempts. Last log:\n{last_error}"
    )


def _check_reachable(root: Path, owner: RunAs) -> None:
    """The server's account must be able to enter every directory above the cache root."""
    for parent in [root, *root.parents]:
        st = parent.stat()
        if st.st_mode & 0o001 or st.st_uid == owner.uid:
            continue
        if st.st_gid == owner.gid and st.st_mode & 0o010:
            continue
        raise BackendError(
            f"The server runs as {owner.name}, which cannot enter {parent} (mode "
            f"{oct(st.st_mode & 0o777)}), above the cache dir {root}. Fix: set "
            "SUPASEED_CACHE_DIR to a directory below /tmp or /dev/shm (or a path every account "
            "can traverse)"
        )


def _cluster_password(
    binaries: PgBinaries, root: Path, owner: RunAs | None, cluster: Cluster, port: int
) -> str:
    """The cluster's password; a fresh copy still has the initdb cache's, replaced now by its own.

    The new password is written (0600) before ``ALTER ROLE`` and renamed into place after, so a
    crash in between leaves no ``password`` file and the next run copies the cluster again.
    """
    known = _read_secret(cluster.password_file)
    if known is not None:
        return known
    inherited = initdb_password(initdb_cache(binaries, root, owner))
    password = new_password()
    pending = cluster.dir / "password.new"
    _write_secret(pending, password)
    try:
        with psycopg.connect(
            host="127.0.0.1",
            port=port,
            user=SUPERUSER,
            password=inherited,
            dbname="postgres",
            autocommit=True,
            connect_timeout=10,
        ) as conn:
            conn.execute(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(SUPERUSER), sql.Literal(password)
                )
            )
    except psycopg.Error as exc:
        raise BackendError(
            f"Could not set the password of the new cluster {cluster.data}: {exc}. Delete "
            f"{cluster.dir} and run again."
        ) from None
    os.replace(pending, cluster.password_file)
    return password


def start_embedded(
    pg_bin: str | None = None,
    rootdir: Path | None = None,
    *,
    max_clusters: int | None = None,
    join: bool = True,
) -> ServerHandle:
    """Start a private server for the project at ``rootdir``; returns a handle that stops it.

    With ``join`` (the default) a server another live run of the project started is joined
    rather than a second one started; without it, this process starts one of its own (an xdist
    worker on another host than its controller: ``run_state`` says so).
    """
    owner = run_as()
    root = cache_root()
    # The plugin's own copy of the install, with the Supabase extension pack in share/extension.
    binaries = with_extension_pack(find_binaries(pg_bin), root)
    if owner is not None:
        binaries = runnable_by(binaries, owner.uid, owner.gid, root)
    if owner is not None:
        _check_reachable(root, owner)
    reap_orphans(root)
    cluster = acquire_cluster(binaries, (rootdir or Path.cwd()), root, owner, join=join)
    try:
        if cluster.joined is not None:
            server = EmbeddedServer(
                binaries=binaries,
                cluster=cluster,
                port=int(cluster.joined["port"]),
                process=None,
                owner=owner,
                password=_read_secret(cluster.password_file) or "",
            )
        else:
            server = _start_on(binaries, root, owner, cluster)
    except BaseException:
        release_cluster(cluster, keep=False)
        raise
    finally:
        if cluster.lock is not None and cluster.lock.is_locked:
            cluster.lock.release()  # started or joined: other runs may join now
    limit = max_clusters or int(os.environ.get("SUPASEED_MAX_CLUSTERS", DEFAULT_MAX_CLUSTERS))
    if cluster.persistent:
        evict_clusters(root, cluster.dir, limit)
    details = {
        "data_dir": str(cluster.data),
        "log": str(cluster.log),
        "socket_dir": str(cluster.sock),
        "port": str(server.port),
        "pid": str(server.pid),
        "binaries": f"{binaries.bin_dir} ({binaries.source})",
        "cluster": (
            "shared"
            if cluster.joined is not None
            else "persistent"
            if cluster.persistent
            else "ephemeral"
        ),
        "run_as": owner.name if owner else "current user",
        "password_file": str(cluster.password_file),
    }
    return ServerHandle(
        dsn=server.dsn,
        backend="embedded",
        version_num=binaries.version_num,
        details=details,
        _stopper=server.stop,
    )


def _start_on(
    binaries: PgBinaries, root: Path, owner: RunAs | None, cluster: Cluster
) -> EmbeddedServer:
    """Start the server on ``cluster`` and give it its password."""
    try:
        server = start_postgres(binaries, cluster, owner)
    except ClusterInUseError:
        raise
    except BackendError:
        if cluster.fresh:
            raise
        # A persistent cluster can be damaged (killed mid-write, disk full): start it over.
        fresh_copy(binaries, root, owner, cluster)
        server = start_postgres(binaries, cluster, owner)
    try:
        server.password = _cluster_password(binaries, root, owner, cluster, server.port)
    except BaseException:
        server._stop(keep=False)
        raise
    return server


def _main() -> (
    None
):  # pragma: no cover - manual smoke test: python -m pytest_supaseed.backends.embedded
    t0 = time.perf_counter()
    handle = start_embedded()
    print(f"{handle.dsn} in {time.perf_counter() - t0:.3f}s", handle.details, file=sys.stderr)
    handle.stop()


if __name__ == "__main__":  # pragma: no cover
    _main()
