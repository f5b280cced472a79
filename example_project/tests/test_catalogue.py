"""The gear catalogue: assets/gear/catalogue.json, checked against its JSON Schema, as public.gear."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
from conftest import GEAR_CATEGORIES

from pytest_supaseed.assets import load_pool
from pytest_supaseed.config import resolve_plan

ROOT = Path(__file__).parent.parent
CATALOGUE = json.loads((ROOT / "assets" / "gear" / "catalogue.json").read_text())


def test_every_catalogue_item_is_a_gear_row(supaseed: Any) -> None:
    rows = {(r["brand"], r["name"]): r for r in supaseed.table("gear")}
    assert len(rows) == len(CATALOGUE) == 26
    for item in CATALOGUE:
        row = rows[item["brand"], item["name"]]
        assert (row["category"], row["weight_grams"], row["price_cents"]) == (
            item["category"],
            item["weight_grams"],
            item["price_cents"],
        )


def test_the_catalogue_pool_checks_each_item_against_the_json_schema(tmp_path: Path) -> None:
    config = resolve_plan(rootdir=ROOT).plan.asset_pools["gear_catalog"]
    assert load_pool("gear_catalog", config, ROOT).errors == []
    # A broken copy: the schema's enum catches the category, and the good items are kept.
    broken = [*CATALOGUE[:2], {**CATALOGUE[2], "category": "snacks"}]
    (tmp_path / "assets" / "gear").mkdir(parents=True)
    (tmp_path / "assets" / "gear" / "catalogue.json").write_text(json.dumps(broken))
    copy = config.model_copy(update={"path": ["assets/gear/catalogue.json"]})
    pool = load_pool("gear_catalog", copy, tmp_path)  # the plan's JSON Schema, a broken file
    assert len(pool.loaded) == 2
    (problem,) = pool.errors
    assert problem.file.endswith("catalogue.json[2]")
    assert "snacks" in problem.reason


def test_anyone_reads_the_catalogue_only_the_backend_writes_it(supaseed: Any) -> None:
    total = supaseed.count("gear")
    with supaseed.as_anon():
        assert supaseed.count("gear") == total
    email = supaseed.random.choice(sorted(supaseed.users))
    with supaseed.as_user(email):
        # Supabase grants UPDATE on public tables to every role; RLS (no update policy) filters
        # every row away, so nothing changes and nothing fails.
        assert supaseed.conn.execute("update gear set price_cents = 0").rowcount == 0
    forged = "insert into gear (name, brand, category) values ('Forged', 'Nobody', 'packs')"
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"),
        supaseed.as_user(email),
    ):
        supaseed.conn.execute(forged)
    with supaseed.as_service_role():
        assert supaseed.conn.execute("update gear set price_cents = 0").rowcount == total


def test_categories_are_the_lookup_tables(supaseed: Any) -> None:
    slugs = [r["slug"] for r in supaseed.table("gear_categories", order_by="slug")]
    assert tuple(slugs) == GEAR_CATEGORIES
    assert {r["category"] for r in supaseed.table("gear")} == set(GEAR_CATEGORIES)
