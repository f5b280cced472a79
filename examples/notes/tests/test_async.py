"""``supaseed_async_db``: a psycopg ``AsyncConnection`` for async app code (pytest-asyncio)."""

from __future__ import annotations

import psycopg
import pytest
from conftest import DEMO_USER


async def notes_of(conn: psycopg.AsyncConnection, owner: object) -> list[str]:
    """App code under test: an owner's note titles, oldest first."""
    cur = await conn.execute(
        "select title from notes where owner_id = %s order by created_at, id", (owner,)
    )
    return [title for (title,) in await cur.fetchall()]


@pytest.mark.asyncio
async def test_async_without_marker_sees_migrations_and_seed_sql(
    supaseed_async_db: psycopg.AsyncConnection,
) -> None:
    assert await notes_of(supaseed_async_db, DEMO_USER) == ["Welcome"]


@pytest.mark.asyncio
@pytest.mark.supaseed(users={"count": 3})
async def test_async_with_marker_and_rls(supaseed_async_db: psycopg.AsyncConnection) -> None:
    cur = await supaseed_async_db.execute("select count(*) from auth.users")
    assert await cur.fetchone() == (4,)
    # Act as the demo user by hand (the sync helpers take a sync connection).
    await supaseed_async_db.execute("set local role authenticated")
    await supaseed_async_db.execute(
        "select set_config('request.jwt.claims', %s, true)", (f'{{"sub": "{DEMO_USER}"}}',)
    )
    await supaseed_async_db.execute("insert into notes (title) values ('async note')")
    titles = await notes_of(supaseed_async_db, DEMO_USER)
    assert titles[-2:] == ["Welcome", "async note"]  # seeded notes are dated before 2025
    assert len(titles) >= 3
    cur = await supaseed_async_db.execute("select count(distinct owner_id) from notes")
    assert await cur.fetchone() == (1,)  # RLS: the other users' notes are invisible
