"""Helpers of the example app's tests.

test_notes.py acts as users by hand (what the plugin's helpers do for you); the other files use
the ``supaseed`` fixture and ``pytest_supaseed.testing``.
"""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest

DEMO_USER = uuid.UUID("11111111-1111-1111-1111-111111111111")
DEMO_EMAIL = "demo@example.com"  # both from supabase/seed.sql


def act_as(conn: psycopg.Connection, user_id: uuid.UUID | None) -> None:
    """Switch the rest of the transaction to role authenticated as ``user_id`` (None = anon)."""
    if user_id is None:
        conn.execute("set local role anon")
        conn.execute("select set_config('request.jwt.claims', '', true)")
        return
    claims = {"sub": str(user_id), "role": "authenticated"}
    conn.execute("set local role authenticated")
    conn.execute("select set_config('request.jwt.claims', %s, true)", (json.dumps(claims),))


def create_user(conn: psycopg.Connection, email: str) -> uuid.UUID:
    """Insert an auth.users row (the profile trigger does the rest); returns its id."""
    user_id = uuid.uuid4()
    conn.execute(
        "insert into auth.users (id, email, encrypted_password, raw_user_meta_data) "
        "values (%s, %s, extensions.crypt('pw', extensions.gen_salt('bf', 4)), %s)",
        (user_id, email, json.dumps({"username": email.split("@")[0]})),
    )
    return user_id


@pytest.fixture
def alice(supaseed_db: psycopg.Connection) -> uuid.UUID:
    """A fresh user (rolled back with the test)."""
    return create_user(supaseed_db, "alice@example.com")
