"""The trips webhook (supabase/migrations/20240301000000_webhooks.sql), asserted through the
extension pack: pg_net queues the request in the test's transaction, nothing is sent."""

from __future__ import annotations

from typing import Any

from conftest import Club


def test_a_new_club_trip_is_posted_to_the_webhook(supaseed: Any, club: Club) -> None:
    before = len(supaseed.http_requests())  # the seeded trips were posted too, at seeding time
    with supaseed.as_user(club.member):
        supaseed.conn.execute(
            "insert into trips (account_id, title, slug, activity) "
            "values (%s, 'Dawn patrol', 'dawn-patrol', 'skiing')",
            (club.id,),
        )
    (request,) = supaseed.http_requests()[before:]
    assert request.method == "POST"
    assert request.url == "https://outdoor.example.test/api/webhooks/trips"
    assert request.body["type"] == "INSERT"
    assert request.body["table"] == "trips"
    assert request.body["record"]["title"] == "Dawn patrol"
    assert request.body["record"]["account_id"] == str(club.id)


def test_a_refused_trip_posts_nothing(supaseed: Any, club: Club) -> None:
    before = len(supaseed.http_requests())
    with supaseed.as_user(club.stranger):
        done = supaseed.conn.execute(
            "update trips set title = 'x' where account_id = %s", (club.id,)
        )
    assert done.rowcount == 0
    assert len(supaseed.http_requests()) == before
