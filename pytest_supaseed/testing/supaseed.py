"""The object the ``supaseed`` fixture gives a test: its connection, plan, seed report and helpers."""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from ..lifecycle.session import SeededDatabase
from ..lifecycle.template_db import TemplateDatabase
from ..seed_result import SeedResult
from .doubles import ExtensionDoubles
from .queries import tuple_rows
from .rls import as_anon, as_service_role, as_user

if TYPE_CHECKING:
    from ..config.models import SeedPlan
    from ..config.resolve import ResolvedPlan


@dataclass
class Supaseed(ExtensionDoubles):
    """A seeded database as one test sees it.

    ``conn`` is the test's connection (inside a transaction rolled back after the test, unless the
    marker asked for ``isolation="database"``); ``plan`` the resolved seed plan (``resolved`` with
    its provenance; both resolved on first access); ``result`` what the
    seed produced (rows per table, relaxations: a :class:`SeedResult`); ``template_db`` the template
    database the test's database was cloned from (name, plan label, cache hit, build time);
    ``seeded`` the worker's clone it comes from (DSN, template database, plan);
    ``users`` maps e-mail to user id. The extension pack's doubles act on ``conn``:
    ``http_requests()`` (what pg_net queued), ``http_calls()`` and ``http_responses[url] = ...``
    (the ``http`` extension), ``run_cron_job(name)`` (a pg_cron job run now).
    """

    conn: psycopg.Connection
    dsn: str
    seeded: SeededDatabase = field(repr=False)
    random: random.Random
    _users: dict[str, uuid.UUID] | None = field(default=None, repr=False)

    @property
    def template_db(self) -> TemplateDatabase:
        """The template database the test's database was cloned from."""
        return self.seeded.template_db

    @property
    def resolved(self) -> ResolvedPlan:
        """The resolved plan (templates and customizations merged, with where each value came
        from), resolved on first access."""
        return self.seeded.resolved

    @property
    def result(self) -> SeedResult:
        """What the seed produced: rows per table, phases, warnings, relaxations, histograms."""
        return self.template_db.result

    @property
    def plan(self) -> SeedPlan:
        """The resolved seed plan (templates and customizations merged)."""
        return self.resolved.plan

    @property
    def users(self) -> dict[str, uuid.UUID]:
        """E-mail -> id of every user in ``auth.users`` (read once, inside the test's transaction)."""
        if self._users is None:
            rows = tuple_rows(
                self.conn,
                "select email, id from auth.users where email is not null order by email",
            ).fetchall()
            self._users = {str(email): uid for email, uid in rows}
        return self._users

    def table(
        self, name: str, *, where: str | None = None, order_by: str | None = None
    ) -> list[dict[str, Any]]:
        """Rows of table ``name`` (``"posts"`` or ``"schema.table"``) as dicts, as this test sees
        them (RLS applies when acting as a user). ``where`` / ``order_by`` are SQL fragments."""
        parts = name.split(".", 1)
        ident = sql.Identifier(*parts)
        query = sql.SQL("select * from {}").format(ident)
        if where:
            query += sql.SQL(" where ") + sql.SQL(where)
        if order_by:
            query += sql.SQL(" order by ") + sql.SQL(order_by)
        with self.conn.cursor(row_factory=dict_row) as cur:
            return list(cur.execute(query).fetchall())

    def count(self, name: str) -> int:
        """Number of rows of table ``name`` visible to this test."""
        parts = name.split(".", 1)
        row = tuple_rows(
            self.conn, sql.SQL("select count(*) from {}").format(sql.Identifier(*parts))
        ).fetchone()
        return int(row[0]) if row else 0

    def as_user(
        self,
        user: str | uuid.UUID,
        claims: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        aal: str = "aal1",
    ) -> AbstractContextManager[uuid.UUID]:
        """Act as a Supabase user (e-mail or id) inside the test's transaction: RLS applies.

        ``claims`` add to or override the JWT claims; ``headers`` become ``request.headers`` as
        PostgREST sets them. The session runs as the ``authenticator`` login role meanwhile (as
        PostgREST's), so ``set role postgres`` fails. The block gets the user's id; role, claims
        and headers are restored on exit."""
        return as_user(self.conn, user, aal=aal, claims=claims, headers=headers)

    def as_anon(self, headers: Mapping[str, str] | None = None) -> AbstractContextManager[None]:
        """Act as an anonymous visitor (role ``anon``, no ``sub``): RLS applies."""
        return as_anon(self.conn, headers=headers)

    def as_service_role(
        self, headers: Mapping[str, str] | None = None
    ) -> AbstractContextManager[None]:
        """Act as Supabase's service_role, which bypasses RLS."""
        return as_service_role(self.conn, headers=headers)
