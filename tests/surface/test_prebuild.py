"""A single-process run builds the template databases its tests will use on a thread, in the
order its tests need them, while the tests of the ones before run
(:mod:`pytest_supaseed.lifecycle.prebuild`). What the thread fails at, the test that needs it
reports as without the thread; a test that asks before the thread begins builds it itself."""

from __future__ import annotations

import json
from typing import Any

#: Imports for the test modules below: the run's prebuild and the key of a request.
HEADER = """
import time

import pytest

from pytest_supaseed.lifecycle.session import request_identity
from pytest_supaseed.marker import SupaseedRequest
from pytest_supaseed.run_state import get_run_state

SMALL = request_identity(SupaseedRequest("small"))
OTHER = request_identity(SupaseedRequest("other"))


def wait_for(prebuild, key, status):
    deadline = time.monotonic() + 60
    while prebuild.status(key) != status and time.monotonic() < deadline:
        time.sleep(0.01)
    return prebuild.status(key)
"""


#: A conftest that holds the prebuild's thread until ``GATE`` is set.
GATED = """
        import threading

        from pytest_supaseed.lifecycle import prebuild

        GATE = threading.Event()
        _run = prebuild.Prebuild._run

        def _gated(self):
            GATE.wait(60)
            _run(self)

        prebuild.Prebuild._run = _gated
"""


def _summary_lines(result: Any) -> list[str]:
    return [line for line in result.outlines if line.startswith(("small", "other"))]


def test_the_next_template_database_is_built_while_the_first_tests_run(project: Any) -> None:
    project.tests(
        HEADER
        + """
@pytest.mark.supaseed("small")
def test_small(supaseed, request):
    prebuild = get_run_state(request.config).prebuild
    assert prebuild is not None and prebuild.keys == (SMALL, OTHER)
    assert prebuild.status(SMALL) == "taken"
    # nothing in this process but the thread can build "other" while this test waits
    assert wait_for(prebuild, OTHER, "done") == "done"
    assert supaseed.count("public.notes") == 6

@pytest.mark.supaseed("other")
def test_other(supaseed, request):
    assert get_run_state(request.config).prebuild.status(OTHER) == "taken"
    assert supaseed.count("public.notes") == 7
    # rebuilt in this run (--supaseed-rebuild) by the thread, under the run's rebuild token: the
    # main thread took it as built, not rebuilding it again nor calling it reused
    assert not supaseed.template_db.cache_hit

@pytest.mark.supaseed("small")
def test_small_again(supaseed):
    assert supaseed.count("public.notes") == 6
"""
    )
    result = project.run("-p", "no:randomly", "--supaseed-rebuild")
    result.assert_outcomes(passed=3)
    lines = _summary_lines(result)
    assert len(lines) == 2, lines
    assert all("built in" in line for line in lines), lines
    assert "Exception in thread" not in result.stderr.str()


def test_a_request_the_thread_has_not_begun_is_built_by_the_test_that_needs_it(
    project: Any,
) -> None:
    # The thread waits until the first test has asked for its template database itself.
    project.pytester.makeconftest(GATED)
    project.tests(
        HEADER
        + """
from conftest import GATE

@pytest.mark.supaseed("small")
def test_small(supaseed, request):
    prebuild = get_run_state(request.config).prebuild
    assert prebuild.status(SMALL) == "taken"  # claimed by this test's fixture, which built it
    GATE.set()
    assert wait_for(prebuild, OTHER, "done") == "done"  # the thread skipped "small"

@pytest.mark.supaseed("other")
def test_other(supaseed):
    assert supaseed.count("public.notes") == 7
"""
    )
    result = project.run("-p", "no:randomly", "--supaseed-rebuild")
    result.assert_outcomes(passed=2)
    lines = _summary_lines(result)
    assert len(lines) == 2, lines
    assert all("built in" in line for line in lines), lines


def test_what_the_thread_fails_at_fails_the_test_that_needs_it_as_without_it(
    project: Any,
) -> None:
    project.tests(
        HEADER
        + """
@pytest.mark.supaseed("small")
def test_small(supaseed, request):
    prebuild = get_run_state(request.config).prebuild
    assert wait_for(prebuild, prebuild.keys[1], "done") == "done"  # the thread tried, and failed

@pytest.mark.supaseed("small", tables={"public.notez": {"count": 2}})
def test_typo(supaseed):
    pass
"""
    )
    result = project.run("-p", "no:randomly")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*public.notez*"])
    output = result.stdout.str() + result.stderr.str()
    assert "Exception in thread" not in output
    assert "Traceback" not in output


