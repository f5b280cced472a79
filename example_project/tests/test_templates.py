"""Other datasets for the same app: the built-in template, a project template, customizations.

Each distinct (template, customizations, seed) is seeded once into a template database (kept
between runs) and cloned per xdist worker; the tests still run in rolled-back transactions.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import find_club

from pytest_supaseed.testing import assert_distribution


@pytest.mark.supaseed("outdoor-platform")
def test_the_built_in_template_on_our_schema(supaseed: Any) -> None:
    # outdoor-platform as shipped: its 20-item sample catalogue, 10 users + MakerKit's 5 test users.
    assert supaseed.count("gear") == 20
    assert len(supaseed.users) == 15
    assert "owner@makerkit.dev" in supaseed.users
    assert_distribution(supaseed.conn, "setup_gear", "setup_id", min=3, max=15, targets="setups")
    # Its synthetic trips still satisfy our schema's slug CHECK and activity enum.
    assert all(t["slug"] and t["activity"] for t in supaseed.table("trips"))


@pytest.mark.supaseed("big-club")
def test_a_project_template_with_many_clubs(supaseed: Any) -> None:
    assert len([e for e in supaseed.users if e.endswith("@club.test")]) == 30
    clubs = supaseed.table("accounts", where="not is_personal_account and slug <> 'makerkit'")
    assert len(clubs) == 5
    members = assert_distribution(supaseed.conn, "accounts_memberships", "account_id", min=3, max=6)
    assert {c["id"] for c in clubs} <= set(members)
    club = find_club(supaseed)
    with supaseed.as_user(club.stranger):
        assert supaseed.table("accounts", where=f"id = '{club.id}'") == []


@pytest.mark.supaseed(users={"count": 2}, accounts={"teams": 1})
def test_customizations_change_one_section(supaseed: Any) -> None:
    # The rest of supaseed.toml still applies: our catalogue, trips from markdown, photos.
    assert len([e for e in supaseed.users if e.endswith("@example.com")]) == 2
    assert supaseed.count("gear") == 26
    assert supaseed.count("trips") == 10


@pytest.mark.supaseed(seed=1234)
def test_another_seed_gives_other_rows_under_the_same_rules(
    supaseed: Any, supaseed_settings: Any
) -> None:
    # The plan says seed = 42; the marker wins over it, and --supaseed-seed over both.
    expected = supaseed_settings.seed if supaseed_settings.seed is not None else 1234
    assert supaseed.result.seed == expected
    assert_distribution(supaseed.conn, "trips", "account_id", max=3, total=10)
    assert_distribution(supaseed.conn, "setup_gear", "setup_id", min=3, max=15, total=96)
