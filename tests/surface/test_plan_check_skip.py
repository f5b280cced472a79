"""A session whose plan passed the check against this base database before, and whose inputs are
unchanged, skips the check (no plan checker imported); a change to the plan or the migrations
checks again, and a plan that no longer fits the schema still stops the run with the check's
words."""

from __future__ import annotations

import json
from typing import Any

#: The process writes the package modules it imported.
RECORDER = """
import json
import sys

def pytest_unconfigure(config):
    with open("modules.json", "w") as out:
        json.dump(sorted(m for m in sys.modules if m.startswith("pytest_supaseed")), out)
"""

TESTS = """
def test_rows(supaseed):
    assert supaseed.count("items") == 5
"""


def _checked(app: Any) -> bool:
    modules = set(json.loads((app.root / "modules.json").read_text()))
    return "pytest_supaseed.lifecycle.schema_check" in modules


def test_an_unchanged_plan_is_not_checked_again_and_a_changed_one_is(app: Any) -> None:
    app.make(TESTS, {"20240101000000_app.sql": "create table items (n int primary key);\n"})
    app.pytester.makeconftest(RECORDER)
    (app.root / "supaseed.toml").write_text('[tables."public.items"]\ncount = 5\n')

    app.run().assert_outcomes(passed=1)
    assert _checked(app)  # first run: the plan against the new base database
    app.run().assert_outcomes(passed=1)
    assert not _checked(app)  # nothing changed: the template database it built proves it passed
    app.run("-n", "2").assert_outcomes(passed=1)
    assert not _checked(app)  # the xdist controller too

    # a plan that names a column the schema lacks: checked again, and the run stops with it
    (app.root / "supaseed.toml").write_text(
        '[tables."public.items"]\ncount = 5\n[tables."public.items".columns]\nnope = "x"\n'
    )
    result = app.run()
    assert _checked(app)
    assert result.ret != 0
    result.stdout.re_match_lines([r".*public\.items.*nope.*"])

    # fixed, and a new migration (a new base database): checked once, then skipped again
    (app.root / "supaseed.toml").write_text('[tables."public.items"]\ncount = 5\n')
    (app.root / "supabase" / "migrations" / "20240102000000_more.sql").write_text(
        "alter table items add column label text;\n"
    )
    app.run().assert_outcomes(passed=1)
    assert _checked(app)
    app.run().assert_outcomes(passed=1)
    assert not _checked(app)

    # --supaseed-rebuild always checks
    app.run("--supaseed-rebuild").assert_outcomes(passed=1)
    assert _checked(app)


MARKED = """
import pytest

@pytest.mark.supaseed("five")
def test_rows(supaseed):
    assert supaseed.count("items") == 5
"""


def test_a_project_without_a_plan_file_has_no_plan_to_check(app: Any) -> None:
    """Markers name their own templates (checked when their template databases are built): with
    no plan file and no --supaseed-template the session has nothing to check once the base
    database's schema is remembered; a plan added in pyproject.toml is checked."""
    app.make(MARKED, {"20240101000000_app.sql": "create table items (n int primary key);\n"})
    app.pytester.makeconftest(RECORDER)
    templates = app.root / "supaseed" / "templates"
    templates.mkdir(parents=True)
    (templates / "five.toml").write_text('[tables."public.items"]\ncount = 5\n')

    app.run().assert_outcomes(passed=1)
    assert _checked(app)  # the first run remembers the new base database's schema
    app.run().assert_outcomes(passed=1)
    assert not _checked(app)

    (app.root / "pyproject.toml").write_text(
        '[tool.supaseed]\n[tool.supaseed.tables."public.items"]\ncount = 5\n'
    )
    app.run().assert_outcomes(passed=1)
    assert _checked(app)
