"""A failed run on several connections removes every row it committed, also the rows written in
savepoints (whose xmin is a subtransaction's id, not the run's transaction's): MakerKit's phase
(team roles and memberships) and the UPDATEs that close foreign-key cycles."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from dumps import dump as pg_dump

from pytest_supaseed import demo_schemas
from pytest_supaseed.errors import SupaseedError
from pytest_supaseed.seed import seed

APP = """
create table public.gear (id uuid primary key default gen_random_uuid(),
  account_id uuid not null references public.accounts (id), name text not null,
  weight_g integer not null check (weight_g between 1 and 5000));
create table public.teams_a (id uuid primary key, b_id uuid);
create table public.teams_b (id uuid primary key, a_id uuid not null references public.teams_a (id));
alter table public.teams_a add foreign key (b_id) references public.teams_b (id);
"""


def _plan(weight: str) -> dict[str, Any]:
    return {
        "seed": 3,
        "users": {"count": 4, "makerkit_test_users": True},
        "accounts": {"teams": 2},
        "tables": {
            "public.teams_a": {"count": 20},
            "public.teams_b": {"count": 20},
            "public.gear": {"count": 30, "columns": {"weight_g": weight}},
        },
    }


@pytest.fixture
def kit_db(supabase_db: str) -> str:
    with psycopg.connect(supabase_db, autocommit=True) as conn:
        conn.execute(demo_schemas.sql("makerkit_v2.sql"))
        conn.execute(APP)
    return supabase_db


def test_a_failed_makerkit_run_on_two_connections_leaves_the_database_as_it_was(
    kit_db: str,
) -> None:
    before = pg_dump(kit_db)
    with pytest.raises(SupaseedError) as info:
        seed(_plan("6500"), kit_db, progress=False, jobs=2)
    message = str(info.value)
    assert "public.gear.weight_g" in message  # the run's own error, not a cleanup's
    assert "gear_weight_g_check" in message
    assert pg_dump(kit_db) == before  # users, accounts, memberships, the custom role: all gone


def test_the_same_plan_that_fits_seeds_and_closes_the_cycle_on_two_connections(
    kit_db: str,
) -> None:
    result = seed(_plan("700"), kit_db, progress=False, jobs=2)
    assert result.rows["public.gear"] == 30
    with psycopg.connect(kit_db) as conn:
        memberships = conn.execute("select count(*) from public.accounts_memberships").fetchone()
        open_cycle = conn.execute(
            "select count(*) from public.teams_a where b_id is null"
        ).fetchone()
    assert memberships is not None
    assert memberships[0] > 0
    assert open_cycle == (0,)
