"""``supaseed_async_db``: the seeded database as a psycopg ``AsyncConnection`` (pytest-asyncio)."""

from __future__ import annotations

import json

import psycopg
import pytest


async def lightest_kit(conn: psycopg.AsyncConnection, category: str) -> tuple[str, int]:
    """App code under test: the lightest catalogue item of a category."""
    cur = await conn.execute(
        "select name, weight_grams from gear where category = %s order by weight_grams, name limit 1",
        (category,),
    )
    row = await cur.fetchone()
    assert row is not None
    return row


@pytest.mark.asyncio
@pytest.mark.supaseed("outdoor-platform")
async def test_async_app_code_reads_the_catalogue_as_a_visitor(
    supaseed_async_db: psycopg.AsyncConnection,
) -> None:
    # The built-in template's own sample catalogue (20 items), seeded on this app's schema.
    await supaseed_async_db.execute("set local role anon")
    cur = await supaseed_async_db.execute("select count(*) from gear")
    assert await cur.fetchone() == (20,)
    name, grams = await lightest_kit(supaseed_async_db, "kitchen")
    assert grams > 0
    assert name


@pytest.mark.asyncio
@pytest.mark.supaseed  # no template: the project's plan, supaseed.toml
async def test_async_user_writes_a_trip_for_their_personal_account(
    supaseed_async_db: psycopg.AsyncConnection,
) -> None:
    cur = await supaseed_async_db.execute(
        "select id from auth.users where email = 'owner@makerkit.dev'"
    )
    (user_id,) = await cur.fetchone() or (None,)
    await supaseed_async_db.execute("set local role authenticated")
    await supaseed_async_db.execute(
        "select set_config('request.jwt.claims', %s, true)", (json.dumps({"sub": str(user_id)}),)
    )
    await supaseed_async_db.execute(
        "insert into trips (account_id, title, slug, activity) "
        "values (%s, 'Async ascent', 'async-ascent', 'climbing')",
        (user_id,),
    )
    cur = await supaseed_async_db.execute("select distinct account_id from trips")
    assert user_id in [a for (a,) in await cur.fetchall()]
