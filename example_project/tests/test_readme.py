"""The README's 30-second example, kept here so that it stays true."""

import pytest

from pytest_supaseed.testing import assert_distribution, assert_not_visible


@pytest.mark.supaseed("outdoor-platform")  # the built-in template, on this app's own schema
def test_accounts_and_trips_are_private(supaseed):
    assert len(supaseed.users) == 15  # 10 users + MakerKit's 5 standard test users
    assert_distribution(supaseed.conn, "setup_gear", "setup_id", min=3, max=15)  # gear per setup
    for email, user_id in supaseed.users.items():
        with supaseed.as_user(email):  # role authenticated + JWT claims: RLS applies
            personal = supaseed.table("accounts", where="is_personal_account")
            assert [a["id"] for a in personal] == [user_id]
    with supaseed.as_anon():
        assert supaseed.count("trips") == 0
    some_trip = supaseed.table("trips")[0]["id"]
    assert_not_visible(supaseed.conn, "anon", "public.trips", [some_trip])
