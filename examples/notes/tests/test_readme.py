"""The README's 30-second example, kept here so that it stays true."""

import pytest

from pytest_supaseed.testing import assert_not_visible


@pytest.mark.supaseed(users={"count": 9})  # supaseed.toml, with 9 users instead of 4
def test_users_see_only_their_notes(supaseed):
    assert supaseed.count("auth.users") == 10  # + demo@example.com from supabase/seed.sql
    for email, user_id in supaseed.users.items():
        with supaseed.as_user(email):  # role authenticated + JWT claims: RLS applies
            assert {note["owner_id"] for note in supaseed.table("notes")} == {user_id}
    with supaseed.as_anon():
        assert supaseed.count("notes") == 0
    some_note = supaseed.table("notes")[0]["id"]
    assert_not_visible(supaseed.conn, "anon", "public.notes", [some_note])
