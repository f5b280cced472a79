"""In pytest: the run's plan is checked against the migrated base database before anything is
seeded (the same words as `supaseed plan --check`, and the run stops), and the session header
says in one line when the schema changed since supaseed.schema.json, with the command to run."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

#: the blog project and its week of migrations, shared with tests/evolution/
EVOLUTION = Path(__file__).resolve().parents[1] / "evolution"

TESTS = """\
def test_authors(supaseed):
    assert supaseed.count("public.authors") == 3


def test_posts(supaseed):
    assert supaseed.count("public.posts") == 3
"""


@pytest.fixture
def blog_project(app) -> Path:
    """The blog (v1 migrations, plan, posts) as a pytester project (the suite's cache: conftest)."""
    shutil.copytree(EVOLUTION / "project", app.root, dirs_exist_ok=True)
    app.tests(TESTS, "test_blog")
    return app.root


def test_session_checks_the_plan_and_the_header_reports_schema_drift(
    app, blog_project: Path
) -> None:
    root = blog_project
    first = app.run()
    first.assert_outcomes(passed=2)
    assert "the schema changed" not in first.stdout.str()  # no snapshot yet: nothing to compare

    # the schema the session remembered for its base database is the snapshot to commit
    (remembered,) = (root / ".supaseed" / "schema").iterdir()
    shutil.copy(remembered, root / "supaseed.schema.json")

    # a week of migrations: the plan no longer fits; the first test fails with plan --check's
    # words and the run stops there
    shutil.copy(EVOLUTION / "evolve.sql", root / "supabase" / "migrations" / "0002_evolve.sql")
    broken = app.run()
    broken.assert_outcomes(errors=1)
    out = broken.stdout.str()
    assert (
        f"{root / 'supaseed.toml'}:7 at 'tables.authors.columns.role': public.authors has no "
        "column 'role'; fix: remove the key 'tables.authors.columns.role'"
    ) in out
    assert f"{root / 'supaseed.toml'}:17 at 'mappings.posts.fields.summary'" in out
    assert "supaseed: the migrations changed since the base database was last built" in out

    # the next run's header says what changed, in one line, with the command to run
    again = app.run()
    header = [line for line in again.stdout.lines if "the schema changed since" in line]
    assert header == [
        "supaseed: the schema changed since supaseed.schema.json (4 column added, 2 column "
        "removed, 1 column type changed, 1 enum label added, 1 table added); run `supaseed diff "
        "supaseed.schema.json --impact`, then `supaseed update`"
    ]

    # supaseed update --yes (the project's database, built as the plugin builds it) mends it
    update = subprocess.run(
        [str(Path(sys.executable).parent / "supaseed"), "update", "--yes", "--rootdir", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert update.returncode == 0, update.stdout + update.stderr
    assert "supaseed plan --check: The plan matches the live schema: no problems." in update.stdout
    mended = app.run()
    mended.assert_outcomes(passed=2)
    assert "the schema changed since" not in mended.stdout.str()
