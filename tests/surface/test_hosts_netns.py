"""Two hosts, simulated with network namespaces made here (each its own network stack), talking
to one throwaway PostgreSQL in a third namespace over veth pairs (no other address is used):

- two shards of one project, one per host, run at the same time against the shared server: both pass;
- each host with its own embedded server seeds the same template databases: byte-identical dumps.

Needs root and iproute2's ``ip``; skipped otherwise. The namespaces (and the veths in them) and the
server are removed even when the test fails.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

TESTS = """
import pytest

@pytest.mark.supaseed("small")
@pytest.mark.parametrize("i", range(3))
def test_small(supaseed_db, i):
    assert supaseed_db.execute("select count(*) from notes").fetchone() == (6,)

@pytest.mark.supaseed("other")
@pytest.mark.parametrize("i", range(3))
def test_other(supaseed_db, i):
    assert supaseed_db.execute("select count(*) from notes").fetchone() == (7,)
"""

# Seeds both templates on this host's own embedded server and dumps them as plain SQL.
DUMP_SCRIPT = """
import subprocess, sys
from pathlib import Path
from pytest_supaseed.config.resolve import resolve_plan
from pytest_supaseed.lifecycle.base import ensure_base_database, project_server
from pytest_supaseed.lifecycle.template_build import ensure_template_db
from pytest_supaseed.lifecycle.transfer import dump_tools

