"""Trips: the markdown trip reports in assets/trips/ as public.trips, spread over the accounts.

The mapping is written with supa-seed's own spellings (``calculate_read_time(body)``,
``random_recent(30_days)``, a ``fallbacks`` block, ``faker.lorem.*``): see ../supaseed.toml.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import frontmatter
from slugify import slugify

from pytest_supaseed.testing import assert_category_balance, assert_distribution

REPORTS = sorted((Path(__file__).parent.parent / "assets" / "trips").glob("*.md"))


def test_every_trip_report_is_a_trip(supaseed: Any) -> None:
    trips = {t["title"]: t for t in supaseed.table("trips")}
    assert len(REPORTS) == 8
    for path in REPORTS:
        report = frontmatter.load(path)
        trip = trips[report["title"]]
        assert trip["slug"] == path.stem  # slugify(frontmatter.title), as the file is named
        assert trip["body"].strip() == report.content.strip()
        assert trip["activity"] == report["activity"]
        assert trip["starts_on"] == report["date"]
        assert trip["nights"] == report["nights"]
        assert trip["read_minutes"] == max(1, math.ceil(len(report.content.split()) / 200))


def test_synthetic_trips_derive_slug_and_read_time_from_their_own_text(supaseed: Any) -> None:
    titles = {frontmatter.load(p)["title"] for p in REPORTS}
    synthetic = [t for t in supaseed.table("trips") if t["title"] not in titles]
    assert len(synthetic) == 2  # [tables."public.trips"] count = 10: 8 reports + 2 generated
    for trip in synthetic:
        assert trip["slug"] == slugify(trip["title"])
        assert trip["body"].count("\n\n") == 2  # faker.lorem.paragraphs(3)
        assert trip["read_minutes"] == max(1, math.ceil(len(trip["body"].split()) / 200))
        assert 0 <= trip["nights"] <= 5


def test_trips_are_spread_over_accounts_at_most_three_each(supaseed: Any) -> None:
    counts = assert_distribution(
        supaseed.conn, "trips", "account_id", min=0, max=3, total=10, targets="accounts"
    )
    assert len(counts) == supaseed.count("accounts")


def test_no_activity_is_more_than_half_of_the_trips(supaseed: Any) -> None:
    half = {"max": 0.5}
    bounds = dict.fromkeys(("hiking", "climbing", "paddling", "skiing"), half)
    assert_category_balance(
        supaseed.conn, "trips", "account_id", "activity", bounds, scope="overall"
    )


def test_members_read_their_clubs_trip_reports_in_date_order(supaseed: Any) -> None:
    for email in sorted(supaseed.users):
        with supaseed.as_user(email) as uid:
            mine = supaseed.table("trips", order_by="starts_on, id")
            allowed = {
                a
                for (a,) in supaseed.conn.execute(
                    "select account_id from accounts_memberships where user_id = %s "
                    "union select %s",
                    (uid, uid),
                )
            }
        assert {t["account_id"] for t in mine} <= allowed
        dates = [t["starts_on"] for t in mine]
        assert dates == sorted(dates)
