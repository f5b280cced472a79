"""The async flavour of ``supaseed_db``, for pytest-asyncio (registered when it is installed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio

from .fixtures import _seeded_or_fail
from .marker import SupaseedRequest

if TYPE_CHECKING:
    import psycopg

    from .lifecycle.session import SeedSession


@pytest_asyncio.fixture
async def supaseed_async_db(
    request: pytest.FixtureRequest,
    supaseed_session: SeedSession,
    supaseed_request: SupaseedRequest | None,
) -> AsyncIterator[psycopg.AsyncConnection]:
    """A psycopg 3 ``AsyncConnection`` to the test database, inside a transaction rolled back
    after the test: the same database, marker handling and isolation as ``supaseed_db``."""
    import psycopg

    wanted = supaseed_request
    if wanted is not None and wanted.isolation == "database":
        _seeded_or_fail(supaseed_session, wanted)
        with supaseed_session.fresh_clone(wanted) as dsn:
            conn = await psycopg.AsyncConnection.connect(dsn)
            try:
                yield conn
            finally:
                await conn.close()
        return
    dsn = (
        request.getfixturevalue("supaseed_dsn")
        if wanted is None
        else _seeded_or_fail(supaseed_session, wanted).dsn
    )
    conn = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
    try:
        async with conn.transaction(force_rollback=True):
            yield conn
    finally:
        await conn.close()