root, out = Path(sys.argv[1]), Path(sys.argv[2])
with project_server(root) as server:
    base = ensure_base_database(server, root)
    tools = dump_tools(server.version_num // 10000)
    for template in ("small", "other"):
        resolved = resolve_plan(template, rootdir=root)
        tdb = ensure_template_db(server, base, resolved, project_root=root,
                                 seed=resolved.plan.seed, label=template)
        subprocess.run([str(tools / "pg_dump"), "--format=plain", "--restrict-key=supaseed",
                        "-f", str(out / f"{template}.sql"), "--dbname", server.dsn_for(tdb.name)],
                       check=True)
"""


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


def _pg_bin() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "postgres").exists() and (candidate / "initdb").exists():
            return candidate
    return None


@dataclass
class Hosts:
    """Namespaces ``db``, ``h1``, ``h2``; the server's address as seen from each host."""

    db: str
    h1: str
    h2: str
    addr1: str
    addr2: str

    def run(self, ns: str, *command: str, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
        return subprocess.Popen(
            ["ip", "netns", "exec", ns, *command],
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )


@pytest.fixture
def hosts() -> Iterator[Hosts]:
    """Three namespaces, two veth pairs (db<->h1, db<->h2) and a PostgreSQL in ``db`` listening
    only on the two veth addresses; all removed afterwards."""
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root")
    if shutil.which("ip") is None:
        pytest.skip("iproute2's 'ip' is not installed")
    pg_bin = _pg_bin()
    if pg_bin is None:
        pytest.skip("no /usr/lib/postgresql/*/bin for the shared server")
    tag = uuid.uuid4().hex[:6]
    net = random.randint(100, 250)
    names = [f"ss{kind}{tag}" for kind in ("db", "h1", "h2")]
    made: list[str] = []
    data = Path(tempfile.mkdtemp(prefix="supaseed-netns-pg-", dir="/dev/shm"))
    server: subprocess.Popen[str] | None = None
    try:
        for ns in names:
            _ip("netns", "add", ns)
            made.append(ns)
            _ip("-n", ns, "link", "set", "lo", "up")
        db = names[0]
        for index, host in ((1, names[1]), (2, names[2])):
            a, b = f"vd{index}{tag}", f"vh{index}{tag}"
            _ip("link", "add", a, "netns", db, "type", "veth", "peer", "name", b, "netns", host)
            _ip("-n", db, "addr", "add", f"10.{net}.{index}.1/24", "dev", a)
            _ip("-n", host, "addr", "add", f"10.{net}.{index}.2/24", "dev", b)
            _ip("-n", db, "link", "set", a, "up")
            _ip("-n", host, "link", "set", b, "up")
        os.chmod(data, 0o755)
        shutil.chown(data, "nobody")
        pgdata = data / "pgdata"
        subprocess.run(
            ["runuser", "-u", "nobody", "--", str(pg_bin / "initdb"), "-D", str(pgdata),
             "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"],
            check=True, capture_output=True,
        )  # fmt: skip
        with (pgdata / "pg_hba.conf").open("a") as hba:
            hba.write(f"host all all 10.{net}.0.0/16 trust\n")
        listen = f"10.{net}.1.1,10.{net}.2.1"
        server = subprocess.Popen(
            ["ip", "netns", "exec", db, "runuser", "-u", "nobody", "--", str(pg_bin / "postgres"),
             "-D", str(pgdata), "-c", f"listen_addresses={listen}", "-c", "fsync=off",
             "-c", f"unix_socket_directories={data}", "-c", "max_connections=200"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            ready = subprocess.run(
                ["ip", "netns", "exec", names[1], str(pg_bin / "pg_isready"),
                 "-h", f"10.{net}.1.1", "-p", "5432"],
                capture_output=True,
            )  # fmt: skip
            if ready.returncode == 0:
                break
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail("the shared PostgreSQL in the db namespace did not start")
            time.sleep(0.2)
        yield Hosts(db, names[1], names[2], f"10.{net}.1.1", f"10.{net}.2.1")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        for ns in made:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def host_caches() -> Iterator[tuple[Path, Path]]:
    """Each host's own cache root (its embedded project cluster), removed afterwards."""
    from pytest_supaseed.backends.embedded import reap_orphans

    paths = [Path(tempfile.mkdtemp(prefix="supaseed-host-", dir="/dev/shm")) for _ in range(2)]
    for path in paths:
        os.chmod(path, 0o755)
    yield paths[0], paths[1]
    for path in paths:
        reap_orphans(path)
        shutil.rmtree(path, ignore_errors=True)


def _env(cache: Path) -> dict[str, str]:
    # PYTEST_ADDOPTS: the suite's list of plugins these runs do not load (tests/conftest.py)
    env = {
        k: v
        for k, v in os.environ.items()
        if k == "PYTEST_ADDOPTS" or not k.startswith(("PYTEST_", "SUPASEED_"))
    }
    env["SUPASEED_CACHE_DIR"] = str(cache)
    return env


def test_two_hosts_one_shared_server_and_identical_own_templates(
    project, hosts: Hosts, host_caches: tuple[Path, Path], tmp_path: Path
) -> None:
    project.tests(TESTS)
    base = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly"]

    # Two shards (a plain -k split, as a CI matrix does), one per host, at the same time.
    shards = [
        hosts.run(
            ns,
            *base,
            "-k",
            kind,
            "--supaseed-backend",
            "external",
            "--supaseed-dsn",
            f"postgresql://postgres@{addr}:5432/postgres",
            "--supaseed-allow-remote",
            env=_env(cache),
            cwd=project.root,
        )
        for ns, addr, kind, cache in (
            (hosts.h1, hosts.addr1, "small", host_caches[0]),
            (hosts.h2, hosts.addr2, "other", host_caches[1]),
        )
    ]
    outputs = [shard.communicate(timeout=600)[0] for shard in shards]
    for shard, output in zip(shards, outputs, strict=True):
        assert shard.returncode == 0, output[-4000:]
        assert "3 passed" in output, output[-4000:]

    # Each host with its own embedded server: the same template databases, byte for byte.
    dumps = []
    for ns, cache in ((hosts.h1, host_caches[0]), (hosts.h2, host_caches[1])):
        out = tmp_path / ns
        out.mkdir()
        proc = hosts.run(
            ns,
            sys.executable,
            "-c",
            DUMP_SCRIPT,
            str(project.root),
            str(out),
            env=_env(cache),
            cwd=project.root,
        )
        output = proc.communicate(timeout=600)[0]
        assert proc.returncode == 0, output[-4000:]
        dumps.append(out)
    for template in ("small", "other"):
        one = (dumps[0] / f"{template}.sql").read_bytes()
        two = (dumps[1] / f"{template}.sql").read_bytes()
        assert b"COPY public.notes" in one
        assert one == two, f"template {template}: the hosts' dumps differ"
