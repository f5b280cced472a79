"""Each built-in template's demo schema really runs on a Supabase-shaped database."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from pytest_supaseed.config import resolve_plan
from pytest_supaseed.lifecycle.migrations import run_sql_file

EXPECTED_TABLES = {
    "makerkit-saas": {"accounts", "accounts_memberships", "roles"},
    "outdoor-platform": {"accounts", "gear", "setups", "setup_gear", "trips", "media"},
    "blog-platform": {"accounts", "authors", "posts"},
    "e-commerce": {"products", "orders", "order_items", "reviews"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED_TABLES))
def test_demo_schema_applies_on_supabase(
    name: str, supabase_conn: psycopg.Connection, tmp_path: Path
) -> None:
    resolved = resolve_plan(name, rootdir=tmp_path)
    choice = resolved.migrations(tmp_path)  # an empty project: the demo schema applies
    assert choice.kind == "demo"
    for path in choice.paths:
        run_sql_file(supabase_conn, path, path.parent)
    rows = supabase_conn.execute(
        "select table_name from information_schema.tables where table_schema = 'public'"
    ).fetchall()
    assert EXPECTED_TABLES[name] <= {row[0] for row in rows}
    # The foreign keys the templates' plans rely on are really there.
    fks = {
        (row[0], row[1])
        for row in supabase_conn.execute(
            """
            select c.conrelid::regclass::text, c.confrelid::regclass::text
            from pg_constraint c where c.contype = 'f'
            """
        ).fetchall()
    }
    if name == "outdoor-platform":
        assert ("setups", "accounts") in fks
        assert ("setup_gear", "gear") in fks
    if name == "blog-platform":
        assert ("posts", "authors") in fks
    if name == "e-commerce":
        assert ("orders", "auth.users") in fks
        assert not any(target == "accounts" for _, target in fks)
