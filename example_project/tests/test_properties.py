"""Property-based tests (Hypothesis) over the plan's asset pools and the real schema.

``from_pool(pool)`` draws assets of a pool (shrinking toward the first file); ``rows(table)``
draws rows the table accepts (types, lengths, CHECKs), so a failure is the app's bug.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import sql

from pytest_supaseed.assets import load_pool
from pytest_supaseed.config import resolve_plan
from pytest_supaseed.schema import Table, introspect
from pytest_supaseed.testing import assert_not_visible
from pytest_supaseed.testing.strategies import from_pool, rows

ROOT = Path(__file__).parent.parent
PLAN = resolve_plan(rootdir=ROOT).plan
GEAR = load_pool("gear_catalog", PLAN.asset_pools["gear_catalog"], ROOT)
REPORTS = load_pool("trip_reports", PLAN.asset_pools["trip_reports"], ROOT)

# One ``supaseed`` fixture per test, many examples: each example rolls its writes back.
EXAMPLES = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@EXAMPLES
@given(item=from_pool(GEAR))
def test_every_catalogue_item_is_listed_in_its_category(supaseed: Any, item: Any) -> None:
    found = supaseed.table(
        "gear", where=f"category = '{item.fields['category']}'", order_by="weight_grams"
    )
    assert item.fields["name"] in [g["name"] for g in found]


@EXAMPLES
@given(report=from_pool(REPORTS))
def test_every_report_is_private_to_its_account(supaseed: Any, report: Any) -> None:
    (trip,) = supaseed.table("trips", where=f"slug = '{report.key.removesuffix('.md')}'")
    assert_not_visible(supaseed.conn, "anon", "public.trips", [trip["id"]])
    outsiders = supaseed.conn.execute(
        "select email from auth.users where id <> %s and id not in ("
        "  select user_id from accounts_memberships where account_id = %s) order by email",
        (trip["account_id"], trip["account_id"]),
    ).fetchall()
    assert_not_visible(supaseed.conn, outsiders[0][0], "public.trips", [trip["id"]])


@pytest.fixture
def setups_table(supaseed: Any) -> Table:
    """public.setups as introspected from the test database."""
    return introspect(supaseed.conn).table("public.setups")


@EXAMPLES
@given(data=st.data())
def test_any_valid_setup_a_member_saves_is_theirs_alone(
    supaseed: Any, setups_table: Table, data: Any
) -> None:
    email = data.draw(st.sampled_from(sorted(supaseed.users)))
    account = supaseed.users[email]  # the personal account's id is the user's id
    batch = data.draw(rows(setups_table, parents={"public.accounts": [account]}))
    with supaseed.conn.transaction():
        with supaseed.as_user(email):
            ids = [
                supaseed.conn.execute(
                    sql.SQL("insert into setups ({}) values ({}) returning id").format(
                        sql.SQL(", ").join(map(sql.Identifier, row)),
                        sql.SQL(", ").join(sql.Placeholder() * len(row)),
                    ),
                    list(row.values()),
                ).fetchone()[0]
                for row in batch
            ]
            assert len(supaseed.table("setups", where="account_id = auth.uid()")) >= len(ids)
        private = [i for i, row in zip(ids, batch, strict=True) if not row.get("is_public")]
        assert_not_visible(supaseed.conn, "anon", "public.setups", private)
        raise psycopg.Rollback()
