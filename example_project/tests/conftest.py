"""Who is who in the seeded outdoor platform, for the tests of this folder.

The plan (../supaseed.toml) seeds 6 users plus MakerKit's standard test users, a personal account
for each (the kit.setup_new_user trigger), and team accounts ("clubs") with an owner and members.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

GEAR_CATEGORIES = (
    "accessories", "clothing", "electronics", "kitchen", "packs", "safety", "shelter", "sleep", "water",
)  # fmt: skip


@dataclass(frozen=True)
class Club:
    """A team account, its owner, one of its members and a user who belongs to neither."""

    id: uuid.UUID
    slug: str
    owner: str
    member: str
    stranger: str


def find_club(supaseed: Any) -> Club:
    """The first club (by slug) that has a plain member besides its owner."""
    rows = supaseed.conn.execute(
        "select a.id, a.slug, "
        "  (select u.email from auth.users u where u.id = a.primary_owner_user_id), "
        "  (select min(u.email) from public.accounts_memberships m join auth.users u "
        "     on u.id = m.user_id where m.account_id = a.id and m.account_role = 'member') "
        "from public.accounts a where not a.is_personal_account order by a.slug"
    ).fetchall()
    for club_id, slug, owner, member in rows:
        if member is None:
            continue
        outsiders = supaseed.conn.execute(
            "select u.email from auth.users u where u.email is not null and u.id <> all("
            "  select user_id from public.accounts_memberships where account_id = %s) "
            "and u.id <> %s order by u.email",
            (club_id, supaseed.users[owner]),
        ).fetchall()
        return Club(club_id, slug, owner, member, outsiders[0][0])
    raise AssertionError("the plan seeds no club with a member")


@pytest.fixture
def club(supaseed: Any) -> Club:
    """A seeded club with its owner, a member and a stranger (see :func:`find_club`)."""
    return find_club(supaseed)
