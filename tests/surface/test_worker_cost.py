"""An xdist worker repeats none of the controller's work: it receives the base database's name and
imports none of the code that builds the base database or checks the run's plan against it (the
controller did both before the workers started), yet its tests get their database as before."""

from __future__ import annotations

import json
import textwrap

import pytest

#: Each process (controller ``main``, workers ``gw0``, ``gw1``) writes the modules it imported.
RECORDER = """
import json
import sys

import pytest


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    # not PYTEST_XDIST_WORKER: a controller started from an xdist worker inherits it
    workerinput = getattr(config, "workerinput", None)
    worker = workerinput["workerid"] if workerinput else "main"
    with open(f"modules-{worker}.json", "w") as out:
        json.dump(sorted(sys.modules), out)
"""

#: What only the process that builds and checks the base database needs.
CONTROLLER_ONLY = (
    "pytest_supaseed.lifecycle.base",
    "pytest_supaseed.lifecycle.schema_check",
    "pytest_supaseed.plancheck.check",
)


def test_workers_import_none_of_the_base_database_build_and_plan_check(
    pytester: pytest.Pytester,
) -> None:
    folder = pytester.path / "supabase" / "migrations"
    folder.mkdir(parents=True)
    (folder / "20240101000000_app.sql").write_text("create table items (n int primary key);\n")
    (pytester.path / "supaseed.toml").write_text('[tables."public.items"]\ncount = 7\n')
    pytester.makeconftest(RECORDER)
    pytester.makepyfile(
        test_app=textwrap.dedent(
            """
            import pytest

            @pytest.mark.parametrize("i", range(4))
            def test_rows(supaseed, i):
                assert supaseed.count("items") == 7
            """
        )
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "no:cacheprovider", "-p", "no:postgresql", "-n", "2"
    )
    result.assert_outcomes(passed=4)
    controller = set(json.loads((pytester.path / "modules-main.json").read_text()))
    # the controller built the base database and checked the plan against it
    assert {
        "pytest_supaseed.lifecycle.base",
        "pytest_supaseed.lifecycle.schema_check",
    } <= controller
    for worker in ("gw0", "gw1"):
        modules = set(json.loads((pytester.path / f"modules-{worker}.json").read_text()))
        assert "pytest_supaseed.lifecycle.session" in modules  # it did seed or clone
        assert sorted(set(CONTROLLER_ONLY) & modules) == [], worker
