"""``starter_plan``: a starter supaseed.toml from a migrated schema, which seeds without edits."""

from __future__ import annotations

import tomllib
from pathlib import Path

import psycopg
from psycopg import sql

from pytest_supaseed.config import resolve_plan
from pytest_supaseed.config.starter import starter_plan
from pytest_supaseed.lifecycle.migrations import apply_migrations
from pytest_supaseed.schema import introspect
from pytest_supaseed.seed import seed

EXAMPLE = Path(__file__).resolve().parents[2] / "example_project"
NOTES = Path(__file__).resolve().parents[2] / "examples" / "notes"


def _counts(conn: psycopg.Connection, tables: list[str]) -> dict[str, int]:
    counts = {}
    for name in tables:
        schema, table = name.split(".", 1)
        query = sql.SQL("select count(*) from {}").format(sql.Identifier(schema, table))
        counts[name] = conn.execute(query).fetchone()[0]
    return counts


def _init_and_seed(dsn: str, project: Path, tmp_path: Path) -> tuple[str, dict[str, int]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        apply_migrations(conn, project)
        schema = introspect(conn)
        text = starter_plan(schema, _counts(conn, list(schema.tables)), source="the example")
    (tmp_path / "supaseed.toml").write_text(text)
    plan = resolve_plan(rootdir=tmp_path).plan  # the written file, validated as any plan
    result = seed(plan, dsn, progress=False, rootdir=tmp_path)
    return text, result.rows


def test_init_on_the_outdoor_example_seeds_without_edits(supabase_db: str, tmp_path: Path) -> None:
    text, rows = _init_and_seed(supabase_db, EXAMPLE, tmp_path)
    plan = tomllib.loads(text)
    assert plan["extends"] == "makerkit-saas"  # MakerKit v2 detected
    tables = plan["tables"]
    # Along the foreign keys: setups per account, setup_gear per setup, trips per account, ...
    assert tables["public.setups"] == {"count_per_parent": {"account_id": {"min": 0, "max": 3}}}
    assert tables["public.setup_gear"]["count_per_parent"].keys() == {"setup_id"}
    assert tables["public.gear"] == {"count": 10}
    assert "public.accounts" not in tables  # MakerKit's, filled by the users phase
    # and the note says who makes its rows: the kit's trigger one per user, makerkit-saas the rest
    assert (
        "# public.accounts: one per user made by a trigger on auth.users; the team accounts "
        "inserted by makerkit-saas" in text
    )
    assert "# public.gear_categories: 9 rows from the migrations" in text
    assert rows["public.gear"] == 10
    assert rows["public.trips"] >= 0
    assert rows["public.setup_gear"] > 0
    with psycopg.connect(supabase_db) as conn:
        (orphans,) = conn.execute(
            "select count(*) from setup_gear g left join setups s on s.id = g.setup_id "
            "where s.id is null"
        ).fetchone()
    assert orphans == 0


def test_init_on_a_plain_supabase_schema(supabase_db: str, tmp_path: Path) -> None:
    text, rows = _init_and_seed(supabase_db, NOTES, tmp_path)
    plan = tomllib.loads(text)
    assert "extends" not in plan
    assert plan["users"] == {"count": 5}
    # profiles come from the signup trigger; notes hang off profiles.
    assert "public.profiles: made by a trigger on auth.users" in text
    assert plan["tables"]["public.notes"]["count_per_parent"] == {"owner_id": {"min": 1, "max": 3}}
    assert rows["auth.users"] == 5
