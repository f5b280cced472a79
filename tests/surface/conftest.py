"""The pytest surface end to end: real pytest runs (pytester subprocesses) of small projects.

One shared cache for all of them: every run uses the suite's own cache root (one initdb per run
of the suite, removed at its end), keeping few throw-away project clusters. Every test of the suite
that requests ``pytester`` lives here (tests/test_layout.py says the rule and checks it).
A small Supabase project with two plan templates is the usual subject.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

import pytest

MIGRATION = """\
create table public.notes (
  id bigint generated always as identity primary key,
  owner_id uuid not null references auth.users (id),
  title text not null,
  body text
);
alter table public.notes enable row level security;
create policy "own notes" on public.notes for all to authenticated
  using (auth.uid() = owner_id) with check (auth.uid() = owner_id);
grant select, insert on public.notes to authenticated;
"""

SMALL = """\
description = "three users with two notes each"
seed = 7

[users]
count = 3
makerkit_test_users = false

[accounts]
personal = false

[tables."public.notes"]
count_per_parent = { owner_id = 2 }
"""

OTHER = """\
description = "five users with seven notes between them"
seed = 11

[users]
count = 5
makerkit_test_users = false

[accounts]
personal = false

[tables."public.notes"]
count = 7
"""


class App:
    """A pytester project to fill in: migrations, test modules, and runs of pytest on it."""

    def db_migrations_test(self) -> None:
        """``db/migrations`` (not supabase/migrations: for a ``supaseed_base_database`` override
        that builds from it) with one table and row, and a test that reads that row."""
        migrations = self.root / "db" / "migrations"
        migrations.mkdir(parents=True)
        (migrations / "20240101000000_notes.sql").write_text(
            "create table public.notes (id serial primary key, title text not null);\n"
            "insert into public.notes (title) values ('from db/migrations');\n"
        )
        self.tests(
            """
            def test_the_table_of_db_migrations(supaseed_db):
                rows = supaseed_db.execute("select title from public.notes").fetchall()
                assert rows == [("from db/migrations",)]
            """
        )

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester
        self.root: Path = pytester.path

    def make(self, tests: str, migrations: Mapping[str, str] | None = None) -> None:
        """A small Supabase project: migrations (file name -> SQL) and one test module."""
        folder = self.root / "supabase" / "migrations"
        folder.mkdir(parents=True, exist_ok=True)
        for name, sql in (migrations or {}).items():
            (folder / name).write_text(sql)
        self.tests(tests)

    def tests(self, source: str, name: str = "test_app") -> None:
        self.pytester.makepyfile(**{name: textwrap.dedent(source)})

    def run(self, *args: str) -> pytest.RunResult:
        """pytest in a subprocess, as a user runs it, in test order (no pytest-randomly)."""
        return self.pytester.runpytest_subprocess(
            "-p", "no:randomly", "-p", "no:cacheprovider", *args
        )


class SeededProject(App):
    """A pytester project: ``supabase/migrations`` plus templates ``small`` and ``other``."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        super().__init__(pytester)
        migrations = self.root / "supabase" / "migrations"
        migrations.mkdir(parents=True)
        (migrations / "20240101000000_notes.sql").write_text(MIGRATION)
        templates = self.root / "supaseed" / "templates"
        templates.mkdir(parents=True)
        (templates / "small.toml").write_text(SMALL)
        (templates / "other.toml").write_text(OTHER)

    def run(self, *args: str) -> pytest.RunResult:
        """pytest in a subprocess; pytest-randomly stays (``-p no:randomly`` where order matters)."""
        return self.pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)


@pytest.fixture(autouse=True)
def surface_cache(suite_cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache root every pytester run here uses: the suite's own (never the user's)."""
    monkeypatch.setenv("SUPASEED_CACHE_DIR", str(suite_cache_dir))
    monkeypatch.setenv("SUPASEED_MAX_CLUSTERS", "4")
    return suite_cache_dir


@pytest.fixture
def project(pytester: pytest.Pytester) -> SeededProject:
    """A fresh seeded project in pytester's temporary directory."""
    return SeededProject(pytester)


@pytest.fixture
def app(pytester: pytest.Pytester) -> App:
    """An empty project in pytester's temporary directory, to fill with ``make``."""
    return App(pytester)