def test_only_the_selected_tests_templates_are_built_ahead(project: Any) -> None:
    project.tests(
        HEADER
        + """
@pytest.mark.supaseed("small")
def test_small(supaseed, request):
    assert get_run_state(request.config).prebuild.keys[0] == SMALL

@pytest.mark.supaseed("other")
def test_other(supaseed):
    pass

@pytest.mark.skip(reason="not today")
@pytest.mark.supaseed("small", users={"count": 4})
def test_skipped(supaseed):
    pass

@pytest.mark.supaseed("other")
@pytest.mark.parametrize("supaseed_request", [SupaseedRequest("other", seed=99)])
def test_own_request(supaseed_db, supaseed_request):
    assert supaseed_db.execute("select count(*) from public.notes").fetchone() == (7,)

@pytest.mark.supaseed("other")
def test_unit(supaseed_request):  # asks what it would seed, seeds nothing
    pass

@pytest.mark.supaseed("other")
@pytest.mark.skipif(reason="no condition: skipped")
def test_skipif_without_condition(supaseed):
    pass

@pytest.mark.supaseed("other")
@pytest.mark.xfail(run=False, reason="not run")
def test_not_run(supaseed):
    pass

@pytest.mark.supaseed("small", users={"count": 5})
@pytest.mark.skipif(True, condition=False, reason="condition= wins: it runs")
def test_runs(supaseed, request):
    assert len(get_run_state(request.config).prebuild.keys) == 2
"""
    )
    project.run("-p", "no:randomly", "-k", "not other").assert_outcomes(
        passed=4, skipped=2, xfailed=1, deselected=1
    )


def test_a_project_that_chooses_its_plans_in_code_gets_no_thread(project: Any) -> None:
    project.pytester.makeconftest(
        """
        import pytest

        from pytest_supaseed.marker import SupaseedRequest

        @pytest.fixture
        def supaseed_request():
            return SupaseedRequest("other")
        """
    )
    project.tests(
        HEADER
        + """
@pytest.mark.supaseed("small")
def test_seeded(supaseed, request):
    assert get_run_state(request.config).prebuild is None
    assert supaseed.count("public.notes") == 7  # the override's plan, not the marker's
"""
    )
    project.run("-p", "no:randomly").assert_outcomes(passed=1)


def test_a_run_stopped_at_its_first_failure_ends_cleanly_with_the_thread_at_work(
    project: Any,
) -> None:
    project.tests(
        HEADER
        + """
@pytest.mark.supaseed("small")
def test_small(supaseed):
    assert False, "stop here"

@pytest.mark.supaseed("other")
def test_other(supaseed):
    pass
"""
    )
    result = project.run("-p", "no:randomly", "-x", "--supaseed-rebuild")
    result.assert_outcomes(failed=1)
    assert "Exception in thread" not in result.stdout.str() + result.stderr.str()


def test_a_run_that_ends_before_the_thread_began_builds_nothing_more(project: Any) -> None:
    # The thread is held until the session is over (-x stopped it at its first test): it must
    # then begin no template database.
    project.pytester.makeconftest(
        GATED
        + """
        import json
        import time

        import pytest

        from pytest_supaseed.run_state import peek_run_state

        @pytest.hookimpl(trylast=True)
        def pytest_sessionfinish(session):
            GATE.set()
            # give the thread every chance to begin something before the run goes on
            found = peek_run_state(session.config).prebuild
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and found._thread.is_alive():
                if any(found.status(key) != "pending" for key in found.keys):
                    break
                time.sleep(0.01)

        @pytest.hookimpl(trylast=True)
        def pytest_unconfigure(config):
            found = peek_run_state(config).prebuild
            with open("prebuild.json", "w") as out:
                json.dump([found.status(key) for key in found.keys], out)
        """
    )
    project.tests(
        """
        import pytest

        def test_unit_first():
            assert False, "stop here"

        @pytest.mark.supaseed("small")
        def test_small(supaseed):
            pass

        @pytest.mark.supaseed("other")
        def test_other(supaseed):
            pass
        """
    )
    result = project.run("-p", "no:randomly", "-x")
    result.assert_outcomes(failed=1)
    assert json.loads((project.root / "prebuild.json").read_text()) == ["pending", "pending"]


def test_a_bad_option_is_reported_by_the_tests_not_by_collection(project: Any) -> None:
    project.tests(
        """
        import pytest

        @pytest.mark.supaseed("small")
        def test_small(supaseed):
            pass
        """
    )
    result = project.run("-p", "no:randomly", "-o", "supaseed_backend=dokcer")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*dokcer*"])
    output = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in output
    assert "Traceback" not in output
