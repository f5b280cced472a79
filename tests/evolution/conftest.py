"""A blog project before and after a week of migrations, on the test server.

``blog`` (module scope) holds two databases: ``v1`` with the project's migration applied, and
``v2``, a copy of it after ``evolve.sql`` (a ``bio`` column, a NOT NULL ``rating`` column, the
``role`` column a constant names and the ``summary`` column a mapping writes dropped, a widened
varchar, a ``comments`` table referencing ``posts``, an enum label, a ``reading_level`` column the
posts' frontmatter has). ``project`` gives each test its own copy of the project directory with
the snapshot taken on ``v1``.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from pytest_supaseed.cli import main

HERE = Path(__file__).parent
PROJECT = HERE / "project"


@dataclass(frozen=True)
class Blog:
    """The databases and the prepared project (with ``supaseed.schema.json`` of v1)."""

    admin: str
    v1: str
    v2: str
    prepared: Path

    def copy_of(self, name: str) -> str:
        """DSN of a new database copied from ``name`` (v1 or v2); the caller drops it."""
        source = self.v1 if name == "v1" else self.v2
        template = psycopg.conninfo.conninfo_to_dict(source)["dbname"]
        copy = f"supaseed_evo_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{template}"')
        return make_conninfo(self.admin, dbname=copy)

    def drop(self, dsn: str) -> None:
        """Drop a database made by :meth:`copy_of`."""
        name = psycopg.conninfo.conninfo_to_dict(dsn)["dbname"]
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _create(admin: str, sql_files: list[Path], template: str | None = None) -> str:
    name = f"supaseed_evo_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        if template:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            conn.execute(f'CREATE DATABASE "{name}"')
    dsn = make_conninfo(admin, dbname=name)
    with psycopg.connect(dsn, autocommit=True) as conn:
        for path in sql_files:
            conn.execute(path.read_text(encoding="utf-8"))
    return dsn


@pytest.fixture(scope="module")
def blog(pg_superuser_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Blog]:
    """v1 and v2 of the blog's database, and the project with its v1 snapshot."""
    admin = pg_superuser_dsn
    v1 = _create(admin, sorted((PROJECT / "supabase" / "migrations").glob("*.sql")))
    prepared = tmp_path_factory.mktemp("blog") / "project"
    shutil.copytree(PROJECT, prepared)
    assert main(["snapshot", "--dsn", v1, "-o", str(prepared / "supaseed.schema.json")]) == 0
    v1_name = psycopg.conninfo.conninfo_to_dict(v1)["dbname"]
    v2 = _create(admin, [HERE / "evolve.sql"], template=str(v1_name))
    made = Blog(admin, v1, v2, prepared)
    try:
        yield made
    finally:
        made.drop(v2)
        made.drop(v1)


@pytest.fixture
def project(blog: Blog, tmp_path: Path) -> Path:
    """This test's own copy of the blog project (plan, assets, v1 snapshot)."""
    target = tmp_path / "blog"
    shutil.copytree(blog.prepared, target)
    return target


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Callable[[list[str]], None]:
    """Feed lines to the CLI's questions through standard input."""
    import io
    import sys

    def feed(lines: list[str]) -> None:
        monkeypatch.setattr(sys, "stdin", io.StringIO("".join(f"{line}\n" for line in lines)))

    return feed
