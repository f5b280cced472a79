"""Two pytest processes of one project at once on the embedded backend share its one cluster.

The first run starts the project's server, the second joins it (backends/embedded.py); run leases
keep their databases apart. Both pass, they saw the same postmaster, each template database was
built by one run and reused by the other, and neither run left a database of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg

from pytest_supaseed.backends.embedded import start_embedded

MIGRATION = """\
create table public.notes (
  id bigint generated always as identity primary key,
  owner_id uuid not null references auth.users (id),
  title text not null
);
"""

SMALL = """\
seed = 7
[users]
count = 3
makerkit_test_users = false
[accounts]
personal = false
[tables."public.notes"]
count_per_parent = { owner_id = 2 }
"""

TESTS = """
import json, os, pathlib, time

import pytest

HERE = pathlib.Path(os.environ["SHARED_TEST_DIR"])


@pytest.mark.supaseed("small")
def test_small(supaseed_db):
    row = supaseed_db.execute(
        "select inet_server_port(), pg_postmaster_start_time()::text, current_database(), "
        "(select count(*) from notes)"
    ).fetchone()
    (HERE / f"seen-{os.getpid()}.json").write_text(json.dumps(list(row)))
    # wait for the other run: both use the server at the same time
    deadline = time.monotonic() + 300  # a loaded machine starts xdist workers slowly
    while len(list(HERE.glob("seen-*.json"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(list(HERE.glob("seen-*.json"))) == 2
    assert row[3] == 6


def test_plain(supaseed_db):
    assert supaseed_db.execute("select count(*) from notes").fetchone() == (0,)
"""


def test_two_runs_share_one_embedded_cluster(cache_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "supabase" / "migrations").mkdir(parents=True)
    (root / "supabase" / "migrations" / "20240101000000_notes.sql").write_text(MIGRATION)
    (root / "supaseed" / "templates").mkdir(parents=True)
    (root / "supaseed" / "templates" / "small.toml").write_text(SMALL)
    (root / "test_app.py").write_text(TESTS)
    shared = tmp_path / "seen"
    shared.mkdir()
    env = {**os.environ, "SUPASEED_CACHE_DIR": str(cache_dir), "SHARED_TEST_DIR": str(shared)}
    for name in ("SUPASEED_BACKEND", "SUPASEED_DATABASE_URL", "PYTEST_XDIST_WORKER"):
        env.pop(name, None)
    env.pop("PYTEST_XDIST_TESTRUNUID", None)
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly"]
    runs = [
        subprocess.Popen(
            [*command, *extra],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for extra in ([], ["-n", "2"])
    ]
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    both = "\n----- other run -----\n".join(o[-3000:] for o in outputs)
    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 0, both
        assert "2 passed" in output, both

    # One server: both runs saw the same port and postmaster start time, in databases of their own.
    seen = [json.loads(p.read_text()) for p in sorted(shared.glob("seen-*.json"))]
    assert len(seen) == 2
    assert seen[0][:2] == seen[1][:2]
    assert seen[0][2] != seen[1][2]
    # One cluster for the project, no ephemeral copy of it.
    mine = [
        d
        for d in (cache_dir / "clusters").iterdir()
        if (d / "rootdir").exists() and (d / "rootdir").read_text() == str(root.resolve())
    ]
    assert len(mine) == 1
    ephemeral = cache_dir / "ephemeral"
    assert not ephemeral.exists() or not list(ephemeral.glob(f"{mine[0].name}-*"))

    # The template database was built by one run and reused by the other.
    lines = [
        line
        for out in outputs
        for line in out.splitlines()
        if line.startswith("small seed=") and "rows inserted" in line
    ]
    assert len(lines) == 2, lines
    assert sum("built in" in line for line in lines) == 1, lines
    assert sum("reused" in line for line in lines) == 1, lines

    # The last run stopped the server; on the next start no run's own database is left.
    handle = start_embedded(rootdir=root)
    try:
        assert handle.details["cluster"] == "persistent"
        with psycopg.connect(handle.dsn) as conn:
            names = [str(r[0]) for r in conn.execute("select datname from pg_database")]
        assert [n for n in names if n.startswith("supaseed_w_")] == []
        assert [n for n in names if n.startswith("supaseed_tpl_")] != []
        assert seen[0][2] not in names
        assert seen[1][2] not in names
    finally:
        handle.stop()
