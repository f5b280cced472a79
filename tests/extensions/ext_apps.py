"""Helpers of the extension-pack tests: app databases built like a project's base database.

Every app of ``apps/`` is a Supabase project folder (``supabase/migrations``, maybe
``supabase/seed.sql``). :class:`AppDatabases` builds an app's database the way the plugin builds
a project's base database (preflight, Supabase layer, migrations, seed files) on the session's
embedded server, seeds three users with the seed engine, and drops it when the module ends.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from pytest_supaseed.lifecycle.base import build_base_database
from pytest_supaseed.seed import seed

APPS = Path(__file__).parent / "apps"
USERS = 3


@dataclass
class AppDatabase:
    """A built and seeded app database: its DSN and the seeded users (email -> id)."""

    name: str
    dsn: str
    users: dict[str, uuid.UUID]


@dataclass
class AppDatabases:
    """Builds each app's database on first use; drops them all at the end of the module."""

    superuser_dsn: str
    built: dict[str, AppDatabase] = field(default_factory=dict)

    def get(self, app: str) -> AppDatabase:
        """The module's shared database of ``app`` (for tests that commit nothing)."""
        if app not in self.built:
            self.built[app] = self._build(app)
        return self.built[app]

    def fresh(self, app: str) -> AppDatabase:
        """A database of ``app`` of the calling test's own, for a test that seeds more rows (so
        that tests in any order see the same starting rows)."""
        db = self._build(app)
        self.built[db.name] = db
        return db

    def _build(self, app: str) -> AppDatabase:
        name = f"supaseed_ext_{app}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.superuser_dsn, autocommit=True) as conn:
            conn.execute(f'create database "{name}"')
        dsn = make_conninfo(self.superuser_dsn, dbname=name)
        db = AppDatabase(name, dsn, {})
        build_base_database(dsn, APPS / app)
        result = seed({"seed": 7, "users": {"count": USERS}}, dsn, progress=False)
        db.users = {email: uuid.UUID(str(uid)) for email, uid in result.users.items()}
        return db

    def drop_all(self) -> None:
        with psycopg.connect(self.superuser_dsn, autocommit=True) as conn:
            for db in self.built.values():
                conn.execute(f'drop database if exists "{db_name(db.dsn)}" with (force)')


def db_name(dsn: str) -> str:
    """The database name of ``dsn``."""
    return str(conninfo_to_dict(dsn)["dbname"])


class TxFactory:
    """``tx(app_db)`` -> a connection in an open transaction (rolled back at teardown)."""

    def __init__(self) -> None:
        self.conns: list[psycopg.Connection] = []

    def __call__(self, db: AppDatabase) -> psycopg.Connection:
        conn = psycopg.connect(db.dsn)
        conn.execute("select 1")  # opens the transaction
        self.conns.append(conn)
        return conn

    def close(self) -> None:
        for conn in self.conns:
            conn.rollback()
            conn.close()
