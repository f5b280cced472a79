"""Vocabularies ship as data: seeding needs neither Faker nor Hypothesis, and the shipped pools are
exactly what Faker builds with the fixed seed (so seeded rows did not change when Faker became
optional). Features that do need Faker or Hypothesis say which extra to install."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from importlib.metadata import version
from typing import Any

import psycopg
import pytest

from pytest_supaseed.generate.vocab import DATA_DIR, build_vocabulary, vocabulary

# Makes `import faker` / `import hypothesis` fail as if they were not installed.
_WITHOUT_EXTRAS = "import sys; sys.modules['faker'] = None; sys.modules['hypothesis'] = None\n"


def _run_without_extras(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _WITHOUT_EXTRAS + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_shipped_pools_are_what_faker_builds() -> None:
    data = json.loads((DATA_DIR / "en_US.json").read_text())
    built_with = f"Faker {version('faker')},"
    if not data["built_with"].startswith(built_with):
        pytest.skip(f"shipped data was built with {data['built_with']}; installed: {built_with}")
    assert vocabulary("en_US") == build_vocabulary("en_US")
    assert len(vocabulary().first_names) > 300
    assert len(vocabulary().paragraphs) == 500


def test_seeding_needs_neither_faker_nor_hypothesis(fresh_db: str) -> None:
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute(
            "create table people (id bigint generated always as identity primary key, "
            "first_name text not null, last_name text not null, city text, bio text)"
        )
    done = _run_without_extras(
        f"""
        from pytest_supaseed.seed import seed
        result = seed({{"seed": 3, "tables": {{"people": {{"count": 500}}}}}}, {fresh_db!r},
                      progress=False)
        print(result.rows["public.people"])
        assert "faker" not in sys.modules or sys.modules["faker"] is None
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["500"]
    with psycopg.connect(fresh_db) as conn:
        names: Any = conn.execute("select first_name, last_name from people").fetchall()
    pools = vocabulary()
    assert len(names) == 500
    assert all(first in pools.first_names and last in pools.last_names for first, last in names)


def test_faker_expression_without_faker_names_the_key_and_the_extra() -> None:
    done = _run_without_extras(
        """
        from pytest_supaseed.errors import ConfigError
        from pytest_supaseed.generate.overrides import expression_generator
        try:
            expression_generator("faker.sentence()", where="tables.posts.columns.title")
        except ConfigError as exc:
            print(exc)
        """
    )
    assert done.returncode == 0, done.stderr
    assert "tables.posts.columns.title" in done.stdout
    assert "pip install 'pytest-supaseed[faker]'" in done.stdout


def test_other_locale_without_faker_names_the_extra() -> None:
    done = _run_without_extras(
        """
        from pytest_supaseed.errors import SupaseedError
        from pytest_supaseed.generate.vocab import vocabulary
        try:
            vocabulary("de_DE")
        except SupaseedError as exc:
            print(exc)
        """
    )
    assert done.returncode == 0, done.stderr
    assert "'de_DE'" in done.stdout
    assert "pytest-supaseed[faker]" in done.stdout
    assert "en_US" in done.stdout


def test_strategies_without_hypothesis_name_the_extra() -> None:
    done = _run_without_extras(
        """
        try:
            import pytest_supaseed.testing.strategies
        except ModuleNotFoundError as exc:
            print(exc)
        """
    )
    assert done.returncode == 0, done.stderr
    assert "pip install 'pytest-supaseed[hypothesis]'" in done.stdout


def test_other_locales_are_built_from_faker() -> None:
    pytest.importorskip("faker")
    german = vocabulary("de_DE")
    assert german.locale == "de_DE"
    assert german.first_names != vocabulary("en_US").first_names
