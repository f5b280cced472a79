"""Many runs, one server: four pytest processes of one project, each ``-n 2``, at the same time
against the external server on 127.0.0.1:5432. All pass, each run's own databases are gone
afterwards, and the shared base and template databases were built once (by one run)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from pytest_supaseed.backends.embedded import port_in_use
from pytest_supaseed.config.resolve import plan_hash, resolve_plan
from pytest_supaseed.lifecycle.base import base_database_name
from pytest_supaseed.lifecycle.databases import drop_database, list_databases
from pytest_supaseed.lifecycle.template_db import template_db_name

SYSTEM_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"

TESTS = """
import pytest

@pytest.mark.supaseed("small")
@pytest.mark.parametrize("i", range(3))
def test_small(supaseed_db, i):
    supaseed_db.execute(
        "insert into notes (owner_id, title) select id, 'x' from auth.users order by id limit 1"
    )
    assert supaseed_db.execute("select count(*) from notes").fetchone() == (7,)

@pytest.mark.supaseed("other")
@pytest.mark.parametrize("i", range(3))
def test_other(supaseed_db, i):
    assert supaseed_db.execute("select count(*) from notes").fetchone() == (7,)

def test_plain(supaseed_db):
    assert supaseed_db.execute("select count(*) from notes").fetchone() == (0,)
"""


def _shared_sources(project) -> list[str]:
    """The base and template databases of ``project`` on the shared server (named by content)."""
    base = base_database_name(project.root)
    templates = []
    for label in ("small", "other"):
        resolved = resolve_plan(label, rootdir=project.root)
        templates.append(template_db_name(base, plan_hash(resolved), resolved.plan.seed))
    return [*templates, base]


@pytest.fixture
def shared_server(project) -> Iterator[str]:
    """The server on :5432; the base and template databases this test's project made are
    dropped afterwards (they are named by content, which includes a unique migration). Only
    those: other runs may be creating and dropping databases of their own on the same server."""
    if not port_in_use(5432):
        pytest.skip("no PostgreSQL listens on 127.0.0.1:5432 (the external server shared here)")
    before = set(list_databases(SYSTEM_DSN))
    yield SYSTEM_DSN
    now = set(list_databases(SYSTEM_DSN)) - before
    for name in _shared_sources(project):
        if name in now:
            drop_database(SYSTEM_DSN, name)


def test_four_runs_share_one_server(project, shared_server: str) -> None:
    before = set(list_databases(shared_server))
    # A migration unique to this test, so its base and template databases are new on the server.
    marker = uuid.uuid4().hex
    (project.root / "supabase" / "migrations" / "20240102000000_marker.sql").write_text(
        f"comment on table public.notes is 'shared-server test {marker}';\n"
    )
    project.tests(TESTS)
    env = {**os.environ, "SUPASEED_BACKEND": "external", "SUPASEED_DATABASE_URL": shared_server}
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("PYTEST_XDIST_TESTRUNUID", None)
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly"]
    runs = [
        subprocess.Popen(
            [*command, "-n", "2"],
            cwd=project.root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 0, output[-4000:]
        assert "7 passed" in output, output[-4000:]

    # Each template database was built by exactly one run and reused by the three others.
    lines = [
        line
        for out in outputs
        for line in out.splitlines()
        if " seed=" in line and "rows inserted" in line
    ]
    for label in ("small", "other"):
        uses = [line for line in lines if line.startswith(f"{label} seed=")]
        assert len(uses) == 4, lines
        assert sum("built in" in line for line in uses) == 1, uses
        assert sum("reused" in line for line in uses) == 3, uses

    # No run left a database of its own: no worker or test clone of these sources, no temporary.
    with psycopg.connect(shared_server, autocommit=True) as conn:
        names = [str(r[0]) for r in conn.execute("select datname from pg_database").fetchall()]
    sources = _shared_sources(project)
    *templates, base = sources
    assert base in names
    assert all(name not in before for name in templates), "built by these runs"
    digests = {hashlib.sha256(s.encode()).hexdigest()[:10] for s in sources}
    left = [n for n in names if n.startswith("supaseed_w_") and any(d in n for d in digests)]
    assert left == [], left
    assert all(name in names for name in templates), "the shared templates stay for the next run"
