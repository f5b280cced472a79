"""Row level security as the app's users meet it: a club's owner and member, a stranger, a visitor.

``policy.EXPECTED_ACCESS`` is the app's policy in one table; ``test_the_rls_matrix_is_the_policy``
checks it against the matrix pytest-supaseed computes by trying every operation as every caller
(the same matrix is in the HTML seed report: ``pytest --supaseed-report report.html``).
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from conftest import Club
from policy import ALL, EXPECTED_ACCESS

from pytest_supaseed.testing import assert_not_visible, assert_rls_enabled, assert_visible
from pytest_supaseed.testing.matrix import rls_matrix


def test_every_table_but_the_lookup_table_has_rls(supaseed: Any) -> None:
    assert_rls_enabled(supaseed.conn, "public", exclude=["gear_categories"])
    with pytest.raises(AssertionError, match="gear_categories"):
        assert_rls_enabled(supaseed.conn, "public")


def test_the_rls_matrix_is_the_policy(supaseed: Any) -> None:
    matrix = rls_matrix(supaseed.conn, "public")
    assert matrix.without_rls == ["public.gear_categories"]
    assert set(matrix.tables) == set(EXPECTED_ACCESS)
    for table, expected in EXPECTED_ACCESS.items():
        access = matrix.tables[table]
        for caller, allowed in expected.items():
            assert access.allowed(caller) == allowed, (table, caller, access.cells[caller])
        assert access.allowed("service_role") == ALL  # the backend bypasses RLS


def test_the_lookup_table_is_protected_by_grants_alone(supaseed: Any) -> None:
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"),
        supaseed.as_anon(),
    ):
        supaseed.conn.execute("delete from gear_categories")
    with supaseed.as_anon():
        assert supaseed.count("gear_categories") == 9


def test_a_club_trip_is_seen_by_its_owner_and_members_only(supaseed: Any, club: Club) -> None:
    with supaseed.as_user(club.owner):
        (trip_id,) = supaseed.conn.execute(
            "insert into trips (account_id, title, slug, activity) "
            "values (%s, 'Club weekend', 'club-weekend', 'hiking') returning id",
            (club.id,),
        ).fetchone()
    assert_visible(supaseed.conn, club.owner, "public.trips", [trip_id])
    assert_visible(supaseed.conn, club.member, "public.trips", [trip_id])
    assert_not_visible(supaseed.conn, club.stranger, "public.trips", [trip_id])
    assert_not_visible(supaseed.conn, "anon", "public.trips", [trip_id])
    assert_visible(supaseed.conn, "service_role", "public.trips", [trip_id])


def test_a_stranger_cannot_post_into_a_club_nor_change_its_trips(supaseed: Any, club: Club) -> None:
    forged = (
        "insert into trips (account_id, title, slug, activity) "
        "values (%s, 'Forged', 'forged', 'hiking')"
    )
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"),
        supaseed.as_user(club.stranger),
    ):
        supaseed.conn.execute(forged, (club.id,))
    with supaseed.as_user(club.stranger):
        changed = supaseed.conn.execute(
            "update trips set title = 'hacked' where account_id = %s", (club.id,)
        )
        assert changed.rowcount == 0
        assert (
            supaseed.conn.execute("delete from setups where account_id = %s", (club.id,)).rowcount
            == 0
        )


def test_a_public_setup_is_visible_to_everyone_with_its_gear(supaseed: Any, club: Club) -> None:
    with supaseed.as_user(club.member):
        (setup_id,) = supaseed.conn.execute(
            "insert into setups (account_id, name, is_public) values (%s, 'Club kit', true) "
            "returning id",
            (club.id,),
        ).fetchone()
        supaseed.conn.execute(
            "insert into setup_gear (setup_id, gear_id) select %s, id from gear "
            "where category = 'shelter'",
            (setup_id,),
        )
    for who in (club.stranger, "anon"):
        assert_visible(supaseed.conn, who, "public.setups", [setup_id])
    with supaseed.as_anon():
        shelters = supaseed.conn.execute(
            "select count(*) from setup_gear where setup_id = %s", (setup_id,)
        ).fetchone()
    assert shelters == (len(supaseed.table("gear", where="category = 'shelter'")),)


def test_everyone_sees_their_own_personal_account_only(supaseed: Any) -> None:
    for email, user_id in supaseed.users.items():
        with supaseed.as_user(email):
            personal = supaseed.table("accounts", where="is_personal_account")
        assert [a["id"] for a in personal] == [user_id]
