"""Same plan + same seed = the same rows, in every table, on every build (another seed differs).

Builds run in separate databases, as two test runs or two xdist workers would: nothing a database
fills at build time (``now()``, a trigger's timestamp) may leak into the seeded rows.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from pytest_supaseed import demo_schemas
from pytest_supaseed.backends.supabase import install_supabase_layer
from pytest_supaseed.generate.values import REFERENCE
from pytest_supaseed.seed import seed

# Users (MakerKit's standard ones and synthetic ones), planned teams, and engine-filled tables
# under the users phase's accounts: every kind of row a MakerKit seed writes.
V2_PLAN: dict[str, Any] = {
    "seed": 21,
    "users": {"makerkit_test_users": True, "count": 8},
    "accounts": {"teams": 3, "members_per_team": {"min": 2, "max": 3}},
    "tables": {
        "invitations": {"count": 6},
        "billing_customers": {"count": 5},
        "subscriptions": {"count": 5},
        "notifications": {"count": 12},
    },
}


@pytest.fixture
def kit_db(pg_superuser_dsn: str) -> Iterator[Any]:
    """A factory of new databases with the Supabase layer and a MakerKit demo schema."""
    names: list[str] = []

    def make(kit: str) -> str:
        name = f"supaseed_det_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        names.append(name)
        dsn = make_conninfo(pg_superuser_dsn, dbname=name)
        with psycopg.connect(dsn, autocommit=True) as conn:
            install_supabase_layer(conn)
            conn.execute(demo_schemas.sql(kit))
        return dsn

    yield make
    with psycopg.connect(pg_superuser_dsn, autocommit=True) as conn:
        for name in names:
            conn.execute(
                sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
            )


def contents(dsn: str) -> dict[str, list[str]]:
    """Every row of every table in ``public`` and ``auth``, as sorted text, per table."""
    out: dict[str, list[str]] = {}
    with psycopg.connect(dsn, autocommit=True) as conn:
        tables = conn.execute(
            "select n.nspname, c.relname from pg_class c join pg_namespace n "
            "on n.oid = c.relnamespace where c.relkind in ('r', 'p') "
            "and n.nspname in ('public', 'auth') order by 1, 2"
        ).fetchall()
        for schema, table in tables:
            rows = conn.execute(
                sql.SQL("select t::text from {} t order by 1").format(sql.Identifier(schema, table))
            ).fetchall()
            out[f"{schema}.{table}"] = [r[0] for r in rows]
    return out


def _differences(a: dict[str, list[str]], b: dict[str, list[str]]) -> list[str]:
    return [t for t in sorted(a) if a[t] != b.get(t)]


@pytest.mark.parametrize("kit", ["v2", "v3", "v1", "lite"])
def test_makerkit_seed_twice_gives_identical_tables_and_another_seed_differs(
    kit_db: Any, kit: str
) -> None:
    plan: dict[str, Any] = V2_PLAN if kit in ("v2", "v3") else {**V2_PLAN, "tables": {}}
    if kit == "lite":
        plan = {**plan, "accounts": {"teams": 0}}
    first, second, other = kit_db(kit), kit_db(kit), kit_db(kit)
    seed(plan, first, progress=False)
    time.sleep(0.01)  # a later build: now() has moved on
    seed(plan, second, progress=False)
    seed(plan, other, seed=22, progress=False)
    a, b, c = contents(first), contents(second), contents(other)
    assert sum(map(len, a.values())) > 20
    assert _differences(a, b) == []
    changed = _differences(a, c)
    assert "auth.users" in changed
    if kit != "lite":
        assert any(t.startswith("public.") for t in changed)


def test_users_phase_rows_carry_the_reference_instant(kit_db: Any) -> None:
    """Trigger-made personal accounts, team accounts, memberships and the super admin's factor
    carry the engine's reference instant, not the build time."""
    dsn = kit_db("v3")  # v3 stamps accounts and memberships with now() in a trigger
    seed({"users": {"makerkit_test_users": True, "count": 2}}, dsn, progress=False)
    with psycopg.connect(dsn) as conn:
        stamps = conn.execute(
            "select distinct created_at from public.accounts "
            "union select distinct updated_at from public.accounts "
            "union select distinct created_at from public.accounts_memberships "
            "union select distinct updated_at from public.accounts_memberships "
            "union select distinct created_at from auth.mfa_factors "
            "union select distinct created_at from auth.identities"
        ).fetchall()
    assert stamps == [(REFERENCE,)]


def test_another_interpreter_with_another_hash_seed_seeds_the_same_rows(kit_db: Any) -> None:
    """What an xdist worker is: a separate process, with its own PYTHONHASHSEED."""
    import json
    import os
    import subprocess
    import sys

    here, there = kit_db("v2"), kit_db("v2")
    seed(V2_PLAN, here, progress=False)
    code = (
        "import json, sys\n"
        "from pytest_supaseed.seed import seed\n"
        "seed(json.loads(sys.argv[1]), sys.argv[2], progress=False)\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, json.dumps(V2_PLAN), there],
        check=True,
        # a hash seed other than this process's (random unless PYTHONHASHSEED is set)
        env={
            **os.environ,
            "PYTHONHASHSEED": "7" if os.environ.get("PYTHONHASHSEED") == "8" else "8",
        },
        timeout=120,
    )
    assert _differences(contents(here), contents(there)) == []
