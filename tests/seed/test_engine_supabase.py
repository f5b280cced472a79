"""The engine on a Supabase-shaped database: auth users from the users phase become parents."""

from __future__ import annotations

from typing import Any

import psycopg

from pytest_supaseed.seed import seed


def test_tables_referencing_auth_users_use_the_users_phase_rows(
    supabase_conn: psycopg.Connection[Any], supabase_db: str
) -> None:
    supabase_conn.execute(
        """
        create table public.profiles (
            id uuid primary key references auth.users(id) on delete cascade,
            username text not null unique,
            avatar_url text);
        create table public.notes (
            id uuid primary key default gen_random_uuid(),
            author_id uuid not null references auth.users(id),
            title text not null,
            created_at timestamptz not null default now());
        """
    )
    plan = {
        "seed": 2,
        "users": {"count": 4},
        "tables": {"profiles": {"count": 10}, "notes": {"count": 25}},
    }
    result = seed(plan, supabase_db, progress=False)
    assert result.rows["auth.users"] == 4
    assert len(result.users) == 4
    # one profile per user at most: the key is unique and references auth.users
    assert result.rows["public.profiles"] == 4
    assert any("profiles" in r for r in result.relaxations)
    authors = {r[0] for r in supabase_conn.execute("select distinct author_id from notes")}
    assert authors <= set(result.users.values())
    assert supabase_conn.execute("select count(*) from notes").fetchone() == (25,)
