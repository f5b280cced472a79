"""Fixtures of the schema tests: databases carrying the MakerKit demo schemas."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest

from pytest_supaseed import demo_schemas


@pytest.fixture
def load_demo(supabase_conn: psycopg.Connection) -> Callable[[str], psycopg.Connection]:
    """Apply a MakerKit demo schema (``"v2"``, ``"lite"``...) to a fresh Supabase-layer database."""

    def load(name: str) -> psycopg.Connection:
        with supabase_conn.transaction():
            supabase_conn.execute(demo_schemas.sql(name))
        return supabase_conn

    return load
